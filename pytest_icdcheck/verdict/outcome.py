"""One case's verdict and the text a user reads: shared by the plugin and the batch runner.

`judge` is the whole life of a case after loading: refuse an invalid case, run the
engine(s), compare, and say what went wrong in a coder's words. The pytest item and
`icdcheck run` both call it, so they give the same verdicts and the same messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pytest_icdcheck.casefile.cases import Case
from pytest_icdcheck.errors import IcdCheckError
from pytest_icdcheck.verdict.evaluate import evaluate
from pytest_icdcheck.verdict.render import render_engine_error, render_invalid, render_mismatch
from pytest_icdcheck.verdict.state import RunState

PASSED, FAILED, ERROR = "passed", "failed", "error"


@dataclass
class Outcome:
    status: str  # passed | failed (differences) | error (invalid case, engine failure)
    text: str = ""  # what the user reads when the case did not pass
    # Plain data that travels with the report (to the xdist controller too): the summary,
    # the recorder and the batch runner read it.
    info: dict[str, Any] = field(default_factory=dict)


def judge(case: Case, state: RunState, *, verbose: bool = False) -> Outcome:
    info: dict[str, Any] = {
        "case_file": str(case.path),
        "case_id": case.name,
        "recorded": case.recorded,
        "line": case.line,
    }
    if case.problems:
        info.update(status=ERROR, kind="invalid-case")
        return Outcome(ERROR, render_invalid(case.name, case.problems), info)
    try:
        verdict = evaluate(case, state)
    except IcdCheckError as exc:
        info.update(status=ERROR, kind="engine", engine=state.engine_label)
        return Outcome(ERROR, render_engine_error(case, str(exc), state.engine_label), info)
    info["engine"] = verdict.engine
    if not state.described:  # the JSON run report names the engine's version and years
        state.described = True
        info["engine_info"] = _describe(state.engine().info)
    if verdict.against:
        info["against"] = verdict.against
    if verdict.record is not None:
        info["record"] = verdict.record
    differences = verdict.differences
    if differences:
        from pytest_icdcheck.verdict.scorecard import difference_data

        info.update(status=FAILED, fields=sorted({d.field for d in differences}))
        info["differences"] = [
            difference_data(d, "expected" if s.title is None else "against")
            for s in verdict.sections
            for d in s.differences
        ]
        text = render_mismatch(case, verdict.sections, verdict.engine, verbose)
        return Outcome(FAILED, text, info)
    info["status"] = PASSED
    return Outcome(PASSED, "", info)


def _describe(info: dict[str, Any]) -> dict[str, Any]:
    """The engine's describe() as plain JSON data (it travels on a report)."""
    years = info.get("fiscal_years")
    return {
        "name": str(info.get("name", "")),
        "version": None if info.get("version") is None else str(info["version"]),
        "fiscal_years": [int(y) for y in years if isinstance(y, int)]
        if isinstance(years, (list, tuple))
        else [],
    }
