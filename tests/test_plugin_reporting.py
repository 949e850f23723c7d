"""The `icdcheck` terminal summary, JUnit XML properties, xfail cases, and the same
results under pytest-xdist."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from plugin_helpers import TOY, log_lines, outcome_ids, write_cases, write_engine

# Two files: passes, a diagnoses failure, an edits failure, an invalid case, an engine
# error, an xfail that fails, a duplicate id across files.
SUITE_A = """\
suite: a
cases:
  - id: a-pass
    title: passes
    source: OCG I.B.5
    encounter: {claim: {diagnoses: [R25.3]}}
    expected: {diagnoses: [R25.3], edits: []}
  - id: a-dx-wrong
    title: principal diagnosis differs
    source: seed scenario 2
    encounter: {claim: {diagnoses: [R25.3]}}
    expected: {diagnoses: [G12.21]}
  - id: a-edits-wrong
    title: an edit is missing
    encounter: {claim: {diagnoses: [R25.3]}}
    expected: {edits: [{rule: NCCI_PTP, codes: ["95861", "95908"]}]}
  - id: a-known
    title: known divergence
    xfail: the seed reports 95864 for three extremities
    encounter: {claim: {diagnoses: [R25.3]}}
    expected: {diagnoses: [G12.20]}
"""
SUITE_B = """\
cases:
  - id: b-pass
    title: passes
    encounter: {date_of_service: "2025-06-30", claim: {diagnoses: [G12.21, R25.3]}}
    expected: {diagnoses: [G12.21, R25.3]}
  - id: b-invalid
    title: broken setting
    encounter: {setting: somewhere, claim: {diagnoses: [R25.3]}}
  - id: b-engine-raises
    title: engine blows up
    encounter: {documentation: {conditions: [{term: explode}]}}
  - id: a-pass
    title: duplicate id of a case in a.icd.yaml
    encounter: {claim: {diagnoses: [R25.3]}}
  - id: b-pass-2
    title: passes as well
    encounter: {claim: {diagnoses: [E05.00]}}
    expected: {diagnoses: [E05.00], cdi: [], drg: null}
"""
EXPLODING = """
def HOOK(encounter, result):
    for condition in (encounter.get("documentation") or {}).get("conditions", []):
        if condition["term"] == "explode":
            raise RuntimeError("engine exploded")
    return result
