"""The etiology sequencing rule table (etiology.py states the rule and builds its cases).

Apart from the case builder so that claim_rules, which asks every family's table about a
claim, and the builder, which asks claim_rules for a claim's edits, need not import
each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pytest_icdcheck.generate.codes import CodeRange, GeneratorError, header
from pytest_icdcheck.generate.model import edit

SYMPTOM = "R25.3"
SYMPTOMS = header("R25")  # v2: ETIOLOGY_SEQUENCING applies to every R25.- symptom
CAUSE_FIRST = "cause-first"
MANIFESTATION_FIRST = "manifestation-first"
DRUGS = CodeRange("T36", "T50")


@dataclass(frozen=True)
class Cause:
    codes: CodeRange
    sixth: str  # for T36-T50: the 6th characters this row covers; "" for any code
    order: str
    source: str


RULES: tuple[Cause, ...] = (
    Cause(header("E05"), "", CAUSE_FIRST, "seed scenario 4 (code the thyroid condition first)"),
    Cause(
        header("E83.4"), "", CAUSE_FIRST, "seed etiology table (E83.42: code metabolic etiology)"
    ),
    Cause(header("E87.6"), "", CAUSE_FIRST, "seed etiology table (E87.6: code metabolic etiology)"),
    Cause(DRUGS, "1234", CAUSE_FIRST, "OCG I.C.19.e.5.b (poisoning code first)"),
    Cause(DRUGS, "5", MANIFESTATION_FIRST, "OCG I.C.19.e.5.a; CONTRACT §6.3 (manifestation first)"),
)


def rule_for(symptom: str, cause: str) -> Cause | None:
    if symptom not in SYMPTOMS:
        return None
    for rule in RULES:
        if cause in rule.codes and (not rule.sixth or (len(cause) >= 7 and cause[6] in rule.sixth)):
            return rule
    return None


def _is_cause(code: str) -> bool:
    return any(code in rule.codes for rule in RULES)


def claim_edits(claim: list[str]) -> list[dict[str, Any]]:
    """ETIOLOGY_SEQUENCING edits for a claim (codes once each, in claim order)."""
    found: list[dict[str, Any]] = []
    for i, s in enumerate(claim):
        for j, c in enumerate(claim):
            rule = rule_for(s, c)
            if rule is None:
                if s.startswith("R") and s not in SYMPTOMS and _is_cause(c) and i < j:
                    raise GeneratorError(f"no stated rule for {s} listed before {c}")
                continue
            wrong = i < j if rule.order == CAUSE_FIRST else j < i
            if wrong:
                found.append(edit("ETIOLOGY_SEQUENCING", s, c, severity="warning"))
    return found
