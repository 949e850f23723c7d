"""`extensions` (the engine's own fields): recorded by --icd-update, compared by path."""

from __future__ import annotations

import pytest
from plugin_helpers import TOY, write_cases, write_engine

# The engine's own fields come from a file the tests rewrite to simulate an engine change.
EXTENDED_ENGINE = """
import json

def HOOK(encounter, result):
    ext = HERE / "extensions.json"
    result["extensions"] = json.loads(ext.read_text()) if ext.exists() else {
        "acme": {"drg_weight": 1.2183, "edit_ids": ["A7", "B2"], "raf": {"demographic": 0.41}}
    }
    return result
"""

RECORDED = """\
golden: recorded
cases:
  - id: weighted
    title: the engine's DRG weight is recorded with the rest
    encounter: {claim: {diagnoses: [R25.3]}}
"""


def test_recorded_extensions_then_a_change_fails_with_path_and_both_values(
    pytester: pytest.Pytester,
) -> None:
    write_engine(pytester, EXTENDED_ENGINE)
    write_cases(pytester, "g.icd.yaml", RECORDED, defaults=True)
    pytester.runpytest("--icd-engine", TOY, "--icd-update").assert_outcomes(passed=1)
    text = (pytester.path / "g.recorded.yaml").read_text()
    assert (
        '  extensions: {"acme": {"drg_weight": 1.2183, "edit_ids": ["A7", "B2"], '
        '"raf": {"demographic": 0.41}}}\n'
    ) in text
    pytester.runpytest("--icd-engine", TOY).assert_outcomes(passed=1)

    (pytester.path / "extensions.json").write_text(
        '{"acme": {"drg_weight": 1.301, "edit_ids": ["A7"], "raf": {"demographic": 0.41}}}'
    )
    result = pytester.runpytest("--icd-engine", TOY)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(
        [
            "case weighted — * (2 differences)",
            "  extensions.acme.drg_weight: expected 1.2183, got 1.301",
            '  extensions.acme.edit_ids[1]: expected "B2", got nothing',
        ]
    )
    out = result.stdout.str()
    for raw in ("DeepDiff", "values_changed", "root[", "{'"):
        assert raw not in out

    # Re-recording takes the change; a key only the new engine has is a change too.
    (pytester.path / "extensions.json").write_text(
        '{"acme": {"drg_weight": 1.301, "edit_ids": ["A7"], "raf": {"demographic": 0.41}},'
        ' "beta": 1}'
    )
    result = pytester.runpytest("--icd-engine", TOY, "--icd-update")
    result.stdout.fnmatch_lines(["*recorded: 1 new or changed result(s) written*"])
    assert '"beta": 1' in (pytester.path / "g.recorded.yaml").read_text()
    pytester.runpytest("--icd-engine", TOY).assert_outcomes(passed=1)


HAND_WRITTEN = """\
cases:
  - id: same
    title: the keys given match; keys the engine adds are not compared
    encounter: {claim: {diagnoses: [R25.3]}}
    expected:
      extensions: {acme: {drg_weight: 1.21830000001, raf: {demographic: 0.41}}}
  - id: differs
    title: hand-written extensions compare by path
    encounter: {claim: {diagnoses: [R25.3]}}
    expected:
      extensions:
        acme: {drg_weight: 1.3, edit_ids: [A7, C9], raf: {demographic: "0.41"}}
        other: {x: 1}
"""


def test_hand_written_expected_extensions_compare_the_same_way(
    pytester: pytest.Pytester,
) -> None:
    write_engine(pytester, EXTENDED_ENGINE)
    write_cases(pytester, "h.icd.yaml", HAND_WRITTEN, defaults=True)
    result = pytester.runpytest("--icd-engine", TOY, "-rA")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(
        [
            "case differs — * (4 differences)",
            "  extensions.acme.drg_weight: expected 1.3, got 1.2183",
            '  extensions.acme.edit_ids[1]: expected "C9", got "B2"',
            '  extensions.acme.raf.demographic: expected "0.41", got 0.41',
            '  extensions.other: expected {"x": 1}, got nothing',
        ]
    )
    result.stdout.fnmatch_lines(["failures by field: extensions 1"])


def test_a_result_with_extensions_that_are_not_a_mapping_fails_the_schema(
    pytester: pytest.Pytester,
) -> None:
    write_engine(pytester, 'RESULT = {"extensions": [1, 2]}\n')
    write_cases(
        pytester,
        "x.icd.yaml",
        """\
        cases:
          - id: bad
            title: extensions must be an object
            encounter: {claim: {diagnoses: [R25.3]}}
        """,
        defaults=True,
    )
    result = pytester.runpytest("--icd-engine", TOY)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*breaks result.schema.json*", "*extensions*"])


def test_recorded_small_and_large_numbers_read_back_as_numbers(
    pytester: pytest.Pytester,
) -> None:
    # YAML 1.1 (how recorded files are read) takes `1e-05` for a string; it is written so
    # that it reads back as the number it was.
    write_engine(pytester, EXTENDED_ENGINE)
    (pytester.path / "extensions.json").write_text(
        '{"acme": {"tiny": 1e-05, "huge": 1e+20, "note": "dose 1e-05 mg"}}'
    )
    write_cases(pytester, "g.icd.yaml", RECORDED, defaults=True)
    pytester.runpytest("--icd-engine", TOY, "--icd-update").assert_outcomes(passed=1)
    assert (
        '"tiny": 1.0e-05, "huge": 1.0e+20, "note": "dose 1e-05 mg"'
        in (pytester.path / "g.recorded.yaml").read_text()
    )
    pytester.runpytest("--icd-engine", TOY).assert_outcomes(passed=1)


def test_deepdiff_is_loaded_only_to_explain_an_extensions_difference(
    pytester: pytest.Pytester,
) -> None:
    write_engine(
        pytester,
        EXTENDED_ENGINE
        + """
import sys

def pytest_sessionfinish(session):
    (HERE / "deepdiff.log").write_text(str("deepdiff" in sys.modules))
""",
    )
    write_cases(pytester, "g.icd.yaml", RECORDED, defaults=True)
    loaded = pytester.path / "deepdiff.log"
    args = ("--icd-engine", TOY, "-p", "no:cacheprovider")
    pytester.runpytest_subprocess(*args, "--icd-update").assert_outcomes(passed=1)
    assert loaded.read_text() == "False"
    pytester.runpytest_subprocess(*args).assert_outcomes(passed=1)  # equal: one ==
    assert loaded.read_text() == "False"
    (pytester.path / "extensions.json").write_text('{"acme": {"drg_weight": 1.3}}')
    pytester.runpytest_subprocess(*args).assert_outcomes(failed=1)
    assert loaded.read_text() == "True"
