"""The scorecard by rule and the JSON run report, from an engine with planted mistakes:
in the terminal, in `--icd-report` (validated against its schema, the same under -n 2),
in `icdcheck run --report`, and in pytest-html's report."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from plugin_helpers import TOY, write_cases, write_engine

SCHEMA = Path(__file__).parent.parent / "schemas" / "run-report.schema.json"

# The planted mistakes: no NCCI_PTP edit ever; a CDI_SPECIFICITY query on every case; the
# diagnoses reversed for a 70-year-old; the DRG weight of its own off by 0.08.
PLANTED = """
def HOOK(encounter, result):
    if encounter["patient"]["age"] == 70:
        result["diagnoses"] = result["diagnoses"][::-1]
    result["cdi"] = [{"rule": "CDI_SPECIFICITY", "codes": ["R25.9"], "message": "<b>query</b>"}]
    result["extensions"] = {"acme": {"drg_weight": 1.301}}
    return result
"""

CASES = """\
cases:
  - id: ptp-1
    title: EMG with NCS
    encounter: {claim: {diagnoses: [R25.3], services: [{code: "95861"}, {code: "95908"}]}}
    expected:
      edits: [{rule: NCCI_PTP, codes: ["95861", "95908"]}]
      cdi: []
  - id: ptp-2
    title: EMG with NCS, other codes
    encounter: {claim: {diagnoses: [R25.3], services: [{code: "95860"}, {code: "95907"}]}}
    expected: {edits: [{rule: NCCI_PTP, codes: ["95860", "95907"]}]}
  - id: principal
    title: ALS first
    encounter:
      patient: {age: 70, sex: M}
      claim: {diagnoses: [G12.21, R25.3]}
    expected: {diagnoses: [G12.21, R25.3], cdi: []}
  - id: weight
    title: the engine's own DRG weight
    encounter: {claim: {diagnoses: [R25.3]}}
    expected: {extensions: {acme: {drg_weight: 1.2183}}}
  - id: fine
    title: passes
    encounter: {claim: {diagnoses: [R25.3]}}
    expected: {diagnoses: [R25.3]}
  - id: known
    title: a known divergence does not count in the scorecard
    xfail: known
    encounter: {claim: {diagnoses: [R25.3]}}
    expected: {edits: [{rule: NCCI_PTP, codes: ["95861", "95908"]}]}
