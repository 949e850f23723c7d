"""Read a case file: YAML to Python data, keeping codes as written and every line number.

PyYAML (YAML 1.1) reads ``00100`` as the integer 64 and ``NO`` as False. A code must never
be silently reinterpreted (CONTRACT §1), so scalars in code positions keep the text the
user wrote. Unquoted dates are kept as their ISO text. The composed node tree is kept so
that a schema error can be pointed at its line.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pytest_icdcheck.casefile.scalars import CODE_KEYS, CODE_LIST_KEYS, NULLS

if TYPE_CHECKING:
    import yaml

STR_TAG = "tag:yaml.org,2002:str"
_REINTERPRETED = frozenset(
    {
        "tag:yaml.org,2002:int",
        "tag:yaml.org,2002:float",
        "tag:yaml.org,2002:bool",
        "tag:yaml.org,2002:null",
    }
)
_TIMESTAMP = "tag:yaml.org,2002:timestamp"

# Refuse files before they exhaust memory or reach an engine.
MAX_FILE_BYTES = 50 * 1024 * 1024
# An alias bomb expands a few lines into billions of nodes; count nodes as they are walked.
MAX_NODES = 2_000_000


class YamlFileError(Exception):
    """The file cannot be read as a case file at all; the message names file and line."""


@dataclass
class LoadedYaml:
    path: Path
    name: str  # how messages name the file
    data: Any
    text: str
    # (path in the data, line, message) for problems PyYAML lets through (duplicate keys).
    problems: list[tuple[tuple[str | int, ...], int, str]] = field(default_factory=list)
    # Line of each item of `cases` when the fast reader read the file (no node tree then).
    case_lines: list[int] = field(default_factory=list)
    _root: yaml.Node | None = None

    @property
    def root(self) -> yaml.Node:
        """PyYAML's node tree, composed only when a message needs a line (the fast reader
        keeps none)."""
        if self._root is None:
            loader = _loader_class()(self.text)
            try:
                self._root = loader.get_single_node()
            finally:
                loader.dispose()
        assert self._root is not None
        return self._root

    def line_of(self, path: tuple[str | int, ...]) -> int:
        """1-based line of the deepest node along ``path`` that exists in the file."""
        if (
            len(path) == 2
            and path[0] == "cases"
            and isinstance(path[1], int)
            and 0 <= path[1] < len(self.case_lines)
        ):
            return self.case_lines[path[1]]
        return node_at(self.root, path).start_mark.line + 1

    def key_line(self, path: tuple[str | int, ...], key: str) -> int:
        """1-based line of ``key`` itself in the mapping at ``path`` (a misspelt key is
        reported on its own line); the mapping's line when the key is not there."""
        import yaml

        node = node_at(self.root, path)
        if isinstance(node, yaml.MappingNode):
            for key_node, _ in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                    return int(key_node.start_mark.line) + 1
        return self.line_of(path)


def node_at(root: yaml.Node, path: tuple[str | int, ...]) -> yaml.Node:
    import yaml

    node = root
    for part in path:
        child: yaml.Node | None = None
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.value == part:
                    child = value
        elif (
            isinstance(node, yaml.SequenceNode)
            and isinstance(part, int)
            and 0 <= part < len(node.value)
        ):
            child = node.value[part]
        if child is None:
            break
        node = child
    return node


@functools.cache
def _loader_class() -> type[Any]:
    """PyYAML's safe loader (the C one when present), with tag resolution made cheap.

    The C composer calls back into Python to resolve every scalar's tag and to track
    path resolvers for every node. Path resolvers are never registered on the safe
    loader, so those calls do nothing; and a plain scalar whose first character starts no
    implicit resolver (most words) is a string. Both shortcuts give PyYAML's own answers.
    """
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    special = frozenset(base.yaml_implicit_resolvers)  # first characters of ints, bools…
    scalar = yaml.ScalarNode

    class Loader(base):  # type: ignore[misc, valid-type]
        def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
            if kind is scalar and implicit[0] and value and value[0] not in special:
                return STR_TAG
            return super().resolve(kind, value, implicit)

    if not base.yaml_path_resolvers:
        Loader.descend_resolver = lambda self, node, index: None
        Loader.ascend_resolver = lambda self: None
    return Loader


def load(path: Path, shown_as: str | None = None) -> LoadedYaml:
    """Parse ``path``; raise YamlFileError with file, line, column and the reason."""
    import yaml

    name = shown_as or str(path)

    try:
        size = path.stat().st_size
    except OSError as exc:
        raise YamlFileError(f"{name}: cannot read the file: {exc.strerror}") from None
    if size > MAX_FILE_BYTES:
        raise YamlFileError(
            f"{name}: file is {size / 2**20:.1f} MB, over the {MAX_FILE_BYTES // 2**20} MB "
            "limit for one case file; split it into several *.icd.yaml files"
        )
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise YamlFileError(
            f"{name}:{line}: the file is not UTF-8 (byte 0x{raw[exc.start]:02x} at offset "
            f"{exc.start}); save it as UTF-8"
        ) from None
    if len(text) <= MAX_NODES:  # larger files go through PyYAML's node budget
        from pytest_icdcheck.casefile import fastyaml

        fast = fastyaml.parse(text)
        if fast is not None:
            return LoadedYaml(path=path, name=name, data=fast[0], text=text, case_lines=fast[1])
    loader = _loader_class()(text)
    try:
        if len(text) > MAX_NODES:  # every node takes at least one character
            _count_nodes(text)
        root = loader.get_single_node()
        if root is None:
            raise YamlFileError(
                f"{name}:1: the file is empty; a case file is a mapping with a `cases:` list"
            )
        problems: list[tuple[tuple[str | int, ...], int, str]] = []
        data = _Builder(loader, problems).build(root, (), None, False)
    except yaml.MarkedYAMLError as exc:
        raise YamlFileError(_describe_yaml_error(name, exc, text)) from None
    except yaml.reader.ReaderError as exc:
        raise YamlFileError(_describe_reader_error(name, exc, text)) from None
    except yaml.YAMLError as exc:
        raise YamlFileError(f"{name}: not valid YAML: {exc}") from None
    except _TooManyNodes as exc:
        raise YamlFileError(
            f"{name}:{exc.line}: more than {MAX_NODES:,} YAML nodes once aliases are expanded "
            "(an alias bomb or a huge file); split the file or remove the repeated aliases"
        ) from None
    except RecursionError:
        raise YamlFileError(f"{name}: YAML nested too deeply to be a case file") from None
    finally:
        loader.dispose()
    return LoadedYaml(path=path, name=name, data=data, text=text, problems=problems, _root=root)


