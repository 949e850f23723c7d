"""The reference engine: codes documentation, edits claims, or both (CONTRACT §2).

* documentation only — coding: the engine decides what is reported (coding.py,
  procedures.py);
* claim only — editing: the claim's diagnoses and services are echoed unchanged and judged;
* both — audit: the documentation is coded, the claim is judged, and MISSED_DEFINITIVE_DX,
  UNSUPPORTED_DX and MISSED_DX say where the claim and the documentation part.
Inpatient services are ICD-10-PCS, out of scope: an inpatient result has no services and an
inpatient claim's services are neither echoed nor edited.

CDI, CMS-HCC and MS-DRG are computed on the reported diagnoses (editing: on the claim's
valid ones); codes refused by INVALID_CODE or NON_BILLABLE never reach HCC or DRG.
Each rule family lives in its own module; this one only puts them together.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pytest_icdcheck import __version__
from pytest_icdcheck.reference import hcc
from pytest_icdcheck.reference.cdi import cdi_alerts
from pytest_icdcheck.reference.coding import code_documentation
from pytest_icdcheck.reference.drg import Grouper
from pytest_icdcheck.reference.edits import Edit
from pytest_icdcheck.reference.excludes import excludes1_edits
from pytest_icdcheck.reference.fiscal import Period, period_of, supported_years
from pytest_icdcheck.reference.ncci import service_edits
from pytest_icdcheck.reference.procedures import code_procedures
from pytest_icdcheck.reference.sequencing import etiology_sequencing_edits
from pytest_icdcheck.reference.symptoms import audit_edits, symptom_integral_edits
from pytest_icdcheck.reference.validity import CodeSetByDate, check_code, duplicates


class ReferenceEngine:
    """The engine shipped with pytest-icdcheck (``--icd-engine reference``)."""

    def __init__(self) -> None:
        self._code_set = CodeSetByDate()
        self._grouper = Grouper()

    def describe(self) -> dict[str, Any]:
        return {"name": "reference", "version": __version__, "fiscal_years": supported_years()}

    def run_many(self, encounters: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
        return [self.run(encounter) for encounter in encounters]

    def close(self) -> None:
        self._code_set.close()
        self._grouper.close()

    def run(self, encounter: Mapping[str, Any]) -> dict[str, Any]:
        period = period_of(str(encounter["date_of_service"]))
        setting = str(encounter["setting"])
        patient: Mapping[str, Any] = encounter["patient"]
        documentation: Mapping[str, Any] | None = encounter.get("documentation")
        claim: Mapping[str, Any] | None = encounter.get("claim")
        edits: list[Edit] = []
        diagnoses: list[str] = []
        services: list[dict[str, Any]] = []
        valid_dx: list[str] = []
        conflicts: list[Edit] = []

        def validity(code: str) -> Edit | None:
            return check_code(code, period, self._code_set)

        if documentation is not None:
            coded = code_documentation(documentation.get("conditions", []), setting, validity)
            edits += coded.edits
            conflicts = coded.cdi
            diagnoses = coded.diagnoses
            services = (
                code_procedures(documentation.get("procedures", []))
                if setting == "outpatient"
                else []
            )
        if claim is not None:
            claim_dx = [str(c) for c in claim.get("diagnoses", [])]
            claim_services: Sequence[Mapping[str, Any]] = claim.get("services", [])
            valid_dx, claim_edits = self._edit_diagnoses(claim_dx, period)
            edits += claim_edits
            if documentation is not None:
                edits += audit_edits(valid_dx, diagnoses)
            else:
                diagnoses = claim_dx
                services = [_copy(s) for s in claim_services] if setting == "outpatient" else []
            if setting == "outpatient":
                edits += service_edits(claim_services)
        reported = diagnoses if documentation is not None else valid_dx
        findings = documentation.get("findings", {}) if documentation is not None else {}
        # Every mode: a code refused by INVALID_CODE or NON_BILLABLE is left out of HCC and
        # DRG (CONTRACT §2.1), whichever list it came from.
        refused = {c for e in edits if e["rule"] in _VALIDITY for c in e["codes"]}
        scored = [c for c in reported if c not in refused]
        return {
            "diagnoses": list(diagnoses),
            "services": services,
            "edits": _once(edits),
            "cdi": [*conflicts, *cdi_alerts(reported, findings)],
            "hcc": hcc.score(scored, patient, period.payment_year),
            "drg": self._drg(scored, encounter, period),
        }

    def _edit_diagnoses(self, claim: list[str], period: Period) -> tuple[list[str], list[Edit]]:
        """The claim's valid codes (each once, in order) and the edits on its diagnoses."""
        edits: list[Edit] = []
        valid: list[str] = []
        for code in dict.fromkeys(claim):
            problem = check_code(code, period, self._code_set)
            if problem is None:
                valid.append(code)
            else:
                edits.append(problem)
        edits += duplicates(claim)
        edits += excludes1_edits(valid)
        edits += symptom_integral_edits(valid)
        edits += etiology_sequencing_edits(valid)
        return valid, edits

    def _drg(
        self, reported: list[str], encounter: Mapping[str, Any], period: Period
    ) -> dict[str, str] | None:
        if encounter["setting"] != "inpatient" or not reported:
            return None
        status = int(encounter.get("discharge_status", 1))
        return self._grouper.group(reported, encounter["patient"], period, status)


_VALIDITY = frozenset({"INVALID_CODE", "NON_BILLABLE"})


def _copy(service: Mapping[str, Any]) -> dict[str, Any]:
    copied = dict(service)
    if "modifiers" in copied:
        copied["modifiers"] = list(copied["modifiers"])
    return copied


def _once(edits: list[Edit]) -> list[Edit]:
    """One edit per rule and codes (a code invalid in both documentation and claim is one
    INVALID_CODE); UNRESOLVED_TERM edits, which name no code, are kept per term."""
    seen: set[tuple[Any, ...]] = set()
    kept: list[Edit] = []
    for e in edits:
        key = (e["rule"], tuple(e["codes"]), "" if e["codes"] else e["message"])
        if key not in seen:
            seen.add(key)
            kept.append(e)
    return kept
