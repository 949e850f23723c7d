"""Collection of `*.icd.yaml` case files, as a user sees it in a real pytest session."""

from __future__ import annotations

import pytest
from plugin_helpers import DEFAULTS, TOY, seen, write_cases, write_engine

ONE_CASE = (
    DEFAULTS
    + """\
cases:
  - id: only
    title: one case
    encounter: {claim: {diagnoses: [R25.3]}}
    expected: {diagnoses: [R25.3]}
"""
)


def assert_no_traceback(result: pytest.RunResult) -> None:
    out = result.stdout.str() + result.stderr.str()
    assert "Traceback" not in out
    assert "pytest_icdcheck/" not in out
    assert "pytest_icdcheck\\" not in out


@pytest.fixture
def engine(pytester: pytest.Pytester) -> None:
    write_engine(pytester)


@pytest.mark.usefixtures("engine")
class TestWhatIsCollected:
    def test_only_icd_yaml_files_are_claimed(self, pytester: pytest.Pytester) -> None:
        write_cases(pytester, "real.icd.yaml", ONE_CASE)
        write_cases(pytester, "foo.yaml", ONE_CASE)
        write_cases(pytester, "x.icd.yml", ONE_CASE)
        write_cases(pytester, "icd.yaml", ONE_CASE)
        result = pytester.runpytest("--icd-engine", TOY, "--collect-only", "-q")
        result.stdout.fnmatch_lines(
            [
                "real.icd.yaml::only",
                # not collected, but not silently: a near miss is named with the fix
                "*PytestCollectionWarning: x.icd.yml is not a case file and is not run: "
                "case files end in .icd.yaml (exactly); rename it to x.icd.yaml",
                "*1 test collected*",
            ]
        )
        assert "foo.yaml" not in result.stdout.str()
        assert "x.icd.yml::" not in result.stdout.str()
        assert result.ret == 0

    def test_one_item_per_case_with_node_id_file_and_case_id(
        self, pytester: pytest.Pytester
    ) -> None:
        write_cases(
            pytester,
            "sub/dir/two.icd.yaml",
            """\
            cases:
              - id: first-case
                title: a
                encounter: {claim: {diagnoses: [R25.3]}}
              - id: second.case_2
                title: b
                encounter: {claim: {diagnoses: [G12.21]}}
            """,
            defaults=True,
        )
        result = pytester.runpytest("--icd-engine", TOY, "-rA")
        result.assert_outcomes(passed=2)
        result.stdout.fnmatch_lines(
            [
                "PASSED sub/dir/two.icd.yaml::first-case",
                "PASSED sub/dir/two.icd.yaml::second.case_2",
            ]
        )

    def test_tags_select_cases_with_k(self, pytester: pytest.Pytester) -> None:
        write_cases(
            pytester,
            "tagged.icd.yaml",
            """\
            cases:
              - id: alpha
                title: a
                tags: [als, emg]
                encounter: {claim: {diagnoses: [G12.21]}}
              - id: beta
                title: b
                tags: [bfs]
                encounter: {claim: {diagnoses: [R25.3]}}
              - id: gamma
                title: c
                tags: [emg]
                encounter: {claim: {diagnoses: [R25.3]}}
            """,
            defaults=True,
        )
        result = pytester.runpytest("--icd-engine", TOY, "-k", "emg", "-rA")
        result.assert_outcomes(passed=2, deselected=1)
        result.stdout.fnmatch_lines(
            ["PASSED tagged.icd.yaml::alpha", "PASSED tagged.icd.yaml::gamma"]
        )
        result = pytester.runpytest("--icd-engine", TOY, "-k", "bfs and not emg", "-rA")
        result.assert_outcomes(passed=1, deselected=2)
        result.stdout.fnmatch_lines(["PASSED tagged.icd.yaml::beta"])

    def test_registered_tags_are_markers_for_m(self, pytester: pytest.Pytester) -> None:
        pytester.makeini("[pytest]\nmarkers =\n    emg: cases with an EMG\n")
        write_cases(
            pytester,
            "m.icd.yaml",
            """\
            cases:
              - id: with-emg
                title: a
                tags: [emg, unregistered]
                encounter: {claim: {diagnoses: [G12.21]}}
              - id: without
                title: b
                tags: [unregistered]
                encounter: {claim: {diagnoses: [R25.3]}}
            """,
            defaults=True,
        )
        result = pytester.runpytest("--icd-engine", TOY, "-m", "emg", "--strict-markers", "-rA")
        result.assert_outcomes(passed=1, deselected=1)
        result.stdout.fnmatch_lines(["PASSED m.icd.yaml::with-emg"])

    def test_one_case_runs_by_its_node_id(self, pytester: pytest.Pytester) -> None:
        write_cases(
            pytester,
            "n.icd.yaml",
            """\
            cases:
              - id: first
                title: a
                encounter: {claim: {diagnoses: [G12.21]}}
              - id: second
                title: b
                encounter: {claim: {diagnoses: [R25.3]}}
            """,
            defaults=True,
        )
        result = pytester.runpytest("--icd-engine", TOY, "n.icd.yaml::second", "-rA")
        result.assert_outcomes(passed=1)
        result.stdout.fnmatch_lines(["PASSED n.icd.yaml::second"])
        assert [e["claim"]["diagnoses"] for e in seen(pytester)] == [["R25.3"]]

    def test_collection_order_is_deterministic_and_follows_the_file(
        self, pytester: pytest.Pytester
    ) -> None:
        names = ["zulu", "alpha", "mike", "bravo", "yankee", "charlie"]
        body = "".join(
            f"  - id: {n}\n    title: {n}\n    encounter: {{claim: {{diagnoses: [R25.3]}}}}\n"
            for n in names
        )
        write_cases(pytester, "b.icd.yaml", DEFAULTS + "cases:\n" + body)
        write_cases(
            pytester,
            "a.icd.yaml",
            DEFAULTS
            + "cases:\n  - id: first\n    title: t\n"
            + "    encounter: {claim: {diagnoses: [R25.3]}}\n",
        )
        runs = [
            pytester.runpytest("--icd-engine", TOY, "--collect-only", "-q").outlines
            for _ in range(2)
        ]
        listed = [line for line in runs[0] if "::" in line]
        assert listed == ["a.icd.yaml::first", *(f"b.icd.yaml::{n}" for n in names)]
        assert [line for line in runs[1] if "::" in line] == listed


