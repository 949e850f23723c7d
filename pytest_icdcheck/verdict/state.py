"""What one pytest session (one xdist worker) knows: its engines, case ids, recorded files."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_icdcheck.casefile.ids import CaseIds
from pytest_icdcheck.errors import EngineSpecError, IcdCheckError

if TYPE_CHECKING:
    from pytest_icdcheck.engines.adapter import EngineAdapter
    from pytest_icdcheck.verdict.golden import RecordedFile


@dataclass(frozen=True)
class Limits:
    """How hard the engines may be pushed: requests in flight, requests a second."""

    concurrency: int = 1  # --icd-concurrency / --concurrency
    rate: float | None = None  # --icd-rate / --rate; None: no cap

    @classmethod
    def read(cls, concurrency: object, rate: object) -> Limits:
        """From option or ini values already checked (limits.concurrency_problem,
        rate_problem): an empty concurrency is 1, an empty rate no cap."""
        text = str(rate).strip() if rate is not None else ""
        return cls(concurrency=int(str(concurrency or "1")), rate=float(text) if text else None)


class _LazyEngine:
    """An engine created on first use (so --collect-only loads none), loaded once."""

    def __init__(
        self, spec: str, registered: Iterable[Mapping[str, Any]], timeout: float, limits: Limits
    ) -> None:
        self.spec = spec
        self._registered = registered
        self._timeout = timeout
        self._limits = limits
        self.adapter: EngineAdapter | None = None
        self._error: str | None = None
        self._loading = threading.Lock()  # get() may run in start()'s thread too
        self._started = False

    def start(self) -> None:
        """Load an out-of-process engine in the background: its process or connection
        starts while the first case file is read (the first get() waits for it)."""
        if self._started:
            return
        self._started = True
        if self.spec.startswith("cmd:") or self.spec.lower().startswith(("http://", "https://")):
            threading.Thread(target=self._load_quietly, daemon=True).start()

    def _load_quietly(self) -> None:
        with contextlib.suppress(Exception):  # get() raises it again where a case sees it
            self.get()

    def get(self) -> EngineAdapter:
        with self._loading:
            return self._get()

    def _get(self) -> EngineAdapter:
        if self.adapter is None:
            if self._error is not None:
                raise EngineSpecError(self._error)  # fail every case the same way
            from pytest_icdcheck.engines.adapter import EngineAdapter
            from pytest_icdcheck.engines.resolve import resolve_engine

            try:
                engine = resolve_engine(
                    self.spec,
                    self._registered,
                    timeout=self._timeout,
                    concurrency=self._limits.concurrency,
                    rate=self._limits.rate,
                )
                self.adapter = EngineAdapter(
                    self.spec, engine, concurrency=self._limits.concurrency
                )
            except IcdCheckError as exc:
                self._error = str(exc)
                raise
        return self.adapter

    def close(self) -> None:
        with self._loading:  # not while start() is still loading it
            pass
        if self.adapter is not None:
            self.adapter.close()
            self.adapter = None


class RunState:
    def __init__(
        self,
        spec: str,
        registered: Iterable[Mapping[str, Any]] = (),
        *,
        against: str | None = None,
        update: bool = False,
        timeout: float = 30.0,
        limits: Limits = Limits(),  # frozen: one default shared safely
    ) -> None:
        self.spec = spec
        self.update = update
        self.limits = limits
        self._engine = _LazyEngine(spec, registered, timeout, limits)
        self._against = _LazyEngine(against, registered, timeout, limits) if against else None
        self.ids = CaseIds()
        self.markers: frozenset[str] | None = None  # registered marker names (collection)
        # The engine's describe() has gone out on a case's outcome (once per process).
        self.described = False
        self._recorded: dict[Path, RecordedFile] = {}

    def engine(self) -> EngineAdapter:
        return self._engine.get()

    def start_engines(self) -> None:
        """Start out-of-process engines now, in the background (see _LazyEngine.start)."""
        self._engine.start()
        if self._against is not None:
            self._against.start()

    @property
    def engine_label(self) -> str | None:
        adapter = self._engine.adapter
        return adapter.label if adapter is not None else None

    def against(self) -> EngineAdapter | None:
        """The engine of --icd-against, or None when the run is not differential."""
        return self._against.get() if self._against is not None else None

    def prefetch(self, cases: Sequence[tuple[str, Mapping[str, Any]]]) -> None:
        """Hand a batch of (case id, encounter) to the engine(s) ahead of judging them."""
        if not cases:
            return
        try:
            self.engine().prefetch(cases)
            against = self.against()
            if against is not None:
                against.prefetch(cases)
        except IcdCheckError:
            return  # an engine that cannot load fails each case, with its message

    def recorded_file(self, case_file: Path) -> RecordedFile:
        """The recorded results beside ``case_file``, read once per session."""
        from pytest_icdcheck.verdict.golden import RecordedFile, recorded_path

        if case_file not in self._recorded:
            self._recorded[case_file] = RecordedFile.read(recorded_path(case_file))
        return self._recorded[case_file]

    def close(self) -> None:
        self._engine.close()
        if self._against is not None:
            self._against.close()
