"""The JSON Schemas (the one source of truth for the format) and readable schema errors."""

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


@cache
def _validator(name: str, pointer: str = "") -> Any:
    import jsonschema
    import referencing
    from referencing.jsonschema import DRAFT202012

    registry: referencing.Registry[Any] = referencing.Registry().with_resources(
        (load_schema(n)["$id"], DRAFT202012.create_resource(load_schema(n))) for n in SCHEMA_FILES
    )
    root = load_schema(name)
    schema: Any = root
    if pointer:
        schema = {"$ref": f"{root['$id']}#{pointer}"}
    return jsonschema.Draft202012Validator(schema, registry=registry)


@cache
def _fast(name: str, pointer: str = "") -> Callable[[Any], bool]:
    """The compiled yes/no check for a schema (see fastschema); jsonschema if it can't."""
    from pytest_icdcheck.casefile.fastschema import Compiler, Unsupported

    schemas = {load_schema(n)["$id"]: load_schema(n) for n in SCHEMA_FILES}
    ref = load_schema(name)["$id"] + (f"#{pointer}" if pointer else "")
    try:
        return Compiler(schemas).compile_ref(ref)
    except Unsupported:
        return lambda _: False


def case_problems(case: Any) -> list[SchemaProblem]:
    """Problems of one case, defaults merged in (``case-file.schema.json#/$defs/resolved_case``)."""
    if _fast("case-file.schema.json", "/$defs/resolved_case")(case):
        return []
    return _problems(_validator("case-file.schema.json", "/$defs/resolved_case"), case)


def file_shell_problems(doc: Any) -> list[SchemaProblem]:
    """Problems of a file's top level (its cases are checked one by one)."""
    shell = dict(doc) if isinstance(doc, dict) else doc
    if isinstance(shell, dict) and isinstance(shell.get("cases"), list):
        shell["cases"] = [None] * len(shell["cases"])  # kept: minItems still applies
    if _fast("case-file.schema.json", "/$defs/file_shell")(shell):
        return []
    return _problems(_validator("case-file.schema.json", "/$defs/file_shell"), shell)


def encounter_problems(encounter: Any) -> list[SchemaProblem]:
    """Problems of one encounter (``encounter.schema.json``), e.g. one POSTed to a service."""
    if _fast("encounter.schema.json")(encounter):
        return []
    return _problems(_validator("encounter.schema.json"), encounter)


def result_problems(result: Any) -> list[SchemaProblem]:
    if _fast("result.schema.json")(result):
        return []  # the fast check also refuses non-finite numbers
    problems = _problems(_validator("result.schema.json"), result)
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
