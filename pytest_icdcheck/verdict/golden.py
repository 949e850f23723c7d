"""Recorded goldens: an engine's results kept beside a case file that opts in.

A case file with ``golden: recorded`` at its top level keeps the results recorded by
``pytest --icd-update`` in ``NAME.recorded.yaml`` beside ``NAME.icd.yaml``: one entry per
case id. The case file itself is never written, so hand-written ``expected:`` keys (which
win over recorded ones and are never recorded) and every comment stay as they are.

Writing is done once, at the end of the session, by the process that sees every report
(the xdist controller, or the only process): workers never write shared files. Only new
or changed entries are written; unchanged entries keep their exact text, comments
included; the file is replaced atomically.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytest_icdcheck.atomic import write_atomically
from pytest_icdcheck.casefile.finder import SUFFIX
from pytest_icdcheck.verdict.compare import FIELDS, RULE_SEVERITY

RECORDED_SUFFIX = ".recorded.yaml"
HEADER = (
    "# Results recorded by `pytest --icd-update` for the cases of {case_file}.\n"
    "# One entry per case id (messages left out). Review changes like code; a case's own\n"
    "# hand-written `expected:` keys win over these and are never recorded.\n"
)


class GoldenFileError(Exception):
    """A recorded file that cannot be read; the message names file and line."""


def recorded_path(case_file: Path) -> Path:
    name = case_file.name
    stem = name[: -len(SUFFIX)] if name.endswith(SUFFIX) else case_file.stem
    return case_file.with_name(stem + RECORDED_SUFFIX)


def canonical(result: Mapping[str, Any], leave_out: Iterable[str] = ()) -> dict[str, Any]:
    """The comparable part of a result in a stable form (sorted where order is not compared)."""
    skip = set(leave_out)
    entry: dict[str, Any] = {}
    if "diagnoses" not in skip:
        entry["diagnoses"] = [str(c) for c in result.get("diagnoses") or []]
    if "services" not in skip:
        entry["services"] = sorted(
            (
                {
                    "code": str(s.get("code")),
                    "modifiers": sorted(map(str, s.get("modifiers") or [])),
                    "units": int(s.get("units", 1)),
                }
                for s in result.get("services") or []
            ),
            key=lambda s: (s["code"], s["modifiers"], s["units"]),
        )
    if "edits" not in skip:
        entry["edits"] = sorted(
            (
                {
                    "rule": str(e.get("rule")),
                    "codes": sorted(map(str, e.get("codes") or [])),
                    "severity": str(
                        e.get("severity") or RULE_SEVERITY.get(str(e.get("rule")), "error")
                    ),
                }
                for e in result.get("edits") or []
            ),
            key=lambda e: (e["rule"], e["codes"], e["severity"]),
        )
    if "cdi" not in skip:
        entry["cdi"] = sorted(
            (
                {"rule": str(c.get("rule")), "codes": sorted(map(str, c.get("codes") or []))}
                for c in result.get("cdi") or []
            ),
            key=lambda c: (c["rule"], c["codes"]),
        )
    if "hcc" not in skip:
        hcc = result.get("hcc")
        entry["hcc"] = (
            None
            if not isinstance(hcc, Mapping)
            else {
                **{k: hcc[k] for k in ("model", "payment_year", "segment") if k in hcc},
                "categories": sorted(
                    map(str, hcc.get("categories") or []), key=lambda c: (len(c), c)
                ),
                "coefficient_sum": round(float(hcc.get("coefficient_sum") or 0.0), 3),
            }
        )
    if "drg" not in skip:
        drg = result.get("drg")
        entry["drg"] = dict(drg) if isinstance(drg, Mapping) else None
    extensions = result.get("extensions")
    if "extensions" not in skip and isinstance(extensions, Mapping):
        # The engine's own fields, as data: a copy, so the recorded entry is plain JSON.
        entry["extensions"] = json.loads(json.dumps(extensions))
    return entry


def render_entry(case_id: str, entry: Mapping[str, Any]) -> str:
    """One entry as YAML text; every scalar JSON-quoted, so YAML 1.1 reads nothing wrongly."""
    lines = [f"{json.dumps(case_id)}:"]
    for key in FIELDS:
        if key not in entry:
            continue
        value = entry[key]
        if isinstance(value, list) and value and isinstance(value[0], Mapping):
            lines.append(f"  {key}:")
            lines += [f"    - {_flow(item)}" for item in value]
        else:
            lines.append(f"  {key}: {_flow(value)}")
    return "\n".join(lines) + "\n"


def _flow(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return _JSON_TOKEN.sub(_yaml_float, text) if "e" in text or "E" in text else text


# A JSON string (left alone) or a number with an exponent. YAML 1.1, as the recorded file
# is read, takes `1e-05` for a string: a float needs a dot (`1.0e-05`). Engines' own
# `extensions` are where such numbers turn up.
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|(-?[0-9]+)(\.[0-9]+)?([eE][-+]?[0-9]+)?')


def _yaml_float(match: re.Match[str]) -> str:
    whole, fraction, exponent = match.groups()
    if whole is None or fraction is not None or exponent is None:
        return match.group(0)
    return f"{whole}.0{exponent}"


@dataclass
class RecordedFile:
    """A recorded file as text blocks, so unchanged entries are written back verbatim."""

    path: Path
    header: str = ""
    blocks: dict[str, str] = field(default_factory=dict)  # case id -> its text
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)  # case id -> entry
    trailer: str = ""

    @classmethod
    def read(cls, path: Path) -> RecordedFile:
        """The file as case files are read (yamlfile: codes kept as written, the same
        limits and messages), split into one text block per entry."""
        if not path.exists():
            return cls(path)
        from pytest_icdcheck.casefile import yamlfile

        text = path.read_text(encoding="utf-8-sig")
        if all(_is_comment(line) for line in text.splitlines()):
            return cls(path, header=text)  # nothing recorded yet
        try:
            loaded = yamlfile.load(path)
        except yamlfile.YamlFileError as exc:
            raise GoldenFileError(f"{exc}; fix or delete the recorded file") from None
        data = loaded.data
        if not isinstance(data, dict):
            raise GoldenFileError(f"{path}:1: a recorded file is a mapping of case id to result")
        if loaded.problems:  # a key written twice
            _where, line, message = loaded.problems[0]
            raise GoldenFileError(f"{path}:{line}: {message}")
        root = loaded.root
        lines = text.splitlines(keepends=True)
        recorded = cls(path)
        start = root.value[0][0].start_mark.line if root.value else len(lines)
        recorded.header = "".join(lines[:start])
        previous_end = start
        keys = [k.start_mark.line for k, _ in root.value] + [len(lines)]
        for i, (key_node, _value) in enumerate(root.value):
            # An entry runs to the next key, less the comments and blank lines just above
            # it: those belong to the next entry (or, after the last, to the file's end).
            end = keys[i + 1]
            while end > key_node.start_mark.line + 1 and _is_comment(lines[end - 1]):
                end -= 1
            case_id = str(key_node.value)
            entry = data.get(case_id)
            if not isinstance(entry, dict):
                line = key_node.start_mark.line + 1
                raise GoldenFileError(f"{path}:{line}: entry {case_id!r} is not a mapping")
            recorded.blocks[case_id] = "".join(lines[previous_end:end])
            recorded.entries[case_id] = entry
            previous_end = end
        recorded.trailer = "".join(lines[previous_end:])
        return recorded

    def render(
        self,
        order: list[str],
        changed: Mapping[str, Mapping[str, Any]],
        prune: Iterable[str] = (),
        case_file: str = "",
    ) -> str:
        """The new text: entries in case order, then entries no case uses (unless pruned)."""
        gone = set(prune)
        ids = [i for i in order if i in self.blocks or i in changed]
        ids += [i for i in self.blocks if i not in order and i not in gone]
        parts = [self.header or HEADER.format(case_file=case_file)]
        for case_id in ids:
            if case_id in changed:
                # Comments just above an entry are the user's: they stay when it is rewritten.
                parts.append(_leading_comments(self.blocks.get(case_id, "")))
                parts.append(render_entry(case_id, changed[case_id]))
            else:
                parts.append(self.blocks[case_id])
        parts.append(self.trailer)
        return "".join(parts)


def _is_comment(line: str) -> bool:
    return not line.strip() or line.lstrip().startswith("#")


def _leading_comments(block: str) -> str:
    kept = []
    for line in block.splitlines(keepends=True):
        if not _is_comment(line):
            break
        kept.append(line)
    return "".join(kept)


__all__ = ["write_atomically"]  # --icd-update writes through it (recording.py)