def _count_nodes(text: str) -> None:
    """Refuse a file with too many nodes before PyYAML composes them all in memory.

    Composing costs about 500 bytes a node, so a flat 48 MB list is gigabytes before the
    budget of ``_Builder`` is ever checked; the parser's events cost nothing to count.
    """
    import yaml

    counter = _loader_class()(text)
    try:
        count = 0
        while counter.check_event():
            event = counter.get_event()
            if isinstance(event, yaml.NodeEvent):
                count += 1
                if count > MAX_NODES:
                    mark = event.start_mark
                    raise _TooManyNodes(mark.line + 1 if mark is not None else 1)
    finally:
        counter.dispose()


def _describe_yaml_error(path: str, exc: Any, text: str) -> str:
    mark = exc.problem_mark or exc.context_mark
    where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
    reason = " ".join(part for part in (exc.context, exc.problem) if part) or str(exc)
    if mark and "tab" not in reason:
        lines = text.splitlines()
        line = lines[mark.line] if mark.line < len(lines) else ""
        if "\t" in line[: len(line) - len(line.lstrip(" \t"))]:
            reason += "; the line is indented with a tab: YAML indents with spaces only"
    return f"{where}: YAML syntax error: {reason}"


def _describe_reader_error(path: str, exc: Any, text: str) -> str:
    """PyYAML names a character it refuses by its position in the whole text; say where."""
    position = exc.position if isinstance(exc.position, int) else 0
    before = text[:position]
    line = before.count("\n") + 1
    column = position - (before.rfind("\n") + 1) + 1
    code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or " ")
    what = "a NUL byte" if code == 0 else f"the control character U+{code:04X}"
    return (
        f"{path}:{line}:{column}: the file holds {what}, which YAML does not allow; remove "
        "it (is the file binary, or saved as UTF-16?)"
    )


_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"


class _Builder:
    """Build Python data from the composed nodes in one pass.

    Codes in code positions and dates keep their text; duplicate keys are noted with
    their lines; every node visited (aliases expanded) counts against a budget, so an
    alias bomb is refused instead of filling memory. One pass over the nodes is also
    cheaper than PyYAML's own constructor.
    """

    def __init__(self, loader: Any, problems: list[tuple[tuple[str | int, ...], int, str]]) -> None:
        self.loader = loader
        self.problems = problems
        self.budget = MAX_NODES

    def build(
        self, node: Any, where: tuple[str | int, ...], key: str | None, in_code_list: bool
    ) -> Any:
        import yaml

        self.budget -= 1
        if self.budget < 0:
            raise _TooManyNodes(node.start_mark.line + 1)
        kind = type(node)
        if kind is yaml.ScalarNode:
            tag = node.tag
            if tag in (STR_TAG, _TIMESTAMP):
                return node.value
            if (
                (key in CODE_KEYS or in_code_list)
                and tag in _REINTERPRETED
                and not node.style  # plain, unquoted
                and node.value not in NULLS
            ):
                return node.value
            return self.loader.construct_object(node, deep=True)
        if kind is yaml.SequenceNode and node.tag == _SEQ_TAG:
            return [
                self.build(item, (*where, i), key, in_code_list)
                for i, item in enumerate(node.value)
            ]
        if kind is yaml.MappingNode and node.tag == _MAP_TAG:
            names = [getattr(k, "value", None) for k, _ in node.value]
            if len(set(names)) != len(names):
                self._note_duplicates(node, where)
            if "<<" in names:
                self.loader.flatten_mapping(node)  # `<<: *anchor` merge keys
            result: dict[Any, Any] = {}
            for knode, vnode in node.value:
                if type(knode) is not yaml.ScalarNode:
                    raise yaml.constructor.ConstructorError(
                        None, None, "a key must be a plain word", knode.start_mark
                    )
                name = knode.value  # `on:` is the key "on", not True
                result[name] = self.build(vnode, (*where, name), name, name in CODE_LIST_KEYS)
            return result
        return self.loader.construct_object(node, deep=True)  # other tags: PyYAML decides

    def _note_duplicates(self, node: Any, where: tuple[str | int, ...]) -> None:
        seen: dict[str, int] = {}
        for knode, _ in node.value:
            name = getattr(knode, "value", None)
            if not isinstance(name, str) or name == "<<":
                continue
            line = knode.start_mark.line + 1
            if name in seen:
                self.problems.append(
                    (
                        (*where, name),
                        line,
                        f"key `{name}` appears twice (lines {seen[name]} and {line}); "
                        "YAML would keep only the last: remove one",
                    )
                )
            seen[name] = line


class _TooManyNodes(Exception):
    def __init__(self, line: int) -> None:
        self.line = line
