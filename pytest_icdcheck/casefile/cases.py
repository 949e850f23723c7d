"""A case file's cases: defaults merged, each checked against the schema on its own.

One bad case never spoils its file: it becomes a `Case` with `problems`, which fails as
that case while the others run (CONTRACT §1). Only a file whose top level cannot be read
as a case file at all is a `CaseFileError`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytest_icdcheck.casefile import schema, yamlfile

ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]*\Z")


_JSON_TYPE = {list: "array", str: "string", int: "integer", float: "number", bool: "boolean"}


class CaseFileError(Exception):
    """The file as a whole cannot be read; the message names file, line and the fix."""


@dataclass
class Case:
    """One case, ready to run (or to fail with its `problems`)."""

    path: Path
    file: str  # how messages name the file
    index: int
    name: str  # the case id, or `cases[i]` when it has no usable id
    line: int  # 1-based line of the case in its file
    data: dict[str, Any]
    problems: list[str] = field(default_factory=list)
    recorded: bool = False  # the file says `golden: recorded`: --icd-update may record results

    @property
    def title(self) -> str:
        return str(self.data.get("title", ""))

    @property
    def source(self) -> str:
        return str(self.data.get("source", ""))

    @property
    def tags(self) -> list[str]:
        tags = self.data.get("tags")
        return [str(t) for t in tags] if isinstance(tags, list) else []

    @property
    def encounter(self) -> dict[str, Any]:
        enc = self.data.get("encounter")
        return enc if isinstance(enc, dict) else {}

    @property
    def expected(self) -> dict[str, Any] | None:
        exp = self.data.get("expected")
        return exp if isinstance(exp, dict) else None

    @property
    def ordered(self) -> bool:
        compare = self.data.get("compare")
        return isinstance(compare, dict) and compare.get("ordered") is True

    @property
    def xfail(self) -> str | None:
        reason = self.data.get("xfail")
        return reason if isinstance(reason, str) else None

    @property
    def fiscal_year(self) -> int | None:
        return fiscal_year(self.encounter.get("date_of_service"))


def fiscal_year(date: Any) -> int | None:
    """FY N runs from 1 October N-1 to 30 September N."""
    if not isinstance(date, str) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
        return None
    year, month = int(date[:4]), int(date[5:7])
    return year + 1 if month >= 10 else year


_UNKNOWN_KEY = re.compile(r"unknown key `([^`]+)`")


def impossible_date(encounter: Any) -> str | None:
    """The schema checks the form YYYY-MM-DD; this checks the day exists (no 30 February)."""
    date = encounter.get("date_of_service") if isinstance(encounter, dict) else None
    if not isinstance(date, str):
        return None
    import datetime

    try:
        datetime.date.fromisoformat(date)
    except ValueError:
        import calendar

        year, month = int(date[:4]), int(date[5:7])
        days = calendar.monthrange(year, month)[1] if year >= 1 else 31
        return (
            f"encounter.date_of_service: {date!r} is not a day of the calendar "
            f"({calendar.month_name[month]} {year} has {days} days); fix the date"
        )
    return None


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Mappings merge key by key, the override winning; anything else is replaced."""
    merged = dict(base)
    for key, value in override.items():
        old = merged.get(key)
        if isinstance(old, Mapping) and isinstance(value, Mapping):
            merged[key] = deep_merge(old, value)
        else:
            merged[key] = value
    return merged


def read_cases(path: Path, shown_as: str | None = None) -> list[Case]:
    """Parse and check one case file. Raises CaseFileError for file-level problems.

    ``shown_as`` is how messages name the file (a path relative to where pytest runs).
    """
    try:
        loaded = yamlfile.load(path, shown_as)
    except yamlfile.YamlFileError as exc:
        raise CaseFileError(str(exc)) from None
    doc = loaded.data
    if not isinstance(doc, dict):
        raise CaseFileError(
            f"{loaded.name}:{loaded.line_of(())}: a case file is a mapping with a `cases:` list, "
            f"not {schema._a(_JSON_TYPE.get(type(doc), 'object'))}"
        )
    file_problems = [
        p
        for p in schema.file_shell_problems(doc)
        if not (p.path and p.path[0] == "defaults" and len(p.path) > 1)
    ]
    for where, line, message in loaded.problems:
        if not (len(where) >= 2 and where[0] == "cases"):
            file_problems.append(schema.SchemaProblem(where, f"{message} (line {line})"))
    if file_problems:
        lines = [
            f"{loaded.name}:{loaded.line_of(p.path)}: {p.where}: {p.message}" for p in file_problems
        ]
        raise CaseFileError("\n".join(lines))
    defaults = doc.get("defaults") or {}
    cases = [_make_case(loaded, i, raw, defaults) for i, raw in enumerate(doc["cases"])]
    if doc.get("golden") == "recorded":
        for case in cases:
            case.recorded = True
    return cases


def _make_case(
    loaded: yamlfile.LoadedYaml, index: int, raw: Any, defaults: Mapping[str, Any]
) -> Case:
    path, shown = loaded.path, loaded.name
    line = loaded.line_of(("cases", index))
    raw_id = raw.get("id") if isinstance(raw, dict) else None
    name = raw_id if isinstance(raw_id, str) and ID_PATTERN.match(raw_id) else f"cases[{index}]"
    if not isinstance(raw, dict):
        problem = f"a case is a mapping with id, title and encounter, not {schema._type_of(raw)}"
        return Case(path, shown, index, name, line, {}, [f"{shown}:{line}: {problem}"])
    data = deep_merge(defaults, raw) if defaults else raw
    found: list[tuple[int, str]] = []
    for where, pline, message in loaded.problems:
        if where[:2] == ("cases", index):
            found.append((pline, message))
    for p in schema.case_problems(data):
        pline = loaded.line_of(("cases", index, *p.path))
        if pline == line and p.path and p.path[0] in defaults and p.path[0] not in raw:
            shown_where = f"{p.where} (from `defaults`)"
            pline = loaded.line_of(("defaults", *p.path))
        else:
            shown_where = p.where if p.path else "case"
            unknown = _UNKNOWN_KEY.match(p.message)
            if unknown:  # the misspelt key's own line, not its enclosing block's
                pline = loaded.key_line(("cases", index, *p.path), unknown.group(1))
        found.append((pline, f"{shown_where}: {p.message}"))
    if not found and (date_problem := impossible_date(data.get("encounter"))):
        where = ("encounter", "date_of_service")
        in_case = isinstance(raw.get("encounter"), dict) and where[1] in raw["encounter"]
        pline = loaded.line_of(("cases", index, *where) if in_case else ("defaults", *where))
        found.append((pline, date_problem))
    problems = [f"{shown}:{pline}: {message}" for pline, message in sorted(found)]
    if len(problems) > schema.MAX_ERRORS_SHOWN:
        hidden = len(problems) - schema.MAX_ERRORS_SHOWN
        problems = [*problems[: schema.MAX_ERRORS_SHOWN], f"... and {hidden} more problem(s)"]
    return Case(path, shown, index, name, line, data, problems)
