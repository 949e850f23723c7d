"""The README's main job: the shipped golden suite passes on the reference engine."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "cases"


def run_cases(*args: str) -> tuple[int, str]:
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", str(CASES), "-p", "no:cacheprovider", "-rA", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    return proc.returncode, proc.stdout + proc.stderr


def outcomes(output: str) -> dict[str, str]:
    """node id -> PASSED/FAILED/... from the `-rA` short summary."""
    found = {}
    for line in output.splitlines():
        m = re.match(r"(PASSED|FAILED|ERROR|XFAIL|XPASS) (\S+)", line)
        if m:
            found[m.group(2)] = m.group(1)
    return found


@pytest.fixture(scope="module")
def shipped_run() -> tuple[int, str]:
    return run_cases()


def test_every_shipped_case_passes_on_the_reference_engine(shipped_run: tuple[int, str]) -> None:
    code, output = shipped_run
    assert code == 0, output[-6000:]
    found = outcomes(output)
    assert len(found) >= 50  # the suite is really there
    assert set(found.values()) == {"PASSED"}
    assert re.search(r"^engine: reference \S+", output, re.M)
    assert re.search(r"^cases: \d+ passed$", output, re.M)


def test_shipped_suite_gives_the_same_results_under_xdist(shipped_run: tuple[int, str]) -> None:
    pytest.importorskip("xdist")
    code, output = run_cases("-n", "2")
    assert outcomes(output) == outcomes(shipped_run[1])
    assert code == shipped_run[0]
