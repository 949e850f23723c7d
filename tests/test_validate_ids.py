"""`icdcheck validate`: case ids are unique in the run, checked as the plugin checks them.

A case without a usable id is named `cases[N]` in messages; two files each with such a
case have no id in common, so nothing may be reported "already used".
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

CASE = """\
  - {id_line}title: t
    encounter:
      setting: outpatient
      date_of_service: "2025-11-03"
      patient: {{age: 50, sex: F}}
      claim: {{diagnoses: [R25.3]}}
    expected: {{diagnoses: [R25.3]}}
"""


def case_file(path: Path, *ids: str | None) -> None:
    body = "".join(CASE.format(id_line=f"id: {i}\n    " if i else "") for i in ids)
    path.write_text("cases:\n" + body, encoding="utf-8")


def validate(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    code = "import sys; from pytest_icdcheck.commands.cli import main; sys.exit(main())"
    return subprocess.run(
        [sys.executable, "-c", code, "validate", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cases_without_ids_in_two_files_are_no_repeat(tmp_path: Path) -> None:
    case_file(tmp_path / "a.icd.yaml", None)
    case_file(tmp_path / "b.icd.yaml", None)
    proc = validate(tmp_path, ".")
    # Each case misses its required id; neither is "already used".
    assert "already used" not in proc.stdout, proc.stdout
    assert proc.stdout.count("missing required key `id`") == 2, proc.stdout
    assert proc.stdout.strip().endswith("2 file(s), 2 case(s), 2 with problems")


def test_a_repeated_id_names_both_places_and_the_fix(tmp_path: Path) -> None:
    case_file(tmp_path / "a.icd.yaml", "same")
    case_file(tmp_path / "b.icd.yaml", "other", "same")
    proc = validate(tmp_path, "a.icd.yaml", "b.icd.yaml")
    assert proc.returncode == 1
    assert (
        "b.icd.yaml:10: case id 'same' is already used at a.icd.yaml:2; "
        "ids must be unique in the run: rename one"
    ) in proc.stdout, proc.stdout
    assert proc.stdout.strip().endswith("2 file(s), 3 case(s), 1 with problems")
