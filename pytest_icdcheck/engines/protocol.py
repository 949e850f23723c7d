"""The engine protocol of CONTRACT §5, for type checkers and for adapters."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class Engine(Protocol):
    """Any object with ``run``; ``describe``, ``run_many`` and ``close`` are optional."""

    def run(self, encounter: Mapping[str, Any]) -> Mapping[str, Any]: ...


@runtime_checkable
class CaseEngine(Protocol):
    """An engine that wants the case id with the encounter (the out-of-process adapters).

    ``EngineAdapter`` calls ``run_case`` instead of ``run`` when an engine has it; it
    raises ``EngineFailure`` with a complete message when the case cannot be run.
    """

    def run_case(self, case_id: str, encounter: Mapping[str, Any]) -> Mapping[str, Any]: ...
