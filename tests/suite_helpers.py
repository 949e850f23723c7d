"""Run the shipped suite (or part of it) with pytest in a subprocess, as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUTCOMES = ("PASSED", "FAILED", "ERROR", "XFAIL", "XPASS", "SKIPPED")


@dataclass(frozen=True)
class SuiteRun:
    returncode: int
    output: str  # stdout then stderr
    outcomes: dict[str, str]  # node id -> PASSED/FAILED/... from the short summary


def run_suite(args: Sequence[str], *, env: dict[str, str] | None = None) -> SuiteRun:
    """A pytest run in the repository (``-p no:cacheprovider -q -rfEsxXp`` added: every
    outcome in the short summary; ``-rA`` would also print a PASSES section, 9 s more
    for the whole suite)."""
    environ = dict(os.environ)
    environ.pop("PYTEST_ADDOPTS", None)
    environ.pop("PYTEST_XDIST_WORKER", None)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", *args, "-p", "no:cacheprovider", "-q", "-rfEsxXp"],
        cwd=REPO,
        env={**environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=900,
    )
    outcomes: dict[str, str] = {}
    for line in proc.stdout.splitlines():
        word, _, rest = line.partition(" ")
        if word in OUTCOMES and rest:
            outcomes[rest.split(" - ")[0].strip()] = word
    assert outcomes, proc.stdout[-3000:] + proc.stderr[-3000:]
    return SuiteRun(proc.returncode, proc.stdout + proc.stderr, outcomes)


def hand_written(outcomes: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in outcomes.items() if "/generated/" not in k}
