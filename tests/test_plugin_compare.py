"""Expected vs result (CONTRACT §4) and the failure a coder reads, in real pytest sessions.

The toy engine echoes the claim's diagnoses and services; `RESULT` (set per test) supplies
the engine's edits, CDI alerts, HCC and DRG.
"""

from __future__ import annotations

from typing import Any

import pytest
from plugin_helpers import TOY, write_cases, write_engine

HCC = {
    "model": "V28",
    "payment_year": 2026,
    "segment": "CNA",
    "categories": ["190", "48"],
    "coefficient_sum": 1.5,
}
DRG = {"code": "057", "mdc": "01", "version": "43.0"}


def run_case(
    pytester: pytest.Pytester,
    case: str,
    engine_result: dict[str, Any] | None = None,
    *args: str,
) -> pytest.RunResult:
    """Run one case (`id: c`, title `the case`) against the toy engine."""
    write_engine(pytester, f"RESULT = {engine_result or {}!r}\n")
    write_cases(
        pytester,
        "cmp.icd.yaml",
        "cases:\n  - id: c\n    title: the case\n" + case,
        defaults=True,
    )
    return pytester.runpytest("--icd-engine", TOY, *args)


def assert_reads_like_a_coder(result: pytest.RunResult) -> None:
    """No raw Python structures, exceptions or diff-library output in the report."""
    # (pytest-metadata, installed with pytest-html, prints a dict in the -v header)
    out = "\n".join(line for line in result.outlines if not line.startswith("metadata: "))
    for raw in ("{'", "['", "Traceback", "AssertionError", "CaseMismatch", "deepdiff", "DeepDiff"):
        assert raw not in out, raw


def difference_lines(result: pytest.RunResult) -> list[str]:
    """The indented difference lines of the failure section."""
    lines = result.outlines
    start = next(i for i, line in enumerate(lines) if line.startswith("case c — "))
    out = []
    for line in lines[start + 1 :]:
        if line.startswith("  "):
            out.append(line.strip())
        elif line.startswith("="):
            break
    return out


class TestDiagnoses:
    def test_principal_diagnosis_by_position(self, pytester: pytest.Pytester) -> None:
        result = run_case(
            pytester,
            """\
    encounter: {claim: {diagnoses: [R25.3, E05.00]}}
    expected: {diagnoses: [G12.21, E05.00]}
""",
        )
        result.assert_outcomes(failed=1)
        assert difference_lines(result) == ["diagnoses[0]: expected G12.21, got R25.3"]
        assert_reads_like_a_coder(result)

    def test_same_codes_other_sequence_says_so(self, pytester: pytest.Pytester) -> None:
        result = run_case(
            pytester,
            """\
    encounter: {claim: {diagnoses: [R25.3, G12.21]}}
    expected: {diagnoses: [G12.21, R25.3]}
""",
        )
        result.assert_outcomes(failed=1)
        assert difference_lines(result) == [
            "diagnoses[0]: expected G12.21, got R25.3 (same codes, sequenced R25.3, G12.21)"
        ]

    def test_secondary_diagnoses_are_a_multiset(self, pytester: pytest.Pytester) -> None:
        result = run_case(
            pytester,
            """\
    encounter: {claim: {diagnoses: [G12.21, R25.1, E05.00]}}
    expected: {diagnoses: [G12.21, E05.00, R25.1]}
""",
        )
        result.assert_outcomes(passed=1)

    def test_missing_and_unexpected_secondary_diagnoses(self, pytester: pytest.Pytester) -> None:
        result = run_case(
            pytester,
            """\
    encounter: {claim: {diagnoses: [G12.21, R25.3, R25.3]}}
    expected: {diagnoses: [G12.21, E05.00, R25.3]}
""",
        )
        result.assert_outcomes(failed=1)
        assert difference_lines(result) == [
            "diagnoses: missing E05.00",
            "diagnoses: unexpected R25.3",
        ]

    def test_compare_ordered_checks_every_position(self, pytester: pytest.Pytester) -> None:
        case = """\
    encounter: {claim: {diagnoses: [G12.21, R25.1, E05.00]}}
    expected: {diagnoses: [G12.21, E05.00, R25.1]}
"""
        result = run_case(pytester, case + "    compare: {ordered: true}\n")
        result.assert_outcomes(failed=1)
        assert difference_lines(result) == [
            "diagnoses: sequence expected G12.21, E05.00, R25.1, got G12.21, R25.1, E05.00"
        ]
        result = run_case(pytester, case + "    compare: {ordered: false}\n")
        result.assert_outcomes(passed=1)

    def test_compare_ordered_with_a_different_code(self, pytester: pytest.Pytester) -> None:
        result = run_case(
            pytester,
            """\
    compare: {ordered: true}
    encounter: {claim: {diagnoses: [G12.21, R25.3]}}
    expected: {diagnoses: [G12.21, E05.00, R25.1]}
""",
        )
        assert difference_lines(result) == [
            "diagnoses[1]: expected E05.00, got R25.3",
            "diagnoses[2]: expected R25.1, got nothing",
        ]

    def test_expected_nothing_but_got_codes(self, pytester: pytest.Pytester) -> None:
        result = run_case(
            pytester,
            """\
    encounter: {claim: {diagnoses: [R25.3, R25.1]}}
    expected: {diagnoses: []}
""",
        )
        result.assert_outcomes(failed=1)
        assert difference_lines(result) == [
            "diagnoses[0]: unexpected R25.3",
            "diagnoses: unexpected R25.1",
        ]


