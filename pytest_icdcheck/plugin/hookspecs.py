"""Hooks other plugins implement to extend pytest-icdcheck."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def pytest_icdcheck_engines() -> Mapping[str, Any]:  # type: ignore[empty-body]
    """Return ``{name: engine}`` to make engines selectable with ``--icd-engine NAME``.

    Each value is an engine class or factory (called with no arguments once per session,
    per xdist worker) or an engine instance. Names given here win over the
    ``pytest_icdcheck.engines`` entry-point group.
    """
