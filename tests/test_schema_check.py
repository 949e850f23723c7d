"""The schema check (jsonschema-rs, jsonschema for the messages) judges as jsonschema does.

jsonschema-rs answers first; when it says "valid", jsonschema is not asked. So for every
case and result below, many mutations of them, and schemas where the two engines read a
value differently (NaN, infinity, tuples), the verdict must be jsonschema's, both ways.
"""

from __future__ import annotations

import copy
import math
import random
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from pytest_icdcheck.casefile import schema
from pytest_icdcheck.casefile.cases import read_cases
from pytest_icdcheck.casefile.schema import SchemaCheck

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
    return bool(schema._check(name, pointer).judge().is_valid(doc))


@pytest.mark.parametrize("seed", range(4))
def test_the_case_check_judges_mutated_cases_as_jsonschema_does(seed: int) -> None:
    rng = random.Random(seed)
    pointer = "/$defs/resolved_case"
    check = schema._check("case-file.schema.json", pointer)
    cases = shipped_cases()
    assert cases and all(check.plainly_valid(c) for c in cases)  # the fast path is taken
    rejected = 0
    for case in rng.sample(cases, min(60, len(cases))):
        for _ in range(10):
            bad = mutate(case, rng)
            expected = jsonschema_valid("case-file.schema.json", pointer, bad)
            assert check.is_valid(bad) is expected, bad
            assert (check.problems(bad) == []) is expected, bad
            rejected += not expected
    assert rejected > 100  # the mutations do produce invalid cases


def test_the_result_check_judges_mutated_results_as_jsonschema_does() -> None:
    rng = random.Random(7)
    check = schema._check("result.schema.json")
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
    assert check.plainly_valid(result)
    for _ in range(800):
        bad = mutate(result, rng)
        assert check.is_valid(bad) is jsonschema_valid("result.schema.json", "", bad), bad


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


NAN, INF = math.nan, math.inf
# Schemas where a sub-check's "no" decides: a fast path that reads "look closer" as "no",
# or NaN as "not a number", turns the verdict round.
TRICKY_SCHEMAS: list[dict[str, Any]] = [
    {"oneOf": [{"type": "number"}, {"minimum": 0}]},
    {"oneOf": [{"type": "number"}, {"type": "null"}]},
    {"not": {"type": "number"}},
    {"anyOf": [{"type": "number"}, {"type": "string"}]},
    {"if": {"type": "number"}, "then": {"minimum": 0}, "else": {"type": "string"}},
    {"if": {"minimum": 0}, "then": {"type": "number"}, "else": False},
    {"if": {"not": {"type": "number"}}, "then": {"const": "x"}},
    {"if": {"type": "array"}, "then": {"maxItems": 1}, "else": {"type": "null"}},
    {"type": "object", "properties": {"n": {"oneOf": [{"type": "number"}, {"minimum": 0}]}}},
    {"type": "array", "items": {"if": {"type": "number"}, "then": {"maximum": 10}}},
]
TRICKY_VALUES: list[Any] = [
    NAN,
    INF,
    -INF,
    1,
    -1,
    0.5,
    None,
    "x",
    (1, 2),
    [1, 2],
    [NAN],
    {"n": NAN},
    {"n": INF},
    {"n": -INF},
    {"n": 1},
    [INF, 1],
    {1, 2},
    b"x",
    {1: "a"},
]


@pytest.mark.parametrize("tricky", TRICKY_SCHEMAS, ids=lambda s: str(s)[:50])
def test_the_check_agrees_with_jsonschema_where_the_fast_path_reads_values_differently(
    tricky: dict[str, Any],
) -> None:
    check = SchemaCheck(tricky)
    judge = jsonschema.Draft202012Validator(tricky)
    for value in TRICKY_VALUES:
        expected = judge.is_valid(value)
        assert check.is_valid(value) is expected, value
        assert (check.problems(value) == []) is expected, value


def test_nan_under_one_of_number_or_minimum_is_invalid() -> None:
    # NaN is a number, and "NaN < 0" is false, so both branches hold: oneOf fails.
    check = SchemaCheck({"oneOf": [{"type": "number"}, {"minimum": 0}]})
    assert not check.is_valid(NAN)
    assert check.problems(NAN)
    assert check.is_valid(-INF)  # a number below 0: exactly one branch holds


def test_a_cross_file_ref_is_resolved_through_the_registry_and_never_fetched() -> None:
    part = {"$id": "https://example.test/part.json", "type": "integer", "minimum": 1}
    check = SchemaCheck(
        {"$id": "https://example.test/all.json", "items": {"$ref": "part.json"}},
        [("https://example.test/part.json", part)],
    )
    assert check.is_valid([1, 2])
    assert [p.where for p in check.problems([1, 0])] == ["[1]"]
    with pytest.raises(Exception, match=r"(?i)elsewhere|retriev|resolv|offline"):
        SchemaCheck({"$ref": "https://example.test/elsewhere.json"})
