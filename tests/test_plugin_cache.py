"""Parsed case files are cached by content: a warm run never serves a stale case."""

from __future__ import annotations

import pytest
from plugin_helpers import TOY, write_cases, write_engine

CASES = """\
cases:
  - id: one
    title: first
    encounter: {claim: {diagnoses: [R25.3]}}
    expected: {diagnoses: [R25.3]}
"""


def cache_entries(pytester: pytest.Pytester) -> list[str]:
    folder = pytester.path / ".pytest_cache" / "d" / "icdcheck-cases"
    return sorted(p.name for p in folder.glob("*.marshal")) if folder.exists() else []


def test_a_changed_file_is_read_again(pytester: pytest.Pytester) -> None:
    write_engine(pytester)
    path = write_cases(pytester, "c.icd.yaml", CASES, defaults=True)
    pytester.runpytest("--icd-engine", TOY).assert_outcomes(passed=1)
    assert len(cache_entries(pytester)) == 1
    pytester.runpytest("--icd-engine", TOY).assert_outcomes(passed=1)  # warm
    path.write_text(
        path.read_text().replace("expected: {diagnoses: [R25.3]}", "expected: {diagnoses: [R25.2]}")
    )
    result = pytester.runpytest("--icd-engine", TOY)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*diagnoses[[]0]: expected R25.2, got R25.3"])
    assert len(cache_entries(pytester)) == 1  # one entry per file, replaced


def test_an_invalid_case_is_reported_the_same_when_cached(pytester: pytest.Pytester) -> None:
    write_engine(pytester)
    write_cases(
        pytester,
        "bad.icd.yaml",
        CASES.replace("title: first", "title: 7\n    foo: 1"),
        defaults=True,
    )
    first = pytester.runpytest("--icd-engine", TOY)
    second = pytester.runpytest("--icd-engine", TOY)
    for result in (first, second):
        result.assert_outcomes(failed=1)
        result.stdout.fnmatch_lines(["*bad.icd.yaml:*: unknown key `foo`*"])


def test_a_corrupt_cache_entry_is_a_miss(pytester: pytest.Pytester) -> None:
    write_engine(pytester)
    write_cases(pytester, "c.icd.yaml", CASES, defaults=True)
    pytester.runpytest("--icd-engine", TOY).assert_outcomes(passed=1)
    [entry] = cache_entries(pytester)
    (pytester.path / ".pytest_cache" / "d" / "icdcheck-cases" / entry).write_bytes(b"\x00garbage")
    pytester.runpytest("--icd-engine", TOY).assert_outcomes(passed=1)


def test_without_the_cache_provider_it_still_works(pytester: pytest.Pytester) -> None:
    write_engine(pytester)
    write_cases(pytester, "c.icd.yaml", CASES, defaults=True)
    pytester.runpytest("--icd-engine", TOY, "-p", "no:cacheprovider").assert_outcomes(passed=1)
    assert cache_entries(pytester) == []


def test_yaml_anchors_and_merge_keys_work(pytester: pytest.Pytester) -> None:
    """Shared parts written once with anchors (`&base`, `<<: *base`) reach the engine."""
    write_engine(pytester)
    write_cases(
        pytester,
        "anchors.icd.yaml",
        """\
        cases:
          - id: first
            title: defines the anchor
            encounter: &visit
              setting: outpatient
              date_of_service: "2025-11-03"
              patient: {age: 59, sex: F}
              claim: {diagnoses: &dx [R25.3, G12.21]}
            expected: {diagnoses: *dx}
          - id: second
            title: merges it and overrides one key
            encounter:
              <<: *visit
              claim: {diagnoses: [R25.2]}
            expected: {diagnoses: [R25.2]}
        """,
    )
    pytester.runpytest("--icd-engine", TOY, "-p", "no:cacheprovider").assert_outcomes(passed=2)
