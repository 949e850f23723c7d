"""Integral symptoms: SYMPTOM_INTEGRAL and MISSED_DEFINITIVE_DX; the audit findings.

OCG I.B.5: "Signs and symptoms that are associated routinely with a disease process should
not be assigned as additional codes, unless otherwise instructed by the classification."
OCG I.C.18.b: a symptom code is not used once a related definitive diagnosis is established.
Which symptom is integral to which diagnosis is the seed's table (data/integral_symptoms.csv,
CONTRACT §2.1 step 3): R25.3 with G12.-, G60-G64 or M54.1-; R25.2 with G12.-; R25.1 with E05.-.
R25.3 with E05.-, E83.4-, E87.6 or a drug T-code is *not* integral (see sequencing.py).
"""

from __future__ import annotations

import functools

from pytest_icdcheck.reference.codesets import CodeSet, parse_code_sets
from pytest_icdcheck.reference.data import table
from pytest_icdcheck.reference.edits import Edit, edit


@functools.cache
def _integral() -> tuple[tuple[str, tuple[CodeSet, ...]], ...]:
    return tuple(
        (row["symptom"], parse_code_sets(row["diagnosis"]))
        for row in table("integral_symptoms.csv")
    )


@functools.cache  # the same pairs come back case after case
def integral_to(symptom: str, diagnosis: str) -> bool:
    """``symptom`` is part of ``diagnosis`` and is not coded beside it."""
    return any(symptom == s and any(diagnosis in d for d in sets) for s, sets in _integral())


def integral_pairs(codes: list[str], diagnoses: list[str]) -> list[tuple[str, str]]:
    """(symptom, diagnosis) for each symptom in ``codes`` integral to one of ``diagnoses``."""
    symptoms = list(dict.fromkeys(codes))
    found = list(dict.fromkeys(diagnoses))
    return [(s, d) for s in symptoms for d in found if integral_to(s, d)]


def drop_integral(codes: list[str]) -> list[str]:
    """CONTRACT §2.1 step 3: leave out symptoms integral to a diagnosis also coded."""
    return [c for c in codes if not any(integral_to(c, d) for d in codes)]


def symptom_integral_edits(claim: list[str]) -> list[Edit]:
    return [
        edit(
            "SYMPTOM_INTEGRAL",
            [s, d],
            f"{s} is a symptom integral to {d} and is not coded with it (OCG I.B.5); remove {s}",
        )
        for s, d in integral_pairs(claim, claim)
    ]


def missed_definitive_edits(claim: list[str], documented: list[str]) -> list[Edit]:
    """Audit: the claim reports a symptom while the documentation establishes a definitive
    diagnosis it is integral to, and the claim does not report that diagnosis (the HCC
    miss of the seed's "Transition" guidance). When the claim reports both, that is
    SYMPTOM_INTEGRAL instead."""
    missing = [d for d in documented if d not in claim]
    return [
        edit(
            "MISSED_DEFINITIVE_DX",
            [s, d],
            f"the claim reports the symptom {s} but the documentation establishes {d}, "
            f"which it is part of; report {d} instead of {s}",
        )
        for s, d in integral_pairs(claim, missing)
    ]


def audit_edits(claim: list[str], documented: list[str]) -> list[Edit]:
    """Audit (CONTRACT §3): where the claim (its valid codes) and the coded documentation
    part. MISSED_DEFINITIVE_DX for a symptom claimed instead of its diagnosis; v2
    UNSUPPORTED_DX for a claimed code the documentation does not report (not for a symptom
    MISSED_DEFINITIVE_DX or SYMPTOM_INTEGRAL already names); v2 MISSED_DX (warning) for a
    documented code the claim leaves out (not for one MISSED_DEFINITIVE_DX names)."""
    missed = missed_definitive_edits(claim, documented)
    named_symptoms = {e["codes"][0] for e in missed}
    named_symptoms |= {s for s, _ in integral_pairs(claim, claim)}
    named_diagnoses = {e["codes"][1] for e in missed}
    unsupported = [
        edit(
            "UNSUPPORTED_DX",
            [code],
            f"the claim reports {code} but the documentation does not support it (not "
            f"documented, ruled out, uncertain in an outpatient note, or left out by a coding "
            f"rule); remove {code} or document it",
        )
        for code in dict.fromkeys(claim)
        if code not in documented and code not in named_symptoms
    ]
    left_out = [
        edit(
            "MISSED_DX",
            [code],
            f"the documentation supports {code} but the claim leaves it out; add {code}",
        )
        for code in dict.fromkeys(documented)
        if code not in claim and code not in named_diagnoses
    ]
    return [*missed, *unsupported, *left_out]
