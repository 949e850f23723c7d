"""The engine protocol of CONTRACT §5, for type checkers and for adapters."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class Engine(Protocol):
    """Any object with ``run``; ``describe``, ``run_many`` and ``close`` are optional."""

    def run(self, encounter: Mapping[str, Any]) -> Mapping[str, Any]: ...
