"""Every "§" the project cites — in failure messages, case sources, the README — is a
section of its public contract (CONTRACT.md), which the README links: a user can look up
every reference they are shown."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CONTRACT = REPO / "CONTRACT.md"
# `CONTRACT §2.1 step 3`, `CONTRACT v2 §5`, `contract §2`, `CONTRACT 2.1 step 4`
REFERENCE = re.compile(
    r"\bCONTRACT(?: v\d)? §?(\d+[a-z]?(?:\.\d+)?)\b|\bcontract §(\d+[a-z]?(?:\.\d+)?)"
)
HEADING = re.compile(r"^#{2,3} (\d+[a-z]?(?:\.\d+)?)[. ]", re.M)


def _sections() -> set[str]:
    return set(HEADING.findall(CONTRACT.read_text(encoding="utf-8")))


def _citing_files() -> list[Path]:
    files = [REPO / "README.md", *sorted((REPO / "pytest_icdcheck").rglob("*.py"))]
    files += sorted((REPO / "schemas").glob("*.json"))
    if (REPO / "cases").is_dir():
        files += sorted((REPO / "cases").rglob("*.icd.yaml"))
    return files


def test_the_readme_links_the_contract() -> None:
    assert "](CONTRACT.md)" in (REPO / "README.md").read_text(encoding="utf-8")


def test_every_cited_section_is_in_the_contract() -> None:
    sections = _sections()
    assert {"1", "2", "2.1", "3", "4", "5", "5a", "6"} <= sections
    unresolved: dict[str, set[str]] = {}
    for path in _citing_files():
        for match in REFERENCE.finditer(path.read_text(encoding="utf-8")):
            cited = match.group(1) or match.group(2)
            if cited not in sections:
                unresolved.setdefault(cited, set()).add(str(path.relative_to(REPO)))
    if unresolved:
        pytest.fail(f"sections cited but not in CONTRACT.md: {unresolved}")
