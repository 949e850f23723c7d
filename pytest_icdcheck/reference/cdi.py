"""Clinical documentation integrity alerts (CONTRACT §3 CDI table; seed "CDI Alert").

* CDI_MND_QUERY — seed "CDI Alert — ALS/Motor Neuron Disease Workup": R25.3 with EMG
  denervation, upper motor neuron signs, progressive weakness or atrophy, and no motor
  neuron disease (G12.-) reported: query the provider about a definitive diagnosis.
  (Benign fasciculation syndrome with a normal workup is no query: seed Scenario 1.)
* CDI_TONGUE_FASCICULATIONS — seed Pitfalls: tongue fasciculations are highly specific for
  motor neuron disease; flag them for CDI review while no G12.- is reported.
* CDI_SPECIFICITY — an unspecified code the seed says to query (data/cdi_specificity.csv).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from pytest_icdcheck.reference.codesets import parse_code_sets
from pytest_icdcheck.reference.data import table
from pytest_icdcheck.reference.edits import Edit, alert

_MND = parse_code_sets("G12.-")
_MND_SIGNS = ("umn_signs", "progressive_weakness", "atrophy")


@functools.cache
def _queries() -> dict[str, str]:
    return {row["code"]: row["query"] for row in table("cdi_specificity.csv")}


def cdi_alerts(diagnoses: list[str], findings: Mapping[str, Any]) -> list[Edit]:
    alerts: list[Edit] = []
    mnd_reported = any(d in s for d in diagnoses for s in _MND)
    signs = [f for f in _MND_SIGNS if findings.get(f) is True]
    if findings.get("emg") == "denervation":
        signs.insert(0, "EMG denervation")
    if "R25.3" in diagnoses and not mnd_reported and signs:
        alerts.append(
            alert(
                "CDI_MND_QUERY",
                ["R25.3"],
                f"R25.3 with {', '.join(s.replace('_', ' ') for s in signs)} and no motor neuron "
                f"disease documented: query the provider whether a definitive diagnosis "
                f"(e.g. ALS, G12.21) is established at this encounter",
            )
        )
    if findings.get("tongue_fasciculations") is True and not mnd_reported:
        alerts.append(
            alert(
                "CDI_TONGUE_FASCICULATIONS",
                [],
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
