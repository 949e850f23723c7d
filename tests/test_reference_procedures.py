"""Documented procedures → CPT (CONTRACT §2 table) and the EMG/NCS claim edits (§3)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pytest

from pytest_icdcheck.reference.ncci import service_edits
from pytest_icdcheck.reference.procedures import code_procedures

VISIT = {"type": "office-visit", "patient_status": "established", "mdm": "high"}


def lines(services: list[dict[str, Any]]) -> list[tuple[str, int, tuple[str, ...]]]:
    return [(s["code"], s["units"], tuple(s["modifiers"])) for s in services]


@pytest.mark.parametrize(
    ("extremities", "cpt"), [(1, "95860"), (2, "95861"), (3, "95863"), (4, "95864")]
)
def test_emg_without_ncs_by_extremities(extremities: int, cpt: str) -> None:
    emg = {"type": "needle-emg", "extremities": extremities, "muscles_per_extremity": 6}
    assert lines(code_procedures([emg])) == [(cpt, 1, ())]


@pytest.mark.parametrize(("muscles", "cpt"), [(4, "95885"), (5, "95886")])
def test_emg_with_ncs_is_the_add_on_per_extremity(muscles: int, cpt: str) -> None:
    emg = {"type": "needle-emg", "extremities": 3, "muscles_per_extremity": muscles}
    ncs = {"type": "nerve-conduction", "studies": 4}
    assert lines(code_procedures([emg, ncs])) == [("95908", 1, ()), (cpt, 3, ())]


@pytest.mark.parametrize(
    ("studies", "cpt"),
    [
        (1, "95907"),
        (2, "95907"),
        (3, "95908"),
        (6, "95909"),
        (8, "95910"),
        (10, "95911"),
        (12, "95912"),
        (13, "95913"),
        (40, "95913"),
    ],
)
def test_ncs_by_studies(studies: int, cpt: str) -> None:
    assert lines(code_procedures([{"type": "nerve-conduction", "studies": studies}])) == [
        (cpt, 1, ())
    ]


@pytest.mark.parametrize(
    ("region", "bilateral", "cpt"),
    [
        ("cranial", False, "95867"),
        ("cranial", True, "95868"),
        ("thoracic-paraspinal", False, "95869"),
        ("other-axial", True, "95870"),
    ],
)
def test_non_extremity_emg_without_ncs(region: str, bilateral: bool, cpt: str) -> None:
    emg = {"type": "needle-emg-non-extremity", "region": region, "bilateral": bilateral}
    assert lines(code_procedures([emg])) == [(cpt, 1, ())]


def test_non_extremity_emg_with_ncs_is_95887() -> None:
    emg = {"type": "needle-emg-non-extremity", "region": "cranial"}
    ncs = {"type": "nerve-conduction", "studies": 2}
    assert lines(code_procedures([emg, ncs])) == [("95907", 1, ()), ("95887", 1, ())]


def test_seed_scenario_1_with_same_day_ncs() -> None:
    emg = {"type": "needle-emg", "extremities": 2, "muscles_per_extremity": 6}
    ncs = {"type": "nerve-conduction", "studies": 4}
    assert lines(code_procedures([VISIT, emg, ncs])) == [
        ("99215", 1, ("25",)),
        ("95908", 1, ()),
        ("95886", 2, ()),
    ]


def test_visit_alone_has_no_modifier() -> None:
    assert lines(code_procedures([VISIT])) == [("99215", 1, ())]


def test_visit_not_separately_identifiable_is_not_reported() -> None:
    emg = {"type": "needle-emg", "extremities": 2, "muscles_per_extremity": 6}
    visit = {**VISIT, "separately_identifiable": False}
    assert lines(code_procedures([visit, emg])) == [("95861", 1, ())]


@pytest.mark.parametrize(
    ("status", "mdm", "cpt"),
    [
        ("new", "straightforward", "99202"),
        ("new", "high", "99205"),
        ("established", "low", "99213"),
        ("established", "moderate", "99214"),
    ],
)
def test_office_visits(status: str, mdm: str, cpt: str) -> None:
    visit = {"type": "office-visit", "patient_status": status, "mdm": mdm}
    assert lines(code_procedures([visit])) == [(cpt, 1, ())]


def rules(services: Sequence[Mapping[str, Any]]) -> list[tuple[str, list[str]]]:
    return [(e["rule"], sorted(e["codes"])) for e in service_edits(services)]


def test_seed_scenario_2_claim_as_printed() -> None:
    # 99215 + 95864 + 95887 and no nerve conduction study (CONTRACT §6.4)
    claim = [{"code": "99215"}, {"code": "95864"}, {"code": "95887"}]
    assert rules(claim) == [
        ("ADDON_WITHOUT_PRIMARY", ["95887"]),
        ("MODIFIER_25_REQUIRED", ["99215"]),
    ]


def test_standalone_emg_with_ncs_is_a_ptp_pair() -> None:
    claim: list[dict[str, Any]] = [
        {"code": "99215", "modifiers": ["25"]},
        {"code": "95861"},
        {"code": "95908"},
    ]
    assert rules(claim) == [("NCCI_PTP", ["95861", "95908"])]


def test_add_on_units_over_four_extremities() -> None:
    claim: list[dict[str, Any]] = [
        {"code": "95908"},
        {"code": "95885", "units": 2},
        {"code": "95886", "units": 3},
    ]
    assert rules(claim) == [("UNITS_EXCEEDED", ["95885", "95886"])]


def test_a_correct_claim_has_no_edits() -> None:
    claim: list[dict[str, Any]] = [
        {"code": "99215", "modifiers": ["25"]},
        {"code": "95908"},
        {"code": "95886", "units": 4},
        {"code": "95887"},
    ]
    assert rules(claim) == []
