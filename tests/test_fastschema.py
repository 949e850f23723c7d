"""The compiled schema check never accepts what jsonschema rejects.

It is only a fast path: when it says "valid", jsonschema is not asked. So for every
case and result below, and many mutations of them, fast-valid must imply valid.
"""

from __future__ import annotations

import copy
import random
from pathlib import Path
from typing import Any

import pytest

from pytest_icdcheck.casefile import schema
from pytest_icdcheck.casefile.cases import read_cases

CASES = Path(__file__).resolve().parent.parent / "cases" / "fy2026"
ODD_VALUES: list[Any] = [
    None,
    True,
    0,
    -1,
    1.5,
    "",
    "x",
    "R25.3",
    [],
    {},
    ["a"],
    {"a": 1},
    float("nan"),
    99215,
    "99215",
    "outpatientx",
    10**9,
]


def shipped_cases() -> list[dict[str, Any]]:
    found = []
    for path in sorted(CASES.glob("*.icd.yaml")):  # the hand-written ones: varied shapes
        found += [c.data for c in read_cases(path) if not c.problems]
    return found


def paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += paths(v, (*prefix, i))
    return out


def mutate(doc: Any, rng: random.Random) -> Any:
    doc = copy.deepcopy(doc)
    where = rng.choice(paths(doc)[1:])
    parent = doc
    for part in where[:-1]:
        parent = parent[part]
    last = where[-1]
    action = rng.random()
    if action < 0.5:
        parent[last] = rng.choice(ODD_VALUES)
    elif action < 0.7 and isinstance(parent, dict):
        del parent[last]
    elif action < 0.85 and isinstance(parent, dict):
        parent["unexpected_key"] = 1
    elif isinstance(parent, list):
        parent.append(rng.choice(ODD_VALUES))
    else:
        parent[last] = copy.deepcopy(parent)  # wrong shape, same content
    return doc


def jsonschema_valid(name: str, pointer: str, doc: Any) -> bool:
    return bool(schema._validator(name, pointer).is_valid(doc))


@pytest.mark.parametrize("seed", range(4))
def test_fast_case_check_never_accepts_an_invalid_case(seed: int) -> None:
    rng = random.Random(seed)
    fast = schema._fast("case-file.schema.json", "/$defs/resolved_case")
    pointer = "/$defs/resolved_case"
    cases = shipped_cases()
    assert cases and all(fast(c) for c in cases)  # the fast path is really taken
    rejected = 0
    for case in rng.sample(cases, min(60, len(cases))):
        for _ in range(10):
            bad = mutate(case, rng)
            if fast(bad):
                assert jsonschema_valid("case-file.schema.json", pointer, bad), bad
            else:
                rejected += 1
    assert rejected > 100  # the mutations do produce invalid cases


def test_fast_result_check_never_accepts_an_invalid_result() -> None:
    rng = random.Random(7)
    fast = schema._fast("result.schema.json")
    result = {
        "diagnoses": ["G12.21", "R25.2"],
        "services": [{"code": "99215", "modifiers": ["25"], "units": 1}],
        "edits": [
            {"rule": "NCCI_PTP", "codes": ["95861", "95908"], "severity": "error", "message": "m"}
        ],
        "cdi": [{"rule": "CDI_MND_QUERY", "codes": ["R25.3"], "message": "m"}],
        "hcc": {
            "model": "V28",
            "payment_year": 2026,
            "segment": "CNA",
            "categories": ["190"],
            "coefficient_sum": 1.175,
        },
        "drg": {"code": "057", "mdc": "01", "version": "43.0"},
    }
    assert fast(result)
    for _ in range(800):
        bad = mutate(result, rng)
        if fast(bad):
            assert jsonschema_valid("result.schema.json", "", bad), bad


def test_a_nan_coefficient_is_still_refused() -> None:
    result = {
        "diagnoses": [],
        "services": [],
        "edits": [],
        "cdi": [],
        "drg": None,
        "hcc": {
            "model": "V28",
            "payment_year": 2026,
            "segment": "CNA",
            "categories": [],
            "coefficient_sum": float("nan"),
        },
    }
    problems = schema.result_problems(result)
    assert [(p.where, p.message) for p in problems] == [
        ("hcc.coefficient_sum", "not a finite number")
    ]
