"""Audit findings (CONTRACT §2 audit mode, §3 MISSED_DEFINITIVE_DX, UNSUPPORTED_DX and
MISSED_DX — v2).

Rule: with documentation and a claim, the documentation is coded (certainty.py: confirmed
coded; ruled-out never; other uncertain wording inpatient only; integral.py: a symptom is
not coded beside its diagnosis), the claim is edited (claim_rules.py), and —
* MISSED_DEFINITIVE_DX(S, D): the claim reports a symptom S but not the coded diagnosis D
  it is integral to;
* UNSUPPORTED_DX(C): the claim reports C, the coded documentation does not, and C is not a
  symptom MISSED_DEFINITIVE_DX or SYMPTOM_INTEGRAL names;
* MISSED_DX(C), severity warning: the coded documentation reports C, the claim does not,
  and MISSED_DEFINITIVE_DX does not name C.
Each case documents a motor neuron disease with a certainty, fasciculations and cramps
(as certainty.py), and submits one of a few claims.
"""

from __future__ import annotations

from typing import Any

from pytest_icdcheck.generate import certainty, claim_rules
from pytest_icdcheck.generate import integral_rules as integral
from pytest_icdcheck.generate.codes import require_valid
from pytest_icdcheck.generate.model import DATE, CaseFile, case, condition, edit, encounter, patient

FAMILY = "audit_findings"
SOURCE = "CONTRACT §3 MISSED_DEFINITIVE_DX; UNSUPPORTED_DX and MISSED_DX (v2)"
UNDOCUMENTED = "E87.6"  # on a claim, never in these notes


def findings(claim: list[str], coded: list[str]) -> list[dict[str, Any]]:
    """The audit edits for a claim against the coded documentation (the rule above)."""
    missed = [(s, d) for s in claim for d in coded if d not in claim and integral.is_integral(s, d)]
    named = {s for s, _ in missed} | {s for s in claim for d in claim if integral.is_integral(s, d)}
    found = [edit("MISSED_DEFINITIVE_DX", s, d) for s, d in missed]
    found += [edit("UNSUPPORTED_DX", c) for c in claim if c not in coded and c not in named]
    found += [
        edit("MISSED_DX", c, severity="warning")
        for c in coded
        if c not in claim and c not in {d for _, d in missed}
    ]
    return found


def generate() -> list[CaseFile]:
    file = CaseFile(
        "audit-findings",
        "generated - audit findings: claim against documentation (v2)",
        "Rule: MISSED_DEFINITIVE_DX for a claimed symptom whose coded diagnosis is missing; "
        "UNSUPPORTED_DX for a claimed code the coded documentation does not report; "
        "MISSED_DX (warning) for a coded diagnosis the claim leaves out.",
    )
    symptoms = [code for _, code in certainty.SYMPTOMS]
    for disease in certainty.DISEASES:
        d = disease.code
        require_valid([d, *symptoms, UNDOCUMENTED], DATE)
        claims = {
            "disease": [d],
            "fasciculations": [symptoms[0]],
            "symptoms": symptoms,
            "disease-and-fasciculations": [d, symptoms[0]],
            "disease-and-undocumented": [d, UNDOCUMENTED],
        }
        for setting in certainty.SETTINGS:
            for how in certainty.CERTAINTIES:
                coded = [d] if certainty.is_coded(how, setting) else symptoms
                conditions = [
                    condition(disease.term, d, certainty=how),
                    *(condition(t, c) for t, c in certainty.SYMPTOMS),
                ]
                for name, claim in claims.items():
                    edits = claim_rules.dx_edits(claim) + findings(claim, coded)
                    shown = ", ".join(f"{e['rule']}({', '.join(e['codes'])})" for e in edits)
                    file.cases.append(
                        case(
                            f"gen-audit-{disease.key}-{setting}-{how}-claim-{name}",
                            f"{setting.capitalize()}, {how} {disease.term!r} with fasciculations "
                            f"and cramps; claim {', '.join(claim)} -> {shown or 'no finding'}",
                            f"{SOURCE}; {certainty.source(how, setting)}",
                            FAMILY,
                            ["audit", setting, how, disease.key],
                            encounter(
                                setting=setting,
                                conditions=conditions,
                                claim_dx=claim,
                                who=patient(47, "M"),
                            ),
                            {"diagnoses": coded, "edits": edits},
                        )
                    )
    return [file]
