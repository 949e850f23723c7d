"""Excludes1 (ICD-10-CM convention I.A.12.a; CONTRACT §2.1 step 4, §3 EXCLUDES1).

Rule: two codes stand in an Excludes1 relation when an Excludes1 note at either code, or
at any level above either (category, block, chapter), names the other. Then —
* on a claim → EXCLUDES1(both codes);
* in documentation, an R25.- symptom beside a code its note names → the specific movement
  disorder is coded, the symptom is not (CONTRACT §2.1 step 4).
The R25 category note reads "specific movement disorders (G20-G26)", "stereotyped movement
disorders (F98.4)", "tic disorders (F95.-)" (seed "Excludes 1 at Category Level"): every R25
leaf is generated against every billable code those references name, on a claim and in the
documentation. For the codes of the seed's tables (SEED_CODES), every plainly written
reference of their Excludes1 notes gives claim pairs (the first and the last billable code
the reference names). Notes are read with the generator's own plain reader
(codes.excludes1_notes); a reference qualified by "with ..." is not read.

v2 (CONTRACT §2.1 step 4, general): the same tabular pairs documented together, both
orders. A note on one side only (at A or above A, naming B) → B is coded, A is not. Notes
both ways → the code that is not a Chapter 18 symptom (R00-R99); when that does not decide,
the first documented, and CDI_CONFLICTING_DX(both) when neither is a symptom. Pairs where
step 3 (integral) or step 4a (an "unspecified" code beside one of its category) would also
apply are left out: they are not only an Excludes1 question.
"""

from __future__ import annotations

from pytest_icdcheck.generate import claim_rules
from pytest_icdcheck.generate.codes import (
    CodeRange,
    Excludes1Note,
    GeneratorError,
    description,
    excludes1_notes,
    in_tabular,
    is_leaf,
    leaves,
    range_leaves,
    require_valid,
    valid_on,
)
from pytest_icdcheck.generate.model import (
    DATE,
    CaseFile,
    case,
    condition,
    edit,
    encounter,
    patient,
    slug,
)

FAMILY = "excludes1"
SYMPTOM_CATEGORY = "R25"
SOURCE = (
    "ICD-10-CM tabular R25 Excludes1 (G20-G26, F98.4, F95.-); seed Excludes 1 at Category Level"
)

# The codes the seed's tables name (code tree, etiology, replacements, differentials),
# as the seed writes them; a header stands for the billable codes beneath it.
SEED_CODES = (
    "R25",
    "G12",
    "G60",
    "G62.9",
    "M54.12",
    "M54.17",
    "E05",
    "E83.42",
    "E87.6",
    "T44.0X5A",
    "T44.0X1A",
    "G70.01",
    "G83.4",
    "G25.3",
)


def r25_references() -> tuple[CodeRange, ...]:
    """What the R25 category note names, read from the tabular."""
    refs = tuple(r for n in excludes1_notes(SYMPTOM_CATEGORY) if n.at == "R25" for r in n.refs)
    if not refs:
        raise GeneratorError("the tabular has no Excludes1 note at R25")
    return refs


def _ref_leaves(ref: CodeRange) -> tuple[str, ...]:
    if not in_tabular(ref.low) or not in_tabular(ref.high):
        return ()
    return tuple(c for c in range_leaves(ref.low, ref.high) if valid_on(c, DATE))


def _who(code: str) -> dict[str, object]:
    """A patient the code fits: pregnancy codes a woman, perinatal codes a newborn."""
    if code.startswith("O"):
        return patient(28, "F")
    if code.startswith("P"):
        return patient(0, "M")
    return patient(52, "F")


CDI_SPECIFICITY_CODES = ("R25.9",)  # CONTRACT §3 CDI table (the seed's query list)
SOURCE_DOC = "CONTRACT §2.1 step 4 (v2: Excludes1 inside the documentation)"


def _names(notes: tuple[Excludes1Note, ...], other: str) -> bool | None:
    """A plainly read note names ``other``: True; a note we cannot read might: None."""
    if any(other in ref for n in notes for ref in n.refs):
        return True
    for n in notes:
        for part in n.unread:
            if other[:3] in part:
                return None
    return False


def _is_symptom(code: str) -> bool:
    return code.startswith("R")


def _unspecified_beside(a: str, b: str) -> bool:
    said = ("unspecified" in description(a).lower()) or ("unspecified" in description(b).lower())
    return said and a[:3] == b[:3]


def documented(first: str, second: str) -> tuple[str, bool] | None:
    """Step 4 for two documented codes: (the code reported, CDI_CONFLICTING_DX?), or None
    when the notes cannot be read plainly."""
    ab = _names(excludes1_notes(first), second)
    ba = _names(excludes1_notes(second), first)
    if ab is None or ba is None:
        return None
    if ab != ba:
        return (second if ab else first), False
    if _is_symptom(first) != _is_symptom(second):
        return (second if _is_symptom(first) else first), False
    return first, not _is_symptom(first)


