"""`icdcheck fy-diff`: run as a user runs it, on case files written for the test.

The code-set changes are CMS's (FY2026 and FY2027 addenda, via the Medicare Code Editor):
I42.0 dilated cardiomyopathy is split into I42.00-I42.09 on 1 October 2026, S23.420A is
deleted then, and G35 multiple sclerosis was split into G35.A-G35.D on 1 October 2025.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from pytest_icdcheck.errors import EngineInputError
from pytest_icdcheck.runner import fydiff

CASES = """\
defaults:
  encounter:
    setting: outpatient
    patient: {age: 70, sex: M}
cases:
  - id: cardiomyopathy
    title: Dilated cardiomyopathy on the claim, 15 September 2026
    encounter:
      date_of_service: "2026-09-15"
      claim: {diagnoses: ["I42.0"]}
  - id: cardiomyopathy-new-code
    title: A FY2027 code used in FY2026
    encounter:
      date_of_service: "2026-09-15"
      claim: {diagnoses: ["I42.00"]}
  - id: sternoclavicular-sprain
    title: A code deleted on 1 October 2026
    encounter:
      date_of_service: "2026-03-02"
      claim: {diagnoses: ["S23.420A"]}
  - id: fasciculation
    title: Nothing about R25.3 changes
    encounter:
      date_of_service: "2025-12-01"
      claim: {diagnoses: ["R25.3"]}
  - id: multiple-sclerosis-fy2025
    title: Dated in FY2025
    encounter:
      date_of_service: "2025-09-30"
      claim: {diagnoses: ["G35"]}
  - id: bad-case
    title: Not a valid case (no encounter date of the right shape)
    encounter:
      date_of_service: "next tuesday"
      claim: {diagnoses: ["R25.3"]}
