"""What one pytest session (one xdist worker) knows: its engine and the case ids seen."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from pytest_icdcheck.errors import EngineSpecError, IcdCheckError


class RunState:
    def __init__(self, spec: str, registered: Iterable[Mapping[str, Any]] = ()) -> None:
        self.spec = spec
        self._registered = registered
        self._adapter: Any = None
        self._load_error: str | None = None
        self.ids: dict[str, tuple[str, int]] = {}  # case id -> (file, line) first seen

    def engine(self) -> Any:
        """The session's EngineAdapter, created on first use (so --collect-only loads none)."""
        if self._adapter is None:
            if self._load_error is not None:
                raise EngineSpecError(self._load_error)
            from pytest_icdcheck.engines import EngineAdapter, resolve_engine

            try:
                self._adapter = EngineAdapter(
                    self.spec, resolve_engine(self.spec, self._registered)
                )
            except IcdCheckError as exc:
                self._load_error = str(exc)  # fail every case the same way, load once
                raise
        return self._adapter

    @property
    def engine_label(self) -> str | None:
        return self._adapter.label if self._adapter is not None else None

    def close(self) -> None:
        if self._adapter is not None:
            self._adapter.close()
            self._adapter = None
