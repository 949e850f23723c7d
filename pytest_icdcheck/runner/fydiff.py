"""What changes when the cases' encounters move into another fiscal year (`icdcheck fy-diff`).

Each valid case dated in the ``from`` year is run through the reference engine twice: as
written, and with its date of service moved by whole years into the ``to`` year (29 February
becomes 28 February). The two results are compared by the contract's rules (compare.py,
CONTRACT §4) with the first as "expected"; messages are never compared. The payment year
and the MS-DRG version always follow the date, so they are set aside (the report's header
says which ones are in force) and only what changes because of them is reported: a code
that became a header, an HCC mapping or coefficient, a DRG assignment.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pytest_icdcheck.verdict.compare import Difference, compare


@dataclass(frozen=True)
class Change:
    field: str  # a result field: diagnoses, services, edits, cdi, hcc, drg
    kind: str  # missing (was there, is gone) | unexpected (is new) | changed
    text: str  # "+NON_BILLABLE(I42.0)", "-HCC 227", "coefficient_sum 1.175 → 0.876"


@dataclass
class CaseChange:
    """A case whose reference result differs between the two years (or that one refuses)."""

    id: str
    file: str
    line: int
    date_from: str
    date_to: str
    changes: list[Change] = field(default_factory=list)
    refused: str | None = None  # the engine's message, when it refuses either encounter


@dataclass
class Report:
    from_year: int
    to_year: int
    engine: Mapping[str, Any]
    files: int = 0
    cases: int = 0
    compared: int = 0
    other_year: int = 0  # valid cases dated outside the from year: not compared
    invalid: int = 0  # cases with problems (icdcheck validate says which)
    unreadable: list[str] = field(default_factory=list)  # whole files that cannot be read
    changed: list[CaseChange] = field(default_factory=list)
    refused: list[CaseChange] = field(default_factory=list)
    # what is in force on either side, e.g. {"drg": ["43.0 → 44.0"], "hcc": ["2026 → 2027"]}
    in_force: dict[str, Counter[str]] = field(default_factory=dict)

    def by_field(self) -> dict[str, int]:
        """How many changed cases change each field (a case counts once per field)."""
        counts: Counter[str] = Counter()
        for case in self.changed:
            counts.update({c.field for c in case.changes})
        return {
            f: counts[f]
            for f in ("diagnoses", "services", "edits", "cdi", "hcc", "drg")
            if counts[f]
        }


def move_date(date: str, years: int) -> str:
    """``date`` moved by whole years; 29 February becomes 28 February in a common year."""
    day = dt.date.fromisoformat(date)
    try:
        return day.replace(year=day.year + years).isoformat()
    except ValueError:
        return day.replace(year=day.year + years, day=28).isoformat()


def _without_messages(result: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(result)
    for key in ("edits", "cdi"):
        if isinstance(out.get(key), list):
            out[key] = [
                {k: v for k, v in item.items() if k != "message"}
                if isinstance(item, Mapping)
                else item
                for item in out[key]
            ]
    return out


_LABELLED = re.compile(r"^(?P<label>[^:]+): (?P<rest>.*)$")
_EXPECTED_GOT = re.compile(r"^expected (?P<before>.*), got (?P<after>.*)$")


def _change(diff: Difference) -> Change:
    """A compare.py difference (expected = before, got = after) as a before → after line."""
    m = _LABELLED.match(diff.text)
    if m is None:
        return Change(diff.field, diff.kind, diff.text)
    label = m.group("label").removeprefix(diff.field).lstrip(".")
    rest = m.group("rest")
    if rest.startswith("missing "):
        text = "-" + rest.removeprefix("missing ")
    elif rest.startswith("unexpected "):
        text = "+" + rest.removeprefix("unexpected ")
    elif eg := _EXPECTED_GOT.match(rest):
        text = f"{eg.group('before')} → {eg.group('after')}"
    else:
        text = rest
    return Change(diff.field, diff.kind, f"{label} {text}" if label else text)


def changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[Change]:
    """What differs from ``before`` to ``after`` (two results of the same encounter), other
    than the payment year and MS-DRG version, which follow the date."""
    a = _without_messages(after)
    if isinstance(before.get("hcc"), Mapping) and isinstance(a.get("hcc"), Mapping):
        a["hcc"] = {**a["hcc"], "payment_year": before["hcc"].get("payment_year")}
    if isinstance(before.get("drg"), Mapping) and isinstance(a.get("drg"), Mapping):
        a["drg"] = {**a["drg"], "version": before["drg"].get("version")}
    return [_change(d) for d in compare(_without_messages(before), a)]


def _note_in_force(report: Report, before: Mapping[str, Any], after: Mapping[str, Any]) -> None:
    for key, name in (("hcc", "payment_year"), ("drg", "version")):
        b, a = before.get(key), after.get(key)
        if isinstance(b, Mapping) and isinstance(a, Mapping):
            report.in_force.setdefault(key, Counter())[f"{b.get(name)} → {a.get(name)}"] += 1


def fy_diff(paths: Sequence[Path], from_year: int, to_year: int, engine: Any) -> Report:
    """Run every valid case of ``from_year`` under ``paths`` in both years."""
    from pytest_icdcheck.casefile.cases import CaseFileError, read_cases
    from pytest_icdcheck.casefile.finder import case_files
    from pytest_icdcheck.errors import IcdCheckError

    report = Report(from_year, to_year, dict(engine.describe()))
    years = to_year - from_year
    for path in case_files(paths):
        report.files += 1
        try:
            found = read_cases(path, str(path))
        except CaseFileError as exc:
            report.unreadable.append(str(exc))
            continue
        for case in found:
            report.cases += 1
            if case.problems:
                report.invalid += 1
                continue
            if case.fiscal_year != from_year:
                report.other_year += 1
                continue
            report.compared += 1
            date = str(case.encounter["date_of_service"])
            entry = CaseChange(case.name, case.file, case.line, date, move_date(date, years))
            results: list[Mapping[str, Any]] = []
            for when in (entry.date_from, entry.date_to):
                try:
                    results.append(engine.run({**case.encounter, "date_of_service": when}))
                except IcdCheckError as exc:
                    entry.refused = f"{when}: {exc}"
                    break
                except Exception as exc:  # an engine bug is reported, not a traceback
                    entry.refused = f"{when}: {type(exc).__name__}: {exc}"
                    break
            if entry.refused is not None:
                report.refused.append(entry)
                continue
            _note_in_force(report, results[0], results[1])
            entry.changes = changes(results[0], results[1])
            if entry.changes:
                report.changed.append(entry)
    return report


def _in_force_text(report: Report) -> list[str]:
    names = {"hcc": "CMS-HCC payment year", "drg": "MS-DRG version"}
    return [
        f"{names[key]}: {', '.join(f'{k} ({n})' for k, n in sorted(seen.items()))}"
        for key, seen in report.in_force.items()
    ]


def by_change(report: Report) -> list[tuple[str, str, int]]:
    """Each distinct (field, change) and how many cases show it, most frequent first."""
    counts: Counter[tuple[str, str]] = Counter()
    for case in report.changed:
        counts.update({(c.field, c.text) for c in case.changes})
    return [(f, t, n) for (f, t), n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


MOST_FREQUENT = 10


def summary_line(report: Report) -> str:
    by_field = ", ".join(f"{f} {n}" for f, n in report.by_field().items())
    parts = [
        f"{report.cases} case(s) in {report.files} file(s): {report.compared} in "
        f"FY{report.from_year} compared, {len(report.changed)} changed"
        + (f" ({by_field})" if by_field else ""),
        f"{report.other_year} skipped (not in FY{report.from_year})",
    ]
    if report.invalid:
        parts.append(f"{report.invalid} invalid (see icdcheck validate)")
    if report.refused:
        parts.append(f"{len(report.refused)} refused by the engine")
    if report.unreadable:
        parts.append(f"{len(report.unreadable)} unreadable file(s)")
    return "; ".join(parts)


def as_table(report: Report) -> str:
    """The report as a coder reads it: one line per change, a case's id on its first."""
    lines = [
        f"FY{report.from_year} → FY{report.to_year}: each case's date of service moved by "
        f"{report.to_year - report.from_year:+d} year(s); "
        f"{report.engine.get('name')} engine {report.engine.get('version')}"
    ]
    lines += [f"  {text}" for text in _in_force_text(report)]
    lines.append("")
    if report.changed:
        rows = [("case", "field", "change")]
        for case in report.changed:
            rows += [
                (case.id if i == 0 else "", change.field, change.text)
                for i, change in enumerate(case.changes)
            ]
        widths = [max(len(r[i]) for r in rows) for i in range(2)]
        lines += [f"{r[0].ljust(widths[0])}  {r[1].ljust(widths[1])}  {r[2]}" for r in rows]
        lines.append("")
        distinct = by_change(report)
        if distinct[0][2] > 1:  # some change is shared: say which, most frequent first
            lines.append(f"most frequent changes ({len(distinct)} distinct):")
            width = max(len(f) for f, _, _ in distinct[:MOST_FREQUENT])
            lines += [
                f"  {n:>5} case(s)  {f.ljust(width)}  {t}" for f, t, n in distinct[:MOST_FREQUENT]
            ]
            if len(distinct) > MOST_FREQUENT:
                more = len(distinct) - MOST_FREQUENT
                lines.append(f"  … and {more} more (--format json lists them all)")
            lines.append("")
    for case in report.refused:
        lines.append(f"refused {case.id} ({case.file}:{case.line}): {case.refused}")
    for text in report.unreadable:
        lines.append(f"unreadable: {text}")
    if report.refused or report.unreadable:
        lines.append("")
    lines.append(summary_line(report))
    return "\n".join(lines)


def _case_json(case: CaseChange) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": case.id,
        "file": case.file,
        "line": case.line,
        "date_from": case.date_from,
        "date_to": case.date_to,
    }
    if case.refused is not None:
        out["refused"] = case.refused
    else:
        out["changes"] = [
            {"field": c.field, "kind": c.kind, "change": c.text} for c in case.changes
        ]
    return out


def as_json(report: Report) -> dict[str, Any]:
    """The report as a stable JSON document (keys in a fixed order, cases in file order)."""
    return {
        "from": report.from_year,
        "to": report.to_year,
        "engine": dict(report.engine),
        "in_force": {k: dict(sorted(v.items())) for k, v in report.in_force.items()},
        "summary": {
            "files": report.files,
            "cases": report.cases,
            "compared": report.compared,
            "changed": len(report.changed),
            "by_field": report.by_field(),
            "skipped_other_year": report.other_year,
            "invalid": report.invalid,
            "refused": len(report.refused),
            "unreadable_files": len(report.unreadable),
        },
        "by_change": [{"field": f, "change": t, "cases": n} for f, t, n in by_change(report)],
        "changed": [_case_json(c) for c in report.changed],
        "refused": [_case_json(c) for c in report.refused],
        "unreadable": list(report.unreadable),
    }
