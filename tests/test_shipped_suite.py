"""The README's main job: the shipped golden suite passes on the reference engine."""

from __future__ import annotations

import re

import pytest
from suite_helpers import SuiteRun, hand_written, run_suite


def test_every_shipped_case_passes_on_the_reference_engine(shipped_suite: SuiteRun) -> None:
    output = shipped_suite.output
    assert shipped_suite.returncode == 0, output[-6000:]
    assert len(shipped_suite.outcomes) >= 50  # the suite is really there
    assert set(shipped_suite.outcomes.values()) == {"PASSED"}
    assert re.search(r"^engine: reference \S+", output, re.M)
    assert re.search(r"^cases: \d+ passed$", output, re.M)


def test_shipped_suite_gives_the_same_results_under_xdist(shipped_suite: SuiteRun) -> None:
    # The hand-written part: the generated files add cases, not paths through xdist (and
    # the examples' engines run them under xdist too).
    pytest.importorskip("xdist")
    under_xdist = run_suite(["cases", "--ignore=cases/fy2026/generated", "-n", "2"])
    assert under_xdist.outcomes == hand_written(shipped_suite.outcomes)
    assert under_xdist.returncode == shipped_suite.returncode