"""


def icdcheck(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    code = "import sys; from pytest_icdcheck.commands.cli import main; sys.exit(main())"
    return subprocess.run(
        [sys.executable, "-c", code, *args], cwd=cwd, capture_output=True, text=True
    )


@pytest.fixture
def suite(tmp_path: Path) -> Path:
    (tmp_path / "cases").mkdir()
    (tmp_path / "cases" / "fy.icd.yaml").write_text(CASES, encoding="utf-8")
    return tmp_path


def test_lists_a_code_that_becomes_non_billable_on_1_october(suite: Path) -> None:
    proc = icdcheck("fy-diff", "--from", "2026", "--to", "2027", "cases", cwd=suite)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.startswith(
        "FY2026 → FY2027: each case's date of service moved by +1 year(s); "
        "reference engine 0.1.0\n"
        "  CMS-HCC payment year: 2026 → 2027 (1), 2027 → 2028 (3)\n"
    )
    table = out.split("\n\n")[1].splitlines()
    assert table == [
        "case                     field  change",
        "cardiomyopathy           edits  +NON_BILLABLE(I42.0)",
        "                         hcc    categories -HCC 227",
        "                         hcc    coefficient_sum 0.189 → 0.0",
        "cardiomyopathy-new-code  edits  -INVALID_CODE(I42.00)",
        "sternoclavicular-sprain  edits  +INVALID_CODE(S23.420A)",
    ]
    assert "fasciculation" not in out  # unchanged: the payment year is no change
    assert out.rstrip().endswith(
        "6 case(s) in 1 file(s): 4 in FY2026 compared, 3 changed (edits 3, hcc 1); "
        "1 skipped (not in FY2026); 1 invalid (see icdcheck validate)"
    )


def test_lists_a_code_that_became_non_billable_on_1_october_2025(suite: Path) -> None:
    proc = icdcheck("fy-diff", "--from", "FY2025", "--to", "FY2026", "cases", cwd=suite)
    assert proc.returncode == 0, proc.stderr
    assert "multiple-sclerosis-fy2025  edits  +NON_BILLABLE(G35)" in proc.stdout
    assert "hcc    categories -HCC 198" in proc.stdout
    assert "1 in FY2025 compared, 1 changed (edits 1, hcc 1); 4 skipped" in proc.stdout


def test_moving_back_a_year_reverses_the_change(suite: Path) -> None:
    proc = icdcheck("fy-diff", "--from", "2026", "--to", "2025", "cases", cwd=suite)
    assert proc.returncode == 0, proc.stderr
    assert "FY2026 → FY2025: each case's date of service moved by -1 year(s)" in proc.stdout
    # I42.0 is billable in both years, and PY2027's final factors are PY2026's (CY2027
    # Rate Announcement): nothing changes
    assert "cardiomyopathy" not in proc.stdout
    assert "NON_BILLABLE" not in proc.stdout and "INVALID_CODE" not in proc.stdout
    assert "4 in FY2026 compared, 0 changed; 1 skipped" in proc.stdout


def test_json_is_a_stable_document(suite: Path) -> None:
    args = ("fy-diff", "--from", "2026", "--to", "2027", "--format", "json", "cases")
    first = icdcheck(*args, cwd=suite)
    assert first.returncode == 0, first.stderr
    assert icdcheck(*args, cwd=suite).stdout == first.stdout
    doc: dict[str, Any] = json.loads(first.stdout)
    assert list(doc) == [
        "from", "to", "engine", "in_force", "summary", "by_change", "changed", "refused",
        "unreadable",
    ]  # fmt: skip
    assert (doc["from"], doc["to"]) == (2026, 2027)
    assert doc["engine"]["fiscal_years"] == [2025, 2026, 2027]
    assert doc["summary"] == {
        "files": 1,
        "cases": 6,
        "compared": 4,
        "changed": 3,
        "by_field": {"edits": 3, "hcc": 1},
        "skipped_other_year": 1,
        "invalid": 1,
        "refused": 0,
        "unreadable_files": 0,
    }
    first_case = doc["changed"][0]
    assert first_case == {
        "id": "cardiomyopathy",
        "file": "cases/fy.icd.yaml",
        "line": 6,
        "date_from": "2026-09-15",
        "date_to": "2027-09-15",
        "changes": [
            {"field": "edits", "kind": "unexpected", "change": "+NON_BILLABLE(I42.0)"},
            {"field": "hcc", "kind": "missing", "change": "categories -HCC 227"},
            {"field": "hcc", "kind": "changed", "change": "coefficient_sum 0.189 → 0.0"},
        ],
    }
    assert doc["in_force"] == {"hcc": {"2026 → 2027": 1, "2027 → 2028": 3}}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--from", "2026", "--to", "2028", "cases"), "supports fiscal years 2025, 2026, 2027"),
        (("--from", "2026", "--to", "2026", "cases"), "--from and --to are the same year"),
        (("--from", "2026", "--to", "2027", "nowhere"), "no such file or folder: nowhere"),
        (("--from", "26", "--to", "2027", "cases"), "'26' is not a fiscal year"),
        (("--to", "2027", "cases"), "the following arguments are required: --from"),
    ],
)
def test_usage_errors_exit_4_with_a_message(
    suite: Path, args: tuple[str, ...], message: str
) -> None:
    if args[-1] == ".":
        (suite / "empty").mkdir()
        suite = suite / "empty"
    proc = icdcheck("fy-diff", *args, cwd=suite)
    assert proc.returncode == 4  # pytest's usage-error status, as every subcommand (§5a)
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_folder_without_case_files_is_nothing_to_run(suite: Path) -> None:
    (suite / "empty").mkdir()
    proc = icdcheck("fy-diff", "--from", "2026", "--to", "2027", ".", cwd=suite / "empty")
    assert proc.returncode == 5
    assert "icdcheck fy-diff: no case files (*.icd.yaml) in .: nothing to run" in proc.stderr


def test_an_unreadable_file_is_reported_and_the_others_run(suite: Path) -> None:
    (suite / "cases" / "broken.icd.yaml").write_text("- just a list\n", encoding="utf-8")
    proc = icdcheck("fy-diff", "--from", "2026", "--to", "2027", "cases", cwd=suite)
    assert proc.returncode == 0, proc.stderr
    assert "unreadable: cases/broken.icd.yaml:1: a case file is a mapping" in proc.stdout
    assert "3 changed" in proc.stdout and "1 unreadable file(s)" in proc.stdout


class RefusesFY2027:
    """An engine that refuses dates in FY2027 (as a vendor engine with fewer years would)."""

    def describe(self) -> dict[str, Any]:
        return {"name": "refuser", "version": "1", "fiscal_years": [2026]}

    def run(self, encounter: dict[str, Any]) -> dict[str, Any]:
        if encounter["date_of_service"] >= "2026-10-01":
            raise EngineInputError("FY2027 is not supported")
        return {"diagnoses": [], "services": [], "edits": [], "cdi": [], "hcc": None, "drg": None}


def test_an_encounter_the_engine_refuses_is_reported_not_raised(suite: Path) -> None:
    report = fydiff.fy_diff([suite / "cases"], 2026, 2027, RefusesFY2027())
    text = fydiff.as_table(report)
    assert (
        "refused cardiomyopathy (" in text
        and "fy.icd.yaml:6): 2027-09-15: FY2027 is not supported" in text
    )
    assert text.endswith(
        "0 changed; 1 skipped (not in FY2026); 1 invalid (see icdcheck validate); "
        "4 refused by the engine"
    )


@pytest.mark.parametrize(
    ("date", "years", "moved"),
    [
        ("2026-09-30", 1, "2027-09-30"),
        ("2024-02-29", 1, "2025-02-28"),
        ("2025-10-01", -1, "2024-10-01"),
    ],
)
def test_move_date(date: str, years: int, moved: str) -> None:
    assert fydiff.move_date(date, years) == moved


def test_the_command_is_listed_in_icdcheck_help(tmp_path: Path) -> None:
    proc = icdcheck("--help", cwd=tmp_path)
    assert "fy-diff" in proc.stdout
    usage = icdcheck("fy-diff", "--help", cwd=tmp_path).stdout
    assert textwrap.dedent("--format {table,json}") in usage


def test_changes_shared_by_several_cases_are_counted(tmp_path: Path) -> None:
    cases = "".join(
        f"""
  - id: cardiomyopathy-{age}
    title: I42.0 at age {age}
    encounter:
      setting: outpatient
      date_of_service: "2026-09-15"
      patient: {{age: {age}, sex: F}}
      claim: {{diagnoses: ["I42.0"]}}
"""
        for age in (70, 71, 50)
    )
    (tmp_path / "c.icd.yaml").write_text("cases:" + cases, encoding="utf-8")
    proc = icdcheck("fy-diff", "--from", "2026", "--to", "2027", "c.icd.yaml", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    block = proc.stdout.split("most frequent changes (4 distinct):\n")[1].split("\n\n")[0]
    assert block.splitlines() == [
        "      3 case(s)  edits  +NON_BILLABLE(I42.0)",
        "      3 case(s)  hcc    categories -HCC 227",
        "      2 case(s)  hcc    coefficient_sum 0.189 → 0.0",
        "      1 case(s)  hcc    coefficient_sum 0.2 → 0.0",  # CND_HCC227
    ]
