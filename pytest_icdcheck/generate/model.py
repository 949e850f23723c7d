"""What a generated case file is made of, and the pieces every family shares."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

# A date inside FY2026 (1 October 2025 - 30 September 2026) and MS-DRG v43.0.
DATE = "2025-11-03"
ID_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]*\Z")

Case = dict[str, Any]


@dataclass
class CaseFile:
    """One generated file: ``name`` without the suffix, a suite label, a header comment."""

    name: str
    suite: str
    about: str
    cases: list[Case] = field(default_factory=list)


def slug(text: str) -> str:
    """A code or word as it appears in a case id: lower case, spaces and odd signs as '-'."""
    out = re.sub(r"[^a-z0-9.]+", "-", text.lower()).strip("-.")
    return out or "x"


def case(
    id: str,
    title: str,
    source: str,
    family: str,
    tags: Iterable[str],
    encounter: dict[str, Any],
    expected: dict[str, Any],
    notes: str | None = None,
    ordered: bool = False,
) -> Case:
    if not ID_PATTERN.match(id):
        raise ValueError(f"not a case id: {id!r}")
    built: Case = {"id": id, "title": title, "source": source}
    if notes:
        built["notes"] = notes
    built["tags"] = list(dict.fromkeys(["generated", family, *tags]))
    built["encounter"] = encounter
    if ordered:
        built["compare"] = {"ordered": True}
    built["expected"] = expected
    return built


def patient(age: int = 52, sex: str = "F", **more: Any) -> dict[str, Any]:
    return {"age": age, "sex": sex, **more}


def encounter(
    *,
    setting: str = "outpatient",
    date: str = DATE,
    who: dict[str, Any] | None = None,
    conditions: list[dict[str, Any]] | None = None,
    procedures: list[dict[str, Any]] | None = None,
    claim_dx: list[str] | None = None,
    claim_services: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    enc: dict[str, Any] = {
        "setting": setting,
        "date_of_service": date,
        "patient": who or patient(),
    }
    if conditions is not None or procedures is not None:
        doc: dict[str, Any] = {}
        if conditions is not None:
            doc["conditions"] = conditions
        if procedures is not None:
            doc["procedures"] = procedures
        enc["documentation"] = doc
    if claim_dx is not None or claim_services is not None:
        claim: dict[str, Any] = {}
        if claim_dx is not None:
            claim["diagnoses"] = claim_dx
        if claim_services is not None:
            claim["services"] = claim_services
        enc["claim"] = claim
    return enc


def condition(term: str, code: str | None = None, **more: Any) -> dict[str, Any]:
    cond: dict[str, Any] = {"term": term}
    if code is not None:
        cond["code"] = code
    cond.update(more)
    return cond


def edit(rule: str, *codes: str, severity: str | None = None) -> dict[str, Any]:
    built: dict[str, Any] = {"rule": rule, "codes": sorted(codes)}
    if severity is not None:
        built["severity"] = severity
    return built


def chunks(file: CaseFile, limit: int = 400) -> Iterator[CaseFile]:
    """A file of more than ``limit`` cases as numbered parts of at most ``limit``."""
    if len(file.cases) <= limit:
        yield file
        return
    parts = (len(file.cases) + limit - 1) // limit
    size = (len(file.cases) + parts - 1) // parts
    for n in range(parts):
        yield CaseFile(
            f"{file.name}-{n + 1}",
            f"{file.suite} ({n + 1}/{parts})",
            file.about,
            file.cases[n * size : (n + 1) * size],
        )
