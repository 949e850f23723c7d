"""Clinical documentation integrity alerts (CONTRACT §3 CDI table; seed "CDI Alert").

* CDI_MND_QUERY — seed "CDI Alert — ALS/Motor Neuron Disease Workup": R25.3 with EMG
  denervation, upper motor neuron signs, progressive weakness or atrophy, and no motor
  neuron disease (G12.-) reported: query the provider about a definitive diagnosis.
  (Benign fasciculation syndrome with a normal workup is no query: seed Scenario 1.)
* CDI_TONGUE_FASCICULATIONS — seed Pitfalls: tongue fasciculations are highly specific for
  motor neuron disease; flag them for CDI review while no G12.- is reported.
* CDI_SPECIFICITY — an unspecified code the seed says to query (data/cdi_specificity.csv).
* CDI_CONFLICTING_DX — two documented conditions excluding each other both ways (v2;
  computed while coding, excludes.py).
The first two are data/cdi_rules.csv.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pytest_icdcheck.reference.codesets import CodeSet, matches, parse_code_sets
from pytest_icdcheck.reference.data import table
from pytest_icdcheck.reference.edits import Edit, alert

_LABELS = {"emg": "EMG", "umn_signs": "UMN signs"}


@dataclass(frozen=True)
class _Rule:
    codes: tuple[str, ...]  # the alert's codes, and what must be reported for it to fire
    unless: tuple[CodeSet, ...]  # no alert while one of these is reported
    findings: tuple[tuple[str, str], ...]  # (finding, value): any one documented fires it


@functools.cache
def _rules() -> dict[str, _Rule]:
    """data/cdi_rules.csv: the seed's CDI alerts as a table."""
    return {
        row["rule"]: _Rule(
            tuple(c for c in row["codes"].split(";") if c),
            parse_code_sets(row["unless_reported"]),
            tuple(
                (name, value)
                for name, _, value in (f.partition("=") for f in row["findings"].split(";"))
            ),
        )
        for row in table("cdi_rules.csv")
    }


def _shown(finding: str, value: str) -> str:
    label = _LABELS.get(finding, finding.replace("_", " "))
    return label if value == "true" else f"{label} {value}"


def _documented(finding: str, value: str, findings: Mapping[str, Any]) -> bool:
    found = findings.get(finding)
    return found is True if value == "true" else found == value


@functools.cache
def _queries() -> dict[str, str]:
    return {row["code"]: row["query"] for row in table("cdi_specificity.csv")}


def cdi_alerts(diagnoses: list[str], findings: Mapping[str, Any]) -> list[Edit]:
    alerts: list[Edit] = []
    mnd = _rules()["CDI_MND_QUERY"]
    signs = [_shown(n, v) for n, v in mnd.findings if _documented(n, v, findings)]
    if (
        all(c in diagnoses for c in mnd.codes)
        and not any(matches(d, mnd.unless) for d in diagnoses)
        and signs
    ):
        alerts.append(
            alert(
                "CDI_MND_QUERY",
                list(mnd.codes),
                f"{', '.join(mnd.codes)} with {', '.join(signs)} and no motor neuron "
                f"disease documented: query the provider whether a definitive diagnosis "
                f"(e.g. ALS, G12.21) is established at this encounter",
            )
        )
    tongue = _rules()["CDI_TONGUE_FASCICULATIONS"]
    if any(_documented(n, v, findings) for n, v in tongue.findings) and not any(
        matches(d, tongue.unless) for d in diagnoses
    ):
        alerts.append(
            alert(
                "CDI_TONGUE_FASCICULATIONS",
                list(tongue.codes),
                "tongue fasciculations are documented and are highly specific for motor neuron "
                "disease: flag the record for CDI review",
            )
        )
    for code in dict.fromkeys(diagnoses):
        if code in _queries():
            alerts.append(
                alert(
                    "CDI_SPECIFICITY",
                    [code],
                    f"{code} is unspecified: {_queries()[code]}",
                )
            )
    return alerts
