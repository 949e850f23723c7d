"""Documented words → ICD-10-CM code (CONTRACT §2.1 step 1).

Looked up in order: the seed's synonyms (data/synonyms.csv), then the tabular list's own
wording — a billable code's description, its description less ", unspecified", an
inclusion term, an inclusion term less "NOS" (tabular.codes_described_as). Words that name
more than one code, or none, are not guessed: the engine reports UNRESOLVED_TERM. v2: the
title of a header (a category or subcategory that is not billable) resolves to the
header's one billable child whose title says "unspecified" (CONTRACT §2.1 step 1).
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
    candidates: tuple[str, ...] = ()  # the codes the words name when they name several
    header: str | None = None  # the header whose title the words are, when unresolved


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
    if codes:
        return Resolution(None, codes)
    return _header_title(words)


def _says_unspecified(title: str) -> bool:
    """The title says the code is the unspecified one ("Unspecified …", "…, unspecified"),
    not that a detail is unspecified ("E11.8 Type 2 diabetes mellitus with unspecified
    complications" is not type 2 diabetes unspecified: the Index gives E11.9)."""
    lowered = title.lower()
    return lowered.startswith("unspecified") or lowered.endswith("unspecified")


def _less_unspecified(title: str) -> str:
    return re.sub(r",?\s*\bunspecified\b\s*", " ", title, flags=re.IGNORECASE)


def _header_title(words: str) -> Resolution:
    """v2: a header's title resolves to its one billable child whose title says
    "unspecified" ("abnormal involuntary movements" → R25.9); with none, or several, the
    words stay unresolved and the header's billable children are the candidates."""
    headers = tabular.headers_titled(words)
    if len(headers) != 1:
        return Resolution(None)
    header = headers[0]
    children = tabular.billable_children(header)
    unspecified = [c for c in children if _says_unspecified(tabular.description(c))]
    # R25 has two: R25.9 "Unspecified abnormal involuntary movements" and R25.1 "Tremor,
    # unspecified"; the one whose title is the header's own, less "unspecified", is meant.
    own = [c for c in unspecified if _words(_less_unspecified(tabular.description(c))) == words]
    for found in (own, unspecified):
        if len(found) == 1:
            return Resolution(found[0])
    return Resolution(None, tabular.billable_beneath(header), header)
