"""What every `icdcheck` subcommand shares with pytest (CONTRACT v2 §5a), through the CLI:
exit statuses 0/1/4/5, the plugin's option names and ini settings, engines registered by
plugins, the refusals made before any case runs, and files that look like case files but
are not run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

CASE = """\
defaults:
  encounter: {setting: outpatient, date_of_service: "2025-11-03", patient: {age: 59, sex: F}}
cases:
  - id: echo-one
    title: the toy engine echoes the claim
    encounter: {claim: {diagnoses: [R25.3]}}
    expected: {diagnoses: [R25.3]}
"""

TOY = """\
class Echo:
    def describe(self):
        return {"name": "toy", "version": "1", "fiscal_years": [2025, 2026, 2027]}

    def run(self, encounter):
        claim = encounter.get("claim") or {}
        return {"diagnoses": list(claim.get("diagnoses", [])), "services": [], "edits": [],
                "cdi": [], "hcc": None, "drg": None}
"""


def icdcheck(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": ""}  # the project's modules come from cwd, as pytest's
    return subprocess.run(
        [sys.executable, "-m", "pytest_icdcheck", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "toy_engine.py").write_text(TOY, encoding="utf-8")
    (tmp_path / "cases").mkdir()
    (tmp_path / "cases" / "echo.icd.yaml").write_text(CASE, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    "args",
    [
        ("validate", "nowhere"),
        ("run", "nowhere"),
        ("fy-diff", "--from", "2026", "--to", "2027", "nowhere"),
        ("validate", "--no-such-option", "cases"),
        ("run", "cases", "--jobs", "0"),
        ("generate", "--fy", "1999"),
        ("serve", "--port", "99999"),
        (),
    ],
    ids=lambda a: " ".join(a) or "no-command",
)
def test_every_usage_error_exits_4(project: Path, args: tuple[str, ...]) -> None:
    proc = icdcheck(project, *args)
    assert proc.returncode == 4, proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    "command", [("validate",), ("run",), ("fy-diff", "--from", "2026", "--to", "2027")]
)
def test_an_empty_folder_is_nothing_to_run_and_says_so(
    project: Path, command: tuple[str, ...]
) -> None:
    (project / "empty").mkdir()
    proc = icdcheck(project, *command, "empty")
    assert proc.returncode == 5, proc.stdout + proc.stderr
    assert "no case" in (proc.stdout + proc.stderr)


def test_validate_names_a_near_miss_file_and_a_dangling_link(project: Path) -> None:
    (project / "cases" / "more.icd.yml").write_text(CASE, encoding="utf-8")
    (project / "cases" / "gone.icd.yaml").symlink_to(project / "moved.icd.yaml")
    proc = icdcheck(project, "validate", "cases")
    assert proc.returncode == 1, proc.stdout
    lines = proc.stdout.splitlines()
    assert (
        "cases/more.icd.yml is not a case file and is not run: case files end in .icd.yaml "
        "(exactly); rename it to more.icd.yaml" in lines
    )
    assert any(
        line.startswith("cases/gone.icd.yaml is a symbolic link to ")
        and line.endswith(
            "moved.icd.yaml, which does not exist: it is not run; fix or remove the link"
        )
        for line in lines
    ), proc.stdout


def test_run_reads_the_plugins_ini_settings(project: Path) -> None:
    (project / "pytest.ini").write_text(
        "[pytest]\nicd_engine = toy_engine:Echo\nicd_timeout = 12\n", encoding="utf-8"
    )
    proc = icdcheck(project, "run", "cases")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "engine: toy 1" in proc.stdout
    (project / "pytest.ini").write_text(
        "[pytest]\nicd_engine = toy_engine:Echo\nicd_timeout = inf\n", encoding="utf-8"
    )
    proc = icdcheck(project, "run", "cases")
    assert proc.returncode == 4
    assert f"icd_timeout in {project / 'pytest.ini'} must be a number of seconds" in proc.stderr


def test_run_reads_pyproject_and_the_command_line_wins(project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\nicd_engine = "nosuch"\n', encoding="utf-8"
    )
    proc = icdcheck(project, "run", "cases")
    assert proc.returncode == 1
    assert "--icd-engine 'nosuch': no engine of that name" in proc.stdout
    proc = icdcheck(project, "run", "cases", "--icd-engine", "toy_engine:Echo")
    assert proc.returncode == 0, proc.stdout


def test_run_finds_engines_registered_by_a_plugin(project: Path) -> None:
    (project / "conftest.py").write_text(
        "from toy_engine import Echo\n\ndef pytest_icdcheck_engines():\n    return {'toy': Echo}\n",
        encoding="utf-8",
    )
    proc = icdcheck(project, "run", "cases", "--icd-engine", "toy", "--icd-against", "toy")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 passed" in proc.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("--icd-timeout", "inf"),
            "--icd-timeout must be a number of seconds more than 0 and at most 86400 (a day), "
            "not inf; e.g. --icd-timeout 30",
        ),
        (
            ("--icd-engine", "ftp://x/"),
            "--icd-engine 'ftp://x/': ftp:// engines are not supported; an engine is served "
            "over http:// or https://, runs as cmd:<command line>, or is package.module:attr "
            "or an installed name",
        ),
        (("--jobs", "64"), "--jobs 64: this machine has"),
    ],
)
def test_run_refuses_at_once(project: Path, args: tuple[str, ...], message: str) -> None:
    proc = icdcheck(project, "run", "cases", *args)
    assert proc.returncode == 4
    assert message in proc.stderr
    assert "cases:" not in proc.stdout  # nothing ran


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--icd-timeout", "inf"), "*--icd-timeout must be a number of seconds more than 0*"),
        (
            ("--icd-engine", "ftp://x/"),
            "*--icd-engine 'ftp://x/': ftp:// engines are not supported*",
        ),
    ],
)
def test_pytest_refuses_at_once(
    pytester: pytest.Pytester, args: tuple[str, ...], message: str
) -> None:
    pytester.makefile(".icd.yaml", echo=CASE)
    result = pytester.runpytest("-p", "no:cacheprovider", *args)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines([message])


def test_run_starts_no_more_processes_than_files(project: Path) -> None:
    proc = icdcheck(project, "run", "cases", "--jobs", "2", "--icd-engine", "toy_engine:Echo")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "processes: 1" in proc.stdout


def test_pytest_warns_of_a_near_miss_file(pytester: pytest.Pytester) -> None:
    pytester.makefile(".icd.yml", echo=CASE)
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED
    result.stdout.fnmatch_lines(
        [
            "*PytestCollectionWarning: echo.icd.yml is not a case file and is not run: case "
            "files end in .icd.yaml (exactly); rename it to echo.icd.yaml"
        ]
    )


def test_run_junitxml_is_well_formed_with_control_characters(project: Path) -> None:
    import xml.etree.ElementTree as ET

    (project / "cases" / "odd.icd.yaml").write_text(
        'defaults:\n  encounter: {setting: outpatient, date_of_service: "2025-11-03", '
        "patient: {age: 59, sex: F}}\n"
        "cases:\n"
        "  - id: bell\n"
        '    title: "rings \\a the \\e bell \\uFFFE"\n'
        '    source: "pasted \\e[31m from a terminal"\n'
        "    encounter: {claim: {diagnoses: [R25.3]}}\n"
        "    expected: {diagnoses: [G12.21]}\n",
        encoding="utf-8",
    )
    report = project / "report.xml"
    proc = icdcheck(
        project, "run", "cases", "--icd-engine", "toy_engine:Echo", "--junitxml", str(report)
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    suite = ET.parse(report).getroot().find("testsuite")  # raises on malformed XML
    assert suite is not None and suite.attrib["failures"] == "1"
    case = suite.find("testcase[@name='bell']")
    assert case is not None
    props = {p.attrib["name"]: p.attrib["value"] for p in case.iter("property")}
    assert props["source"] == "pasted #x1B[31m from a terminal"
    failure = case.find("failure")
    assert failure is not None and "rings #x07 the #x1B bell #xFFFE" in (failure.text or "")


def test_run_many_with_the_wrong_count_fails_its_batch_named_as_such(project: Path) -> None:
    (project / "short_engine.py").write_text(
        TOY + "\n    def run_many(self, encounters):\n"
        "        return [self.run(e) for e in encounters][:-1]\n",
        encoding="utf-8",
    )
    more = CASE + "\n".join(
        f"  - id: echo-{n}\n    title: another\n"
        "    encounter: {claim: {diagnoses: [R25.3]}}\n    expected: {diagnoses: [R25.3]}"
        for n in ("two", "three")
    )
    (project / "cases" / "echo.icd.yaml").write_text(more + "\n", encoding="utf-8")
    proc = icdcheck(project, "run", "cases", "--icd-engine", "short_engine:Echo")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    message = (
        "engine toy 1: run_many returned 2 result(s) for 3 encounters, so every case of that "
        "batch fails (CONTRACT §5: run_many returns one result per encounter, in order)"
    )
    assert proc.stdout.count(message) == 3, proc.stdout
    assert proc.stdout.splitlines()[-1].startswith("3 error")  # as any engine failure


def test_pytest_help_names_every_kind_of_engine(pytester: pytest.Pytester) -> None:
    result = pytester.runpytest("--help")
    help_text = " ".join(result.stdout.str().split())
    start = help_text.index("--icd-engine=SPEC")
    entry = help_text[start : help_text.index("--icd-against", start)]
    for kind in ("reference", "package.module:attr", "cmd:<command line>", "http(s)://"):
        assert kind in entry, entry


def test_pytest_warns_of_a_dangling_link_to_a_case_file(pytester: pytest.Pytester) -> None:
    pytester.makefile(".icd.yaml", echo=CASE)
    (pytester.path / "gone.icd.yaml").symlink_to(pytester.path / "moved" / "gone.icd.yaml")
    result = pytester.runpytest("-p", "no:cacheprovider", "--icd-engine", "reference")
    result.stdout.fnmatch_lines(
        [
            "*PytestCollectionWarning: gone.icd.yaml is a symbolic link to "
            "*moved/gone.icd.yaml, which does not exist: it is not run; fix or remove the link"
        ]
    )


def test_dangling_case_file_links_are_looked_for_only_in_sessions_about_case_files(
    pytester: pytest.Pytester,
) -> None:
    # Listing every folder again costs every pytest run of the environment: a session of
    # other tests skips it; one that collected nothing at all still says why.
    sub = pytester.mkdir("sub")
    (sub / "gone.icd.yaml").symlink_to(pytester.path / "moved" / "gone.icd.yaml")
    nothing = pytester.runpytest("-p", "no:cacheprovider")
    assert nothing.ret == pytest.ExitCode.NO_TESTS_COLLECTED
    nothing.stdout.fnmatch_lines(["*PytestCollectionWarning: sub/gone.icd.yaml is a symbolic*"])
    pytester.makepyfile(test_other="def test_other():\n    pass\n")
    other = pytester.runpytest("-p", "no:cacheprovider")
    other.assert_outcomes(passed=1)
    assert "gone.icd.yaml" not in other.stdout.str()


def test_run_many_gets_copies_the_against_engine_never_sees_changed(project: Path) -> None:
    (project / "scribbler.py").write_text(
        TOY + "\n    def run_many(self, encounters):\n"
        "        results = [self.run(e) for e in encounters]\n"
        "        for e in encounters:  # scribble on the input, and on shared defaults\n"
        "            e['patient']['age'] = 7\n"
        "            e['claim']['diagnoses'][0] = 'A00.0'\n"
        "        return results\n",
        encoding="utf-8",
    )
    shared = (
        'defaults:\n  encounter: {setting: outpatient, date_of_service: "2025-11-03", '
        "patient: {age: 59, sex: F}, claim: {diagnoses: [R25.3]}}\ncases:\n"
        + "".join(
            f"  - id: shared-{n}\n    title: defaults shared\n    encounter: {{}}\n"
            "    expected: {diagnoses: [R25.3]}\n"
            for n in range(3)
        )
    )
    (project / "cases" / "echo.icd.yaml").write_text(shared, encoding="utf-8")
    proc = icdcheck(
        project,
        "run",
        "cases",
        "--icd-engine",
        "scribbler:Echo",
        "--icd-against",
        "toy_engine:Echo",
    )
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout.splitlines()[-1].startswith("3 passed")
