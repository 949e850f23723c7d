"""Run one case: the engine's result against what the case expects.

What a case expects is its hand-written ``expected``, plus, in a ``golden: recorded``
file, the recorded result (hand-written keys win); with ``--icd-against`` the second
engine's whole result is a further expectation. With ``--icd-update`` the recorded part
is not judged but recorded when new or changed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pytest_icdcheck.casefile.cases import Case
from pytest_icdcheck.errors import IcdCheckError
from pytest_icdcheck.verdict.compare import FIELDS, Difference, compare
from pytest_icdcheck.verdict.state import RunState


class NotRecorded(IcdCheckError):
    """A case in a `golden: recorded` file has no recorded result yet."""


@dataclass
class Section:
    title: str | None  # None: the case's own expectations
    differences: list[Difference]


@dataclass
class Verdict:
    engine: str
    sections: list[Section] = field(default_factory=list)
    record: dict[str, Any] | None = None  # entry for the recorded file (--icd-update)
    against: str | None = None

    @property
    def differences(self) -> list[Difference]:
        return [d for s in self.sections for d in s.differences]


def evaluate(case: Case, state: RunState) -> Verdict:
    """Run ``case`` on the session's engine(s); raises IcdCheckError if an engine fails."""
    adapter = state.engine()
    verdict = Verdict(engine=adapter.label)
    result = adapter.run(case.name, case.encounter)
    expected = _expectations(case, state, result, verdict)
    if expected is not None:
        verdict.sections.append(Section(None, compare(expected, result, ordered=case.ordered)))
    against = state.against()
    if against is not None:
        from pytest_icdcheck.verdict.golden import canonical

        verdict.against = against.label
        other = against.run(case.name, case.encounter)
        differences = compare(canonical(other), result, ordered=case.ordered)
        title = (
            f"compared with {against.label} (--icd-against): 'expected' is {against.label}, "
            f"'got' is {adapter.label}"
        )
        verdict.sections.append(Section(title, differences))
    return verdict


def _expectations(
    case: Case, state: RunState, result: dict[str, Any], verdict: Verdict
) -> dict[str, Any] | None:
    hand = case.expected
    if not case.recorded:
        return hand
    from pytest_icdcheck.verdict.golden import GoldenFileError, canonical, recorded_path

    try:
        recorded = state.recorded_file(case.path)
    except GoldenFileError as exc:
        raise IcdCheckError(str(exc)) from None
    hand = hand or {}
    entry = recorded.entries.get(case.name)
    own = {k: v for k, v in (entry or {}).items() if k in FIELDS and k not in hand}
    if state.update:
        fresh = canonical(result, leave_out=hand)
        if (
            entry is None
            or compare(own, result, ordered=case.ordered)
            or set(own) != set(fresh)
            # extensions compare only the keys given: a key the engine added is a change
            or own.get("extensions") != fresh.get("extensions")
        ):
            verdict.record = fresh
        return hand or None
    if entry is None:
        raise NotRecorded(
            f"no recorded result for case {case.name} in {recorded_path(case.path).name}; "
            "run `pytest --icd-update` to record the engine's result, then review the diff"
        )
    return {**own, **hand}
