"""`icdcheck run` gives the plugin's verdicts and messages, without a pytest item per case."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from plugin_helpers import TOY, outcome_ids, write_cases, write_engine

from pytest_icdcheck.runner import batch

ROOT = Path(__file__).resolve().parent.parent

MIXED = """\
cases:
  - id: passes
    title: the toy echoes the claim
    source: seed scenario 1
    encounter: {claim: {diagnoses: [R25.3]}}
    expected: {diagnoses: [R25.3]}
  - id: differs
    title: a coder would catch this
    encounter: {claim: {diagnoses: [R25.3, G12.21]}}
    expected:
      diagnoses: [G12.21]
      edits: [{rule: SYMPTOM_INTEGRAL, codes: [R25.3, G12.21]}]
  - id: broken
    title: not a valid case
    encounter: {setting: outpatientx, claim: {diagnoses: [R25.3]}}
  - id: passes
    title: a repeated id
    encounter: {claim: {diagnoses: [R25.3]}}
  - id: known
    title: a known divergence
    xfail: the toy does not edit
    encounter: {claim: {diagnoses: [R25.3, G12.21]}}
    expected: {edits: [{rule: SYMPTOM_INTEGRAL, codes: [R25.3, G12.21]}]}
"""


def icdcheck(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The `icdcheck` console script, run with this interpreter."""
    code = "import sys; from pytest_icdcheck.commands.cli import main; sys.exit(main())"
    return subprocess.run(
        [sys.executable, "-c", code, *args], cwd=cwd, capture_output=True, text=True
    )


def batch_failures(stdout: str) -> set[str]:
    """The failure texts of `icdcheck run`: blocks between blank lines after FAILURES."""
    if "FAILURES" not in stdout:
        return set()
    body = stdout.split(" FAILURES ", 1)[1].split("\n", 1)[1].split("=" * 30 + " icdcheck")[0]
    return {block.strip() for block in body.split("\n\n") if block.strip()}


def pytest_failures(stdout: str) -> set[str]:
    """The failure texts of a pytest run: the text under each `___ case X ___` header."""
    body = stdout.split(" FAILURES ", 1)[1].split("\n", 1)[1].split("=" * 10)[0]
    blocks = re.split(r"^_{3,} .* _{3,}$", body, flags=re.M)
    return {block.strip() for block in blocks if block.strip()}


@pytest.fixture
def mixed(pytester: pytest.Pytester) -> pytest.Pytester:
    write_engine(pytester)
    write_cases(pytester, "mixed.icd.yaml", MIXED, defaults=True)
    return pytester


def test_same_verdicts_and_messages_as_the_plugin(mixed: pytest.Pytester) -> None:
    plugin = mixed.runpytest("--icd-engine", TOY, "-rA", "-p", "no:cacheprovider")
    batch = icdcheck(mixed.path, "run", ".", "--engine", TOY, "--no-cache")
    assert batch.returncode == 1, batch.stdout + batch.stderr
    assert batch_failures(batch.stdout) == pytest_failures(plugin.stdout.str())
    ids = outcome_ids(plugin)
    assert len(ids["FAILED"]) == 3 and len(ids["PASSED"]) == 1 and len(ids["XFAIL"]) == 1
    assert "cases: 1 passed, 1 failed, 2 error, 1 xfailed" in batch.stdout
    assert batch.stdout.rstrip().splitlines()[-1].startswith("1 passed, 1 failed, 2 error")
    assert "Traceback" not in batch.stdout + batch.stderr


def test_jobs_and_junit(mixed: pytest.Pytester) -> None:
    for name in ("a", "b", "c"):  # several files, so two workers both get work
        write_cases(
            mixed, f"more-{name}.icd.yaml", MIXED.replace("id: ", f"id: {name}-"), defaults=True
        )
    one = icdcheck(mixed.path, "run", ".", "--engine", TOY, "--junitxml", "one.xml")
    two = icdcheck(mixed.path, "run", ".", "--engine", TOY, "--jobs", "2", "--junitxml", "two.xml")
    assert one.returncode == two.returncode == 1
    assert "processes: 1" in one.stdout and "processes: 2" in two.stdout  # auto: a small corpus
    assert batch_failures(one.stdout) == batch_failures(two.stdout)
    suites = [ET.parse(mixed.path / f).getroot()[0] for f in ("one.xml", "two.xml")]
    for suite in suites:
        assert suite.attrib["tests"] == "20"
        assert (suite.attrib["failures"], suite.attrib["errors"]) == ("4", "8")
        case = suite.find("testcase[@name='passes']")
        assert case is not None
        props = {p.attrib["name"]: p.attrib["value"] for p in case.iter("property")}
        assert props == {"case_id": "passes", "source": "seed scenario 1", "fiscal_year": "2026"}
    first, second = ({c.attrib["name"]: [e.tag for e in c] for c in s} for s in suites)
    assert first == second


def test_exit_status_when_everything_passes_or_nothing_is_found(pytester: pytest.Pytester) -> None:
    write_engine(pytester)
    write_cases(pytester, "ok.icd.yaml", MIXED.split("  - id: differs")[0], defaults=True)
    ok = icdcheck(pytester.path, "run", "ok.icd.yaml", "--engine", TOY)
    assert ok.returncode == 0
    assert re.search(r"^1 passed in [\d.]+s$", ok.stdout, re.M)
    (pytester.path / "empty").mkdir()
    none = icdcheck(pytester.path, "run", "empty", "--engine", TOY)
    assert none.returncode == 5 and "no cases found" in none.stdout
    usage = icdcheck(pytester.path, "run", "missing-folder", "--engine", TOY)
    assert usage.returncode == 4 and "no such file or folder: missing-folder" in usage.stderr
    bad_jobs = icdcheck(pytester.path, "run", ".", "--jobs", "many")
    assert bad_jobs.returncode == 4
    assert "--jobs/-j: expected a number or `auto`, got 'many'" in bad_jobs.stderr


def test_an_unloadable_engine_fails_each_case_with_its_message(mixed: pytest.Pytester) -> None:
    batch = icdcheck(mixed.path, "run", "mixed.icd.yaml", "--engine", "nowhere:Engine")
    assert batch.returncode == 1
    assert "cannot import 'nowhere'" in batch.stdout
    assert "Traceback" not in batch.stdout + batch.stderr


def test_the_shipped_hand_written_suite_passes_in_batch() -> None:
    hand_written = sorted(
        str(p.relative_to(ROOT))
        for p in (ROOT / "cases").rglob("*.icd.yaml")
        if "generated" not in p.parts
    )
    assert hand_written
    batch = icdcheck(ROOT, "run", *hand_written, "--no-cache", "--jobs", "2")
    assert batch.returncode == 0, batch.stdout[-3000:]
    assert re.search(r"^cases: \d+ passed$", batch.stdout, re.M)


def test_jobs_auto_uses_every_cpu_only_for_a_corpus_worth_it(tmp_path: Path) -> None:
    files = []
    for name in ("a", "b", "c"):
        path = tmp_path / f"{name}.icd.yaml"
        path.write_text("x" * 1000)
        files.append((str(path), path.name))
    cpus = len(os.sched_getaffinity(0))
    assert batch.worker_count(files, 3, 1 << 20) == 3  # a number is taken as given
    assert batch.worker_count(files, "auto", 1 << 20) == 1  # 3 KB: not worth a worker
    assert batch.worker_count(files, "auto", 2000) == (min(cpus, 3) if cpus >= 2 else 1)
    assert batch.worker_count(files[:1], "auto", 10) == 1  # one file: one process