class TestServices:
    def test_units_and_modifiers_defaults_and_order_do_not_matter(
        self, pytester: pytest.Pytester
    ) -> None:
        result = run_case(
            pytester,
            """\
    encounter:
      claim:
        diagnoses: [G12.21]
        services:
          - {code: "99215", modifiers: ["59", "25"], units: 1}
          - {code: "95886", units: 3, modifiers: []}
          - {code: "95908"}
    expected:
      services:
        - {code: "95908", units: 1, modifiers: []}
        - {code: "95886", units: 3}
        - {code: "99215", modifiers: ["25", "59"]}
""",
        )
        result.assert_outcomes(passed=1)

    def test_changed_units_modifiers_and_missing_lines(self, pytester: pytest.Pytester) -> None:
        result = run_case(
            pytester,
            """\
    encounter:
      claim:
        diagnoses: [G12.21]
        services: [{code: "99215"}, {code: "95886", units: 3}, {code: "95861"}]
    expected:
      services:
        - {code: "99215", modifiers: ["25"]}
        - {code: "95886", units: 2}
        - {code: "95908"}
        - {code: "95861"}
        - {code: "95861"}
""",
        )
        result.assert_outcomes(failed=1)
        assert difference_lines(result) == [
            "services: 95886: expected 95886 x2, got 95886 x3",
            "services: 99215: expected 99215-25, got 99215",
            "services: missing 95861",
            "services: missing 95908",
        ]


class TestEdits:
    def test_codes_sorted_default_severity_and_message_never_compared(
        self, pytester: pytest.Pytester
    ) -> None:
        engine = {
            "edits": [
                {
                    "rule": "NCCI_PTP",
                    "codes": ["95908", "95861"],
                    "severity": "error",
                    "message": "anything the engine likes to say",
                },
                {
                    "rule": "ETIOLOGY_SEQUENCING",
                    "codes": ["R25.1", "E05.00"],
                    "severity": "warning",
                },
            ]
        }
        result = run_case(
            pytester,
            """\
    encounter: {claim: {diagnoses: [R25.1, E05.00]}}
    expected:
      edits:
        - {rule: ETIOLOGY_SEQUENCING, codes: [E05.00, R25.1]}
        - {rule: NCCI_PTP, codes: ["95861", "95908"]}
""",
            engine,
        )
        result.assert_outcomes(passed=1)

    def test_missing_unexpected_and_severity_changed(self, pytester: pytest.Pytester) -> None:
        engine = {
            "edits": [
                {
                    "rule": "MODIFIER_25_REQUIRED",
                    "codes": ["99215"],
                    "severity": "error",
                    "message": "E/M with EMG needs -25",
                },
                {"rule": "ETIOLOGY_SEQUENCING", "codes": ["R25.1", "E05.00"], "severity": "error"},
            ]
        }
        result = run_case(
            pytester,
            """\
    encounter: {claim: {diagnoses: [R25.1, E05.00]}}
    expected:
      edits:
        - {rule: NCCI_PTP, codes: ["95861", "95908"]}
        - {rule: ETIOLOGY_SEQUENCING, codes: [R25.1, E05.00]}
""",
            engine,
        )
        result.assert_outcomes(failed=1)
        assert difference_lines(result) == [
            "edits: ETIOLOGY_SEQUENCING(E05.00, R25.1): expected severity warning, got error",
            "edits: missing NCCI_PTP(95861, 95908)",
            'edits: unexpected MODIFIER_25_REQUIRED(99215) "E/M with EMG needs -25"',
        ]

    def test_empty_list_means_must_be_empty(self, pytester: pytest.Pytester) -> None:
        engine = {"edits": [{"rule": "DUPLICATE_CODE", "codes": ["R25.3"], "severity": "error"}]}
        result = run_case(
            pytester,
            """\
    encounter: {claim: {diagnoses: [R25.3]}}
    expected: {edits: []}
""",
            engine,
        )
        result.assert_outcomes(failed=1)
        assert difference_lines(result) == ["edits: unexpected DUPLICATE_CODE(R25.3)"]

    def test_only_keys_present_in_expected_are_compared(self, pytester: pytest.Pytester) -> None:
        engine = {
            "edits": [{"rule": "DUPLICATE_CODE", "codes": ["R25.3"], "severity": "error"}],
            "cdi": [{"rule": "CDI_MND_QUERY", "codes": ["R25.3"]}],
            "hcc": HCC,
            "drg": DRG,
        }
        result = run_case(
            pytester,
            """\
    encounter: {claim: {diagnoses: [R25.3], services: [{code: "95861"}]}}
    expected: {diagnoses: [R25.3]}
""",
            engine,
        )
        result.assert_outcomes(passed=1)


