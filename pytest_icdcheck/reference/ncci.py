"""Service edits for EMG / nerve conduction claims (data/ncci_emg_ncs.csv).

* NCCI_PTP — CMS NCCI procedure-to-procedure edits: needle EMG "without nerve conduction
  studies" (95860-95864, v2 also the non-extremity 95867-95870) is not reported with an
  NCS (95907-95913) on the same date; the add-ons 95885-95887 are (seed "NCCI Bundling
  Considerations"). CPT defines the pair, so no modifier (59, XE, XP, XS, XU) bypasses it.
* ADDON_WITHOUT_PRIMARY — CPT: 95885, 95886, 95887 are add-on codes reported only with
  95907-95913.
* UNITS_EXCEEDED — 95885 and 95886 are per extremity: four units together at most.
* MODIFIER_25_REQUIRED — an office E/M with EMG/NCS on the same date needs modifier 25
  (NCCI Policy Manual ch. I, E/M with a procedure; seed).
One claim is one date of service, so "the same date" is "on the claim".
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pytest_icdcheck.reference.codesets import CodeSet, matches, parse_code_sets
from pytest_icdcheck.reference.data import table
from pytest_icdcheck.reference.edits import Edit, edit


@dataclass(frozen=True)
class Rule:
    codes: tuple[CodeSet, ...]
    with_codes: tuple[CodeSet, ...]
    max_units: int | None


@functools.cache
def _rule(name: str) -> Rule:
    for row in table("ncci_emg_ncs.csv"):
        if row["rule"] == name:
            return Rule(
                parse_code_sets(row["codes"]),
                parse_code_sets(row["with_codes"]) if row["with_codes"] else (),
                int(row["max_units"]) if row["max_units"] else None,
            )
    raise KeyError(name)


def max_extremities() -> int:
    """One 95885/95886 unit per extremity: at most this many (data/ncci_emg_ncs.csv)."""
    limit = _rule("UNITS_EXCEEDED").max_units
    if limit is None:
        raise ValueError("ncci_emg_ncs.csv: UNITS_EXCEEDED has no max_units")
    return limit


class _CodesOf:
    """``code in EM_CODES`` etc., read from the table on first use."""

    def __init__(self, rule: str, with_codes: bool = False) -> None:
        self.rule, self.with_codes = rule, with_codes

    def __contains__(self, code: object) -> bool:
        rule = _rule(self.rule)
        sets = rule.with_codes if self.with_codes else rule.codes
        return isinstance(code, str) and matches(code, sets)


EM_CODES = _CodesOf("MODIFIER_25_REQUIRED")
EMG_NCS_CODES = _CodesOf("MODIFIER_25_REQUIRED", with_codes=True)
ADDONS = _CodesOf("ADDON_WITHOUT_PRIMARY")


def _codes(services: Sequence[Mapping[str, Any]], sets: tuple[CodeSet, ...]) -> list[str]:
    return list(dict.fromkeys(str(s["code"]) for s in services if matches(str(s["code"]), sets)))


def _addon_for(emg: str) -> str:
    """What CPT reports instead of a standalone EMG code done with nerve conduction."""
    return "95887" if emg >= "95867" else "95885/95886 per extremity"


def ptp_edits(services: Sequence[Mapping[str, Any]]) -> list[Edit]:
    rule = _rule("NCCI_PTP")
    return [
        edit(
            "NCCI_PTP",
            [emg, ncs],
            f"{emg} (needle EMG without nerve conduction) is not reported with {ncs} on the "
            f"same date (NCCI), and modifiers 59/XE/XP/XS/XU do not bypass the pair; with "
            f"{ncs} report the add-on {_addon_for(emg)}",
        )
        for emg in _codes(services, rule.codes)
        for ncs in _codes(services, rule.with_codes)
    ]


def addon_edits(services: Sequence[Mapping[str, Any]]) -> list[Edit]:
    rule = _rule("ADDON_WITHOUT_PRIMARY")
    if _codes(services, rule.with_codes):
        return []
    return [
        edit(
            "ADDON_WITHOUT_PRIMARY",
            [code],
            f"{code} is an add-on code reported only with a same-day nerve conduction study "
            f"(95907-95913); without one, report the stand-alone EMG code",
        )
        for code in _codes(services, rule.codes)
    ]


def units_edits(services: Sequence[Mapping[str, Any]]) -> list[Edit]:
    codes, limit = _rule("UNITS_EXCEEDED").codes, _rule("UNITS_EXCEEDED").max_units
    reported = [s for s in services if matches(str(s["code"]), codes)]
    total = sum(int(s.get("units", 1)) for s in reported)
    if limit is None or total <= limit:
        return []
    named = _codes(reported, codes)
    return [
        edit(
            "UNITS_EXCEEDED",
            named,
            f"{' + '.join(named)} report {total} extremities; there are at most {limit}, one unit "
            f"per extremity",
        )
    ]


def modifier25_edits(services: Sequence[Mapping[str, Any]]) -> list[Edit]:
    rule = _rule("MODIFIER_25_REQUIRED")
    if not _codes(services, rule.with_codes):
        return []
    missing = [s for s in services if "25" not in s.get("modifiers", [])]
    return [
        edit(
            "MODIFIER_25_REQUIRED",
            [code],
            f"{code} is billed with EMG/NCS on the same date: append modifier 25 if the "
            f"visit is significant and separately identifiable, otherwise do not report it",
        )
        for code in _codes(missing, rule.codes)
    ]


def service_edits(services: Sequence[Mapping[str, Any]]) -> list[Edit]:
    return [
        *ptp_edits(services),
        *addon_edits(services),
        *units_edits(services),
        *modifier25_edits(services),
    ]
