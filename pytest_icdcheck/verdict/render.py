"""What a failing case shows: the case's title and source, then one line per difference."""

from __future__ import annotations

from collections.abc import Sequence

from pytest_icdcheck.casefile.cases import Case
from pytest_icdcheck.verdict.evaluate import Section

MAX_LINES = 20


def header(case: Case, engine_label: str | None, count: int = 0) -> list[str]:
    first = f"case {case.name}" + (f" — {case.title}" if case.title else "")
    if count:
        first += f" ({count} difference{'s' if count > 1 else ''})"
    lines = [first]
    facts = []
    if case.source:
        facts.append(f"source: {case.source}")
    if case.fiscal_year:
        facts.append(f"FY{case.fiscal_year}")
    if engine_label:
        facts.append(f"engine: {engine_label}")
    if facts:
        lines.append(" · ".join(facts))
    return lines


def render_mismatch(
    case: Case, sections: Sequence[Section], engine_label: str | None, verbose: bool
) -> str:
    body = []
    for section in sections:
        if section.title:
            body.append(f"  {section.title}:")
        indent = "    " if section.title else "  "
        body += [f"{indent}{d.text}" for d in section.differences]
    count = sum(len(s.differences) for s in sections)
    if not verbose and len(body) > MAX_LINES:
        hidden = len(body) - MAX_LINES
        body = [*body[:MAX_LINES], f"  ... and {hidden} more difference(s) (-vv shows all)"]
    return "\n".join([*header(case, engine_label, count), *body])


def render_invalid(name: str, problems: list[str]) -> str:
    lines = [f"case {name} is not a valid case; the engine was not called:"]
    lines += [f"  {p}" for p in problems]
    return "\n".join(lines)


def render_engine_error(case: Case, message: str, engine_label: str | None) -> str:
    return "\n".join([*header(case, engine_label), f"  {message}"])
