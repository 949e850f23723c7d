"""A fast yes/no check compiled from our JSON Schemas, with jsonschema as the judge.

Validating every case and every engine result with jsonschema costs far more than the
engine itself. The schemas use a small set of keywords, so they are compiled once into
plain Python predicates. A predicate answers only "certainly valid" (True) or "look
closer" (False), and non-finite numbers always go the slow way. On False the caller
asks jsonschema, which stays the source of truth for both the verdict and the messages.
A keyword the compiler does not know makes the whole predicate fall back to jsonschema,
so the fast path can never accept more than the schema does.
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


class Unsupported(Exception):
    """The schema uses a keyword this compiler does not handle."""


def _is_int(v: Any) -> bool:
    return (isinstance(v, int) and not isinstance(v, bool)) or (
        isinstance(v, float) and v.is_integer()
    )


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _is_finite_number(v: Any) -> bool:
    # Stricter than JSON Schema ("number" admits NaN): a NaN goes the slow way, where the
    # caller also refuses non-finite numbers, so the fast path can skip that walk.
    return _is_number(v) and math.isfinite(v)


_TYPES: dict[str, Check] = {
    "object": lambda v: isinstance(v, dict),
    "array": lambda v: isinstance(v, list),
    "string": lambda v: isinstance(v, str),
    "integer": _is_int,
    "number": _is_finite_number,
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


class Compiler:
    """Compiles schemas of one registry (by ``$id``) into predicates, memoised by ref."""

    def __init__(self, schemas: Mapping[str, Mapping[str, Any]]) -> None:
        self.schemas = schemas  # $id -> schema document
        self._refs: dict[str, Check] = {}

    def compile_ref(self, ref: str) -> Check:
        """A predicate for ``ref`` (an absolute ``$id`` with an optional ``#/pointer``)."""
        if ref not in self._refs:
            slot: list[Check] = []
            # Placeholder first, so a recursive schema compiles to a late-bound call.
            self._refs[ref] = lambda v: slot[0](v)
            base, _, pointer = ref.partition("#")
            node: Any = self.schemas[base]
            for part in filter(None, pointer.split("/")):
                node = node[part]
            slot.append(self.compile(node, base))
            self._refs[ref] = slot[0]
        return self._refs[ref]

    def compile(self, schema: Any, base: str) -> Check:
        if schema is True:
            return lambda v: True
        if schema is False:
            return lambda v: False
        if not isinstance(schema, Mapping):
            raise Unsupported(repr(schema))
        checks: list[Check] = []
        for keyword, value in schema.items():
            if keyword in _ANNOTATIONS or keyword in ("then", "else"):
                continue
            maker = getattr(self, "_k_" + keyword.lstrip("$"), None)
            if maker is None:
                raise Unsupported(keyword)
            checks.append(maker(value, schema, base))
        if not checks:
            return lambda v: True
        if len(checks) == 1:
            return checks[0]
        return lambda v: all(check(v) for check in checks)

    def _resolve(self, ref: str, base: str) -> str:
        if ref.startswith("#"):
            return base + ref
        target, _, pointer = ref.partition("#")
        absolute = base.rsplit("/", 1)[0] + "/" + target if "://" not in target else target
        return absolute + ("#" + pointer if pointer else "")

    # -- keywords ---------------------------------------------------------------------

    def _k_ref(self, ref: str, schema: Any, base: str) -> Check:
        return self.compile_ref(self._resolve(ref, base))

    def _k_type(self, value: Any, schema: Any, base: str) -> Check:
        if isinstance(value, list):
            preds = [_TYPES[t] for t in value]
            return lambda v: any(p(v) for p in preds)
        return _TYPES[value]

    def _k_enum(self, value: list[Any], schema: Any, base: str) -> Check:
        # JSON equality: True is not 1, 1 is 1.0; compare with the type kept.
        allowed = {(type(x) is bool, x) for x in value if _hashable(x)}
        return lambda v: _hashable(v) and (type(v) is bool, v) in allowed

    def _k_const(self, value: Any, schema: Any, base: str) -> Check:
        return self._k_enum([value], schema, base)

    def _k_pattern(self, value: str, schema: Any, base: str) -> Check:
        search = re.compile(value).search
        return lambda v: not isinstance(v, str) or search(v) is not None

    def _k_minLength(self, n: int, schema: Any, base: str) -> Check:
        return lambda v: not isinstance(v, str) or len(v) >= n

    def _k_maxLength(self, n: int, schema: Any, base: str) -> Check:
        return lambda v: not isinstance(v, str) or len(v) <= n

    def _k_minimum(self, n: float, schema: Any, base: str) -> Check:
        return lambda v: not _is_number(v) or v >= n

    def _k_maximum(self, n: float, schema: Any, base: str) -> Check:
        return lambda v: not _is_number(v) or v <= n

    def _k_minItems(self, n: int, schema: Any, base: str) -> Check:
        return lambda v: not isinstance(v, list) or len(v) >= n

    def _k_required(self, keys: list[str], schema: Any, base: str) -> Check:
        return lambda v: not isinstance(v, dict) or all(k in v for k in keys)

    def _k_properties(self, props: Mapping[str, Any], schema: Any, base: str) -> Check:
        compiled = {k: self.compile(s, base) for k, s in props.items()}
        return lambda v: (
            not isinstance(v, dict) or all(compiled[k](x) for k, x in v.items() if k in compiled)
        )

    def _k_additionalProperties(self, value: Any, schema: Any, base: str) -> Check:
        if value is not False or "patternProperties" in schema:
            raise Unsupported("additionalProperties other than false")
        allowed = frozenset(schema.get("properties", {}))
        return lambda v: not isinstance(v, dict) or allowed.issuperset(v)

    def _k_items(self, value: Any, schema: Any, base: str) -> Check:
        item = self.compile(value, base)
        return lambda v: not isinstance(v, list) or all(item(x) for x in v)

    def _k_allOf(self, subs: list[Any], schema: Any, base: str) -> Check:
        preds = [self.compile(s, base) for s in subs]
        return lambda v: all(p(v) for p in preds)

    def _k_anyOf(self, subs: list[Any], schema: Any, base: str) -> Check:
        preds = [self.compile(s, base) for s in subs]
        return lambda v: any(p(v) for p in preds)

    def _k_oneOf(self, subs: list[Any], schema: Any, base: str) -> Check:
        preds = [self.compile(s, base) for s in subs]
        return lambda v: sum(1 for p in preds if p(v)) == 1

    def _k_if(self, cond: Any, schema: Any, base: str) -> Check:
        test = self.compile(cond, base)
        then = self.compile(schema.get("then", True), base)
        other = self.compile(schema.get("else", True), base)
        return lambda v: then(v) if test(v) else other(v)


def _hashable(v: Any) -> bool:
    return isinstance(v, (str, int, float, bool)) or v is None
