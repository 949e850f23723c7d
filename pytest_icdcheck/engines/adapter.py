"""One engine for the session: describe it, run one case, close it — never raise past it.

Whatever the engine does (raise, return garbage, return NaN) becomes an
``EngineFailure`` with a message for the user; the case fails and the run goes on.

Run-ahead (``prefetch``): with ``concurrency`` N > 1, an out-of-process engine (one that
says ``concurrent_requests = True``: cmd:, http://) gets a batch's cases from N threads,
so up to N requests are in flight; an in-process engine with ``run_many`` gets the batch
in one call. ``run`` then waits for its own case only, so the caller still judges cases
one by one, in order.
"""

from __future__ import annotations

import contextlib
import copy
import marshal
from collections import deque
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from pytest_icdcheck.casefile import schema
from pytest_icdcheck.errors import EngineFailure, EngineInputError


class EngineAdapter:
    def __init__(self, spec: str, engine: Any, *, concurrency: int = 1) -> None:
        self.spec = spec
        self.engine = engine
        self.info = self._describe()
        self.concurrency = max(1, concurrency)
        # case id -> results run ahead, oldest first (an id may repeat across files in
        # `icdcheck run`): a raw result from run_many, or a Future of a checked-later one
        self._ahead: dict[str, deque[Any]] = {}
        self._pool: ThreadPoolExecutor | None = None

    @property
    def runs_ahead(self) -> bool:
        """Whether prefetch() sends cases ahead of run() (else it is a no-op)."""
        if self._threaded:
            return True
        return callable(getattr(self.engine, "run_many", None))

    @property
    def _threaded(self) -> bool:
        # Only the out-of-process adapters are called from several threads: a Python
        # engine need not be thread-safe (CONTRACT §5).
        return self.concurrency > 1 and getattr(self.engine, "concurrent_requests", False) is True

    def prefetch(self, cases: Sequence[tuple[str, Mapping[str, Any]]]) -> None:
        """Start a batch of cases ahead of ``run``, where the engine can.

        With concurrency N > 1 an out-of-process engine gets the cases from N threads;
        else an engine with ``run_many`` (CONTRACT §5) gets them in one call. ``run`` then
        serves these cases, still checking each result. If a ``run_many`` batch fails as a
        whole, nothing is kept and every case runs on its own, so a single bad encounter
        still fails only its own case.
        """
        if self._threaded:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(self.concurrency, "icdcheck-engine")
            for case_id, encounter in cases:
                future = self._pool.submit(self._call, case_id, encounter)
                self._ahead.setdefault(case_id, deque()).append(future)
            return
        run_many = getattr(self.engine, "run_many", None)
        if not callable(run_many) or len(cases) < 2:
            return
        try:
            results = list(run_many([own_copy(encounter) for _, encounter in cases]))
        except Exception:
            return
        if len(results) != len(cases):
            # Which result belongs to which case is unknown: none of them can be trusted.
            wrong = EngineFailure(
                f"engine {self.label}: run_many returned {len(results)} result(s) for "
                f"{len(cases)} encounters, so every case of that batch fails (CONTRACT §5: "
                "run_many returns one result per encounter, in order)"
            )
            results = [wrong] * len(cases)
        for (case_id, _), result in zip(cases, results, strict=True):
            self._ahead.setdefault(case_id, deque()).append(result)

    def _take_ahead(self, case_id: str) -> tuple[bool, Any]:
        queue = self._ahead.get(case_id)
        if not queue:
            return False, None
        value = queue.popleft()
        if not queue:
            del self._ahead[case_id]
        if isinstance(value, Future):
            return True, value.result()  # raises the EngineFailure _call raised
        if isinstance(value, EngineFailure):  # a run_many batch of the wrong size
            raise EngineFailure(str(value))
        return True, value

    @property
    def label(self) -> str:
        version = self.info.get("version")
        return f"{self.info.get('name', self.spec)}" + (f" {version}" if version else "")

    def _describe(self) -> dict[str, Any]:
        describe = getattr(self.engine, "describe", None)
        if not callable(describe):
            return {"name": self.spec}
        try:
            info = describe()
        except Exception as exc:  # an engine's describe() may fail; the cases still run
            return {"name": self.spec, "describe_error": f"{type(exc).__name__}: {exc}"}
        return dict(info) if isinstance(info, Mapping) else {"name": self.spec}

    def run(self, case_id: str, encounter: Mapping[str, Any]) -> dict[str, Any]:
        """The engine's result for ``encounter``, checked against result.schema.json."""
        found, result = self._take_ahead(case_id)
        if not found:
            result = self._call(case_id, encounter)
        return self._checked(result)

    def _call(self, case_id: str, encounter: Mapping[str, Any]) -> Any:
        """One call into the engine; anything but a returned value is an EngineFailure."""
        run_case = getattr(self.engine, "run_case", None)
        try:
            # Out-of-process engines name the case in their request (CONTRACT §5), so they
            # offer run_case(case_id, encounter); they only serialise what they are given.
            # Every other engine has run(encounter) and gets its own copy (CONTRACT v2 §5).
            if callable(run_case):
                result = run_case(case_id, encounter)
            else:
                result = self.engine.run(own_copy(encounter))
        except EngineFailure as exc:  # already a complete message (timeout, crash, HTTP 500)
            raise EngineFailure(f"engine {self.label}: {exc}") from None
        except EngineInputError as exc:
            raise EngineFailure(f"engine {self.label} refused the encounter: {exc}") from None
        except SystemExit as exc:  # an in-process engine must not end the test run
            raise EngineFailure(
                f"engine {self.label} called sys.exit({exc.code!r})" + _where(exc)
            ) from None
        except Exception as exc:
            raise EngineFailure(
                f"engine {self.label} raised {type(exc).__name__}: {exc}" + _where(exc)
            ) from None
        return result

    def _checked(self, result: Any) -> dict[str, Any]:
        if not isinstance(result, Mapping):
            raise EngineFailure(
                f"engine {self.label} returned {type(result).__name__}, not a result mapping "
                "(CONTRACT §3)"
            )
        checked: dict[str, Any] = dict(result)
        problems = schema.result_problems(checked)
        if problems:
            lines = [f"  {p.where}: {p.message}" for p in problems[: schema.MAX_ERRORS_SHOWN]]
            raise EngineFailure(
                f"engine {self.label} returned a result that breaks result.schema.json:\n"
                + "\n".join(lines)
            )
        return checked

    def close(self) -> None:
        if self._pool is not None:  # cases run ahead but never judged (-x, Ctrl-C)
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._ahead.clear()
        close = getattr(self.engine, "close", None)
        if callable(close):
            with contextlib.suppress(Exception):  # closing must never turn a green run red
                close()


def own_copy(encounter: Mapping[str, Any]) -> Any:
    """A deep copy the engine may change at will: no later case or other engine sees it.

    Case data is JSON-like (dicts, lists, str, numbers), which marshal copies several times
    faster than copy.deepcopy; anything else (a date, a Mapping that is not a dict) falls
    back to deepcopy.
    """
    try:
        return marshal.loads(marshal.dumps(encounter))  # type: ignore[arg-type]
    except ValueError:
        return copy.deepcopy(encounter)


def _where(exc: BaseException) -> str:
    """The innermost frame of the engine's own code: enough to find the bug, no traceback."""
    tb = exc.__traceback__
    last = None
    while tb is not None:
        last = tb
        tb = tb.tb_next
    if last is None:
        return ""
    code = last.tb_frame.f_code
    return f" (at {code.co_filename}:{last.tb_lineno} in {code.co_name})"
