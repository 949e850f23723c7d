"""Etiology sequencing (CONTRACT §2.1 step 5, §3 ETIOLOGY_SEQUENCING; OCG I.C.19.e.5).

Rule: for an R25.- symptom (v2: every one, CONTRACT §3; the seed names R25.3) and a cause C
of the seed's etiology table —
* C is E05.- (thyrotoxicosis), E83.4- (magnesium), E87.6 (hypokalemia) or a poisoning
  T36-T50 code (6th character 1-4): C is sequenced first (seed "code the etiology first";
  OCG I.C.19.e.5.b);
* C is an adverse-effect T36-T50 code (6th character 5): R25.3 first, C after it
  (OCG I.C.19.e.5.a; CONTRACT §6.3 — the seed has this backwards).
On a claim the wrong order → ETIOLOGY_SEQUENCING(symptom, C), severity warning; the right
order → no edit (generated for every R25 leaf; a claim whose symptom is also integral to
C gets SYMPTOM_INTEGRAL too, as integral.py states). In documentation (``due_to: C``) the
result is in the right order whatever the documented order, outpatient and inpatient.
R25.3 is not integral to any of these causes (CONTRACT §2.1 step 3): both are coded.
Drug codes are T44.0- (anticholinesterase agents, the seed's example) with 7th character A:
subsequent (D) and sequela (S) encounters bring in other sequencing rules (OCG I.C.19.a,
I.B.10), which are not this family's subject.
"""

from __future__ import annotations

from pytest_icdcheck.generate import claim_rules, integral_rules
from pytest_icdcheck.generate.codes import (
    GeneratorError,
    description,
    excluded_together,
    leaves,
    require_valid,
)
from pytest_icdcheck.generate.etiology_rules import (
    CAUSE_FIRST,
    DRUGS,
    MANIFESTATION_FIRST,
    SYMPTOM,
    Cause,
    rule_for,
)
from pytest_icdcheck.generate.model import (
    DATE,
    CaseFile,
    case,
    condition,
    encounter,
    patient,
    slug,
)

FAMILY = "etiology"


def causes() -> list[tuple[str, Cause]]:
    """The causes the family is generated for, each with its rule."""
    codes = [*leaves("E05"), *leaves("E83.4"), *leaves("E87.6")]
    codes += [c for c in leaves("T44.0") if c.endswith("A") and c[6] in "12345"]
    out = []
    for code in codes:
        rule = rule_for(SYMPTOM, code)
        if rule is None:
            raise GeneratorError(f"{code} has no etiology rule")
        out.append((code, rule))
    return out


def generate() -> list[CaseFile]:
    file = CaseFile(
        "etiology-sequencing",
        "generated - etiology sequencing (causes of fasciculation)",
        "Rule: R25.3 with a cause -> the cause first (E05.-, E83.4-, E87.6, poisoning), or "
        "R25.3 first (adverse effect); a claim in the wrong order -> ETIOLOGY_SEQUENCING "
        "warning.",
    )
    for cause, rule in causes():
        require_valid([SYMPTOM, cause], DATE)
        if excluded_together(SYMPTOM, cause) or integral_rules.is_integral(SYMPTOM, cause):
            raise GeneratorError(f"{SYMPTOM} with {cause} is not only a sequencing question")
        c = slug(cause)
        right = [cause, SYMPTOM] if rule.order == CAUSE_FIRST else [SYMPTOM, cause]
        kind = (
            "adverse-effect"
            if rule.order == MANIFESTATION_FIRST
            else ("poisoning" if cause in DRUGS else "metabolic")
        )
        tags = ["etiology_sequencing", kind]
        what = description(cause)
        for claim in ([SYMPTOM, cause], [cause, SYMPTOM]):
            fires = claim != right
            file.cases.append(
                case(
                    f"gen-etiology-claim-{slug(claim[0])}-{slug(claim[1])}",
                    f"Claim {claim[0]}, {claim[1]} -> "
                    + ("ETIOLOGY_SEQUENCING warning" if fires else "no edit (right order)"),
                    rule.source,
                    FAMILY,
                    [*tags, "editing"] + ([] if fires else ["not-fired"]),
                    encounter(claim_dx=claim, who=patient(66, "F")),
                    {"diagnoses": claim, "edits": claim_rules.dx_edits(claim)},
                )
            )
        for setting in ("outpatient", "inpatient"):
            for first in ("symptom", "cause"):
                fasc = condition("fasciculations", SYMPTOM, due_to=cause)
                conditions = [fasc, condition(what, cause)]
                if first == "cause":
                    conditions.reverse()
                file.cases.append(
                    case(
                        f"gen-etiology-doc-{setting}-{first}-first-{c}",
                        f"{setting.capitalize()}: fasciculations due to {cause} "
                        f"({what}), {first} documented first -> {', '.join(right)}",
                        f"{rule.source}; CONTRACT §2.1 step 5",
                        FAMILY,
                        [*tags, "coding", setting],
                        encounter(setting=setting, conditions=conditions, who=patient(66, "F")),
                        {"diagnoses": right, "edits": []},
                        ordered=True,
                    )
                )
    return [file, _other_r25_claims()]


def _other_r25_claims() -> CaseFile:
    """v2: the claim rule for the R25 leaves other than R25.3, both orders."""

    file = CaseFile(
        "etiology-sequencing-r25",
        "generated - etiology sequencing for every R25.- symptom (v2)",
        "Rule: any R25.- symptom before its cause (E05.-, E83.4-, E87.6, poisoning), or an "
        "adverse-effect code before it -> ETIOLOGY_SEQUENCING warning (CONTRACT §3, v2).",
    )
    for symptom in leaves("R25"):
        if symptom == SYMPTOM:
            continue
        for cause, rule in causes():
            require_valid([symptom, cause], DATE)
            for claim in ([symptom, cause], [cause, symptom]):
                expected = claim_rules.dx_edits(claim)
                fires = any(e["rule"] == "ETIOLOGY_SEQUENCING" for e in expected)
                file.cases.append(
                    case(
                        f"gen-etiology-claim-{slug(claim[0])}-{slug(claim[1])}",
                        f"Claim {claim[0]}, {claim[1]} -> "
                        + ("ETIOLOGY_SEQUENCING warning" if fires else "no sequencing edit"),
                        f"{rule.source}; CONTRACT §3 ETIOLOGY_SEQUENCING (v2: every R25.- symptom)",
                        FAMILY,
                        ["etiology_sequencing", slug(symptom), "editing"]
                        + ([] if fires else ["not-fired"]),
                        encounter(claim_dx=claim, who=patient(66, "F")),
                        {"diagnoses": claim, "edits": expected},
                    )
                )
    return file
