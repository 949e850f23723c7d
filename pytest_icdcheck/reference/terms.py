"""Documented words → ICD-10-CM code (CONTRACT §2.1 step 1).

Looked up in order: the seed's synonyms (data/synonyms.csv), then the tabular list's own
wording — a billable code's description, its description less ", unspecified", an
inclusion term, an inclusion term less "NOS" (tabular.codes_described_as). Words that name
more than one code, or none, are not guessed: the engine reports UNRESOLVED_TERM.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from pytest_icdcheck.reference import tabular
from pytest_icdcheck.reference.data import table


@dataclass(frozen=True)
class Resolution:
    code: str | None
    candidates: tuple[str, ...] = ()


def _words(term: str) -> str:
    return re.sub(r"\s+", " ", term.strip().strip(".;:,").lower())


@functools.cache
def _synonyms() -> dict[str, str]:
    return {_words(row["term"]): row["code"] for row in table("synonyms.csv")}


@functools.cache
def resolve(term: str) -> Resolution:
    words = _words(term)
    if words in _synonyms():
        return Resolution(_synonyms()[words])
    codes = tabular.codes_described_as(words)
    if len(codes) == 1:
        return Resolution(codes[0])
    return Resolution(None, codes)
