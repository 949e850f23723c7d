"""Rules derived from the ICD-10-CM tabular (simple_icd_10_cm): Excludes1, validity, terms."""

from __future__ import annotations

import pytest

from pytest_icdcheck.reference import tabular, terms
from pytest_icdcheck.reference.excludes import excluded_together, resolve_excludes1
from pytest_icdcheck.reference.fiscal import period_of
from pytest_icdcheck.reference.validity import CodeSetByDate, check_code


def test_r25_excludes1_is_the_seeds_table_derived_from_the_tabular() -> None:
    # seed: "Excludes 1 (Category Level R25): G20-G26, F98.4, F95.-"
    assert {str(r) for r in tabular.excludes1("R25")} == {"G20-G26", "F98.4", "F95"}


@pytest.mark.parametrize("other", ["G25.3", "G20.A1", "G26", "F98.4", "F95.1"])
def test_every_r25_code_is_excluded_with_a_specific_movement_disorder(other: str) -> None:
    for code in ("R25.0", "R25.1", "R25.2", "R25.3", "R25.8", "R25.9"):
        assert excluded_together(code, other)
        assert excluded_together(other, code)


@pytest.mark.parametrize("other", ["G12.21", "E05.00", "E87.6", "R25.2", "T44.0X5A"])
def test_fasciculation_is_not_excluded_with_its_causes(other: str) -> None:
    assert not excluded_together("R25.3", other)


def test_code_level_excludes1_of_tremor() -> None:
    # R25.1 Excludes1: essential tremor (G25.0), hysterical tremor (F44.4)
    assert excluded_together("R25.1", "G25.0")
    assert excluded_together("R25.1", "F44.4")


def test_documentation_keeps_the_movement_disorder_over_the_symptom() -> None:
    assert resolve_excludes1(["R25.3", "G25.3", "E05.00"]) == (["G25.3", "E05.00"], [])


def test_documentation_keeps_the_code_a_one_sided_note_names() -> None:
    """CONTRACT §2.1 step 4 (v2): M54.1's note names M51.1-; M51.1's notes do not name
    M54.17, so the disc disorder with radiculopathy is kept whichever is documented first."""
    assert resolve_excludes1(["M54.17", "M51.17"]) == (["M51.17"], [])
    assert resolve_excludes1(["M51.17", "M54.17"]) == (["M51.17"], [])


def test_notes_both_ways_between_diagnoses_keep_the_first_and_ask() -> None:
    kept, alerts = resolve_excludes1(["E11.9", "E10.9"])
    assert kept == ["E11.9"]
    assert [(a["rule"], sorted(a["codes"])) for a in alerts] == [
        ("CDI_CONFLICTING_DX", ["E10.9", "E11.9"])
    ]


@pytest.fixture(scope="module")
def code_set() -> CodeSetByDate:
    return CodeSetByDate()


@pytest.mark.parametrize("code", ["R25.3", "G12.21", "G12.20", "E05.00", "T44.0X5A", "E87.6"])
def test_billable_codes_pass(code: str, code_set: CodeSetByDate) -> None:
    assert check_code(code, period_of("2025-11-03"), code_set) is None


@pytest.mark.parametrize("code", ["R25", "G12.2", "T44.0X5", "E05.0"])
def test_headers_are_non_billable(code: str, code_set: CodeSetByDate) -> None:
    found = check_code(code, period_of("2025-11-03"), code_set)
    assert found is not None and found["rule"] == "NON_BILLABLE" and found["codes"] == [code]


@pytest.mark.parametrize(
    ("code", "fix"),
    [
        ("R253", "write R25.3"),
        ("r25.3", "write R25.3"),
        (" R25.3", "write R25.3"),
        ("R25.30", "write R25.3"),
        ("R25.4", "choose a code under R25"),
        ("XYZ", "tabular list"),
    ],
)
def test_invalid_codes_name_the_fix(code: str, fix: str, code_set: CodeSetByDate) -> None:
    found = check_code(code, period_of("2025-11-03"), code_set)
    assert found is not None and found["rule"] == "INVALID_CODE" and found["codes"] == [code]
    assert fix in found["message"]


@pytest.mark.parametrize(
    ("term", "code"),
    [
        ("benign fasciculation syndrome", "R25.3"),
        ("Muscle twitching", "R25.3"),
        ("fasciculation(s)", "R25.3"),
        ("Fasciculation", "R25.3"),  # tabular description
        ("twitching", "R25.3"),  # tabular inclusion term "Twitching NOS"
        ("ALS", "G12.21"),
        ("amyotrophic lateral sclerosis", "G12.21"),
        ("motor neuron disease", "G12.20"),  # CONTRACT §6.2, not the seed's G12.29
        ("tremor", "R25.1"),
        ("myoclonus", "G25.3"),
        ("hypokalemia", "E87.6"),
    ],
)
def test_terms_resolve(term: str, code: str) -> None:
    assert terms.resolve(term).code == code


def test_unknown_terms_are_not_guessed() -> None:
    assert terms.resolve("zzz syndrome").code is None