@pytest.mark.usefixtures("engine")
class TestDefaults:
    def test_defaults_are_deep_merged_case_wins_lists_replaced(
        self, pytester: pytest.Pytester
    ) -> None:
        write_cases(
            pytester,
            "merge.icd.yaml",
            """\
            defaults:
              encounter:
                setting: outpatient
                date_of_service: "2025-11-03"
                patient: {age: 59, sex: F, dual: full}
                claim:
                  diagnoses: [R25.3, G12.21]
                  services: [{code: "99215"}]
            cases:
              - id: inherits
                title: everything from defaults
                encounter: {}
              - id: overrides
                title: own patient age and own diagnoses list
                encounter:
                  patient: {age: 70}
                  claim:
                    diagnoses: [E05.00]
            """,
        )
        result = pytester.runpytest("--icd-engine", TOY)
        result.assert_outcomes(passed=2)
        inherits, overrides = seen(pytester)
        assert inherits == {
            "setting": "outpatient",
            "date_of_service": "2025-11-03",
            "patient": {"age": 59, "sex": "F", "dual": "full"},
            "claim": {"diagnoses": ["R25.3", "G12.21"], "services": [{"code": "99215"}]},
        }
        # mapping keys merge (sex, dual kept; age the case's), the list is replaced whole
        assert overrides["patient"] == {"age": 70, "sex": "F", "dual": "full"}
        assert overrides["claim"] == {"diagnoses": ["E05.00"], "services": [{"code": "99215"}]}


@pytest.mark.usefixtures("engine")
class TestDuplicateIds:
    def test_duplicate_id_across_two_files_fails_naming_both_places(
        self, pytester: pytest.Pytester
    ) -> None:
        write_cases(pytester, "a.icd.yaml", ONE_CASE)
        write_cases(pytester, "b.icd.yaml", "# another file\n" + ONE_CASE)
        result = pytester.runpytest("--icd-engine", TOY, "-rA")
        result.assert_outcomes(passed=1, failed=1)
        result.stdout.fnmatch_lines(
            [
                "*b.icd.yaml:8: case id 'only' is already used at a.icd.yaml:7*",
                "PASSED a.icd.yaml::only",
                "FAILED b.icd.yaml::only*",
            ]
        )
        assert result.ret == 1

    def test_duplicate_id_within_one_file_fails_naming_both_lines(
        self, pytester: pytest.Pytester
    ) -> None:
        write_cases(
            pytester,
            "dup.icd.yaml",
            """\
            cases:
              - id: same
                title: first
                encounter: {claim: {diagnoses: [R25.3]}}
              - id: other
                title: between
                encounter: {claim: {diagnoses: [R25.3]}}
              - id: same
                title: second
                encounter: {claim: {diagnoses: [R25.3]}}
            """,
            defaults=True,
        )
        result = pytester.runpytest("--icd-engine", TOY, "-rA")
        result.assert_outcomes(passed=2, failed=1)
        result.stdout.fnmatch_lines(
            ["*dup.icd.yaml:13: case id 'same' is already used at dup.icd.yaml:7*"]
        )
        # the repeat still gets a node id of its own, so both show in the report
        result.stdout.fnmatch_lines(
            ["PASSED dup.icd.yaml::same", "FAILED dup.icd.yaml::cases[[]2]*"]
        )


