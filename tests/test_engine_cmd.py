"""``--icd-engine "cmd:…"``: an engine as a subprocess speaking JSON Lines (CONTRACT §5).

The engines here are small Python scripts written into the pytester folder and run as
``cmd:<this python> engine.py``. What each does is decided by the case id: ``crash…``
exits 3, ``hang…`` sleeps, ``garbage…`` prints a non-JSON line, ``wrong-id…`` answers
with another id, ``bad-schema…`` breaks result.schema.json, ``error…`` replies with an
error; any other case echoes the claim. Each process logs its pid to ``pids.log`` when it
starts and to ``eof.log`` when it sees stdin close.
"""

from __future__ import annotations

import shlex
import subprocess
import sys
import textwrap

import pytest
from plugin_helpers import log_lines, write_cases

ENGINE = r"""
import json, os, sys, time

def log(name, text):
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), name), "a") as f:
        f.write(text + "\n")

log("pids.log", str(os.getpid()))
log("argv.log", json.dumps(sys.argv[1:]))
print("engine starting", file=sys.stderr, flush=True)

def reply(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()

for line in sys.stdin:
    request = json.loads(line)
    if request["op"] == "describe":
        reply({"describe": {"name": "pyjsonl", "version": "0.3", "fiscal_years": [2026]}})
        continue
    case_id, encounter = request["id"], request["encounter"]
    claim = encounter.get("claim") or {}
    result = {"diagnoses": claim.get("diagnoses", []), "services": [], "edits": [],
              "cdi": [], "hcc": None, "drg": None}
    if case_id.startswith("crash"):
        print("Traceback: KaBoom in the vendor engine", file=sys.stderr, flush=True)
        sys.exit(3)
    if case_id.startswith("hang"):
        time.sleep(60)
    if case_id.startswith("garbage"):
        print("loading rules... done")
        sys.stdout.flush()
    if case_id.startswith("wrong-id"):
        case_id = "somebody-else"
    if case_id.startswith("bad-schema"):
        result["diagnoses"] = "G12.21"
    if case_id.startswith("error"):
        reply({"id": case_id, "error": "no rules for that payer"})
        continue
    if case_id.startswith("chatty"):
        sys.stderr.write("x" * 200_000 + "\n")
        sys.stderr.flush()
    reply({"id": case_id, "result": result})

log("eof.log", str(os.getpid()))
"""


def cases(*ids: str) -> str:
    out = ["cases:"]
    for case_id in ids:
        out += [
            f"  - id: {case_id}",
            f"    title: case {case_id}",
            "    encounter: {claim: {diagnoses: [G12.21]}}",
            "    expected: {diagnoses: [G12.21]}",
        ]
    return "\n".join(out) + "\n"


def engine_spec(script: str = "engine.py", *args: str) -> str:
    return "cmd:" + shlex.join([sys.executable, script, *args])


@pytest.fixture
def engine(pytester: pytest.Pytester) -> str:
    pytester.path.joinpath("engine.py").write_text(ENGINE, encoding="utf-8")
    return engine_spec()


class TestWorkingEngine:
    def test_cases_run_in_one_process_closed_cleanly(
        self, pytester: pytest.Pytester, engine: str
    ) -> None:
        write_cases(pytester, "c.icd.yaml", cases("one", "two", "three", "four"), defaults=True)
        result = pytester.runpytest("--icd-engine", engine)
        result.assert_outcomes(passed=4)
        result.stdout.fnmatch_lines(["engine: pyjsonl 0.3"])
        pids = log_lines(pytester, "pids.log")
        assert len(pids) == 1  # describe and all cases on one long-lived process
        assert log_lines(pytester, "eof.log") == pids  # stdin closed: it exited by itself

    def test_a_failing_comparison_is_an_ordinary_failure(
        self, pytester: pytest.Pytester, engine: str
    ) -> None:
        text = cases("one").replace(
            "expected: {diagnoses: [G12.21]}", "expected: {diagnoses: [R25.3]}"
        )
        write_cases(pytester, "c.icd.yaml", text, defaults=True)
        result = pytester.runpytest("--icd-engine", engine)
        result.assert_outcomes(failed=1)
        result.stdout.fnmatch_lines(["*: expected R25.3, got G12.21*"])

    def test_command_line_is_split_like_a_shell_but_never_run_by_one(
        self, pytester: pytest.Pytester
    ) -> None:
        folder = pytester.path / "vendor dir"
        folder.mkdir()
        folder.joinpath("my engine.py").write_text(ENGINE, encoding="utf-8")
        write_cases(pytester, "c.icd.yaml", cases("one"), defaults=True)
        spec = engine_spec("vendor dir/my engine.py", "--rules=a b", "$HOME", "x;touch pwned")
        result = pytester.runpytest("--icd-engine", spec)
        result.assert_outcomes(passed=1)
        argv = log_lines(pytester, "vendor dir/argv.log")
        assert argv == ['["--rules=a b", "$HOME", "x;touch pwned"]']
        assert not (pytester.path / "pwned").exists()

    def test_stderr_chatter_never_blocks_the_engine(
        self, pytester: pytest.Pytester, engine: str
    ) -> None:
        ids = [f"chatty-{i}" for i in range(8)]  # 1.6 MB of stderr, far over a pipe buffer
        write_cases(pytester, "c.icd.yaml", cases(*ids), defaults=True)
        result = pytester.runpytest("--icd-engine", engine, "--icd-timeout", "10")
        result.assert_outcomes(passed=8)

    def test_one_process_per_xdist_worker(self, pytester: pytest.Pytester, engine: str) -> None:
        ids = [f"c{i}" for i in range(12)]
        write_cases(pytester, "c.icd.yaml", cases(*ids), defaults=True)
        result = pytester.runpytest_subprocess("--icd-engine", engine, "-n", "2", "-p", "xdist")
        result.assert_outcomes(passed=12)
        pids = log_lines(pytester, "pids.log")
        assert 1 <= len(pids) <= 2
        assert sorted(log_lines(pytester, "eof.log")) == sorted(pids)


