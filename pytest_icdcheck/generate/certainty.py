"""Certainty by setting (CONTRACT §2.1 step 2; OCG II.H, III.C, IV.H; CONTRACT §6.1).

Rule: a diagnosis documented with certainty K in setting P is coded when
* K is ``confirmed`` — always;
* K is ``ruled-out`` — never;
* K is any other (uncertain) certainty — inpatient yes (OCG II.H: coded as if established
  at discharge, "still to be ruled out" included), outpatient no (OCG IV.H: code the
  documented signs and symptoms instead).
Each case documents the disease with certainty K, then fasciculations (R25.3) and cramps
(R25.2). When the disease is coded both symptoms are integral to it (OCG I.B.5): the result
is the disease alone. When it is not coded: R25.3, R25.2 in the documented order.
Diseases: ALS (G12.21) and motor neuron disease (G12.20, CONTRACT §6.2), each written with
its code and as a bare term the engine resolves (CONTRACT §2.1 step 1: "ALS" → G12.21,
"motor neuron disease" → G12.20).
"""

from __future__ import annotations

from dataclasses import dataclass

from pytest_icdcheck.generate.codes import require_valid
from pytest_icdcheck.generate.model import DATE, CaseFile, case, condition, encounter, patient

FAMILY = "certainty"
UNCERTAIN = (
    "probable",
    "suspected",
    "likely",
    "questionable",
    "possible",
    "rule-out",
    "consistent-with",
    "compatible-with",
)
CERTAINTIES = ("confirmed", *UNCERTAIN, "ruled-out")
SETTINGS = ("inpatient", "outpatient")


def is_coded(certainty: str, setting: str) -> bool:
    if certainty == "confirmed":
        return True
    if certainty == "ruled-out":
        return False
    return setting == "inpatient"


def source(certainty: str, setting: str) -> str:
    if certainty == "confirmed":
        return "OCG I.B.5 (symptoms integral to a confirmed diagnosis)"
    if certainty == "ruled-out":
        return "CONTRACT §2.1 step 2 (ruled-out is never coded); OCG IV.H / II.H"
    if setting == "inpatient":
        extra = "; CONTRACT §6.1 (still to be ruled out)" if certainty == "rule-out" else ""
        return f"OCG II.H (uncertain diagnosis at discharge coded as established){extra}"
    return "OCG IV.H (outpatient: uncertain diagnosis not coded, symptoms are)"


@dataclass(frozen=True)
class Disease:
    key: str
    code: str
    term: str  # written with the code
    bare_term: str  # written without a code, resolved by the engine


DISEASES = (
    Disease("als", "G12.21", "amyotrophic lateral sclerosis", "ALS"),
    Disease("mnd", "G12.20", "motor neuron disease", "motor neuron disease"),
)
SYMPTOMS = (("fasciculations", "R25.3"), ("muscle cramps", "R25.2"))


def generate() -> list[CaseFile]:
    file = CaseFile(
        "certainty-setting",
        "generated - uncertain diagnoses by setting",
        "Rule: confirmed -> coded; ruled-out -> never; other uncertain wording -> coded "
        "inpatient (OCG II.H), not outpatient (OCG IV.H, symptoms coded instead).",
    )
    for disease in DISEASES:
        require_valid([disease.code, *(c for _, c in SYMPTOMS)], DATE)
        for setting in SETTINGS:
            for certainty in CERTAINTIES:
                coded = is_coded(certainty, setting)
                expected = [disease.code] if coded else [c for _, c in SYMPTOMS]
                for written in ("code", "term"):
                    dx = (
                        condition(disease.term, disease.code, certainty=certainty)
                        if written == "code"
                        else condition(disease.bare_term, certainty=certainty)
                    )
                    conditions = [dx, *(condition(t, c) for t, c in SYMPTOMS)]
                    shown = disease.bare_term if written == "term" else disease.term
                    file.cases.append(
                        case(
                            f"gen-cert-{disease.key}-{setting}-{certainty}-{written}",
                            f"{setting.capitalize()}, {certainty} {shown!r}"
                            f"{'' if written == 'code' else ' (no code)'} with fasciculations "
                            f"and cramps -> {', '.join(expected)}",
                            source(certainty, setting),
                            FAMILY,
                            [setting, certainty, disease.key, "coding"],
                            encounter(setting=setting, conditions=conditions, who=patient(47, "M")),
                            {"diagnoses": expected, "edits": []},
                            ordered=True,
                        )
                    )
    return [file]
