"""Exceptions whose message is meant for the user, never with a traceback."""

from __future__ import annotations


class IcdCheckError(Exception):
    """Base class: the message is complete and shown as is."""


class EngineInputError(IcdCheckError):
    """The engine refuses this encounter (e.g. a date outside its fiscal years)."""


class EngineSpecError(IcdCheckError):
    """``--icd-engine`` names nothing that can be loaded."""


class EngineFailure(IcdCheckError):
    """The engine raised, crashed or returned something that is not a result."""