def _documentation_case(a: str, b: str) -> dict[str, object] | None:
    from pytest_icdcheck.generate import integral_rules as integral

    if integral.is_integral(a, b) or integral.is_integral(b, a) or _unspecified_beside(a, b):
        return None
    found = documented(a, b)
    if found is None:
        return None
    kept, conflict = found
    cdi = [edit("CDI_CONFLICTING_DX", a, b)] if conflict else []
    cdi += [edit("CDI_SPECIFICITY", kept)] if kept in CDI_SPECIFICITY_CODES else []
    why = (
        "notes both ways, first documented; CDI_CONFLICTING_DX"
        if conflict
        else ("notes both ways, not the symptom" if excluded_both(a, b) else "the note names it")
    )
    return case(
        f"gen-excl1-doc-tabular-{slug(a)}-{slug(b)}",
        f"Documented {a} then {b} -> {kept} ({why})",
        SOURCE_DOC,
        FAMILY,
        ["excludes1", "coding", "tabular"] + (["cdi_conflicting_dx"] if conflict else []),
        encounter(
            conditions=[condition(description(a), a), condition(description(b), b)],
            who=_who(b if b[0] in "OP" else a),
        ),
        {"diagnoses": [kept], "edits": [], "cdi": cdi},
    )


def excluded_both(a: str, b: str) -> bool:
    return bool(_names(excludes1_notes(a), b)) and bool(_names(excludes1_notes(b), a))


def generate() -> list[CaseFile]:
    claims = CaseFile(
        "excludes1-r25-claims",
        "generated - Excludes1: R25.- with specific movement disorders on claims",
        "Rule: R25 Excludes1 G20-G26, F98.4, F95.- -> a claim with both -> EXCLUDES1.",
    )
    notes = CaseFile(
        "excludes1-r25-documentation",
        "generated - Excludes1: R25.- with specific movement disorders in documentation",
        "Rule: documented R25.- symptom and a G20-G26 / F98.4 / F95.- disorder -> the "
        "disorder is coded, the symptom is not (CONTRACT 2.1 step 4).",
    )
    tabular = CaseFile(
        "excludes1-tabular-claims",
        "generated - Excludes1 pairs from the tabular notes of the seed's codes",
        "Rule: an Excludes1 note at a code or above it names the other code -> EXCLUDES1.",
    )
    symptoms = leaves(SYMPTOM_CATEGORY)
    covered: set[frozenset[str]] = set()
    for ref in r25_references():
        for d in _ref_leaves(ref):
            for s in symptoms:
                require_valid([s, d], DATE)
                covered.add(frozenset((s, d)))
                pair = f"{slug(s)}-{slug(d)}"
                claim = [d, s]
                expected = claim_rules.dx_edits(claim)
                if edit("EXCLUDES1", s, d) not in expected:
                    raise GeneratorError(f"the plain reader misses {s} Excludes1 {d}")
                claims.cases.append(
                    case(
                        f"gen-excl1-claim-{pair}",
                        f"Claim {d} + {s} -> EXCLUDES1 (R25 excludes {ref})",
                        SOURCE,
                        FAMILY,
                        ["excludes1", "editing", slug(s)],
                        encounter(claim_dx=claim),
                        {"diagnoses": claim, "edits": expected},
                    )
                )
                notes.cases.append(
                    case(
                        f"gen-excl1-doc-{pair}",
                        f"Documented {description(s).lower()} and {description(d)} -> {d} only",
                        f"{SOURCE}; CONTRACT §2.1 step 4",
                        FAMILY,
                        ["excludes1", "coding", slug(s)],
                        encounter(
                            conditions=[condition(description(s), s), condition(description(d), d)]
                        ),
                        {"diagnoses": [d], "edits": []},
                        ordered=True,
                    )
                )
    documentation = CaseFile(
        "excludes1-tabular-documentation",
        "generated - Excludes1 pairs from the tabular notes, documented together (v2)",
        "Rule: a note on one side only -> the code it names is coded; both ways -> not the "
        "symptom, else the first documented and CDI_CONFLICTING_DX (CONTRACT 2.1 step 4).",
    )
    seen: set[frozenset[str]] = set(covered)
    for seed in SEED_CODES:
        for a in leaves(seed):
            if not valid_on(a, DATE):
                continue
            for note in excludes1_notes(a):
                for ref in note.refs:
                    found = _ref_leaves(ref)
                    for b in dict.fromkeys(found[:1] + found[-1:]):
                        if b == a or frozenset((a, b)) in seen or not is_leaf(b):
                            continue
                        seen.add(frozenset((a, b)))
                        claim = [a, b]
                        expected = claim_rules.dx_edits(claim)
                        if edit("EXCLUDES1", a, b) not in expected:
                            raise GeneratorError(f"the plain reader misses {a} Excludes1 {b}")
                        tabular.cases.append(
                            case(
                                f"gen-excl1-tabular-{slug(a)}-{slug(b)}",
                                f"Claim {a} + {b} -> EXCLUDES1 (note at {note.at}: {note.text})",
                                f"ICD-10-CM tabular {note.at} Excludes1",
                                FAMILY,
                                ["excludes1", "editing", "tabular"],
                                encounter(claim_dx=claim, who=_who(b)),
                                {"diagnoses": claim, "edits": expected},
                            )
                        )
                        for x, y in ((a, b), (b, a)):
                            built = _documentation_case(x, y)
                            if built is not None:
                                documentation.cases.append(built)
    return [claims, notes, tabular, documentation]