class TestBrokenEngine:
    def test_crash_fails_that_case_with_exit_status_and_stderr_then_restarts(
        self, pytester: pytest.Pytester, engine: str
    ) -> None:
        write_cases(pytester, "c.icd.yaml", cases("before", "crash-1", "after"), defaults=True)
        result = pytester.runpytest("--icd-engine", engine, "-rA")
        result.assert_outcomes(passed=2, failed=1)
        result.stdout.fnmatch_lines(
            [
                "*engine pyjsonl 0.3: the engine process exited with status 3 while running "
                "case crash-1 (a new one runs the next case)*",
                "*stderr tail:*",
                "*Traceback: KaBoom in the vendor engine*",
            ]
        )
        result.stdout.fnmatch_lines(["PASSED c.icd.yaml::before", "PASSED c.icd.yaml::after"])
        assert len(log_lines(pytester, "pids.log")) == 2

    def test_hang_times_out_and_the_next_case_runs(
        self, pytester: pytest.Pytester, engine: str
    ) -> None:
        write_cases(pytester, "c.icd.yaml", cases("hang-1", "after"), defaults=True)
        result = pytester.runpytest("--icd-engine", engine, "--icd-timeout", "1", "-rA")
        result.assert_outcomes(passed=1, failed=1)
        result.stdout.fnmatch_lines(
            ["*timed out after 1 s on case hang-1 (process killed; a new one runs the next case)*"]
        )
        result.stdout.fnmatch_lines(["PASSED c.icd.yaml::after"])
        assert result.duration < 30

    def test_timeout_from_the_ini_file(self, pytester: pytest.Pytester, engine: str) -> None:
        pytester.makeini("[pytest]\nicd_timeout = 0.5\n")
        write_cases(pytester, "c.icd.yaml", cases("hang-1"), defaults=True)
        result = pytester.runpytest("--icd-engine", engine)
        result.assert_outcomes(failed=1)
        result.stdout.fnmatch_lines(["*timed out after 0.5 s on case hang-1*"])

    @pytest.mark.parametrize(
        ("case_id", "message"),
        [
            (
                "garbage-1",
                "*wrote something that is not a JSON line to stdout for case garbage-1 (stdout is "
                "for protocol replies only; log to stderr): 'loading rules... done'*",
            ),
            (
                "wrong-id-1",
                '*replied with id "somebody-else" to the request for case wrong-id-1 (id '
                "'wrong-id-1'); every reply must carry its request's id*",
            ),
            ("error-1", "*reported an error for case error-1: no rules for that payer*"),
            ("bad-schema-1", "*returned a result that breaks result.schema.json:*"),
        ],
    )
    def test_protocol_breakage_fails_that_case_clearly_and_the_next_passes(
        self, pytester: pytest.Pytester, engine: str, case_id: str, message: str
    ) -> None:
        write_cases(pytester, "c.icd.yaml", cases(case_id, "after", "again"), defaults=True)
        result = pytester.runpytest("--icd-engine", engine, "-rA")
        result.assert_outcomes(passed=2, failed=1)
        result.stdout.fnmatch_lines([message])
        result.stdout.fnmatch_lines(["PASSED c.icd.yaml::after", "PASSED c.icd.yaml::again"])

    def test_engine_that_exits_at_once_is_not_restarted_forever(
        self, pytester: pytest.Pytester
    ) -> None:
        script = "import sys; print('licence file missing', file=sys.stderr); sys.exit(7)\n"
        pytester.path.joinpath("dead.py").write_text(script, encoding="utf-8")
        write_cases(pytester, "c.icd.yaml", cases(*[f"c{i}" for i in range(6)]), defaults=True)
        result = pytester.runpytest("--icd-engine", engine_spec("dead.py"))
        result.assert_outcomes(failed=6)
        result.stdout.fnmatch_lines(
            [
                "*the engine process exited with status 7 while running case c0*",
                "*licence file missing*",
            ]
        )
        result.stdout.fnmatch_lines(
            ["*not restarted: the engine process exited 3 times in a row before answering*"]
        )

    def test_command_not_found_names_it_and_the_path(self, pytester: pytest.Pytester) -> None:
        write_cases(pytester, "c.icd.yaml", cases("one", "two"), defaults=True)
        result = pytester.runpytest("--icd-engine", "cmd:no-such-engine-xyz --fast")
        result.assert_outcomes(failed=2)
        result.stdout.fnmatch_lines(
            [
                "*--icd-engine 'cmd:no-such-engine-xyz --fast': cannot run 'no-such-engine-xyz': "
                "command not found on PATH (*"
            ]
        )

    def test_empty_command(self, pytester: pytest.Pytester) -> None:
        write_cases(pytester, "c.icd.yaml", cases("one"), defaults=True)
        result = pytester.runpytest("--icd-engine", "cmd:  ")
        result.assert_outcomes(failed=1)
        result.stdout.fnmatch_lines(["*no command after 'cmd:'*"])


def test_plugin_import_stays_cheap() -> None:
    code = textwrap.dedent(
        """
        import sys
        import pytest_icdcheck.plugin
        heavy = [m for m in sys.modules if m.startswith("pytest_icdcheck.engines")
                 or m in ("pytest_icdcheck.engines.serving", "http.server")]
        print(heavy)
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
