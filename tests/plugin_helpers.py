"""Helpers for the plugin tests: a toy engine and case files written into a pytester dir.

The toy engine is plain source text written as the pytester project's ``conftest.py``, so
the tests never depend on the reference engine. It

- echoes the claim: ``diagnoses`` and ``services`` of the result are the claim's;
- overlays ``RESULT`` (a dict a test may redefine) on that, then lets ``HOOK(encounter,
  result)`` (if a test defines it) return whatever the engine should return;
- appends every encounter it receives to ``seen.jsonl`` (so a test sees exactly what
  reached the engine), each new instance to ``instances.log`` and each ``close()`` to
  ``closed.log`` (one line per pid, so xdist workers are counted too).
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

TOY_ENGINE = """
import json
import os
from pathlib import Path

HERE = Path(__file__).parent
BASE = {"diagnoses": [], "services": [], "edits": [], "cdi": [], "hcc": None, "drg": None}
RESULT = {}
HOOK = None


def _log(name, line):
    with (HERE / name).open("a", encoding="utf-8") as f:
        f.write(line + "\\n")


class Toy:
    def __init__(self):
        _log("instances.log", str(os.getpid()))

    def describe(self):
        return {"name": "toy", "version": "1.2", "fiscal_years": [2025, 2026]}

    def run(self, encounter):
        _log("seen.jsonl", json.dumps(encounter, default=lambda o: f"<{type(o).__name__}>"))
        claim = encounter.get("claim") or {}
        result = dict(BASE)
        result["diagnoses"] = list(claim.get("diagnoses", []))
        result["services"] = [dict(s) for s in claim.get("services", [])]
        result.update(RESULT)
        if HOOK is not None:
            return HOOK(encounter, result)
        return result

    def close(self):
        _log("closed.log", str(os.getpid()))
"""

TOY = "conftest:Toy"

# A `defaults:` block that makes every case a valid outpatient claim-only encounter.
DEFAULTS = """\
defaults:
  encounter:
    setting: outpatient
    date_of_service: "2025-11-03"
    patient: {age: 59, sex: F}
"""


# Three claim-only cases the toy engine (or any echoing engine) passes.
THREE_CASES = """\
cases:
  - id: c1
    title: one
    encounter: {claim: {diagnoses: [R25.3]}}
    expected: {diagnoses: [R25.3]}
  - id: c2
    title: two
    encounter: {claim: {diagnoses: [G12.21]}}
    expected: {diagnoses: [G12.21]}
  - id: c3
    title: three
    encounter: {claim: {diagnoses: [E05.00]}}
    expected: {diagnoses: [E05.00]}
"""


def write_engine(pytester: pytest.Pytester, extra: str = "") -> None:
    """The toy engine as the project's conftest.py; ``extra`` is appended source."""
    source = TOY_ENGINE + "\n" + textwrap.dedent(extra)
    pytester.path.joinpath("conftest.py").write_text(source, encoding="utf-8")


def write_cases(pytester: pytest.Pytester, name: str, text: str, *, defaults: bool = False) -> Path:
    """Write a case file as given (dedented), after `DEFAULTS` if ``defaults``."""
    path = pytester.path.joinpath(name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text((DEFAULTS if defaults else "") + textwrap.dedent(text), encoding="utf-8")
    return path


def seen(pytester: pytest.Pytester) -> list[dict[str, Any]]:
    """The encounters the toy engine received, in order."""
    path = pytester.path / "seen.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def log_lines(pytester: pytest.Pytester, name: str) -> list[str]:
    path = pytester.path / name
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def outcome_ids(result: pytest.RunResult) -> dict[str, set[str]]:
    """Node ids by outcome, parsed from the short summary of a run made with ``-rA``."""
    out: dict[str, set[str]] = {}
    for line in result.outlines:
        word, _, rest = line.partition(" ")
        if word in ("PASSED", "FAILED", "ERROR", "XFAIL", "XPASS", "SKIPPED") and rest:
            node = rest.split(" - ")[0].strip()
            out.setdefault(word, set()).add(node)
    return out
