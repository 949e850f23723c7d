"""Sequencing: causes before symptoms, drug T-codes by their 6th character.

* OCG I.C.19.e.5.a (adverse effect of a drug correctly prescribed and properly
  administered): code the nature of the adverse effect first (R25.3), followed by the
  T36-T50 code with 6th character 5. CONTRACT §6.3: the seed's table has this backwards.
* OCG I.C.19.e.5.b (poisoning: overdose, wrong substance, 6th character 1-4): the
  poisoning code comes first, followed by the manifestation.
* OCG I.C.19.e.5.c (underdosing, 6th character 6): never first-listed; treated as an
  adverse effect here.
* OCG I.C.18 / seed "Metabolic Causes — Code the Etiology First": a documented cause
  (E05.-, E83.4-, E87.6 …) is sequenced before the symptom it causes.

ETIOLOGY_SEQUENCING judges a claim with the seed's etiology table
(data/etiology_causes.csv; v2: for every R25.- symptom); coding follows the documented
``due_to`` links. Which T-code is which intent is data/drug_intent.csv.
"""

from __future__ import annotations

import functools

from pytest_icdcheck.reference import tabular
from pytest_icdcheck.reference.codesets import CodeSet, matches, parse_code_sets
from pytest_icdcheck.reference.data import table
from pytest_icdcheck.reference.edits import Edit, edit


@functools.cache
def _drug_rows() -> tuple[tuple[tuple[CodeSet, ...], str, str, bool], ...]:
    """(codes, 6th character, intent, reported after its effect) from data/drug_intent.csv."""
    return tuple(
        (
            parse_code_sets(row["codes"]),
            row["sixth"],
            row["intent"],
            row["sequenced"] == "after-effect",
        )
        for row in table("drug_intent.csv")
    )


def _is_drug_code(code: str) -> bool:
    return any(matches(code, sets) for sets, _, _, _ in _drug_rows())


@functools.cache
def drug_intent(code: str) -> str | None:
    """'poisoning', 'adverse-effect' or 'underdosing' for a T36-T50 code, else None."""
    if len(code) < 7:
        return None
    for sets, sixth, intent, _ in _drug_rows():
        if code[6] == sixth and matches(code, sets):
            return intent
    return None


@functools.cache
def follows_its_effect(cause: str) -> bool:
    """A cause reported after the condition it caused (adverse effect, underdosing)."""
    if len(cause) < 7:
        return False
    return any(
        after and cause[6] == sixth and matches(cause, sets)
        for sets, sixth, _, after in _drug_rows()
    )


@functools.cache
def _etiology() -> tuple[tuple[tuple[CodeSet, ...], tuple[CodeSet, ...]], ...]:
    return tuple(
        (parse_code_sets(row["symptom"]), parse_code_sets(row["cause"]))
        for row in table("etiology_causes.csv")
    )


@functools.cache
def known_cause(symptom: str, cause: str) -> bool:
    """The seed's etiology table names ``cause`` as a cause of ``symptom`` (v2: any R25.-)."""
    if drug_intent(cause) is None and _is_drug_code(cause):
        return False
    return any(matches(symptom, s) and matches(cause, c) for s, c in _etiology())


def etiology_sequencing_edits(claim: list[str]) -> list[Edit]:
    """One warning per (symptom, cause) pair the claim sequences the wrong way round."""
    found: list[Edit] = []
    first = {code: claim.index(code) for code in reversed(claim)}
    for symptom in first:
        for cause in first:
            if cause == symptom or not known_cause(symptom, cause):
                continue
            if follows_its_effect(cause) and first[cause] < first[symptom]:
                found.append(
                    edit(
                        "ETIOLOGY_SEQUENCING",
                        [symptom, cause],
                        f"{cause} is an adverse-effect code: sequence the manifestation {symptom} "
                        f"first and {cause} after it (OCG I.C.19.e.5.a)",
                    )
                )
            elif not follows_its_effect(cause) and first[symptom] < first[cause]:
                found.append(
                    edit(
                        "ETIOLOGY_SEQUENCING",
                        [symptom, cause],
                        f"{symptom} is sequenced before its cause {cause}: sequence {cause} first "
                        f"and {symptom} as an additional diagnosis",
                    )
                )
    return found


def sequence(
    codes: list[str], causes: dict[str, list[str]], integral: list[tuple[str, str]]
) -> list[str]:
    """CONTRACT §2.1 step 5. ``codes`` in documented order; ``causes[effect]`` the codes
    documented (``due_to``) as causing it; ``integral`` the (symptom, diagnosis) pairs of the
    documentation. A cause moves to just before its effect (an adverse-effect T-code to just
    after it); then a Chapter 18 symptom does not stay first while a diagnosis it is part of,
    or its documented cause, is reported."""
    order = list(codes)
    links = [(e, c) for e in codes for c in causes.get(e, []) if c in codes and c != e]
    for _ in range(len(links) + 1):
        moved = False
        for effect, cause in links:
            i, j = order.index(effect), order.index(cause)
            if follows_its_effect(cause) and j < i:
                order.remove(cause)
                order.insert(order.index(effect) + 1, cause)
                moved = True
            elif not follows_its_effect(cause) and i < j:
                order.remove(cause)
                order.insert(order.index(effect), cause)
                moved = True
        if not moved:
            break
    if order and tabular.is_symptom(order[0]):
        first = order[0]
        related = [d for s, d in integral if s == first] + [
            c for c in causes.get(first, []) if not follows_its_effect(c)
        ]
        for code in order[1:]:
            if code in related and not tabular.is_symptom(code):
                order.remove(code)
                order.insert(0, code)
                break
    return order
