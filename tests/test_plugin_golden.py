"""--icd-update (recorded goldens), --icd-prune and --icd-against, through real sessions."""

from __future__ import annotations

from pathlib import Path

import pytest
from plugin_helpers import TOY, outcome_ids, write_cases, write_engine

# The toy engine's "version": a file the tests rewrite to simulate an engine change.
# Cases whose id contains "drg" get the DRG it names; the rest echo their claim.
CHANGING_ENGINE = """
def HOOK(encounter, result):
    drg = HERE / "engine-drg.txt"
    code = drg.read_text().strip() if drg.exists() else "093"
    result["drg"] = {"code": code, "mdc": "01", "version": "43.0"}
    return result
"""

RECORDED = """\
# a comment the user wrote
golden: recorded
cases:
  - id: alpha
    title: alpha
    encounter: {claim: {diagnoses: [R25.3]}}
  - id: beta
    title: beta, with a hand-written expectation
    encounter: {claim: {diagnoses: [G12.21]}}
    expected:
      diagnoses: [G12.21]   # hand-written: never recorded, never rewritten
  - id: gamma
    title: gamma
    encounter: {claim: {diagnoses: [R25.2]}}
"""


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    write_engine(pytester, CHANGING_ENGINE)
    write_cases(pytester, "golden.icd.yaml", RECORDED, defaults=True)
    return pytester


def recorded(pytester: pytest.Pytester) -> Path:
    return pytester.path / "golden.recorded.yaml"


def test_a_fresh_recorded_file_fails_until_recorded(project: pytest.Pytester) -> None:
    result = project.runpytest("--icd-engine", TOY)
    result.assert_outcomes(failed=3)
    result.stdout.fnmatch_lines(
        ["*no recorded result for case alpha in golden.recorded.yaml; run `pytest --icd-update`*"]
    )
    assert not recorded(project).exists()


def test_update_records_then_the_cases_pass(project: pytest.Pytester) -> None:
    case_file = project.path / "golden.icd.yaml"
    before = case_file.read_bytes()
    result = project.runpytest("--icd-engine", TOY, "--icd-update")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(
        ["*recorded: 3 new or changed result(s) written in golden.recorded.yaml"]
    )
    text = recorded(project).read_text()
    assert '"alpha":\n  diagnoses: ["R25.3"]\n' in text
    assert '  drg: {"code": "093", "mdc": "01", "version": "43.0"}' in text
    # The hand-written key of beta is not recorded; its other fields are.
    beta = text.split('"beta":')[1].split('"gamma":')[0]
    assert "diagnoses" not in beta and "drg" in beta
    assert case_file.read_bytes() == before  # the case file, comments and all, untouched
    project.runpytest("--icd-engine", TOY).assert_outcomes(passed=3)


def test_an_unchanged_run_writes_nothing(project: pytest.Pytester) -> None:
    project.runpytest("--icd-engine", TOY, "--icd-update").assert_outcomes(passed=3)
    path = recorded(project)
    stat, text = path.stat(), path.read_bytes()
    result = project.runpytest("--icd-engine", TOY, "--icd-update")
    result.stdout.fnmatch_lines(["*recorded: 0 new or changed result(s) written"])
    assert path.read_bytes() == text
    assert path.stat().st_mtime_ns == stat.st_mtime_ns  # not even rewritten


def test_an_engine_change_fails_then_rewrites_only_changed_entries(
    project: pytest.Pytester,
) -> None:
    project.runpytest("--icd-engine", TOY, "--icd-update").assert_outcomes(passed=3)
    path = recorded(project)
    # The user annotates the recorded file; that comment must survive rewrites.
    text = path.read_text().replace('"gamma":', '# reviewed by coding QA\n"gamma":')
    path.write_text(text)

    (project.path / "engine-drg.txt").write_text("092")
    failing = project.runpytest("--icd-engine", TOY)
    failing.assert_outcomes(failed=3)
    failing.stdout.fnmatch_lines(["*drg.code: expected 093, got 092"])

    project.runpytest("--icd-engine", TOY, "--icd-update").assert_outcomes(passed=3)
    new = path.read_text()
    assert new == text.replace('"code": "093"', '"code": "092"')
    assert "# reviewed by coding QA" in new


def test_only_the_changed_entry_is_rewritten(project: pytest.Pytester) -> None:
    project.runpytest("--icd-engine", TOY, "--icd-update").assert_outcomes(passed=3)
    path = recorded(project)
    # Hand-format one entry; an unchanged entry keeps its exact text.
    text = path.read_text().replace('  diagnoses: ["R25.2"]', '  diagnoses: ["R25.2"]   # ok')
    path.write_text(text)
    (project.path / "golden.icd.yaml").write_text(
        (project.path / "golden.icd.yaml").read_text().replace("[R25.3]", "[R25.8]")
    )
    result = project.runpytest("--icd-engine", TOY, "--icd-update")
    result.stdout.fnmatch_lines(["*recorded: 1 new or changed result(s) written*"])
    assert path.read_text() == text.replace('["R25.3"]', '["R25.8"]')


