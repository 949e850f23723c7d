"""A fast reader for the plain subset of YAML that case files are written in.

PyYAML composes a Python node object for every scalar, calling back into Python to
resolve each tag; on a corpus of 100,000 cases that is most of the run. Case files are
nearly always written in one plain style: block mappings and sequences, one-line flow
collections, plain or quoted one-line scalars, comments. This module reads exactly that
style line by line and gives the same data as `yamlfile._Builder` would (same implicit
tag resolution, codes kept as written). Anything outside the style (anchors, tags, block
or multi-line scalars, escapes, duplicate keys, odd indentation, tabs, a syntax error)
makes it return None, and the caller reads the file with PyYAML, which also gives the
exact error messages. `tests/test_fastyaml.py` checks the two agree on every shipped file,
every hostile file and on generated and mutated documents.
"""

from __future__ import annotations

import marshal
import re
from collections.abc import Callable
from functools import cache
from typing import Any

from pytest_icdcheck.casefile.scalars import CODE_KEYS, CODE_LIST_KEYS, NULLS

# Characters that change how a line reads in YAML 1.1 beyond this subset: tabs, carriage
# returns, the other line breaks, and what PyYAML refuses as unprintable.
_OUTSIDE = re.compile(  # listed, not negated: a small class searches several times faster
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u2028\u2029\ufeff]"
)
_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_.-]*):(?: +|\Z)")
_FLOW_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_.-]*): +")
_FLOW_PLAIN_END = re.compile(r"[,\[\]{}:#?]")
# A plain scalar cannot start with these (or needs rules this subset leaves to PyYAML).
_BAD_START = frozenset(",[]{}#&*!|>%@`'\"")
_DASH_LIKE = frozenset("-?:")
_MAX_FLOW_DEPTH = 50
# Flow collections already read, as marshal bytes: a corpus repeats the same lines
# (`patient: {age: 52, sex: F}`) thousands of times, and unmarshalling a fresh copy is
# several times cheaper than reading the text again. Bounded; never evicted.
_SEEN: dict[tuple[str, str | None, bool], bytes] = {}
# Short plain scalars (`outpatient`, `52`, `R25.3`), resolved: immutable, so shared.
_PLAIN_SEEN: dict[tuple[str, str | None, bool], Any] = {}
_SEEN_MAX = 20_000

_STR = "tag:yaml.org,2002:str"
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_INT, _FLOAT = "tag:yaml.org,2002:int", "tag:yaml.org,2002:float"
_BOOL, _NULL = "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null"


class _Decline(Exception):
    """Outside the subset: PyYAML reads this file."""


