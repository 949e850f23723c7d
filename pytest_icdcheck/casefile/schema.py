"""The JSON Schemas (the one source of truth for the format), checked with jsonschema-rs,
and readable schema errors (worded from jsonschema's)."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

SCHEMA_FILES = ("case-file.schema.json", "encounter.schema.json", "result.schema.json")
MAX_ERRORS_SHOWN = 5


@dataclass(frozen=True)
class SchemaProblem:
    path: tuple[str | int, ...]
    message: str

    @property
    def where(self) -> str:
        return format_path(self.path) or "(top level)"


def format_path(path: Iterable[str | int]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


@cache
def schema_text(name: str) -> str:
    return (resources.files("pytest_icdcheck") / "schemas" / name).read_text(encoding="utf-8")


@cache
def load_schema(name: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(schema_text(name))
    return schema


def _registry_resources() -> list[tuple[str, dict[str, Any]]]:
    return [(load_schema(n)["$id"], load_schema(n)) for n in SCHEMA_FILES]


def _target(name: str, pointer: str) -> dict[str, Any]:
    root = load_schema(name)
    return {"$ref": f"{root['$id']}#{pointer}"} if pointer else root


# Every value has a JSON type. jsonschema-rs reads NaN and infinity as having none, so a
# document passes this only if all its numbers are finite: checked in Rust, not walked.
_FINITE_URI = "urn:pytest-icdcheck:finite"
_FINITE = {
    "type": ["null", "boolean", "object", "array", "number", "string"],
    "items": {"$ref": "#"},
    "additionalProperties": {"$ref": "#"},
}
_SCHEMA_URI = "urn:pytest-icdcheck:schema"  # for a schema without its own $id


class SchemaCheck:
    """One schema, judged exactly as jsonschema judges it, at jsonschema-rs's speed.

    jsonschema-rs gives the yes/no for plain JSON (dicts with string keys, lists, strings,
    ints, finite floats, booleans, None). It reads NaN and infinity as failing every type,
    and a tuple as an array, where jsonschema does not; so its "valid" is trusted only for
    plain JSON, and everything else (its "invalid", or a value it cannot read) goes to
    jsonschema, which stays the judge and words the messages. jsonschema is imported only
    then. ``may_hold_tuples=False`` skips the walk for tuples, for documents from a YAML or
    JSON reader (which makes lists only).
    """

    def __init__(
        self,
        schema: Any,
        resources: Iterable[tuple[str, Any]] = (),
        *,
        may_hold_tuples: bool = True,
    ) -> None:
        import jsonschema_rs

        self._schema = schema
        self._resources = list(resources)
        self._may_hold_tuples = may_hold_tuples
        fast_resources = [*self._resources, (_FINITE_URI, _FINITE)]
        target: Any = schema
        if isinstance(schema, Mapping):
            target = {"$ref": schema.get("$id", _SCHEMA_URI)}
            if target["$ref"] not in dict(self._resources):
                fast_resources.append((target["$ref"], schema))
        registry = jsonschema_rs.Registry(fast_resources, draft=jsonschema_rs.Draft202012)
        # offline: a $ref outside the registry is an error, never a download.
        self._fast = jsonschema_rs.Draft202012Validator(
            {"allOf": [target, {"$ref": _FINITE_URI}]}, registry=registry, offline=True
        )
        self._slow: Any = None

    def is_valid(self, doc: Any) -> bool:
        return self.plainly_valid(doc) or bool(self.judge().is_valid(doc))

    def problems(self, doc: Any) -> list[SchemaProblem]:
        return [] if self.plainly_valid(doc) else _problems(self.judge(), doc)

    def plainly_valid(self, doc: Any) -> bool:
        """Valid, with finite numbers only, by jsonschema-rs alone (no jsonschema)."""
        try:
            valid = bool(self._fast.is_valid(doc))
        except ValueError:  # a value jsonschema-rs cannot read (a set, bytes, a date ...)
            return False
        return valid and not (self._may_hold_tuples and _holds_tuple(doc))

    def judge(self) -> Any:
        """The jsonschema validator: the verdict on anything not plainly valid, and its words."""
        if self._slow is None:
            import jsonschema
            import referencing
            from referencing.jsonschema import DRAFT202012

            registry: referencing.Registry[Any] = referencing.Registry().with_resources(
                (uri, DRAFT202012.create_resource(doc)) for uri, doc in self._resources
            )
            self._slow = jsonschema.Draft202012Validator(self._schema, registry=registry)
        return self._slow


def _holds_tuple(value: Any) -> bool:
    stack = [value]
    while stack:
        value = stack.pop()
        if type(value) is dict:
            stack.extend(value.values())
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, tuple):
            return True
    return False


@cache
def _check(name: str, pointer: str = "", may_hold_tuples: bool = False) -> SchemaCheck:
    return SchemaCheck(
        _target(name, pointer), _registry_resources(), may_hold_tuples=may_hold_tuples
    )


def case_problems(case: Any) -> list[SchemaProblem]:
    """Problems of one case, defaults merged in (``case-file.schema.json#/$defs/resolved_case``)."""
    return _check("case-file.schema.json", "/$defs/resolved_case").problems(case)


def file_shell_problems(doc: Any) -> list[SchemaProblem]:
    """Problems of a file's top level (its cases are checked one by one)."""
    shell = dict(doc) if isinstance(doc, dict) else doc
    if isinstance(shell, dict) and isinstance(shell.get("cases"), list):
        shell["cases"] = [None] * len(shell["cases"])  # kept: minItems still applies
    return _check("case-file.schema.json", "/$defs/file_shell").problems(shell)


def encounter_problems(encounter: Any) -> list[SchemaProblem]:
    """Problems of one encounter (``encounter.schema.json``), e.g. one POSTed to a service."""
    return _check("encounter.schema.json").problems(encounter)


def result_problems(result: Any) -> list[SchemaProblem]:
    check = _check("result.schema.json", may_hold_tuples=True)  # built by an engine's code
    if check.plainly_valid(result):
        return []  # plain JSON: no NaN or infinity in it
    problems = _problems(check.judge(), result)
    if not problems:
        problems = [SchemaProblem(path, "not a finite number") for path in _non_finite(result, ())]
    return problems


def _non_finite(value: Any, path: tuple[str | int, ...]) -> Iterable[tuple[str | int, ...]]:
    # JSON Schema's "number" admits NaN and infinity; no coding result can mean either.
    if isinstance(value, float) and not math.isfinite(value):
        yield path
    elif isinstance(value, Mapping):
        for k, v in value.items():
            yield from _non_finite(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _non_finite(v, (*path, i))


def _problems(validator: Any, instance: Any) -> list[SchemaProblem]:
    errors = sorted(
        validator.iter_errors(instance), key=lambda e: (list(map(str, e.path)), e.message)
    )
    out: list[SchemaProblem] = []
    for error in errors:
        out.extend(_explain(error))
    # The same complaint can come from several branches; keep the first of each.
    seen: set[tuple[tuple[str | int, ...], str]] = set()
    unique = []
    for p in out:
        if (p.path, p.message) not in seen:
            seen.add((p.path, p.message))
            unique.append(p)
    return unique


def _explain(error: Any) -> list[SchemaProblem]:
    """Turn one jsonschema error into sentences a case author can act on."""
    path = tuple(error.absolute_path)
    kind = error.validator
    value = error.instance
    if kind == "anyOf" and error.context and all(_only_missing(e) for e in error.context):
        # e.g. an encounter needs `documentation` or `claim`: naming only one misleads.
        keys = " or ".join(f"`{_missing_key(e)}`" for e in error.context)
        both = " (or both)" if len(error.context) == 2 else ""
        return [SchemaProblem(path, f"needs {keys}{both}")]
    if kind in ("anyOf", "oneOf") and error.context:
        # Report the branch that got furthest rather than "is not valid under any".
        deepest = max(error.context, key=lambda e: (len(e.absolute_path), -len(e.message)))
        return _explain(deepest)
    explain: dict[str, Callable[[], str]] = {
        "required": lambda: f"missing required key `{_missing_key(error)}`",
        "additionalProperties": lambda: _unknown_keys(error),
        "enum": lambda: (
            f"{_show(value)} is not allowed; expected one of: "
            + ", ".join(_show(v) for v in error.validator_value)
        ),
        "const": lambda: f"expected {_show(error.validator_value)}, got {_show(value)}",
        "type": lambda: (
            f"expected {_a(error.validator_value)}, got "
            + (
                "null (nothing written after the colon?)"
                if value is None
                else f"{_type_of(value)} {_show(value)}"
            )
        ),
        "pattern": lambda: (
            f"{_show(value)} does not have the required form "
            f"(pattern {error.validator_value})" + _pattern_hint(path, value)
        ),
        "minimum": lambda: f"{_show(value)} is below the minimum {error.validator_value}",
        "maximum": lambda: f"{_show(value)} is above the maximum {error.validator_value}",
        "minItems": lambda: f"needs at least {error.validator_value} item(s)",
        "minLength": lambda: "must not be empty",
        "maxLength": lambda: f"{_show(value)} is longer than {error.validator_value} characters",
    }
    make = explain.get(kind)
    return [SchemaProblem(path, make() if make else error.message)]


def _missing_key(error: Any) -> str:
    for key in error.validator_value:
        if isinstance(error.instance, dict) and key not in error.instance:
            return str(key)
    return "?"


def _only_missing(error: Any) -> bool:
    return bool(error.validator == "required" and not error.relative_path)


def _unknown_keys(error: Any) -> str:
    allowed = sorted(error.schema.get("properties", {}))
    extra = sorted(str(k) for k in error.instance if k not in allowed)
    text = f"unknown key {', '.join(f'`{k}`' for k in extra)}; allowed here: {', '.join(allowed)}"
    if error.schema.get("title") == "Result":  # an engine's result, at its top level
        text += " (an engine's own fields go under `extensions`)"
    return text


def _pattern_hint(path: tuple[str | int, ...], value: Any) -> str:
    if path and path[-1] == "id":
        return ": lower-case letters, digits, '.', '_' and '-', starting with a letter or digit"
    if "code" in map(str, path) or "services" in map(str, path):
        return ": CPT/HCPCS codes are 5 characters, digits or capitals, quoted in YAML"
    return ""


def _show(value: Any) -> str:
    try:
        text = json.dumps(value) if not isinstance(value, str) else repr(value)
    except (TypeError, ValueError, RecursionError):  # an engine's set, object, huge int
        text = f"<{type(value).__name__}>"
    return text if len(text) <= 60 else text[:57] + "..."


def _type_of(value: Any) -> str:
    names = {bool: "boolean", int: "integer", float: "number", str: "string", list: "list"}
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "mapping"
    return names.get(type(value), type(value).__name__)


def _a(types: Any) -> str:
    words = {
        "object": "a mapping",
        "array": "a list",
        "string": "a string",
        "integer": "an integer",
        "number": "a number",
        "boolean": "true or false",
        "null": "null",
    }
    if isinstance(types, list):
        return " or ".join(words.get(t, str(t)) for t in types)
    return words.get(types, str(types))
