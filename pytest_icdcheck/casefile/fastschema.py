"""A fast yes/no check compiled from our JSON Schemas, with jsonschema as the judge.

Validating every case and every engine result with jsonschema costs far more than the
engine itself. The schemas use a small set of keywords, so each schema is translated once
into plain Python source (one function per sub-schema, straight-line checks) and compiled.
A compiled check answers only "certainly valid" (True) or "look closer" (False), and
non-finite numbers always go the slow way. On False the caller asks jsonschema, which
stays the source of truth for both the verdict and the messages. A keyword the translator
does not know makes the whole check fall back to jsonschema, so the fast path can never
accept more than the schema does.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any

Check = Callable[[Any], bool]

# Keywords that carry no constraint.
_ANNOTATIONS = frozenset(
    {"$schema", "$id", "title", "description", "default", "examples", "$comment", "$defs"}
)

_TYPE_TESTS = {
    "object": "isinstance(x, dict)",
    "array": "isinstance(x, list)",
    "string": "isinstance(x, str)",
    "integer": "(type(x) is int or _is_int(x))",
    "number": "_is_finite_number(x)",  # stricter than JSON Schema: NaN goes the slow way
    "boolean": "isinstance(x, bool)",
    "null": "x is None",
}


class Unsupported(Exception):
    """The schema uses a keyword this translator does not handle."""


def _is_int(v: Any) -> bool:
    return (isinstance(v, int) and not isinstance(v, bool)) or (
        isinstance(v, float) and math.isfinite(v) and v.is_integer()
    )


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _is_finite_number(v: Any) -> bool:
    return _is_number(v) and math.isfinite(v)


def _enum_key(v: Any) -> Any:
    """JSON equality: True is not 1, but 1 is 1.0; unhashable values never match fast."""
    if isinstance(v, (str, int, float)) or v is None:
        return (type(v) is bool, v)
    return None


class Compiler:
    """Translates the schemas of one registry (by ``$id``) into compiled checks."""

    def __init__(self, schemas: Mapping[str, Mapping[str, Any]]) -> None:
        self.schemas = schemas  # $id -> schema document
        self._lines: list[str] = []
        self._names: dict[int, str] = {}  # id(sub-schema) -> function name
        self._refs: dict[str, str] = {}  # absolute ref -> function name
        self._constants: dict[str, Any] = {}
        self._keep: list[Any] = []  # sub-schemas whose id() names a function
        self._namespace: dict[str, Any] = {}

    def compile_ref(self, ref: str) -> Check:
        """A check for ``ref`` (an absolute ``$id`` with an optional ``#/pointer``)."""
        name = self._ref(ref)
        self._namespace.update(
            _is_int=_is_int,
            _is_finite_number=_is_finite_number,
            _enum_key=_enum_key,
            _MISSING=_MISSING,
            **self._constants,
        )
        exec(compile("\n".join(self._lines), "<fastschema>", "exec"), self._namespace)
        self._lines = []
        check: Check = self._namespace[name]
        return check

    # -- translation ------------------------------------------------------------------

    def _ref(self, ref: str) -> str:
        if ref not in self._refs:
            base, _, pointer = ref.partition("#")
            node: Any = self.schemas[base]
            for part in filter(None, pointer.split("/")):
                node = node[part]
            self._refs[ref] = self._function(node, base)
        return self._refs[ref]

    def _constant(self, value: Any) -> str:
        name = f"_C{len(self._constants)}"
        self._constants[name] = value
        return name

    def _function(self, schema: Any, base: str) -> str:
        if id(schema) in self._names:
            return self._names[id(schema)]
        name = f"_v{len(self._names)}"
        self._names[id(schema)] = name
        self._keep.append(schema)
        body = self._body(schema, base)
        self._lines.append(f"def {name}(x):")
        self._lines += [f"    {line}" for line in body]
        self._lines.append("    return True")
        return name

    def _body(self, schema: Any, base: str) -> list[str]:
        if schema is True:
            return []
        if schema is False:
            return ["return False"]
        if not isinstance(schema, Mapping):
            raise Unsupported(repr(schema))
        out: list[str] = []
        for keyword, value in schema.items():
            if keyword in _ANNOTATIONS or keyword in ("then", "else"):
                continue
            make = getattr(self, "_k_" + keyword.lstrip("$"), None)
            if make is None:
                raise Unsupported(keyword)
            out += make(value, schema, base)
        return out

    def _resolve(self, ref: str, base: str) -> str:
        if ref.startswith("#"):
            return base + ref
        target, _, pointer = ref.partition("#")
        absolute = base.rsplit("/", 1)[0] + "/" + target if "://" not in target else target
        return absolute + ("#" + pointer if pointer else "")

    # -- keywords: each returns lines that `return False` when the value fails ---------

    def _k_ref(self, ref: str, schema: Any, base: str) -> list[str]:
        return [f"if not {self._ref(self._resolve(ref, base))}(x): return False"]

    def _k_type(self, value: Any, schema: Any, base: str) -> list[str]:
        types = value if isinstance(value, list) else [value]
        test = " or ".join(_TYPE_TESTS[t] for t in types)
        return [f"if not ({test}): return False"]

    def _k_enum(self, value: list[Any], schema: Any, base: str) -> list[str]:
        allowed = self._constant({k for k in map(_enum_key, value) if k is not None})
        # Strings first, inline: most enums are strings and this runs for every value.
        return [
            f"if not (type(x) is str and (False, x) in {allowed}) "
            f"and _enum_key(x) not in {allowed}: return False"
        ]

    def _k_const(self, value: Any, schema: Any, base: str) -> list[str]:
        return self._k_enum([value], schema, base)

    def _k_pattern(self, value: str, schema: Any, base: str) -> list[str]:
        search = self._constant(re.compile(value).search)
        return [f"if isinstance(x, str) and {search}(x) is None: return False"]

    def _k_minLength(self, n: int, schema: Any, base: str) -> list[str]:
        return [f"if isinstance(x, str) and len(x) < {n!r}: return False"]

    def _k_maxLength(self, n: int, schema: Any, base: str) -> list[str]:
        return [f"if isinstance(x, str) and len(x) > {n!r}: return False"]

    def _k_minimum(self, n: float, schema: Any, base: str) -> list[str]:
        return [f"if type(x) in (int, float) and x < {n!r}: return False"]  # NaN: not <

    def _k_maximum(self, n: float, schema: Any, base: str) -> list[str]:
        return [f"if type(x) in (int, float) and x > {n!r}: return False"]

    def _k_minItems(self, n: int, schema: Any, base: str) -> list[str]:
        return [f"if isinstance(x, list) and len(x) < {n!r}: return False"]

    def _k_required(self, keys: list[str], schema: Any, base: str) -> list[str]:
        test = " and ".join(f"{k!r} in x" for k in keys) or "True"
        return [f"if isinstance(x, dict) and not ({test}): return False"]

    def _k_properties(self, props: Mapping[str, Any], schema: Any, base: str) -> list[str]:
        out = ["if isinstance(x, dict):"]
        for key, sub in props.items():
            check = self._function(sub, base)
            out.append(f"    v = x.get({key!r}, _MISSING)")
            out.append(f"    if v is not _MISSING and not {check}(v): return False")
        return out if len(out) > 1 else []

    def _k_additionalProperties(self, value: Any, schema: Any, base: str) -> list[str]:
        if value is not False or "patternProperties" in schema:
            raise Unsupported("additionalProperties other than false")
        allowed = self._constant(frozenset(schema.get("properties", {})))
        return [f"if isinstance(x, dict) and not {allowed}.issuperset(x): return False"]

    def _k_items(self, value: Any, schema: Any, base: str) -> list[str]:
        check = self._function(value, base)
        return [
            "if isinstance(x, list):",
            "    for v in x:",
            f"        if not {check}(v): return False",
        ]

    def _k_allOf(self, subs: list[Any], schema: Any, base: str) -> list[str]:
        return [f"if not {self._function(s, base)}(x): return False" for s in subs]

    def _k_anyOf(self, subs: list[Any], schema: Any, base: str) -> list[str]:
        test = " or ".join(f"{self._function(s, base)}(x)" for s in subs)
        return [f"if not ({test}): return False"]

    def _k_oneOf(self, subs: list[Any], schema: Any, base: str) -> list[str]:
        count = " + ".join(f"bool({self._function(s, base)}(x))" for s in subs)
        return [f"if ({count}) != 1: return False"]

    def _k_if(self, cond: Any, schema: Any, base: str) -> list[str]:
        test = self._function(cond, base)
        then = self._function(schema.get("then", True), base)
        other = self._function(schema.get("else", True), base)
        return [f"if not ({then}(x) if {test}(x) else {other}(x)): return False"]


class _Missing:
    __slots__ = ()


_MISSING = _Missing()
