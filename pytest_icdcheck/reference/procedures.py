"""Documented procedures → CPT lines (CONTRACT §2 table; data/procedure_cpt.csv).

* Needle EMG of the extremities is 95860-95864 by number of extremities when no nerve
  conduction study is done the same day, and the add-ons 95885 (<5 muscles) / 95886 (5+
  muscles), one unit per extremity, when one is (CPT; NCCI; seed "NCCI Bundling").
* Non-extremity EMG is the add-on 95887 with a same-day NCS, else 95867/95868 (cranial,
  unilateral/bilateral), 95869 (thoracic paraspinal) or 95870 (other axial).
* Nerve conduction studies 95907-95913 by number of studies.
* An office E/M on the same date as any EMG/NCS code carries modifier 25 when it is
  separately identifiable (the default) and is not reported when it is not (NCCI Policy
  Manual ch. I; seed NCCI Bundling Considerations).
* v2: the entries of one procedure type are one session (2 + 1 extremities → 95863; 1 + 2
  studies → 95908); non-extremity EMG entries are coded each on its own.
Lines come out E/M first, then the primary procedures, then the add-ons.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence
from typing import Any

from pytest_icdcheck.reference.data import table
from pytest_icdcheck.reference.ncci import ADDONS, EM_CODES, EMG_NCS_CODES, max_extremities

Service = dict[str, Any]
_DEFAULTS: dict[str, Any] = {"bilateral": False, "separately_identifiable": True}


@functools.cache
def _clause(clause: str) -> tuple[str, str, str]:
    m = re.fullmatch(r"(\w+)(>=|<|=)(.+)", clause)
    if m is None:
        raise ValueError(f"procedure_cpt.csv: cannot read condition {clause!r}")
    name, op, wanted = m.groups()
    return name, op, wanted


def _holds(clause: str, procedure: Mapping[str, Any]) -> bool:
    """One clause of a ``when`` cell: field=value, field=a-b, field>=n, field<n."""
    name, op, wanted = _clause(clause)
    value = procedure.get(name, _DEFAULTS.get(name))
    if isinstance(value, bool) or not isinstance(value, int):
        return str(value).lower() == wanted if op == "=" else False
    if op == ">=":
        return value >= int(wanted)
    if op == "<":
        return value < int(wanted)
    low, _, high = wanted.partition("-")
    return int(low) <= value <= int(high or low)


@functools.cache
def _rows() -> tuple[dict[str, str], ...]:
    return table("procedure_cpt.csv")


def _line(procedure: Mapping[str, Any], with_ncs: bool) -> Service | None:
    key = (tuple(sorted(procedure.items())), with_ncs)
    found = _line_of(key)
    return None if found is None else {**found, "modifiers": []}


@functools.cache  # the same documented procedures come back case after case
def _line_of(key: tuple[tuple[tuple[str, Any], ...], bool]) -> Service | None:
    procedure, with_ncs = dict(key[0]), key[1]
    for row in _rows():
        if row["type"] != procedure["type"]:
            continue
        if row["with_ncs"] != "any" and (row["with_ncs"] == "yes") != with_ncs:
            continue
        if all(_holds(c, procedure) for c in row["when"].split(";") if c):
            units = row["units"]
            count = int(procedure[units]) if units.isalpha() else int(units)
            return {"code": row["cpt"], "modifiers": [], "units": count}
    return None


def _one_session(
    procedures: Sequence[Mapping[str, Any]], with_ncs: bool
) -> list[Mapping[str, Any]]:
    """v2 (CONTRACT §2): the entries of one procedure type in one encounter are one
    session, as CPT counts them. Without nerve conduction the extremities of every
    ``needle-emg`` entry add up (at most 4) to one standalone code; with it each entry keeps
    its add-on (95885/95886 by its muscles), the units capped at 4 together in documented
    order. The studies of every ``nerve-conduction`` entry add up to one code."""
    merged: list[Mapping[str, Any]] = []
    emg: dict[str, Any] | None = None
    ncs: dict[str, Any] | None = None
    most = max_extremities()
    left = most
    for procedure in procedures:
        kind = procedure.get("type")
        if kind == "needle-emg" and not with_ncs:
            extremities = int(procedure.get("extremities", 1))
            if emg is None:
                emg = {"type": kind, "extremities": extremities}
                merged.append(emg)
            else:
                emg["extremities"] += extremities
            emg["extremities"] = min(emg["extremities"], most)
        elif kind == "needle-emg":
            take = min(int(procedure.get("extremities", 1)), left)
            left -= take
            if take:
                merged.append({**procedure, "extremities": take})
        elif kind == "nerve-conduction":
            if ncs is None:
                ncs = {"type": kind, "studies": int(procedure.get("studies", 1))}
                merged.append(ncs)
            else:
                ncs["studies"] += int(procedure.get("studies", 1))
        else:
            merged.append(procedure)
    return merged


def code_procedures(procedures: Sequence[Mapping[str, Any]]) -> list[Service]:
    with_ncs = any(p["type"] == "nerve-conduction" for p in procedures)
    lines: list[Service] = []
    for procedure in _one_session(procedures, with_ncs):
        line = _line(procedure, with_ncs)
        if line is None:
            continue
        same = next((s for s in lines if s["code"] == line["code"]), None)
        if same is not None:
            same["units"] += line["units"]
        else:
            line["separately_identifiable"] = procedure.get("separately_identifiable", True)
            lines.append(line)
    emg_ncs_today = any(s["code"] in EMG_NCS_CODES for s in lines)
    services: list[Service] = []
    for line in lines:
        separate = line.pop("separately_identifiable")
        if line["code"] in EM_CODES and emg_ncs_today:
            if not separate:
                continue
            line["modifiers"] = ["25"]
        services.append(line)
    rank = {True: 0}
    return sorted(
        services,
        key=lambda s: rank.get(s["code"] in EM_CODES, 2 if s["code"] in ADDONS else 1),
    )
