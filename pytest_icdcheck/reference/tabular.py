"""The ICD-10-CM tabular list, from the simple_icd_10_cm package (imported on first use).

simple_icd_10_cm is the FY2026 tabular (April 2026 release). Its descriptions, inclusion
terms, Excludes1 notes and tree serve every fiscal year the engine supports: FY2025 and
FY2027 are approximated by it. Which codes are valid, and which are headers, on a date is
not taken from here but from the code set of that date (validity.py).

simple_icd_10_cm takes about two seconds to import, so the facts used here come from an
extract of it kept on disk (tabular_extract.py), and every answer is cached for the life
of the process.
Codes are in our canonical form: upper case, dotted after the third character (``R25.3``).
"""

from __future__ import annotations

import bisect
import functools
import re

from pytest_icdcheck.reference.codesets import CodeSet, find_references
from pytest_icdcheck.reference.tabular_extract import FIRSTS, shard, text

_CANONICAL = re.compile(r"^[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?$")


def is_canonical(code: str) -> bool:
    """Written the way the tabular writes codes (``R25.3``, not ``R253``/``r25.3``)."""
    return bool(_CANONICAL.match(code))


def normalize(code: str) -> str:
    """The canonical spelling of what someone probably meant: ' r253 ' → 'R25.3'."""
    bare = re.sub(r"[\s.]", "", code).upper()
    return bare if len(bare) <= 3 else f"{bare[:3]}.{bare[3:]}"


@functools.cache
def in_tabular(code: str) -> bool:
    """A category, subcategory or code of the tabular list (not a block or chapter)."""
    return is_canonical(code) and code in shard(code[0]).ancestors


@functools.cache
def is_leaf(code: str) -> bool:
    """A code with nothing beneath it: the only kind that is billable."""
    return is_canonical(code) and code in shard(code[0]).leaves


@functools.cache
def ancestors(code: str) -> tuple[str, ...]:
    """Subcategory, category, block, chapter above ``code`` (nearest first)."""
    return tuple(shard(code[0]).ancestors[code]) if in_tabular(code) else ()


@functools.cache
def description(code: str) -> str:
    return text(code[0])[code][0] if in_tabular(code) else ""


@functools.cache
def billable_beneath(code: str) -> tuple[str, ...]:
    """The billable codes under a header, in tabular order."""
    if not in_tabular(code):
        return ()
    # Everything beneath a category or subcategory is spelled with its name as a prefix
    # (G12 → G12.0 …, G12.2 → G12.20 …), so a range of the sorted names finds it.
    names, position = _names(code[0])
    prefix = f"{code}." if len(code) == 3 else code
    leaves = shard(code[0]).leaves
    found = []
    for name in names[bisect.bisect_left(names, prefix) :]:
        if not name.startswith(prefix):
            break
        if name != code and name in leaves:
            found.append(name)
    return tuple(sorted(found, key=position.__getitem__))


@functools.cache
def _names(first: str) -> tuple[list[str], dict[str, int]]:
    """The shard's item names sorted, and each name's place in tabular order (the extract
    keeps that order)."""
    items = shard(first).ancestors
    return sorted(items), {name: i for i, name in enumerate(items)}


def nearest_known(code: str) -> str | None:
    """``code`` if this tabular has it, else the nearest code above it that it has: a code
    added after FY2026 (``I42.00``) sits under the code it was split from (``I42.0``)."""
    while len(code) >= 3:
        if in_tabular(code):
            return code
        code = code[:-1].rstrip(".")
    return None


@functools.cache
def excludes1(code: str) -> tuple[CodeSet, ...]:
    """Code references of the Excludes1 notes at ``code`` and at every level above it.

    The notes are the FY2026 tabular's, for every fiscal year (FY2025 and FY2027 are
    approximated by it); a code added after FY2026 has the notes above the code it was
    split from (nearest_known)."""
    refs: list[CodeSet] = []
    known = nearest_known(code)
    if known is None:
        return ()
    for item in (known, *ancestors(known)):
        for note in shard(item[0]).excludes1.get(item, ()):
            refs.extend(find_references(note))
    return tuple(refs)


@functools.cache
def _description_index() -> dict[str, tuple[str, ...]]:
    """Lower-cased wording → billable codes, at four strengths (strongest first per word):
    the description, the description less ', unspecified', an inclusion term, an
    inclusion term less ' NOS' (ICD-10-CM convention I.A.9: NOS = unspecified)."""
    levels: list[dict[str, list[str]]] = [{}, {}, {}, {}]
    wording = (item for first in FIRSTS for item in text(first).items())
    for code, (described, terms, leaf) in wording:
        if not leaf:
            continue
        words = described.lower()
        levels[0].setdefault(words, []).append(code)
        if words.endswith(", unspecified"):
            levels[1].setdefault(words.removesuffix(", unspecified"), []).append(code)
        for term in terms:
            term = term.lower()
            levels[2].setdefault(term, []).append(code)
            if term.endswith(" nos"):
                levels[3].setdefault(term.removesuffix(" nos"), []).append(code)
    index: dict[str, tuple[str, ...]] = {}
    for level in levels:
        for words, codes in level.items():
            index.setdefault(words, tuple(dict.fromkeys(codes)))
    return index


@functools.cache
def _header_index() -> dict[str, tuple[str, ...]]:
    """Lower-cased title → the headers (categories, subcategories: not leaves) with it."""
    index: dict[str, list[str]] = {}
    for first in FIRSTS:
        for code, (described, _, leaf) in text(first).items():
            if not leaf and is_canonical(code):
                index.setdefault(described.lower(), []).append(code)
    return {words: tuple(codes) for words, codes in index.items()}


def headers_titled(words: str) -> tuple[str, ...]:
    """Categories and subcategories whose tabular title is exactly ``words``."""
    return _header_index().get(words.lower(), ())


@functools.cache
def billable_children(header: str) -> tuple[str, ...]:
    """The billable codes directly beneath ``header`` (R25 → R25.0 … R25.9)."""
    return tuple(c for c in billable_beneath(header) if ancestors(c)[:1] == (header,))


def codes_described_as(words: str) -> tuple[str, ...]:
    """Billable codes whose tabular description or inclusion term is exactly ``words``."""
    return _description_index().get(words.lower(), ())


def is_symptom(code: str) -> bool:
    """Chapter 18: symptoms, signs and abnormal findings (R00-R99)."""
    return code.startswith("R")
