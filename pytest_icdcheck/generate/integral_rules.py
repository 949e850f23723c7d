"""The integral symptom rule table (integral.py states the rule and builds its cases).

Apart from the case builder so that claim_rules, which asks every family's table about a
claim, and the builder, which asks claim_rules for a claim's edits, need not import
each other.
"""

from __future__ import annotations

from dataclasses import dataclass

from pytest_icdcheck.generate.codes import CodeRange, header


@dataclass(frozen=True)
class Integral:
    symptom: str
    diagnoses: CodeRange
    source: str


RULES: tuple[Integral, ...] = (
    Integral("R25.3", header("G12"), "OCG I.B.5; seed etiology table (ALS, Kennedy disease, SMA)"),
    Integral("R25.2", header("G12"), "OCG I.B.5; seed scenario 2 (R25.3 and R25.2 both retired)"),
    Integral(
        "R25.3",
        CodeRange("G60", "G64"),
        "OCG I.B.5; seed etiology table (polyneuropathy: fasciculation integral)",
    ),
    Integral("R25.3", header("M54.1"), "OCG I.B.5; seed etiology table (radiculopathy: integral)"),
    Integral("R25.1", header("E05"), "OCG I.B.5; seed scenario 4 (tremor of thyrotoxicosis)"),
    # v2: the radiculopathy row covers the combination codes that include radiculopathy.
    Integral(
        "R25.3",
        header("M50.1"),
        "OCG I.B.5; CONTRACT §2.1 step 3 (v2: cervical disc disorder with radiculopathy)",
    ),
    Integral(
        "R25.3",
        header("M51.1"),
        "OCG I.B.5; CONTRACT §2.1 step 3 (v2: thoracic, thoracolumbar and lumbosacral disc "
        "disorders with radiculopathy)",
    ),
    Integral(
        "R25.3",
        header("M47.2"),
        "OCG I.B.5; CONTRACT §2.1 step 3 (v2: spondylosis with radiculopathy)",
    ),
)

# Symptoms the table names, and the documented words for them (seed inclusion terms).
SYMPTOM_TERMS = {"R25.1": "tremor", "R25.2": "muscle cramps", "R25.3": "fasciculations"}


def is_integral(symptom: str, diagnosis: str) -> bool:
    return any(r.symptom == symptom and diagnosis in r.diagnoses for r in RULES)
