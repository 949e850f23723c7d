"""EXCLUDES1 (ICD-10-CM tabular conventions, OCG I.A.12.a).

An Excludes1 note means "NOT CODED HERE": the two conditions are never reported together.
A note applies to the code it is written at and to every code beneath it, so two codes
stand in an Excludes1 relation when a note on either code, or on any level above either,
names the other (tabular.excludes1 collects and parses those notes). Nothing here is typed
by hand: R25's note gives G20-G26, F98.4 and F95.- (seed "Excludes 1 at Category Level").
"""

from __future__ import annotations

import functools
from itertools import combinations

from pytest_icdcheck.reference import tabular
from pytest_icdcheck.reference.edits import Edit, edit


@functools.cache  # the same pairs come back case after case
def excluded_together(a: str, b: str) -> bool:
    """An Excludes1 note at or above ``a`` names ``b``, or the other way round."""
    return any(b in ref for ref in tabular.excludes1(a)) or any(
        a in ref for ref in tabular.excludes1(b)
    )


def excludes1_pairs(codes: list[str]) -> list[tuple[str, str]]:
    """Every pair of distinct codes (in reported order) that Excludes1 forbids together."""
    unique = list(dict.fromkeys(codes))
    return [(a, b) for a, b in combinations(unique, 2) if excluded_together(a, b)]


def excludes1_edits(codes: list[str]) -> list[Edit]:
    return [
        edit(
            "EXCLUDES1",
            [a, b],
            f"{a} and {b} are mutually exclusive (Excludes1): report only the one the "
            f"documentation supports — the specific diagnosis rather than the symptom",
        )
        for a, b in excludes1_pairs(codes)
    ]


def resolve_excludes1(codes: list[str]) -> list[str]:
    """CONTRACT §2.1 step 4: of two documented codes in an Excludes1 relation, drop the
    Chapter 18 symptom (R25.- beside G20-G26, F98.4, F95.-: the specific movement disorder is
    coded). When neither is a symptom, the one documented first is kept."""
    dropped: set[str] = set()
    for a, b in excludes1_pairs(codes):
        if a in dropped or b in dropped:
            continue
        dropped.add(a if tabular.is_symptom(a) and not tabular.is_symptom(b) else b)
    return [c for c in codes if c not in dropped]
