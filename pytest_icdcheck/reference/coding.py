"""Documentation → reported diagnoses: CONTRACT §2.1 steps 1-6.

1. Resolve each condition to a code (terms.py), checking a documented ``code``'s validity.
2. Certainty: "ruled out" is never coded. Other uncertain wording is coded as established
   for inpatients at discharge (OCG II.H; III.C for additional diagnoses) and not coded for
   outpatients (OCG IV.H: code the signs and symptoms documented instead).
3. Symptoms integral to a coded diagnosis are left out (OCG I.B.5; symptoms.py).
4. Excludes1 inside the documentation: the symptom gives way (excludes.py).
5. Sequence (sequencing.py).
6. Each code once.

A cause named by ``due_to`` is reported with the condition it causes (it is documented as
that condition's cause), even when it is not listed as a condition of its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pytest_icdcheck.reference import terms
from pytest_icdcheck.reference.edits import Edit, edit
from pytest_icdcheck.reference.excludes import resolve_excludes1
from pytest_icdcheck.reference.sequencing import sequence
from pytest_icdcheck.reference.symptoms import drop_integral, integral_pairs

UNCERTAIN = frozenset(
    {
        "probable",
        "suspected",
        "likely",
        "questionable",
        "possible",
        "rule-out",
        "consistent-with",
        "compatible-with",
    }
)


@dataclass
class Coded:
    diagnoses: list[str] = field(default_factory=list)
    edits: list[Edit] = field(default_factory=list)


def is_coded(certainty: str, setting: str) -> bool:
    """Step 2: is a condition documented with this certainty coded in this setting?"""
    if certainty == "ruled-out":
        return False
    if certainty in UNCERTAIN:
        return setting == "inpatient"
    return True


def _resolve(condition: Mapping[str, Any]) -> tuple[str | None, Edit | None]:
    """Step 1 for one condition: its code, or the UNRESOLVED_TERM edit."""
    if "code" in condition:
        return str(condition["code"]), None
    term = str(condition["term"])
    found = terms.resolve(term)
    if found.code is not None:
        return found.code, None
    why = (
        f"it names several codes ({', '.join(found.candidates)})"
        if found.candidates
        else "it matches no tabular description, inclusion term or known synonym"
    )
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

    codes: list[str] = []
    causes: dict[str, list[str]] = {}
    for condition in conditions:
        code, problem = _resolve(condition)
        if problem is not None:
            result.edits.append(problem)
        cause = condition.get("due_to")
        cause_ok = cause is not None and valid(str(cause))
        if code is None or not valid(code):
            code = None
        if not is_coded(str(condition.get("certainty", "confirmed")), setting):
            continue
        if code is not None:
            codes.append(code)
        if cause_ok:
            if code is not None:
                causes.setdefault(code, []).append(str(cause))
            codes.append(str(cause))
    codes = list(dict.fromkeys(codes))  # step 6
    integral = integral_pairs(codes, codes)
    codes = resolve_excludes1(drop_integral(codes))
    result.diagnoses = sequence(codes, causes, integral)
    return result
