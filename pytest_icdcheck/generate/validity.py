"""Code validity (CONTRACT §3 INVALID_CODE, NON_BILLABLE, DUPLICATE_CODE; OCG I.A, I.B.1).

Rule, for a code given to the engine on a claim or as a documented ``code``:
* a billable leaf of the code set in force → no validity edit (and it is reported);
* a category or subcategory header (``R25``) → NON_BILLABLE(code);
* anything else — a code that does not exist (``R25.4``), an invented further character
  (``R25.30``), a code not written the way the tabular writes it (``R253``, ``r25.3``,
  stray spaces) → INVALID_CODE(code, exactly as written).
A documented code with a validity edit is not reported (CONTRACT §3); a claim's diagnoses are
echoed unchanged. The same code twice on a claim → DUPLICATE_CODE(code), once.
An empty code or a number where a code belongs is a schema error, not a case (CONTRACT §1):
no case is generated for those.
The R25 leaves come from the tabular; every look-alike is checked not to be a code (not in
the tabular, refused by the Medicare Code Editor) before a case says INVALID_CODE.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import combinations
from typing import Any

from pytest_icdcheck.generate import claim_rules
from pytest_icdcheck.generate.codes import (
    CODE_PATTERN,
    GeneratorError,
    description,
    in_tabular,
    is_leaf,
    leaves,
    require_valid,
    valid_on,
)
from pytest_icdcheck.generate.model import DATE, CaseFile, case, condition, edit, encounter, slug

FAMILY = "validity"
CATEGORY = "R25"
SOURCE = "ICD-10-CM FY2026 tabular; CONTRACT §3"

# How a billable code is mis-written (name, transformation, why it is not the code).
LOOKALIKES: tuple[tuple[str, Callable[[str], str], str], ...] = (
    ("extra-0", lambda c: c + "0", "an invented further character"),
    ("extra-9", lambda c: c + "9", "an invented further character"),
    ("extra-x", lambda c: c + "X", "an invented placeholder character"),
    ("undotted", lambda c: c.replace(".", ""), "the dot after the category is missing"),
    ("lower-case", str.lower, "ICD-10-CM codes are upper case"),
    ("leading-space", lambda c: " " + c, "a stray leading space"),
    ("trailing-space", lambda c: c + " ", "a stray trailing space"),
    ("inner-space", lambda c: c.replace(".", ". "), "a stray space after the dot"),
)


def _is_not_a_code(text: str) -> bool:
    written_as_code = bool(CODE_PATTERN.match(text))
    return not (written_as_code and (in_tabular(text) or valid_on(text, DATE)))


def _claim(
    id: str, title: str, code_list: list[str], edits: list[dict[str, Any]], tags: list[str]
) -> dict[str, Any]:
    return case(
        id,
        title,
        SOURCE,
        FAMILY,
        [*tags, "editing"],
        encounter(claim_dx=code_list),
        {"diagnoses": code_list, "edits": edits},
    )


def _documented(
    id: str,
    title: str,
    code: str,
    reported: list[str],
    edits: list[dict[str, Any]],
    tags: list[str],
) -> dict[str, Any]:
    return case(
        id,
        title,
        f"{SOURCE} (a documented code is checked too; an invalid one is not reported)",
        FAMILY,
        [*tags, "coding"],
        encounter(conditions=[condition("abnormal involuntary movement", code)]),
        {"diagnoses": reported, "edits": edits},
    )


def generate() -> list[CaseFile]:
    file = CaseFile(
        "validity-r25",
        "generated - validity of R25 codes and their look-alikes",
        "Rule: billable leaf -> no edit; header -> NON_BILLABLE; anything else -> "
        "INVALID_CODE (as written); the same code twice -> DUPLICATE_CODE.",
    )
    out = file.cases
    codes = leaves(CATEGORY)
    require_valid(codes, DATE)
    for c in codes:
        s = slug(c)
        tags = ["valid", slug(CATEGORY)]
        out.append(
            _claim(
                f"gen-validity-claim-valid-{s}",
                f"{c} ({description(c)}) is billable -> no edit",
                [c],
                [],
                tags,
            )
        )
        out.append(
            _documented(
                f"gen-validity-doc-valid-{s}",
                f"Documented {c} is billable -> reported, no edit",
                c,
                [c],
                [],
                tags,
            )
        )
        out.append(
            _claim(
                f"gen-validity-claim-duplicate-{s}",
                f"{c} twice on a claim -> one DUPLICATE_CODE",
                [c, c],
                claim_rules.dx_edits([c, c]),
                ["duplicate_code"],
            )
        )
    for a, b in combinations(codes, 2):
        out.append(
            _claim(
                f"gen-validity-claim-siblings-{slug(a)}-{slug(b)}",
                f"{a} with {b} (two R25 codes, both documented) -> no validity edit",
                [a, b],
                claim_rules.dx_edits([a, b]),
                ["valid", "siblings"],
            )
        )
    headers = [CATEGORY]
    for h in headers:
        if is_leaf(h) or not in_tabular(h):
            raise GeneratorError(f"{h} is not a header")
        e = [edit("NON_BILLABLE", h)]
        out.append(
            _claim(
                f"gen-validity-claim-header-{slug(h)}",
                f"Header {h} on a claim -> NON_BILLABLE",
                [h],
                e,
                ["non_billable"],
            )
        )
        out.append(
            _documented(
                f"gen-validity-doc-header-{slug(h)}",
                f"Header {h} documented -> NON_BILLABLE, not reported",
                h,
                [],
                e,
                ["non_billable"],
            )
        )
    invalid: list[tuple[str, str, str]] = []  # (id part, code as written, why)
    for ch in "0123456789X":
        candidate = f"{CATEGORY}.{ch}"
        if not in_tabular(candidate):
            invalid.append((slug(candidate), candidate, f"{CATEGORY} has no .{ch}"))
    invalid.append(
        (f"{slug(CATEGORY)}-trailing-dot", f"{CATEGORY}.", "a dot with nothing after it")
    )
    for c in codes:
        for name, make, why in LOOKALIKES:
            invalid.append((f"{slug(c)}-{name}", make(c), why))
    for part, written, why in invalid:
        if not _is_not_a_code(written):
            raise GeneratorError(f"{written!r} is a code after all")
        e = [edit("INVALID_CODE", written)]
        tags = ["invalid_code", "lookalike"]
        out.append(
            _claim(
                f"gen-validity-claim-invalid-{part}",
                f"{written!r} on a claim -> INVALID_CODE ({why})",
                [written],
                e,
                tags,
            )
        )
        out.append(
            _documented(
                f"gen-validity-doc-invalid-{part}",
                f"{written!r} documented -> INVALID_CODE, not reported ({why})",
                written,
                [],
                e,
                tags,
            )
        )
    return [file]
