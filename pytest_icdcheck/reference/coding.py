"""Documentation → reported diagnoses: CONTRACT §2.1 steps 1-6.

1. Resolve each condition to a code (terms.py), checking a documented ``code``'s validity.
2. Certainty: "ruled out" is never coded. Other uncertain wording is coded as established
   for inpatients at discharge (OCG II.H; III.C for additional diagnoses) and not coded for
   outpatients (OCG IV.H: code the signs and symptoms documented instead).
3. Symptoms integral to a coded diagnosis are left out (OCG I.B.5; symptoms.py).
4. Excludes1 inside the documentation: the code a one-sided note names is kept; with
   notes both ways the non-symptom, else the first documented and CDI_CONFLICTING_DX
   (excludes.py).
4a. An "unspecified" code gives way to a reported code of its category (specificity.py).
5. Sequence (sequencing.py).
6. Each code once.

A cause named by ``due_to`` is a documented condition (v2): its own certainty decides when
it is also listed, else the certainty of the condition naming it. Uncertain in an
outpatient note, it is not reported, so it neither goes first nor absorbs its effects.
The certainty table is data/certainty.csv.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pytest_icdcheck.reference import terms
from pytest_icdcheck.reference.data import table
from pytest_icdcheck.reference.edits import Edit, edit, listing
from pytest_icdcheck.reference.excludes import resolve_excludes1
from pytest_icdcheck.reference.sequencing import sequence
from pytest_icdcheck.reference.specificity import drop_unspecified
from pytest_icdcheck.reference.symptoms import drop_integral, integral_pairs


@functools.cache
def _certainty() -> dict[tuple[str, str], bool]:
    """(certainty, setting) → coded? from data/certainty.csv (OCG II.H, IV.H)."""
    return {
        (row["certainty"], setting): row[setting] == "coded"
        for row in table("certainty.csv")
        for setting in ("inpatient", "outpatient")
    }


@dataclass
class Coded:
    diagnoses: list[str] = field(default_factory=list)
    edits: list[Edit] = field(default_factory=list)
    cdi: list[Edit] = field(default_factory=list)  # CDI_CONFLICTING_DX (step 4)


def is_coded(certainty: str, setting: str) -> bool:
    """Step 2: is a condition documented with this certainty coded in this setting?"""
    return _certainty().get((certainty, setting), certainty != "ruled-out")


def _resolve(condition: Mapping[str, Any]) -> tuple[str | None, Edit | None]:
    """Step 1 for one condition: its code, or the UNRESOLVED_TERM edit."""
    if "code" in condition:
        return str(condition["code"]), None
    term = str(condition["term"])
    found = terms.resolve(term)
    if found.code is not None:
        return found.code, None
    if found.header is not None:
        why = (
            f"it is the title of the header {found.header}, which is never reported and has "
            f"no single unspecified code beneath it; its billable codes are "
            f"{listing(found.candidates)}"
        )
    elif found.candidates:
        why = f"it names several codes ({', '.join(found.candidates)})"
    else:
        why = "it matches no tabular description, inclusion term, header title or known synonym"
    return None, edit(
        "UNRESOLVED_TERM",
        [],
        f"cannot code the documented term {term!r}: {why}; add the code to the condition",
    )


def code_documentation(
    conditions: Sequence[Mapping[str, Any]], setting: str, reportable: Any
) -> Coded:
    """``reportable(code)`` returns the validity edit of a code, or None if it may be coded."""
    result = Coded()
    checked: dict[str, bool] = {}

    def valid(code: str) -> bool:
        if code not in checked:
            problem = reportable(code)
            if problem is not None:
                result.edits.append(problem)
            checked[code] = problem is None
        return checked[code]

    resolved: list[tuple[str | None, str, str | None]] = []  # (code, certainty, due_to)
    for condition in conditions:
        code, problem = _resolve(condition)
        if problem is not None:
            result.edits.append(problem)
        cause = condition.get("due_to")
        cause_code = str(cause) if cause is not None and valid(str(cause)) else None
        if code is not None and not valid(code):
            code = None
        resolved.append((code, str(condition.get("certainty", "confirmed")), cause_code))
    # v2: a cause is a documented condition too: its own certainty decides when it is also
    # listed (coded if any listing of it is), else it has the certainty of the condition
    # that names it.
    listed: dict[str, bool] = {}
    for code, certainty, _ in resolved:
        if code is not None:
            listed[code] = listed.get(code, False) or is_coded(certainty, setting)
    codes: list[str] = []
    causes: dict[str, list[str]] = {}
    for code, certainty, cause_code in resolved:
        if code is not None and is_coded(certainty, setting):
            codes.append(code)
        if cause_code is not None and listed.get(cause_code, is_coded(certainty, setting)):
            if code is not None:
                causes.setdefault(code, []).append(cause_code)
            codes.append(cause_code)
    codes = list(dict.fromkeys(codes))  # step 6
    # Steps 3-5 look only at the codes being reported: a cause left out neither goes
    # first nor absorbs its effects.
    codes = drop_integral(codes)
    codes, result.cdi = resolve_excludes1(codes)
    codes = drop_unspecified(codes)
    integral = integral_pairs(codes, codes)
    result.diagnoses = sequence(codes, causes, integral)
    return result