class TestCdi:
    def test_cdi_missing_and_unexpected(self, pytester: pytest.Pytester) -> None:
        engine = {
            "cdi": [{"rule": "CDI_MND_QUERY", "codes": ["R25.3"], "message": "query the provider"}]
        }
        result = run_case(
            pytester,
            """\
    encounter: {claim: {diagnoses: [R25.3]}}
    expected:
      cdi: [{rule: CDI_TONGUE_FASCICULATIONS, codes: []}]
""",
            engine,
        )
        result.assert_outcomes(failed=1)
        assert difference_lines(result) == [
            "cdi: missing CDI_TONGUE_FASCICULATIONS()",
            'cdi: unexpected CDI_MND_QUERY(R25.3) "query the provider"',
        ]

    def test_cdi_message_not_compared(self, pytester: pytest.Pytester) -> None:
        engine = {"cdi": [{"rule": "CDI_SPECIFICITY", "codes": ["R25.9"], "message": "x"}]}
        result = run_case(
            pytester,
            """\
    encounter: {claim: {diagnoses: [R25.9]}}
    expected:
      cdi: [{rule: CDI_SPECIFICITY, codes: [R25.9]}]
""",
            engine,
        )
        result.assert_outcomes(passed=1)


class TestHcc:
    @pytest.mark.parametrize(
        ("coefficient_sum", "passes"),
        [(1.5, True), (1.5005, True), (1.4995, True), (1.502, False), (1.498, False)],
    )
    def test_coefficient_sum_within_a_thousandth(
        self, pytester: pytest.Pytester, coefficient_sum: float, passes: bool
    ) -> None:
        result = run_case(
            pytester,
            f"""\
    encounter: {{claim: {{diagnoses: [G12.21]}}}}
    expected:
      hcc: {{categories: ["48", "190"], coefficient_sum: {coefficient_sum}}}
""",
            {"hcc": HCC},
        )
        if passes:
            result.assert_outcomes(passed=1)
        else:
            result.assert_outcomes(failed=1)
            assert difference_lines(result) == [
                f"hcc.coefficient_sum: expected {coefficient_sum}, got 1.5"
            ]

    def test_categories_as_a_set_and_other_keys_exactly(self, pytester: pytest.Pytester) -> None:
        result = run_case(
            pytester,
            """\
    encounter: {claim: {diagnoses: [G12.21]}}
    expected:
      hcc: {model: V28, payment_year: 2027, segment: CND, categories: ["190", "21"]}
""",
            {"hcc": HCC},
        )
        result.assert_outcomes(failed=1)
        assert difference_lines(result) == [
            "hcc.payment_year: expected 2027, got 2026",
            "hcc.segment: expected CND, got CNA",
            "hcc.categories: missing HCC 21",
            "hcc.categories: unexpected HCC 48",
        ]

    def test_hcc_expected_but_engine_returned_none(self, pytester: pytest.Pytester) -> None:
        result = run_case(
            pytester,
            """\
    encounter: {claim: {diagnoses: [G12.21]}}
    expected:
      hcc: {categories: ["190"], coefficient_sum: 1.175}
""",
        )
        result.assert_outcomes(failed=1)
        assert difference_lines(result) == [
            "hcc: expected {categories: [190], coefficient_sum: 1.175}, got none"
        ]
        assert_reads_like_a_coder(result)


