"""Choosing, loading and running an engine (CONTRACT §5), as a user sees it."""

from __future__ import annotations

import pytest
from plugin_helpers import THREE_CASES, TOY, log_lines, seen, write_cases, write_engine

# An engine module as a vendor would write it, outside any conftest.py.
VENDOR_MODULE = """
class VendorEngine:
    def describe(self):
        return {"name": "vendor", "version": "9.9", "fiscal_years": [2026]}

    def run(self, encounter):
        claim = encounter.get("claim") or {}
        return {"diagnoses": list(claim.get("diagnoses", [])), "services": [],
                "edits": [], "cdi": [], "hcc": None, "drg": None}


def make_engine():
    return VendorEngine()


ENGINE = VendorEngine()
"""


@pytest.fixture
def vendor(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(vendor_engine=VENDOR_MODULE)
    pytester.syspathinsert()
    write_cases(pytester, "v.icd.yaml", THREE_CASES, defaults=True)


class TestChoosingTheEngine:
    @pytest.mark.parametrize(
        "attr", ["VendorEngine", "make_engine", "ENGINE"], ids=["class", "factory", "instance"]
    )
    @pytest.mark.usefixtures("vendor")
    def test_module_attr_names_a_class_factory_or_instance(
        self, pytester: pytest.Pytester, attr: str
    ) -> None:
        result = pytester.runpytest("--icd-engine", f"vendor_engine:{attr}")
        result.assert_outcomes(passed=3)
        result.stdout.fnmatch_lines(["*= icdcheck =*", "engine: vendor 9.9"])
        assert result.ret == 0

    @pytest.mark.usefixtures("vendor")
    def test_ini_option_icd_engine(self, pytester: pytest.Pytester) -> None:
        pytester.makeini("[pytest]\nicd_engine = vendor_engine:VendorEngine\n")
        result = pytester.runpytest()
        result.assert_outcomes(passed=3)
        result.stdout.fnmatch_lines(["engine: vendor 9.9"])

    @pytest.mark.usefixtures("vendor")
    def test_command_line_wins_over_ini(self, pytester: pytest.Pytester) -> None:
        write_engine(pytester)
        pytester.makeini("[pytest]\nicd_engine = vendor_engine:VendorEngine\n")
        result = pytester.runpytest("--icd-engine", TOY)
        result.assert_outcomes(passed=3)
        result.stdout.fnmatch_lines(["engine: toy 1.2"])

    def test_engine_registered_by_a_plugin_hook(self, pytester: pytest.Pytester) -> None:
        write_engine(
            pytester,
            """
            def pytest_icdcheck_engines():
                return {"toy": Toy}
            """,
        )
        write_cases(pytester, "h.icd.yaml", THREE_CASES, defaults=True)
        result = pytester.runpytest("--icd-engine", "toy")
        result.assert_outcomes(passed=3)
        result.stdout.fnmatch_lines(["engine: toy 1.2"])

    def test_unknown_name_lists_the_known_ones(self, pytester: pytest.Pytester) -> None:
        write_engine(
            pytester,
            """
            def pytest_icdcheck_engines():
                return {"toy": Toy}
            """,
        )
        write_cases(pytester, "u.icd.yaml", THREE_CASES, defaults=True)
        result = pytester.runpytest("--icd-engine", "nosuch")
        result.assert_outcomes(failed=3)
        result.stdout.fnmatch_lines(
            [
                "  --icd-engine 'nosuch': no engine of that name "
                "(known: reference, toy); name an installed engine or give package.module:attr",
            ]
        )
        assert "Traceback" not in result.stdout.str()
        assert result.ret == pytest.ExitCode.TESTS_FAILED

    def test_empty_engine_option_is_a_usage_error(self, pytester: pytest.Pytester) -> None:
        # e.g. `--icd-engine "$ENGINE"` with ENGINE unset in CI must not quietly run
        # the reference engine instead of the vendor's
        write_cases(pytester, "u.icd.yaml", THREE_CASES, defaults=True)
        result = pytester.runpytest("--icd-engine", "")
        assert result.ret == pytest.ExitCode.USAGE_ERROR
        result.stderr.fnmatch_lines(["*--icd-engine is empty*"])

    def test_unimportable_module_is_a_clear_message(self, pytester: pytest.Pytester) -> None:
        write_cases(pytester, "u.icd.yaml", THREE_CASES, defaults=True)
        result = pytester.runpytest("--icd-engine", "no_such_module_xyz:Engine")
        result.assert_outcomes(failed=3)
        result.stdout.fnmatch_lines(
            [
                "  --icd-engine 'no_such_module_xyz:Engine': cannot import 'no_such_module_xyz' "
                "(No module named 'no_such_module_xyz'); is it installed or on sys.path*",
            ]
        )
        assert "Traceback" not in result.stdout.str()

    def test_module_that_raises_on_import_and_missing_attribute(
        self, pytester: pytest.Pytester
    ) -> None:
        pytester.makepyfile(broken_engine="raise RuntimeError('licence server down')")
        pytester.makepyfile(empty_engine="X = 1")
        pytester.syspathinsert()
        write_cases(pytester, "u.icd.yaml", THREE_CASES, defaults=True)
        result = pytester.runpytest("--icd-engine", "broken_engine:Engine")
        result.stdout.fnmatch_lines(
            [
                "  --icd-engine 'broken_engine:Engine': importing 'broken_engine' raised "
                "RuntimeError: licence server down"
            ]
        )
        result = pytester.runpytest("--icd-engine", "empty_engine:Engine")
        result.stdout.fnmatch_lines(
            [
                "  --icd-engine 'empty_engine:Engine': "
                "module 'empty_engine' has no attribute 'Engine'"
            ]
        )
        result = pytester.runpytest("--icd-engine", "empty_engine:X")
        result.stdout.fnmatch_lines(["  --icd-engine 'empty_engine:X': int has no run(encounter)*"])


class TestEngineLifetime:
    def test_one_instance_per_session_closed_at_the_end(self, pytester: pytest.Pytester) -> None:
        write_engine(pytester)
        write_cases(pytester, "a.icd.yaml", THREE_CASES, defaults=True)
        write_cases(
            pytester,
            "b.icd.yaml",
            """\
            cases:
              - id: d1
                title: another file
                encounter: {claim: {diagnoses: [R25.3]}}
            """,
            defaults=True,
        )
        result = pytester.runpytest("--icd-engine", TOY)
        result.assert_outcomes(passed=4)
        assert len(seen(pytester)) == 4
        assert len(log_lines(pytester, "instances.log")) == 1
        assert len(log_lines(pytester, "closed.log")) == 1

    def test_collect_only_loads_no_engine(self, pytester: pytest.Pytester) -> None:
        write_engine(pytester)
        write_cases(pytester, "a.icd.yaml", THREE_CASES, defaults=True)
        result = pytester.runpytest("--icd-engine", TOY, "--collect-only", "-q")
        result.stdout.fnmatch_lines(["*3 tests collected*"])
        assert log_lines(pytester, "instances.log") == []


FAILING_ENGINE = """
import math
from pytest_icdcheck.errors import EngineInputError


def HOOK(encounter, result):
    term = encounter["documentation"]["conditions"][0]["term"]
    if term == "raises":
        raise KeyError("no such chart")
    if term == "refuses":
        raise EngineInputError("date of service 2025-11-03 is outside FY2030")
    if term == "missing-key":
        del result["edits"]
    if term == "wrong-type":
        result["diagnoses"] = "R25.3"
    if term == "nan-sum":
        result["hcc"] = {"model": "V28", "payment_year": 2026, "segment": "CNA",
                         "categories": ["190"], "coefficient_sum": math.nan}
    if term == "bad-service":
        result["services"] = [{"code": "99215", "units": 0}]
    if term == "not-a-dict":
        return [result]
    if term == "none":
        return None
    return result
"""


def _cases_by_term(*terms: str) -> str:
    return "cases:\n" + "".join(
        f"  - id: {t}\n    title: engine {t}\n"
        f"    encounter: {{documentation: {{conditions: [{{term: {t}}}]}}}}\n"
        for t in terms
    )


class TestEngineMisbehaving:
    @pytest.fixture(autouse=True)
    def _engine(self, pytester: pytest.Pytester) -> None:
        write_engine(pytester, FAILING_ENGINE)

    def test_engine_that_raises_fails_that_case_and_the_run_goes_on(
        self, pytester: pytest.Pytester
    ) -> None:
        write_cases(
            pytester, "r.icd.yaml", _cases_by_term("fine", "raises", "also-fine"), defaults=True
        )
        result = pytester.runpytest("--icd-engine", TOY, "-rA")
        result.assert_outcomes(passed=2, failed=1)
        result.stdout.fnmatch_lines(
            [
                "case raises — engine raises",
                "FY2026 · engine: toy 1.2",
                "  engine toy 1.2 raised KeyError: 'no such chart' (at *conftest.py:* in HOOK)",
            ]
        )
        result.stdout.fnmatch_lines(["PASSED r.icd.yaml::fine", "PASSED r.icd.yaml::also-fine"])
        assert result.ret == pytest.ExitCode.TESTS_FAILED
        assert "Traceback" not in result.stdout.str()
        assert "INTERNALERROR" not in result.stdout.str()

    def test_engine_input_error_reads_refused_the_encounter(
        self, pytester: pytest.Pytester
    ) -> None:
        write_cases(pytester, "r.icd.yaml", _cases_by_term("refuses"), defaults=True)
        result = pytester.runpytest("--icd-engine", TOY)
        result.assert_outcomes(failed=1)
        result.stdout.fnmatch_lines(
            [
                "  engine toy 1.2 refused the encounter: "
                "date of service 2025-11-03 is outside FY2030",
            ]
        )

    @pytest.mark.parametrize(
        ("term", "lines"),
        [
            (
                "missing-key",
                [
                    "  engine toy 1.2 returned a result that breaks result.schema.json:",
                    "  (top level): missing required key `edits`",
                ],
            ),
            (
                "wrong-type",
                [
                    "  engine toy 1.2 returned a result that breaks result.schema.json:",
                    "  diagnoses: expected a list, got string 'R25.3'",
                ],
            ),
            (
                "nan-sum",
                [
                    "  engine toy 1.2 returned a result that breaks result.schema.json:",
                    "  hcc.coefficient_sum: not a finite number",
                ],
            ),
            (
                "bad-service",
                [
                    "  engine toy 1.2 returned a result that breaks result.schema.json:",
                    "  services[[]0].units: 0 is below the minimum 1",
                ],
            ),
            ("not-a-dict", ["  engine toy 1.2 returned list, not a result mapping (CONTRACT §3)"]),
            ("none", ["  engine toy 1.2 returned NoneType, not a result mapping (CONTRACT §3)"]),
        ],
    )
    def test_invalid_result_fails_that_case_naming_what_is_wrong(
        self, pytester: pytest.Pytester, term: str, lines: list[str]
    ) -> None:
        write_cases(pytester, "r.icd.yaml", _cases_by_term("fine", term), defaults=True)
        result = pytester.runpytest("--icd-engine", TOY, "-rA")
        result.assert_outcomes(passed=1, failed=1)
        result.stdout.fnmatch_lines(lines)
        result.stdout.fnmatch_lines([f"FAILED r.icd.yaml::{term} - *"])
        assert result.ret == pytest.ExitCode.TESTS_FAILED
        assert "Traceback" not in result.stdout.str()


class TestDefaultEngine:
    def test_default_engine_is_the_shipped_reference(self, pytester: pytest.Pytester) -> None:
        write_cases(
            pytester,
            "d.icd.yaml",
            """\
            cases:
              - id: default-engine
                title: no --icd-engine given
                encounter:
                  setting: outpatient
                  date_of_service: "2025-11-03"
                  patient: {age: 59, sex: F}
                  claim: {diagnoses: [G12.21]}
            """,
        )
        result = pytester.runpytest("-rA")
        result.assert_outcomes(passed=1)
        result.stdout.fnmatch_lines(["*= icdcheck =*", "engine: reference*"])
