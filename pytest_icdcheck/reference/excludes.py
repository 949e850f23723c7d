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
from pytest_icdcheck.reference.edits import Edit, alert, edit


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


def notes_from(a: str, b: str) -> bool:
    """An Excludes1 note at ``a`` or above it names ``b`` (the note stands on a's side)."""
    return any(b in ref for ref in tabular.excludes1(a))


def resolve_excludes1(codes: list[str]) -> tuple[list[str], list[Edit]]:
    """CONTRACT §2.1 step 4 (v2): of two codes to be reported in an Excludes1 relation —

    * a note on one side only (at A or above A, naming B): B is reported, A is not — the
      note says B's condition is not A's (M54.1- names M51.1-: the disc disorder with
      radiculopathy is coded; R25 names G20-G26: Parkinson's disease, not tremor);
    * notes both ways: the code that is not a Chapter 18 symptom (F98.4 over R25.-);
    * otherwise the first documented, and CDI_CONFLICTING_DX asks the provider when
      neither is a symptom (CONTRACT §3 CDI table).

    Returns the codes kept, in order, and the CDI alerts."""
    dropped: set[str] = set()
    alerts: list[Edit] = []
    for a, b in excludes1_pairs(codes):
        if a in dropped or b in dropped:
            continue
        a_names_b, b_names_a = notes_from(a, b), notes_from(b, a)
        if a_names_b != b_names_a:
            dropped.add(a if a_names_b else b)
        elif tabular.is_symptom(a) != tabular.is_symptom(b):
            dropped.add(a if tabular.is_symptom(a) else b)
        else:
            dropped.add(b)
            if not tabular.is_symptom(a):
                alerts.append(
                    alert(
                        "CDI_CONFLICTING_DX",
                        [a, b],
                        f"{a} and {b} are documented together but exclude each other "
                        f"(Excludes1 both ways); {a}, documented first, is reported: ask the "
                        f"provider which condition the patient has",
                    )
                )
    return [c for c in codes if c not in dropped], alerts