"""

SCORECARD = [
    "*= icdcheck =*",
    "engine: toy 1.2",
    "cases: 1 passed, 4 failed, 1 xfailed",
    "failures by field: diagnoses 1, edits 2, cdi 2, extensions 1",
    "scorecard by rule (failing cases, most frequent first):",
    "  edits NCCI_PTP: missing 2",
    "  cdi CDI_SPECIFICITY: unexpected 2",
    "  diagnoses: wrong principal 1",
    "  extensions acme.drg_weight: changed 1",
]


@pytest.fixture
def planted(pytester: pytest.Pytester) -> pytest.Pytester:
    write_engine(pytester, PLANTED)
    write_cases(pytester, "s.icd.yaml", CASES, defaults=True)
    return pytester


def report(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(json.loads(SCHEMA.read_text("utf-8"))).validate(data)
    return data


def test_terminal_summary_has_the_scorecard_by_rule(planted: pytest.Pytester) -> None:
    result = planted.runpytest("--icd-engine", TOY)
    result.assert_outcomes(passed=1, failed=4, xfailed=1)
    result.stdout.fnmatch_lines(SCORECARD)


def test_json_report_validates_and_holds_scorecard_and_every_case(
    planted: pytest.Pytester,
) -> None:
    result = planted.runpytest("--icd-engine", TOY, "--icd-report", "out/run.json")
    result.stdout.fnmatch_lines(["icdcheck: run report written to *run.json"])
    data = report(planted.path / "out" / "run.json")
    assert data["engine"] == {
        "label": "toy 1.2",
        "name": "toy",
        "version": "1.2",
        "fiscal_years": [2025, 2026],
        "against": None,
    }
    assert data["counts"] == {
        "total": 6, "passed": 1, "failed": 4, "error": 0, "xfailed": 1, "xpassed": 0
    }  # fmt: skip
    assert [(r["field"], r["rule"], r["counts"]) for r in data["scorecard"]] == [
        ("edits", "NCCI_PTP", {"missing": 2}),
        ("cdi", "CDI_SPECIFICITY", {"unexpected": 2}),
        ("diagnoses", None, {"wrong principal": 1}),
        ("extensions", "acme.drg_weight", {"changed": 1}),
    ]
    cases = {c["id"]: c for c in data["cases"]}
    assert list(cases) == ["ptp-1", "ptp-2", "principal", "weight", "fine", "known"]
    assert cases["fine"]["status"] == "passed" and cases["fine"]["differences"] == []
    assert cases["known"]["status"] == "xfailed"
    assert cases["ptp-1"]["node_id"] == "s.icd.yaml::ptp-1"
    differences = [(d["field"], d["kind"], d["item"]) for d in cases["ptp-1"]["differences"]]
    assert differences == [
        ("edits", "missing", "NCCI_PTP"),
        ("cdi", "unexpected", "CDI_SPECIFICITY"),
    ]
    assert cases["ptp-1"]["differences"][1]["text"] == (
        'cdi: unexpected CDI_SPECIFICITY(R25.9) "<b>query</b>"'
    )
    assert cases["weight"]["differences"][0]["text"] == (
        "extensions.acme.drg_weight: expected 1.2183, got 1.301"
    )


def test_json_report_is_the_same_under_xdist(planted: pytest.Pytester) -> None:
    args = ("--icd-engine", TOY, "-p", "no:cacheprovider", "--icd-report")
    planted.runpytest_subprocess(*args, "serial.json")
    parallel = planted.runpytest_subprocess(*args, "parallel.json", "-n", "2")
    parallel.stdout.fnmatch_lines(["*2 workers*", *SCORECARD])
    assert report(planted.path / "parallel.json") == report(planted.path / "serial.json")
    assert not list(planted.path.glob("*.tmp"))  # written once, by the controller


def test_a_report_that_cannot_be_written_says_so(planted: pytest.Pytester) -> None:
    (planted.path / "taken").write_text("a file, not a folder")
    result = planted.runpytest("--icd-engine", TOY, "--icd-report", "taken/run.json")
    result.stdout.fnmatch_lines(["icdcheck: the run report was not written to *taken*run.json*"])


def test_icdcheck_run_report_has_the_same_scorecard_and_cases(planted: pytest.Pytester) -> None:
    planted.runpytest("--icd-engine", TOY, "--icd-report", "plugin.json")
    run = subprocess.run(
        [sys.executable, "-m", "pytest_icdcheck", "run", "s.icd.yaml", "--engine", TOY,
         "--report", "batch.json", "--no-cache"],
        cwd=planted.path, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert run.returncode == 1, run.stderr
    for line in SCORECARD[4:]:
        assert line + "\n" in run.stdout
    batch, plugin = report(planted.path / "batch.json"), report(planted.path / "plugin.json")
    assert batch["runner"] == "icdcheck run"
    for key in ("engine", "counts", "failures_by_field", "scorecard"):
        assert batch[key] == plugin[key], key
    for case in plugin["cases"]:
        case["node_id"] = None
        if case["status"] != "passed":
            case["message"] = None
    for case in batch["cases"]:
        if case["status"] != "passed":
            case["message"] = None
    assert batch["cases"] == plugin["cases"]


@pytest.mark.parametrize("workers", [(), ("-n", "2")], ids=["serial", "xdist"])
def test_pytest_html_shows_the_scorecard_and_each_cases_differences(
    planted: pytest.Pytester, workers: tuple[str, ...]
) -> None:
    pytest.importorskip("pytest_html")
    result = planted.runpytest_subprocess(
        "--icd-engine", TOY, "--html", "report.html", "-p", "no:cacheprovider", *workers
    )
    result.assert_outcomes(passed=1, failed=4, xfailed=1)
    page = (planted.path / "report.html").read_text(encoding="utf-8")
    summary = re.search(r'<div class="icdcheck-summary">.*?</div>', page, re.S)
    assert summary is not None
    assert "<p>cases: 1 passed, 4 failed, 1 xfailed</p>" in summary.group(0)
    assert "Scorecard by rule" in summary.group(0)
    assert "<code>NCCI_PTP</code></td><td " in summary.group(0)
    # pytest-html keeps each row's log as JSON in an attribute; the log is our table
    blob = re.search(r'data-jsonblob="([^"]*)"', page)
    assert blob is not None
    tests = json.loads(html.unescape(blob.group(1)))["tests"]
    log = tests["s.icd.yaml::ptp-1"][0]["log"]
    assert log.startswith('<div class="icdcheck-differences"')
    assert "<code>edits: missing NCCI_PTP(95861, 95908)</code>" in log
    assert "<div>case ptp-1 — EMG with NCS (2 differences)</div>" in log  # no "[gw0] …"
    assert "&lt;b&gt;query&lt;/b&gt;" in log and "<b>query</b>" not in log  # escaped
    assert "icdcheck-differences" not in tests["s.icd.yaml::fine"][0]["log"]


def test_without_pytest_html_nothing_is_required(planted: pytest.Pytester) -> None:
    result = planted.runpytest("--icd-engine", TOY, "-p", "no:html")
    result.assert_outcomes(passed=1, failed=4, xfailed=1)
    result.stdout.fnmatch_lines(SCORECARD)


def test_icdcheck_run_report_is_the_same_with_two_processes(planted: pytest.Pytester) -> None:
    second = CASES.replace("id: ", "id: again-").replace("xfail: known", "xfail: known too")
    write_cases(planted, "t.icd.yaml", second, defaults=True)
    reports = {}
    for jobs in ("1", "2"):
        run = subprocess.run(
            [sys.executable, "-m", "pytest_icdcheck", "run", ".", "--engine", TOY,
             "--report", f"jobs{jobs}.json", "--jobs", jobs, "--no-cache"],
            cwd=planted.path, capture_output=True, text=True, check=False,
        )  # fmt: skip
        assert run.returncode == 1, run.stderr
        assert f"processes: {jobs}\n" in run.stdout
        reports[jobs] = report(planted.path / f"jobs{jobs}.json")
    assert reports["1"] == reports["2"]
    assert reports["2"]["counts"]["total"] == 12
    assert reports["2"]["scorecard"][0] == {
        "field": "edits", "rule": "NCCI_PTP", "counts": {"missing": 4}, "cases": 4
    }  # fmt: skip


def test_a_case_both_missing_and_unexpected_on_a_rule_is_one_case_of_it(
    pytester: pytest.Pytester,
) -> None:
    # The planted engine queries CDI_SPECIFICITY on R25.9; these cases expect it on
    # another code, so each misses one query and has an unexpected one, of one rule.
    write_engine(pytester, PLANTED)
    both = """\