@pytest.mark.usefixtures("engine")
class TestUnreadableFiles:
    def test_yaml_syntax_error_names_file_line_column_and_reason(
        self, pytester: pytest.Pytester
    ) -> None:
        write_cases(
            pytester,
            "broken.icd.yaml",
            """\
            cases:
              - id: x
                title: a: b
            """,
        )
        write_cases(pytester, "fine.icd.yaml", ONE_CASE)
        result = pytester.runpytest("--icd-engine", TOY)
        result.stdout.fnmatch_lines(
            [
                "*ERROR collecting broken.icd.yaml*",
                "broken.icd.yaml:3:13: YAML syntax error: mapping values are not allowed*",
            ]
        )
        assert result.ret == pytest.ExitCode.INTERRUPTED
        assert_no_traceback(result)

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            pytest.param(b"", "empty.icd.yaml:1: the file is empty*", id="empty"),
            pytest.param(
                b"# only a comment\n", "empty.icd.yaml:1: the file is empty*", id="comment-only"
            ),
            pytest.param(
                b"- id: a\n- id: b\n",
                "empty.icd.yaml:1: a case file is a mapping with a `cases:` list, not *list*",
                id="top-level-list",
            ),
            pytest.param(
                b"cases:\n  - id: caf\xe9\n",
                "empty.icd.yaml:2: the file is not UTF-8 (byte 0xe9 *); save it as UTF-8",
                id="latin-1",
            ),
            pytest.param(
                b"suite: no cases here\n",
                "empty.icd.yaml:1: *missing required key `cases`*",
                id="no-cases-key",
            ),
        ],
    )
    def test_file_that_is_not_a_case_file_is_a_clear_collection_error(
        self, pytester: pytest.Pytester, content: bytes, message: str
    ) -> None:
        pytester.path.joinpath("empty.icd.yaml").write_bytes(content)
        result = pytester.runpytest("--icd-engine", TOY)
        result.stdout.fnmatch_lines(["*ERROR collecting empty.icd.yaml*", message])
        result.assert_outcomes(errors=1)
        assert_no_traceback(result)


@pytest.mark.usefixtures("engine")
class TestInvalidCases:
    def test_schema_violation_fails_that_case_only(self, pytester: pytest.Pytester) -> None:
        write_cases(
            pytester,
            "mixed.icd.yaml",
            """\
            cases:
              - id: good-1
                title: fine
                encounter: {claim: {diagnoses: [R25.3]}}
              - id: bad-sex
                title: patient sex is not F or M
                encounter:
                  patient: {age: 59, sex: X}
                  claim: {diagnoses: [R25.3]}
              - id: good-2
                title: fine too
                encounter: {claim: {diagnoses: [R25.3]}}
            """,
            defaults=True,
        )
        result = pytester.runpytest("--icd-engine", TOY, "-rA")
        result.assert_outcomes(passed=2, failed=1)
        result.stdout.fnmatch_lines(
            [
                "case bad-sex is not a valid case; the engine was not called:",
                "  mixed.icd.yaml:13: encounter.patient.sex: 'X' is not allowed; "
                "expected one of: 'F', 'M'",
            ]
        )
        result.stdout.fnmatch_lines(
            ["PASSED mixed.icd.yaml::good-1", "PASSED mixed.icd.yaml::good-2"]
        )
        # the engine never saw the invalid case
        assert len(seen(pytester)) == 2
        assert_no_traceback(result)

    def test_missing_required_key_and_bad_id(self, pytester: pytest.Pytester) -> None:
        write_cases(
            pytester,
            "m.icd.yaml",
            """\
            cases:
              - id: no-title
                encounter: {claim: {diagnoses: [R25.3]}}
              - id: Bad_ID
                title: upper case id
                encounter: {claim: {diagnoses: [R25.3]}}
            """,
            defaults=True,
        )
        result = pytester.runpytest("--icd-engine", TOY, "-rA")
        result.assert_outcomes(failed=2)
        result.stdout.fnmatch_lines(
            [
                "case no-title is not a valid case*",
                "  m.icd.yaml:7: *missing required key `title`",
            ]
        )
        result.stdout.fnmatch_lines(
            ["  m.icd.yaml:9: id: 'Bad_ID' does not have the required form*lower-case*"]
        )
        result.stdout.fnmatch_lines(["FAILED m.icd.yaml::cases[[]1]*"])

    def test_a_case_that_is_not_a_mapping(self, pytester: pytest.Pytester) -> None:
        write_cases(
            pytester,
            "s.icd.yaml",
            """\
            cases:
              - just a sentence
              - id: fine
                title: ok
                encounter: {claim: {diagnoses: [R25.3]}}
            """,
            defaults=True,
        )
        result = pytester.runpytest("--icd-engine", TOY, "-rA")
        result.assert_outcomes(passed=1, failed=1)
        result.stdout.fnmatch_lines(
            [
                "case cases[[]0] is not a valid case; the engine was not called:",
                "  s.icd.yaml:7: a case is a mapping with id, title and encounter, not *string",
            ]
        )

    def test_duplicate_mapping_key_fails_that_case_naming_the_lines(
        self, pytester: pytest.Pytester
    ) -> None:
        write_cases(
            pytester,
            "dupkey.icd.yaml",
            """\
            cases:
              - id: twice
                title: first title
                title: second title
                encounter: {claim: {diagnoses: [R25.3]}}
              - id: fine
                title: ok
                encounter: {claim: {diagnoses: [R25.3]}}
            """,
            defaults=True,
        )
        result = pytester.runpytest("--icd-engine", TOY, "-rA")
        result.assert_outcomes(passed=1, failed=1)
        result.stdout.fnmatch_lines(
            [
                "case twice is not a valid case*",
                "  dupkey.icd.yaml:9: key `title` appears twice (lines 8 and 9)*",
                "FAILED dupkey.icd.yaml::twice*",
            ]
        )