@cache
def _tables() -> tuple[dict[Any, list[tuple[str, Any]]], dict[str, Callable[[str], Any]]]:
    """PyYAML's own implicit resolvers and scalar constructors (so answers agree)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    constructor = yaml.constructor.SafeConstructor()

    def make(method: Callable[[Any], Any], tag: str) -> Callable[[str], Any]:
        return lambda text: method(yaml.ScalarNode(tag, text))

    construct = {
        _INT: make(constructor.construct_yaml_int, _INT),
        _FLOAT: make(constructor.construct_yaml_float, _FLOAT),
        _BOOL: make(constructor.construct_yaml_bool, _BOOL),
        _NULL: make(constructor.construct_yaml_null, _NULL),
    }
    resolvers = {
        first: [*found, *loader.yaml_implicit_resolvers.get(None, [])]
        for first, found in loader.yaml_implicit_resolvers.items()
        if first is not None
    }
    return resolvers, construct


def parse(text: str) -> tuple[dict[str, Any], list[int]] | None:
    """(data, 1-based line of each item of the top-level ``cases`` list), or None."""
    if _OUTSIDE.search(text):
        return None
    try:
        return _Reader(text).document()
    except (_Decline, IndexError, ValueError, RecursionError):  # all: "not for me"
        return None


class _Reader:
    def __init__(self, text: str) -> None:
        raws = text.split("\n")
        bodies = [raw.lstrip(" ") for raw in raws]
        # (line number, indent, text) of each line that is not blank or a comment
        self.lines = [
            (number, len(raw) - len(body), body.rstrip(" "))
            for number, (raw, body) in enumerate(zip(raws, bodies, strict=True), 1)
            if body and body[0] != "#"
        ]
        self.pos = 0
        self.resolvers, self.construct = _tables()
        self.case_lines: list[int] = []

    def document(self) -> tuple[dict[str, Any], list[int]]:
        if not self.lines or self.lines[0][1] != 0 or self._is_item(self.lines[0][2]):
            raise _Decline
        data = self._mapping(0, top=True)
        if self.pos != len(self.lines):
            raise _Decline  # a line indented to no open level: PyYAML's error
        return data, self.case_lines

    @staticmethod
    def _is_item(body: str) -> bool:
        return body == "-" or body.startswith("- ")

    # -- block collections --------------------------------------------------------------

    def _mapping(self, indent: int, top: bool = False) -> dict[str, Any]:
        result: dict[str, Any] = {}
        lines, pos = self.lines, self.pos  # locals: this loop runs for every line
        count = len(lines)
        while pos < count:
            number, at, body = lines[pos]
            if at != indent:
                break
            match = _KEY.match(body)
            if match is None:
                raise _Decline
            key = match.group(1)
            if key in result:
                raise _Decline
            rest = body[match.end() :]
            pos += 1
            if not rest or rest[0] == "#":
                self.pos = pos
                value = self._nested(indent, key, top and key == "cases")
                pos = self.pos
            else:
                value = self._inline(rest, key, key in CODE_LIST_KEYS)
                if pos < count and lines[pos][1] > indent:
                    raise _Decline  # a scalar continued on the next line, or an error
                if top and key == "cases" and isinstance(value, list):
                    self.case_lines = [number] * len(value)  # `cases: [...]` on one line
            result[key] = value
        self.pos = pos
        return result

    def _nested(self, indent: int, key: str, is_cases: bool) -> Any:
        """The value of ``key:`` with nothing after it: a block below, or null."""
        lines, in_code_list = self.lines, key in CODE_LIST_KEYS
        if self.pos < len(lines):
            _, child, body = lines[self.pos]
            if child == indent and self._is_item(body):  # a sequence not indented
                return self._sequence(indent, key, in_code_list, is_cases)
            if child > indent:
                if self._is_item(body):
                    return self._sequence(child, key, in_code_list, is_cases)
                return self._mapping(child)
        return self._plain("", key, in_code_list)

    def _sequence(
        self, indent: int, key: str | None, in_code_list: bool, is_cases: bool
    ) -> list[Any]:
        result: list[Any] = []
        lines = self.lines
        while self.pos < len(lines) and lines[self.pos][1] == indent:
            number, _, body = lines[self.pos]
            if not body.startswith("- "):
                break
            rest = body[2:].lstrip(" ")
            if rest[0] == "#" or self._is_item(rest):
                raise _Decline  # an item on the lines below, or a nested compact sequence
            if is_cases:
                self.case_lines.append(number)
            if _KEY.match(rest):  # `- key: value`: a mapping at the column of `key`
                column = indent + len(body) - len(rest)
                lines[self.pos] = (number, column, rest)
                result.append(self._mapping(column))
                continue
            self.pos += 1
            result.append(self._inline(rest, key, in_code_list))
            if self.pos < len(lines) and lines[self.pos][1] > indent:
                raise _Decline
        return result

    # -- one line's value --------------------------------------------------------------

    def _inline(self, text: str, key: str | None, in_code_list: bool) -> Any:
        first = text[0]
        if first in "[{":
            seen = _SEEN.get((text, key, in_code_list))
            if seen is not None:
                return marshal.loads(seen)  # a new copy: cases never share a list
            value, end = self._flow(text, 0, key, in_code_list)
            self._only_a_comment_after(text, end)
            if len(_SEEN) < _SEEN_MAX:
                _SEEN[text, key, in_code_list] = marshal.dumps(value)
            return value
        if first in "\"'":
            value, end = self._quoted(text, 0)
            self._only_a_comment_after(text, end)
            return value
        if first in _BAD_START or (first in _DASH_LIKE and text[1:2] in ("", " ")):
            raise _Decline
        cut = text.find(" #")
        if cut >= 0:
            text = text[:cut].rstrip(" ")
        if ": " in text or text.endswith(":"):
            raise _Decline
        return self._plain(text, key, in_code_list)

    @staticmethod
    def _only_a_comment_after(text: str, end: int) -> None:
        """After a quoted scalar or a flow collection: nothing, or ` # a comment`."""
        rest = text[end:]
        if rest and not (rest[0] == " " and rest.lstrip(" ")[0] == "#"):
            raise _Decline

    @staticmethod
    def _quoted(text: str, start: int) -> tuple[str, int]:
        quote = text[start]
        if quote == '"':
            end = text.index('"', start + 1)
            value = text[start + 1 : end]
            if "\\" in value:
                raise _Decline  # escapes: PyYAML decodes them
            return value, end + 1
        parts, at = [], start + 1
        while True:
            end = text.index("'", at)
            parts.append(text[at:end])
            if text[end + 1 : end + 2] != "'":
                return "'".join(parts), end + 1
            at = end + 2

    def _flow(self, text: str, at: int, key: str | None, in_code_list: bool) -> tuple[Any, int]:
        if text[at] == "[":
            items: list[Any] = []
            at = self._skip(text, at + 1)
            if text[at] == "]":
                return items, at + 1
            while True:
                item, at = self._flow_node(text, at, key, in_code_list)
                items.append(item)
                at, closed = self._after_entry(text, at, "]")
                if closed:
                    return items, at
        mapping: dict[str, Any] = {}
        at = self._skip(text, at + 1)
        if text[at] == "}":
            return mapping, at + 1
        while True:
            match = _FLOW_KEY.match(text, at)
            if match is None:
                raise _Decline
            name = match.group(1)
            if name in mapping:
                raise _Decline
            mapping[name], at = self._flow_node(text, match.end(), name, name in CODE_LIST_KEYS)
            at, closed = self._after_entry(text, at, "}")
            if closed:
                return mapping, at

    def _after_entry(self, text: str, at: int, closer: str) -> tuple[int, bool]:
        """Past the `,` after a flow entry (False) or past the closing bracket (True)."""
        at = self._skip(text, at)
        if text[at] == closer:
            return at + 1, True
        if text[at] != ",":
            raise _Decline
        at = self._skip(text, at + 1)
        if text[at] == closer:
            raise _Decline  # a trailing comma
        return at, False

    def _flow_node(
        self, text: str, at: int, key: str | None, in_code_list: bool
    ) -> tuple[Any, int]:
        first = text[at]
        if first in "[{":
            if at > _MAX_FLOW_DEPTH and text.count(first, 0, at) > _MAX_FLOW_DEPTH:
                raise _Decline  # deep nesting: PyYAML's path says what is wrong
            return self._flow(text, at, key, in_code_list)
        if first in "\"'":
            value, end = self._quoted(text, at)
            if text[self._skip(text, end)] == ":":
                raise _Decline  # a quoted key: a mapping PyYAML builds
            return value, end
        if first in _BAD_START or (first in _DASH_LIKE and text[at + 1 : at + 2] in ("", " ")):
            raise _Decline
        match = _FLOW_PLAIN_END.search(text, at)
        if match is None or text[match.start()] in ":#?":
            raise _Decline
        end = match.start()
        return self._plain(text[at:end].rstrip(" "), key, in_code_list), end

    @staticmethod
    def _skip(text: str, at: int) -> int:
        while text[at] == " ":
            at += 1
        return at

    def _plain(self, text: str, key: str | None, in_code_list: bool) -> Any:
        """What `yamlfile._Builder` makes of a plain scalar (PyYAML's implicit tags)."""
        if len(text) > 16:
            return self._resolve(text, key, in_code_list)
        seen = _PLAIN_SEEN.get((text, key, in_code_list), _PLAIN_SEEN)
        if seen is _PLAIN_SEEN:
            seen = self._resolve(text, key, in_code_list)
            if len(_PLAIN_SEEN) < _SEEN_MAX:
                _PLAIN_SEEN[text, key, in_code_list] = seen
        return seen

    def _resolve(self, text: str, key: str | None, in_code_list: bool) -> Any:
        tag = _STR
        for candidate, pattern in self.resolvers.get(text[:1], ()):
            if pattern.match(text):
                tag = candidate
                break
        if tag in (_STR, _TIMESTAMP):
            return text
        if (key in CODE_KEYS or in_code_list) and text not in NULLS and tag in self.construct:
            return text  # a code keeps the text written: 00100, not 64
        construct = self.construct.get(tag)
        if construct is None:
            raise _Decline  # `<<`, `=`: PyYAML's special tags
        return construct(text)