"""


@pytest.fixture
def suite(pytester: pytest.Pytester) -> None:
    write_engine(pytester, EXPLODING)
    write_cases(pytester, "a.icd.yaml", SUITE_A, defaults=True)
    write_cases(pytester, "b.icd.yaml", SUITE_B, defaults=True)


EXPECTED_OUTCOMES = {
    "PASSED": {"a.icd.yaml::a-pass", "b.icd.yaml::b-pass", "b.icd.yaml::b-pass-2"},
    "FAILED": {
        "a.icd.yaml::a-dx-wrong",
        "a.icd.yaml::a-edits-wrong",
        "b.icd.yaml::b-invalid",
        "b.icd.yaml::b-engine-raises",
        "b.icd.yaml::a-pass",
    },
    "XFAIL": {"a.icd.yaml::a-known"},
}
SUMMARY = [
    "*= icdcheck =*",
    "engine: toy 1.2",
    "cases: 3 passed, 2 failed, 3 error, 1 xfailed",
    "failures by field: diagnoses 1, edits 1",
]


@pytest.mark.usefixtures("suite")
class TestTerminalSummary:
    def test_summary_section_counts_cases_and_fields(self, pytester: pytest.Pytester) -> None:
        result = pytester.runpytest("--icd-engine", TOY, "-rA")
        result.assert_outcomes(passed=3, failed=5, xfailed=1)
        result.stdout.fnmatch_lines(SUMMARY)
        assert outcome_ids(result) == EXPECTED_OUTCOMES
        assert result.ret == pytest.ExitCode.TESTS_FAILED

    def test_xfail_case_is_xfailed_with_its_reason(self, pytester: pytest.Pytester) -> None:
        result = pytester.runpytest("--icd-engine", TOY, "-rx", "-k", "a-known")
        result.assert_outcomes(xfailed=1, deselected=8)
        result.stdout.fnmatch_lines(
            ["XFAIL a.icd.yaml::a-known - the seed reports 95864 for three extremities"]
        )
        assert result.ret == pytest.ExitCode.OK

    def test_summary_when_the_engine_cannot_be_loaded(self, pytester: pytest.Pytester) -> None:
        result = pytester.runpytest("--icd-engine", "no_such_module_q:E", "-k", "wrong")
        result.stdout.fnmatch_lines(["*= icdcheck =*", "engine: (not loaded)", "cases: 2 error"])


def test_xfail_case_that_passes_is_xpassed(pytester: pytest.Pytester) -> None:
    write_engine(pytester)
    write_cases(
        pytester,
        "x.icd.yaml",
        """\
        cases:
          - id: fixed-now
            title: the engine caught up
            xfail: used to differ
            encounter: {claim: {diagnoses: [R25.3]}}
            expected: {diagnoses: [R25.3]}
        """,
        defaults=True,
    )
    result = pytester.runpytest("--icd-engine", TOY, "-rX")
    result.assert_outcomes(xpassed=1)
    result.stdout.fnmatch_lines(
        ["cases: 1 xpassed", "XPASS x.icd.yaml::fixed-now - used to differ"]
    )


def test_no_summary_section_without_cases(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_plain="def test_ok():\n    assert True\n")
    result = pytester.runpytest()
    result.assert_outcomes(passed=1)
    assert "= icdcheck =" not in result.stdout.str()


@pytest.mark.usefixtures("suite")
def test_junit_xml_carries_case_id_source_and_fiscal_year(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--icd-engine", TOY, "--junitxml=report.xml")
    result.assert_outcomes(passed=3, failed=5, xfailed=1)
    root = ET.parse(pytester.path / "report.xml").getroot()
    props = {}
    for testcase in root.iter("testcase"):
        key = f"{testcase.get('classname')}::{testcase.get('name')}"
        props[key] = {p.get("name"): p.get("value") for p in testcase.iter("property")}
    assert props["a.icd.yaml::a-pass"] == {
        "case_id": "a-pass",
        "source": "OCG I.B.5",
        "fiscal_year": "2026",
    }
    assert props["a.icd.yaml::a-dx-wrong"]["source"] == "seed scenario 2"
    # 2025-06-30 lies in FY2025 (1 Oct 2024 - 30 Sep 2025)
    assert props["b.icd.yaml::b-pass"] == {"case_id": "b-pass", "source": "", "fiscal_year": "2025"}
    assert len(props) == 9
    assert all(set(p) == {"case_id", "source", "fiscal_year"} for p in props.values())
    failure = next(
        tc.find("failure") for tc in root.iter("testcase") if tc.get("name") == "a-dx-wrong"
    )
    assert failure is not None
    assert "diagnoses[0]: expected G12.21, got R25.3" in (failure.text or "")


@pytest.mark.usefixtures("suite")
def test_xdist_gives_the_same_results_and_summary(pytester: pytest.Pytester) -> None:
    serial = pytester.runpytest_subprocess("--icd-engine", TOY, "-rA", "-p", "no:cacheprovider")
    parallel = pytester.runpytest_subprocess(
        "--icd-engine", TOY, "-rA", "-p", "no:cacheprovider", "-n", "2"
    )
    assert outcome_ids(serial) == EXPECTED_OUTCOMES
    assert outcome_ids(parallel) == EXPECTED_OUTCOMES
    for result in (serial, parallel):
        result.assert_outcomes(passed=3, failed=5, xfailed=1)
        result.stdout.fnmatch_lines(SUMMARY)
        assert result.ret == pytest.ExitCode.TESTS_FAILED
    parallel.stdout.fnmatch_lines(["*2 workers*"])
    # the duplicate-id and the failure text reach the controller intact
    parallel.stdout.fnmatch_lines(
        ["*b.icd.yaml:*: case id 'a-pass' is already used at a.icd.yaml:8*"]
    )
    parallel.stdout.fnmatch_lines(["  diagnoses[0]: expected G12.21, got R25.3"])
    # one engine per worker (per process that ran cases), each closed
    created, closed = log_lines(pytester, "instances.log"), log_lines(pytester, "closed.log")
    assert sorted(created) == sorted(closed)
    assert 2 <= len(created) <= 3  # the serial run's engine + one per xdist worker
