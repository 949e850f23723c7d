"""Property: for any schema-valid encounter the reference engine returns a schema-valid result.

Encounters are drawn from the schema's enums and realistic code pools (the R25, G12, E05,
T44, movement-disorder and CPT codes the contract is about), mixed with arbitrary strings
where the schema allows any string, so the engine also meets codes and terms it has never
heard of. A date in a supported fiscal year must give a result whose edits and CDI alerts
use only the contract's rule names; a date outside them may only raise EngineInputError.
Deterministic (derandomized) and bounded, so CI sees the same examples on every run.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pytest_icdcheck.casefile import schema
from pytest_icdcheck.errors import EngineInputError

EDIT_RULES = {
    "INVALID_CODE", "NON_BILLABLE", "DUPLICATE_CODE", "EXCLUDES1", "SYMPTOM_INTEGRAL",
    "ETIOLOGY_SEQUENCING", "NCCI_PTP", "ADDON_WITHOUT_PRIMARY", "UNITS_EXCEEDED",
    "MODIFIER_25_REQUIRED", "MISSED_DEFINITIVE_DX", "UNSUPPORTED_DX", "MISSED_DX",
    "UNRESOLVED_TERM",
}  # fmt: skip
CDI_RULES = {
    "CDI_MND_QUERY", "CDI_TONGUE_FASCICULATIONS", "CDI_SPECIFICITY", "CDI_CONFLICTING_DX",
}  # fmt: skip

DX_POOL = [
    # R25 (headers and leaves), G12 leaves and headers
    "R25", "R25.0", "R25.1", "R25.2", "R25.3", "R25.8", "R25.9",
    "G12", "G12.0", "G12.1", "G12.2", "G12.20", "G12.21", "G12.22", "G12.23", "G12.24",
    "G12.25", "G12.29", "G12.8", "G12.9",
    # causes: thyrotoxicosis, mineral and electrolyte disorders, adverse effect / poisoning
    "E05.00", "E05.01", "E05.10", "E05.90", "E05.91", "E83.42", "E87.6",
    "T44.3X5A", "T44.3X1A", "T44.3X2A", "T43.225A", "T50.905A", "T44.995D",
    # Excludes1 partners and integral-symptom diagnoses
    "G20.A1", "G20.C", "G21.11", "G23.1", "G24.1", "G25.0", "G25.3", "G25.81", "G26",
    "F95.0", "F95.1", "F95.2", "F95.9", "F98.4", "G60.0", "G61.0", "G62.9", "G63", "G64",
    "M54.10", "M54.12", "M54.16",
    # invalid, retired or malformed
    "R25.30", "G12.2X", "Z99.999", "r25.3", "E05",
]  # fmt: skip
TERMS = [
    "amyotrophic lateral sclerosis", "ALS", "motor neuron disease", "muscle twitching",
    "fasciculation", "fasciculations", "benign fasciculation syndrome", "tremor",
    "thyrotoxicosis", "hypomagnesemia", "hypokalemia", "cramp", "spinal muscular atrophy",
    "Parkinson's disease", "tic disorder", "radiculopathy", "polyneuropathy",
]  # fmt: skip
CPT_POOL = [
    "95860", "95861", "95863", "95864", "95865", "95866", "95867", "95868", "95869", "95870",
    "95885", "95886", "95887", "95907", "95908", "95909", "95910", "95911", "95912", "95913",
    "99202", "99203", "99204", "99205", "99211", "99212", "99213", "99214", "99215",
    "64615", "J0585",
]  # fmt: skip
CERTAINTIES = [
    "confirmed", "probable", "suspected", "likely", "questionable", "possible", "rule-out",
    "consistent-with", "compatible-with", "ruled-out",
]  # fmt: skip


@cache
def engine() -> Any:
    """One reference engine for the module (its tables load once)."""
    from pytest_icdcheck.reference import ReferenceEngine

    return ReferenceEngine()


@cache
def fiscal_years() -> tuple[int, ...]:
    return tuple(engine().describe()["fiscal_years"])


def _fy_dates(years: tuple[int, ...]) -> st.SearchStrategy[dt.date]:
    return st.sampled_from(years).flatmap(
        lambda fy: st.dates(dt.date(fy - 1, 10, 1), dt.date(fy, 9, 30))
    )


def _outside_dates(years: tuple[int, ...]) -> st.SearchStrategy[dt.date]:
    first, last = dt.date(min(years) - 1, 10, 1), dt.date(max(years), 9, 30)
    return st.one_of(
        st.dates(dt.date(1990, 1, 1), first - dt.timedelta(days=1)),
        st.dates(last + dt.timedelta(days=1), dt.date(2099, 12, 31)),
    )


# The pools three times out of four: arbitrary strings mostly meet INVALID_CODE.
dx_codes = st.one_of(*[st.sampled_from(DX_POOL)] * 3, st.text(min_size=1, max_size=16))
cpt_codes = st.one_of(*[st.sampled_from(CPT_POOL)] * 3, st.from_regex(r"\A[0-9A-Z]{5}\Z"))
modifiers = st.one_of(st.sampled_from(["25", "59", "26", "TC", "LT", "RT"]),
                      st.from_regex(r"\A[0-9A-Z]{2}\Z"))  # fmt: skip


def _optional(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional=fields)


condition = st.fixed_dictionaries(
    {"term": st.one_of(*[st.sampled_from(TERMS)] * 3, st.text(min_size=1, max_size=40))},
    optional={
        "code": dx_codes,
        "certainty": st.sampled_from(CERTAINTIES),
        "due_to": dx_codes,
    },
)
findings = _optional(
    emg=st.sampled_from(["normal", "denervation", "not-performed"]),
    ncs=st.sampled_from(["normal", "abnormal", "not-performed"]),
    umn_signs=st.booleans(),
    progressive_weakness=st.booleans(),
    atrophy=st.booleans(),
    tongue_fasciculations=st.booleans(),
)
procedure = st.one_of(
    st.fixed_dictionaries(
        {
            "type": st.just("office-visit"),
            "patient_status": st.sampled_from(["new", "established"]),
            "mdm": st.sampled_from(["straightforward", "low", "moderate", "high"]),
        },
        optional={"separately_identifiable": st.booleans()},
    ),
    st.fixed_dictionaries(
        {
            "type": st.just("needle-emg"),
            "extremities": st.integers(1, 4),
            "muscles_per_extremity": st.integers(1, 12),
        }
    ),
    st.fixed_dictionaries(
        {
            "type": st.just("needle-emg-non-extremity"),
            "region": st.sampled_from(["cranial", "thoracic-paraspinal", "other-axial"]),
        },
        optional={"bilateral": st.booleans()},
    ),
    st.fixed_dictionaries({"type": st.just("nerve-conduction"), "studies": st.integers(1, 20)}),
)
documentation = _optional(
    conditions=st.lists(condition, max_size=5),
    findings=findings,
    procedures=st.lists(procedure, max_size=4),
)
service = st.fixed_dictionaries(
    {"code": cpt_codes},
    optional={"modifiers": st.lists(modifiers, max_size=3), "units": st.integers(1, 8)},
)
claim = _optional(diagnoses=st.lists(dx_codes, max_size=6), services=st.lists(service, max_size=5))
patient = st.fixed_dictionaries(
    {"age": st.integers(0, 124), "sex": st.sampled_from(["F", "M"])},
    optional={
        "dual": st.sampled_from(["none", "partial", "full"]),
        "institutional": st.booleans(),
    },
)


@st.composite
def encounters(draw: st.DrawFn, dates: st.SearchStrategy[dt.date]) -> dict[str, Any]:
    encounter: dict[str, Any] = {
        "setting": draw(st.sampled_from(["outpatient", "inpatient"])),
        "date_of_service": draw(dates).isoformat(),
        "patient": draw(patient),
    }
    mode = draw(st.sampled_from(["coding", "editing", "audit"]))
    if mode != "editing":
        encounter["documentation"] = draw(documentation)
    if mode != "coding":
        encounter["claim"] = draw(claim)
    if draw(st.booleans()):
        encounter["discharge_status"] = draw(st.integers(1, 99))
    problems = schema.encounter_problems(encounter)
    assert problems == [], f"the strategy drew an invalid encounter: {problems}"
    return encounter


PROPERTY = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.fixture(scope="module", autouse=True)
def _close_engine() -> Any:
    yield
    if engine.cache_info().currsize:
        engine().close()
        engine.cache_clear()


@PROPERTY
@given(data=st.data())
def test_valid_encounter_gives_a_valid_result(data: st.DataObject) -> None:
    encounter = data.draw(encounters(_fy_dates(fiscal_years())), label="encounter")
    result = engine().run(encounter)
    assert schema.result_problems(result) == []
    assert {e["rule"] for e in result["edits"]} <= EDIT_RULES
    assert {c["rule"] for c in result["cdi"]} <= CDI_RULES
    if encounter["setting"] == "inpatient":
        assert result["services"] == []
    else:
        assert result["drg"] is None


@settings(PROPERTY, max_examples=40)
@given(data=st.data())
def test_date_outside_the_fiscal_years_is_only_an_input_error(data: st.DataObject) -> None:
    encounter = data.draw(encounters(_outside_dates(fiscal_years())), label="encounter")
    with pytest.raises(EngineInputError, match=r"date_of_service .* FY\d{4}"):
        engine().run(encounter)