@pytest.mark.usefixtures("engine")
class TestScalarsKeptAsWritten:
    def test_unquoted_codes_reach_the_engine_as_written(self, pytester: pytest.Pytester) -> None:
        write_cases(
            pytester,
            "codes.icd.yaml",
            """\
            cases:
              - id: unquoted
                title: numbers where codes belong
                encounter:
                  documentation:
                    conditions:
                      - {term: something, code: 00100, due_to: 0123}
                  claim:
                    diagnoses: [00100, 012, R25.3]
                    services:
                      - {code: 99215, modifiers: [25, 59]}
                      - {code: 95861, units: 2}
                expected:
                  diagnoses: [00100, 012, R25.3]
                  services:
                    - {code: 99215, modifiers: [25, 59]}
                    - {code: "95861", units: 2}
            """,
            defaults=True,
        )
        result = pytester.runpytest("--icd-engine", TOY)
        result.assert_outcomes(passed=1)
        (encounter,) = seen(pytester)
        assert encounter["claim"] == {
            "diagnoses": ["00100", "012", "R25.3"],
            "services": [
                {"code": "99215", "modifiers": ["25", "59"]},
                {"code": "95861", "units": 2},
            ],
        }
        assert encounter["documentation"]["conditions"] == [
            {"term": "something", "code": "00100", "due_to": "0123"}
        ]

    def test_unquoted_date_is_accepted_as_iso_text(self, pytester: pytest.Pytester) -> None:
        write_cases(
            pytester,
            "date.icd.yaml",
            """\
            cases:
              - id: plain-date
                title: unquoted date of service
                encounter:
                  setting: outpatient
                  date_of_service: 2025-11-03
                  patient: {age: 59, sex: F}
                  claim: {diagnoses: [R25.3]}
            """,
        )
        result = pytester.runpytest("--icd-engine", TOY, "-rA")
        result.assert_outcomes(passed=1)
        assert seen(pytester)[0]["date_of_service"] == "2025-11-03"

    def test_unquoted_hcc_and_drg_codes_are_kept_as_written(
        self, pytester: pytest.Pytester
    ) -> None:
        # CONTRACT §1: `mdc: 01` must not become 1, nor `categories: [010]` octal 8.
        write_engine(
            pytester,
            """
            RESULT = {
                "hcc": {"model": "V28", "payment_year": 2026, "segment": "CNA",
                        "categories": ["190", "010"], "coefficient_sum": 1.0},
                "drg": {"code": "057", "mdc": "01", "version": "43.0"},
            }
            """,
        )
        write_cases(
            pytester,
            "hccdrg.icd.yaml",
            """\
            cases:
              - id: unquoted-hcc-drg
                title: HCC categories and DRG written without quotes
                encounter: {claim: {diagnoses: [G12.21]}}
                expected:
                  hcc: {categories: [190, 010]}
                  drg: {code: 057, mdc: 01}
            """,
            defaults=True,
        )
        result = pytester.runpytest("--icd-engine", TOY)
        assert "got integer" not in result.stdout.str()
        result.assert_outcomes(passed=1)