cases:
  - id: both-1
    title: the query on another code
    encounter: {claim: {diagnoses: [R25.3]}}
    expected: {cdi: [{rule: CDI_SPECIFICITY, codes: [G12.21]}]}
  - id: both-2
    title: the query on another code, again
    encounter: {claim: {diagnoses: [R25.3]}}
    expected: {cdi: [{rule: CDI_SPECIFICITY, codes: [G12.29]}]}
"""
    write_cases(pytester, "b.icd.yaml", both, defaults=True)
    result = pytester.runpytest("--icd-engine", TOY, "--icd-report", "run.json")
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines(["  cdi CDI_SPECIFICITY: missing 2, unexpected 2"])
    assert report(pytester.path / "run.json")["scorecard"] == [
        {
            "field": "cdi",
            "rule": "CDI_SPECIFICITY",
            "counts": {"missing": 2, "unexpected": 2},
            "cases": 2,
        }
    ]


def test_a_case_file_that_cannot_be_read_is_an_error_in_the_report_as_in_icdcheck_run(
    planted: pytest.Pytester,
) -> None:
    write_cases(planted, "sub/broken.icd.yaml", "cases:\n  - id: a\n    title: [unclosed\n")
    # pytest stops at a collection error unless told to go on; the report says why either way.
    stopped = planted.runpytest("--icd-engine", TOY, "--icd-report", "stopped.json")
    stopped.stdout.fnmatch_lines(["cases: 1 error", "*Interrupted: 1 error during collection*"])
    data = report(planted.path / "stopped.json")
    assert data["counts"] == {
        "total": 1, "passed": 0, "failed": 0, "error": 1, "xfailed": 0, "xpassed": 0
    }  # fmt: skip
    [entry] = data["cases"]
    assert entry["file"] == "sub/broken.icd.yaml" and entry["status"] == "error"
    assert entry["message"].startswith("sub/broken.icd.yaml:4:1: YAML syntax error")

    reports = {}
    for runner, argv in {
        "pytest": [sys.executable, "-m", "pytest", "-p", "no:cacheprovider",
                   "--continue-on-collection-errors", "--icd-report", "pytest.json"],
        "pytest -n 2": [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-n", "2",
                        "--icd-report", "xdist.json"],
        "icdcheck run": [sys.executable, "-m", "pytest_icdcheck", "run", ".", "--no-cache",
                         "--report", "run.json"],
    }.items():  # fmt: skip
        subprocess.run([*argv, "--icd-engine", TOY], cwd=planted.path, capture_output=True)
        reports[runner] = report(planted.path / argv[-1])
    for runner, data in reports.items():
        assert data["counts"]["error"] == 1 and data["counts"]["failed"] == 4, runner
        errors = [c for c in data["cases"] if c["status"] == "error"]
        assert [(c["id"], c["file"], c["line"]) for c in errors] == [
            ("", "sub/broken.icd.yaml", 0)
        ], runner
        assert errors[0]["message"].startswith("sub/broken.icd.yaml:4:1: YAML syntax"), runner
