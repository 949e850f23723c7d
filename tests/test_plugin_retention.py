"""Large sessions move the reports pytest keeps out of the garbage collector's way; other
tests and small sessions are left alone."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from plugin_helpers import THREE_CASES, TOY, write_cases, write_engine

import pytest_icdcheck.plugin.retention as retention


@pytest.fixture
def every_two_cases(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(retention, "FREEZE_EVERY", 2)
    gc.unfreeze()
    yield
    gc.unfreeze()  # give the objects of the inner session back to the collector


def test_reports_are_frozen_every_n_cases(pytester: pytest.Pytester, every_two_cases: None) -> None:
    write_engine(pytester)
    write_cases(pytester, "three.icd.yaml", THREE_CASES, defaults=True)
    result = pytester.runpytest_inprocess("--icd-engine", TOY, "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)
    assert gc.get_freeze_count() > 0  # after the second case


def test_plain_tests_never_freeze(pytester: pytest.Pytester, every_two_cases: None) -> None:
    pytester.makepyfile(
        "import pytest\n\n@pytest.mark.parametrize('i', range(5))\ndef test_x(i):\n    pass\n"
    )
    result = pytester.runpytest_inprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=5)
    assert gc.get_freeze_count() == 0
