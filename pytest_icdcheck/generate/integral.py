"""Integral symptoms (OCG I.B.5; CONTRACT §2.1 step 3; seed etiology table and scenarios).

Rule: a symptom S reported with a definitive diagnosis D it is integral to —
* on a claim → SYMPTOM_INTEGRAL(S, D);
* in documentation → D is coded and S is not;
* in an audit (documentation establishes D, the claim reports S without D) →
  MISSED_DEFINITIVE_DX(S, D), and the coded result is D.
A symptom with a diagnosis outside its row is not integral: both are reported, no edit.
"""

from __future__ import annotations

from collections.abc import Iterator

from pytest_icdcheck.generate import claim_rules
from pytest_icdcheck.generate.codes import (
    GeneratorError,
    description,
    excluded_together,
    header,
    require_valid,
)
from pytest_icdcheck.generate.integral_rules import RULES, SYMPTOM_TERMS, is_integral
from pytest_icdcheck.generate.model import (
    DATE,
    CaseFile,
    case,
    condition,
    edit,
    encounter,
    slug,
)

FAMILY = "integral"


def _not_integral_pairs() -> Iterator[tuple[str, str, str]]:
    """Table symptoms beside diagnoses of another row: must not fire (CONTRACT §2.1 step 3
    names R25.2 with G12.- only)."""
    for rule in RULES:
        if rule.symptom != "R25.3" or rule.diagnoses == header("G12"):
            continue
        for d in rule.diagnoses.leaves():
            if not is_integral("R25.2", d):
                yield (
                    "R25.2",
                    d,
                    f"CONTRACT §2.1 step 3 (R25.2 is integral to G12.- only; not {rule.diagnoses})",
                )


def generate() -> list[CaseFile]:
    claims = CaseFile(
        "integral-claims",
        "generated - integral symptoms on claims (SYMPTOM_INTEGRAL)",
        "Rule: a symptom reported on a claim with a diagnosis it is integral to -> "
        "SYMPTOM_INTEGRAL(symptom, diagnosis).",
    )
    notes = CaseFile(
        "integral-documentation",
        "generated - integral symptoms in documentation and audits",
        "Rule: documentation -> the diagnosis is coded, the integral symptom is not; audit "
        "(claim reports the symptom only) -> MISSED_DEFINITIVE_DX(symptom, diagnosis).",
    )
    for rule in RULES:
        s = rule.symptom
        for d in rule.diagnoses.leaves():
            require_valid([s, d], DATE)
            if excluded_together(s, d):  # the documentation rule would be ambiguous
                raise GeneratorError(f"{s} and {d} are integral and also Excludes1")
            pair = f"{slug(s)}-{slug(d)}"
            tags = ["symptom_integral", slug(s)]
            claim = [d, s]
            claims.cases.append(
                case(
                    f"gen-integral-claim-{pair}",
                    f"Claim {d} + {s} -> SYMPTOM_INTEGRAL "
                    f"({SYMPTOM_TERMS[s]} integral to {description(d)})",
                    rule.source,
                    FAMILY,
                    [*tags, "editing"],
                    encounter(claim_dx=claim),
                    {"diagnoses": claim, "edits": claim_rules.dx_edits(claim)},
                )
            )
            notes.cases.append(
                case(
                    f"gen-integral-doc-{pair}",
                    f"Documented {SYMPTOM_TERMS[s]} and {description(d)} -> {d} only",
                    f"{rule.source}; CONTRACT §2.1 step 3",
                    FAMILY,
                    [*tags, "coding"],
                    encounter(
                        conditions=[
                            condition(SYMPTOM_TERMS[s], s),
                            condition(description(d), d),
                        ]
                    ),
                    {"diagnoses": [d], "edits": []},
                    ordered=True,
                )
            )
            notes.cases.append(
                case(
                    f"gen-integral-audit-{pair}",
                    f"Note establishes {d}, claim reports only {s} -> MISSED_DEFINITIVE_DX",
                    f"{rule.source}; CONTRACT §3 MISSED_DEFINITIVE_DX",
                    FAMILY,
                    ["missed_definitive_dx", slug(s), "audit"],
                    encounter(
                        conditions=[
                            condition(description(d), d, certainty="confirmed"),
                            condition(SYMPTOM_TERMS[s], s),
                        ],
                        claim_dx=[s],
                    ),
                    {"diagnoses": [d], "edits": [edit("MISSED_DEFINITIVE_DX", s, d)]},
                )
            )
    for s, d, source in _not_integral_pairs():
        require_valid([s, d], DATE)
        pair = f"{slug(s)}-{slug(d)}"
        claim = [d, s]
        claims.cases.append(
            case(
                f"gen-integral-claim-not-{pair}",
                f"Claim {d} + {s} -> no SYMPTOM_INTEGRAL (cramps are not integral to {d})",
                source,
                FAMILY,
                ["symptom_integral", slug(s), "editing", "not-fired"],
                encounter(claim_dx=claim),
                {"diagnoses": claim, "edits": claim_rules.dx_edits(claim)},
            )
        )
        notes.cases.append(
            case(
                f"gen-integral-doc-not-{pair}",
                f"Documented {description(d)} and muscle cramps -> both coded, {d} first",
                source,
                FAMILY,
                ["symptom_integral", slug(s), "coding", "not-fired"],
                encounter(
                    conditions=[condition(description(d), d), condition(SYMPTOM_TERMS[s], s)]
                ),
                {"diagnoses": [d, s], "edits": []},
                ordered=True,
            )
        )
    return [claims, notes]