class TestDrg:
    def test_drg_null_expected_but_object_returned(self, pytester: pytest.Pytester) -> None:
        result = run_case(
            pytester,
            """\
    encounter: {claim: {diagnoses: [G12.21]}}
    expected: {drg: null}
""",
            {"drg": DRG},
        )
        result.assert_outcomes(failed=1)
        assert difference_lines(result) == [
            "drg: expected none, got {code: 057, mdc: 01, version: 43.0}"
        ]

    def test_drg_object_expected_but_null_returned(self, pytester: pytest.Pytester) -> None:
        result = run_case(
            pytester,
            """\
    encounter: {claim: {diagnoses: [G12.21]}}
    expected: {drg: {code: "057", mdc: "01"}}
""",
        )
        result.assert_outcomes(failed=1)
        assert difference_lines(result) == ["drg: expected {code: 057, mdc: 01}, got none"]

    def test_drg_only_the_keys_given(self, pytester: pytest.Pytester) -> None:
        case = """\
    encounter: {claim: {diagnoses: [G12.21]}}
    expected: {drg: {code: "%s"}}
"""
        result = run_case(pytester, case % "057", {"drg": DRG})
        result.assert_outcomes(passed=1)
        result = run_case(pytester, case % "056", {"drg": DRG})
        assert difference_lines(result) == ["drg.code: expected 056, got 057"]

    def test_drg_null_matches_null(self, pytester: pytest.Pytester) -> None:
        result = run_case(
            pytester,
            """\
    encounter: {claim: {diagnoses: [G12.21]}}
    expected: {drg: null}
""",
        )
        result.assert_outcomes(passed=1)


class TestFailureReport:
    def test_header_names_case_title_source_fiscal_year_and_engine(
        self, pytester: pytest.Pytester
    ) -> None:
        write_engine(pytester)
        write_cases(
            pytester,
            "h.icd.yaml",
            """\
            cases:
              - id: als-not-r25
                title: ALS with fasciculations -> G12.21 only
                source: OCG I.B.5; seed scenario 2
                encounter: {claim: {diagnoses: [R25.3, E05.00]}}
                expected: {diagnoses: [G12.21, E05.00]}
            """,
            defaults=True,
        )
        result = pytester.runpytest("--icd-engine", TOY)
        result.stdout.fnmatch_lines(
            [
                "*_ case als-not-r25 _*",
                "case als-not-r25 — ALS with fasciculations -> G12.21 only (1 difference)",
                "source: OCG I.B.5; seed scenario 2 · FY2026 · engine: toy 1.2",
                "  diagnoses[0]: expected G12.21, got R25.3",
            ]
        )
        result.stdout.fnmatch_lines(
            ["FAILED h.icd.yaml::als-not-r25 - case als-not-r25 — ALS with fasciculations*"]
        )
        assert result.ret == pytest.ExitCode.TESTS_FAILED
        assert_reads_like_a_coder(result)

    def test_long_differences_are_cut_with_a_count_and_vv_shows_all(
        self, pytester: pytest.Pytester
    ) -> None:
        codes = [f"S{n:02d}.0" for n in range(25)]  # 25 expected, engine returns 1 other
        case = f"""\
    encounter: {{claim: {{diagnoses: [R25.3]}}}}
    expected: {{diagnoses: [{", ".join(codes)}]}}
"""
        result = run_case(pytester, case)
        result.assert_outcomes(failed=1)
        lines = difference_lines(result)
        assert len(lines) == 21
        assert lines[0] == "diagnoses[0]: expected S00.0, got R25.3"
        assert lines[-1] == "... and 5 more difference(s) (-vv shows all)"
        result.stdout.fnmatch_lines(["case c — the case (25 differences)"])

        result = run_case(pytester, case, None, "-vv")
        lines = difference_lines(result)
        assert len(lines) == 25
        assert lines[-1] == "diagnoses: missing S24.0"
        assert not any("more difference" in line for line in lines)
        assert_reads_like_a_coder(result)
