"""One engine for the session: describe it, run one case, close it — never raise past it.

Whatever the engine does (raise, return garbage, return NaN) becomes an
``EngineFailure`` with a message for the user; the case fails and the run goes on.
"""

from __future__ import annotations

import contextlib
import copy
import marshal
from collections.abc import Mapping, Sequence
from typing import Any

from pytest_icdcheck.casefile import schema
from pytest_icdcheck.errors import EngineFailure, EngineInputError


class EngineAdapter:
    def __init__(self, spec: str, engine: Any) -> None:
        self.spec = spec
        self.engine = engine
        self.info = self._describe()
        self._ahead: dict[str, Any] = {}  # case id -> raw result run ahead by prefetch()

    def prefetch(self, cases: Sequence[tuple[str, Mapping[str, Any]]]) -> None:
        """Run a batch of cases at once where the engine can (CONTRACT §5 ``run_many``).

        ``run`` then serves these cases from the batch, still checking each result. If the
        batch call fails as a whole, nothing is kept and every case runs on its own, so a
        single bad encounter still fails only its own case.
        """
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
            self._ahead.update((case_id, wrong) for case_id, _ in cases)
            return
        self._ahead.update(zip((case_id for case_id, _ in cases), results, strict=True))

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
        run_case = getattr(self.engine, "run_case", None)
        if case_id in self._ahead:
            ahead = self._ahead.pop(case_id)
            if isinstance(ahead, EngineFailure):
                raise EngineFailure(str(ahead))
            return self._checked(ahead)
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
        return self._checked(result)

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