def test_update_under_xdist_writes_the_same_file(pytester: pytest.Pytester) -> None:
    pytest.importorskip("xdist")
    write_engine(pytester, CHANGING_ENGINE)
    many = "golden: recorded\ncases:\n" + "".join(
        f"  - id: case-{i:03d}\n    title: t\n"
        f"    encounter: {{claim: {{diagnoses: [R25.{i % 4}]}}}}\n"
        for i in range(40)
    )
    write_cases(pytester, "golden.icd.yaml", many, defaults=True)
    serial = pytester.runpytest_subprocess(
        "--icd-engine", TOY, "--icd-update", "-p", "no:cacheprovider"
    )
    serial.assert_outcomes(passed=40)
    serial_text = recorded(pytester).read_bytes()
    recorded(pytester).unlink()
    parallel = pytester.runpytest_subprocess(
        "--icd-engine", TOY, "--icd-update", "-n", "2", "-p", "no:cacheprovider"
    )
    parallel.assert_outcomes(passed=40)
    parallel.stdout.fnmatch_lines(["*recorded: 40 new or changed result(s) written*"])
    assert recorded(pytester).read_bytes() == serial_text


def test_unused_entries_are_reported_and_pruned_only_on_a_full_run(
    project: pytest.Pytester,
) -> None:
    project.runpytest("--icd-engine", TOY, "--icd-update").assert_outcomes(passed=3)
    case_file = project.path / "golden.icd.yaml"
    case_file.write_text(case_file.read_text().replace("id: gamma", "id: gamma-renamed"))

    result = project.runpytest("--icd-engine", TOY, "--icd-update", "-k", "alpha", "--icd-prune")
    result.stdout.fnmatch_lines(
        [
            "*unused: golden.recorded.yaml has 1 entry no case uses (gamma); --icd-prune removes "
            "them only in a run that collects every case of golden.icd.yaml"
        ]
    )
    assert '"gamma":' in recorded(project).read_text()

    result = project.runpytest("--icd-engine", TOY, "--icd-update")
    result.stdout.fnmatch_lines(["*has 1 entry no case uses (gamma); remove them with --icd-prune"])
    assert '"gamma":' in recorded(project).read_text()

    result = project.runpytest("--icd-engine", TOY, "--icd-update", "--icd-prune")
    result.stdout.fnmatch_lines(["*pruned: 1 unused entry from golden.recorded.yaml"])
    text = recorded(project).read_text()
    assert '"gamma":' not in text and '"gamma-renamed":' in text


def test_against_catches_a_wrong_engine(pytester: pytest.Pytester) -> None:
    write_engine(pytester)
    write_cases(
        pytester,
        "diff.icd.yaml",
        """\
        cases:
          - id: no-expectations
            title: an encounter with no expected block still tests something
            encounter: {claim: {diagnoses: [R25.3]}}
          - id: differs
            title: the toy echoes a claim the other engine edits
            encounter: {claim: {diagnoses: [R25.3, G12.21]}}
        """,
        defaults=True,
    )
    # A second toy that disagrees on the second case only.
    pytester.makepyfile(
        other="""
        from conftest import Toy

        class Strict(Toy):
            def describe(self):
                return {"name": "strict", "version": "9"}

            def run(self, encounter):
                result = super().run(encounter)
                if "G12.21" in result["diagnoses"]:
                    result["diagnoses"] = ["G12.21"]
                    result["edits"] = [{"rule": "SYMPTOM_INTEGRAL", "codes": ["R25.3", "G12.21"],
                                        "severity": "error", "message": "integral"}]
                return result
        """
    )
    pytester.syspathinsert()
    result = pytester.runpytest("--icd-engine", TOY, "--icd-against", "other:Strict", "-rA")
    assert outcome_ids(result) == {
        "PASSED": {"diff.icd.yaml::no-expectations"},
        "FAILED": {"diff.icd.yaml::differs"},
    }
    result.stdout.fnmatch_lines(
        [
            "case differs *",
            "*engine: toy 1.2",
            "  compared with strict 9 (--icd-against): 'expected' is strict 9, 'got' is toy 1.2:",
            "    diagnoses[0]: expected G12.21, got R25.3",
            "    diagnoses: unexpected G12.21",
            "    edits: missing SYMPTOM_INTEGRAL(G12.21, R25.3)",
            "engine: toy 1.2 (against strict 9)",
        ]
    )


def test_a_recorded_file_is_read_as_case_files_are(project: pytest.Pytester) -> None:
    # Codes keep the text written, quoted or not (CONTRACT §1): `mdc: 01` is "01", not 1.
    project.runpytest("--icd-engine", TOY, "--icd-update").assert_outcomes(passed=3)
    path = recorded(project)
    text = path.read_text()
    quoted = '{"code": "093", "mdc": "01", "version": "43.0"}'
    assert quoted in text
    path.write_text(text.replace(quoted, '{code: 093, mdc: 01, version: "43.0"}'))
    project.runpytest("--icd-engine", TOY).assert_outcomes(passed=3)
    # A key written twice is named with its line, as in a case file.
    path.write_text(path.read_text().replace('"alpha":\n', '"alpha":\n  drg: null\n', 1))
    result = project.runpytest("--icd-engine", TOY)
    result.assert_outcomes(failed=3)  # the file as a whole cannot be trusted
    result.stdout.fnmatch_lines(["*golden.recorded.yaml:*drg*twice*"])
