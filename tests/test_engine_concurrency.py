"""Requests in flight (``--icd-concurrency`` / ``--concurrency``), retries and the rate cap.

CONTRACT v2 §5: up to N requests in flight to a ``cmd:`` or ``http://`` engine; a ``cmd:``
engine's replies are matched by id in any order; a crash fails only the cases in flight,
named; a case's timeout counts the engine's time on it, not its wait behind others; an
HTTP ``429``/``503`` with ``Retry-After`` is sent again after the delay (bounded);
``--icd-rate R`` caps requests a second. Results, verdicts, messages and recorded goldens
are those of N = 1, with and without xdist.

Everything runs on loopback, bounded in count and time.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from plugin_helpers import log_lines, write_cases
from serve_helpers import QuietHandler, echo_result, serving_in_thread

from pytest_icdcheck.engines.rate import RateLimiter

ROOT = Path(__file__).resolve().parent.parent

# A cmd: engine that answers concurrently: each request in its own thread, replies in the
# order they finish. What a case does is decided by its id: "slow-…" takes 0.4 s, "hang…"
# never answers, "hold…" is answered only by a crash, "crash…" exits 3 once the held
# case has arrived; any other case echoes the claim at once. With REVERSE=1 in argv the
# engine gathers up to 4 requests (or 0.2 s of quiet) and answers them last first.
THREADED = r"""
import json, os, sys, threading, time, queue

HERE = os.path.dirname(os.path.abspath(__file__))
def log(name, text):
    with open(os.path.join(HERE, name), "a") as f:
        f.write(text + "\n")

log("pids.log", str(os.getpid()))
out = threading.Lock()
def reply(obj):
    with out:
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()

def result(request):
    claim = request["encounter"].get("claim") or {}
    return {"id": request["id"], "result": {"diagnoses": claim.get("diagnoses", []),
            "services": [], "edits": [], "cdi": [], "hcc": None, "drg": None}}

def answer(request):
    case_id = request["id"]
    if case_id.startswith("slow"):
        time.sleep(0.4)
    if case_id.startswith("hang"):
        time.sleep(60)
    reply(result(request))

reverse = "REVERSE=1" in sys.argv
held, crashing = set(), False
requests = queue.Queue()

def read():
    for line in sys.stdin:
        requests.put(json.loads(line))
    requests.put(None)
threading.Thread(target=read, daemon=True).start()

while True:
    request = requests.get()
    if request is None:
        break
    if request["op"] == "describe":
        reply({"describe": {"name": "threaded", "version": "1"}})
        continue
    case_id = request["id"]
    if case_id.startswith("hold"):
        held.add(case_id)
    elif case_id.startswith("crash"):
        crashing = True
    elif reverse:
        batch = [request]
        while len(batch) < 4:
            try:
                more = requests.get(timeout=0.2)
            except queue.Empty:
                break
            if more is None:
                requests.put(None)
                break
            batch.append(more)
        log("batches.log", " ".join(r["id"] for r in batch))
        for r in reversed(batch):
            reply(result(r))
        continue
    else:
        threading.Thread(target=answer, args=(request,), daemon=True).start()
    if crashing and held:
        print("Traceback: KaBoom with requests in flight", file=sys.stderr, flush=True)
        os._exit(3)
"""


def cases(*ids: str) -> str:
    """Claim-only cases; each expects its own code, so a reply matched to the wrong
    request fails the case."""
    codes = ["R25.3", "G12.21", "R25.8", "G12.29", "R25.1", "G12.22", "R25.2", "G12.23"]
    out = ["cases:"]
    for number, case_id in enumerate(ids):
        code = codes[number % len(codes)]
        out += [
            f"  - id: {case_id}",
            f"    title: case {case_id}",
            f"    encounter: {{claim: {{diagnoses: [{code}]}}}}",
            f"    expected: {{diagnoses: [{code}]}}",
        ]
    return "\n".join(out) + "\n"


@pytest.fixture
def threaded(pytester: pytest.Pytester) -> str:
    pytester.path.joinpath("threaded.py").write_text(THREADED, encoding="utf-8")
    return "cmd:" + shlex.join([sys.executable, "threaded.py"])


class TestCommandEngineInFlight:
    def test_replies_out_of_order_are_matched_by_id(
        self, pytester: pytest.Pytester, threaded: str
    ) -> None:
        ids = [f"c{i}" for i in range(12)]
        write_cases(pytester, "c.icd.yaml", cases(*ids), defaults=True)
        result = pytester.runpytest(
            "--icd-engine", threaded + " REVERSE=1", "--icd-concurrency", "4"
        )
        result.assert_outcomes(passed=12)
        batches = [line.split() for line in log_lines(pytester, "batches.log")]
        assert max(len(b) for b in batches) > 1  # several answered last first
        assert sorted(i for b in batches for i in b) == sorted(ids)

    def test_a_sequential_engine_still_works_with_requests_in_flight(
        self, pytester: pytest.Pytester
    ) -> None:
        # One request at a time, answered in order (the test_engine_cmd engine's way).
        script = (
            "import json, sys\n"
            "for line in sys.stdin:\n"
            "    r = json.loads(line)\n"
            "    if r['op'] == 'describe':\n"
            "        print(json.dumps({'describe': {'name': 'seq'}}), flush=True)\n"
            "        continue\n"
            "    d = r['encounter']['claim']['diagnoses']\n"
            "    res = {'diagnoses': d, 'services': [], 'edits': [], 'cdi': [],\n"
            "           'hcc': None, 'drg': None}\n"
            "    print(json.dumps({'id': r['id'], 'result': res}), flush=True)\n"
        )
        pytester.path.joinpath("seq.py").write_text(script, encoding="utf-8")
        write_cases(pytester, "c.icd.yaml", cases(*[f"c{i}" for i in range(10)]), defaults=True)
        spec = "cmd:" + shlex.join([sys.executable, "seq.py"])
        result = pytester.runpytest("--icd-engine", spec, "--icd-concurrency", "8")
        result.assert_outcomes(passed=10)

    def test_crash_fails_the_cases_in_flight_named_then_a_new_process_runs_the_rest(
        self, pytester: pytest.Pytester, threaded: str
    ) -> None:
        write_cases(
            pytester,
            "c.icd.yaml",
            cases("before", "hold-a", "crash-1", "after-1", "after-2", "after-3"),
            defaults=True,
        )
        # N = 2: "before" and "hold-a" go first; "crash-1" follows "before"'s reply, and
        # the engine dies with hold-a and crash-1 in flight.
        result = pytester.runpytest("--icd-engine", threaded, "--icd-concurrency", "2", "-rA")
        result.assert_outcomes(passed=4, failed=2)
        result.stdout.fnmatch_lines(
            [
                "*the engine process exited with status 3 while running case crash-1 "
                "(with case hold-a in flight; each of them fails the same way)*",
            ]
        )
        result.stdout.fnmatch_lines(
            [
                "*the engine process exited with status 3 while running case hold-a "
                "(with case crash-1 in flight*",
            ]
        )
        result.stdout.fnmatch_lines(["*KaBoom with requests in flight*"])
        for case_id in ("before", "after-1", "after-2", "after-3"):
            result.stdout.fnmatch_lines([f"PASSED c.icd.yaml::{case_id}"])
        assert len(log_lines(pytester, "pids.log")) == 2  # restarted once

    def test_timeout_counts_the_engines_time_not_the_queue(
        self, pytester: pytest.Pytester, threaded: str
    ) -> None:
        # 8 cases of 0.4 s each, 2 in flight: the last is judged after ~1.6 s, but each
        # spent 0.4 s in the engine, well under the 1.2 s timeout.
        write_cases(pytester, "c.icd.yaml", cases(*[f"slow-{i}" for i in range(8)]), defaults=True)
        result = pytester.runpytest(
            "--icd-engine", threaded, "--icd-concurrency", "2", "--icd-timeout", "1.2"
        )
        result.assert_outcomes(passed=8)
        assert result.duration >= 1.5  # the queue was longer than the timeout

    def test_a_hang_fails_only_that_case_the_others_in_flight_are_sent_again(
        self, pytester: pytest.Pytester, threaded: str
    ) -> None:
        write_cases(pytester, "c.icd.yaml", cases("a", "hang-1", "b", "c", "d"), defaults=True)
        result = pytester.runpytest(
            "--icd-engine", threaded, "--icd-concurrency", "4", "--icd-timeout", "1", "-rA"
        )
        result.assert_outcomes(passed=4, failed=1)
        result.stdout.fnmatch_lines(["*timed out after 1 s on case hang-1 (process killed*"])
        assert result.duration < 20

    def test_icd_against_engine_gets_its_requests_in_flight_too(
        self, pytester: pytest.Pytester, threaded: str
    ) -> None:
        # 6 cases of 0.4 s on each of two engines: 4.8 s one at a time; with 3 in flight
        # on each engine at once, about two rounds of 0.4 s.
        write_cases(pytester, "c.icd.yaml", cases(*[f"slow-{i}" for i in range(6)]), defaults=True)
        result = pytester.runpytest(
            "--icd-engine", threaded, "--icd-against", threaded + " again",
            "--icd-concurrency", "3",
        )  # fmt: skip
        result.assert_outcomes(passed=6)
        assert len(log_lines(pytester, "pids.log")) == 2  # one process per engine
        assert result.duration < 4.5


# -- HTTP: retries and the rate cap ------------------------------------------------------


class Handler(QuietHandler):
    server: Server

    def do_GET(self) -> None:
        self._reply(404, b"no describe here")

    def do_POST(self) -> None:
        case_id = self.headers.get("X-Icdcheck-Case", "")
        encounter = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        with self.server.lock:
            self.server.times.append(time.monotonic())
            tries = self.server.tries[case_id] = self.server.tries.get(case_id, 0) + 1
        result = echo_result(encounter)
        if self.path == "/limited" and tries == 1:  # every case is refused once
            status = 429 if case_id.endswith(("0", "2", "4")) else 503
            self._reply(status, b'{"error": "slow down"}', {"Retry-After": "1"})
        elif self.path == "/always-busy":
            self._reply(503, b"overloaded, come back later", {"Retry-After": "0"})
        elif self.path == "/come-back-tomorrow":
            self._reply(429, b"quota used up", {"Retry-After": "86400"})
        elif self.path == "/no-retry-after":
            self._reply(503, b"down for maintenance")
        else:
            self._reply(200, json.dumps(result).encode(), {"Content-Type": "application/json"})


class Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.lock = threading.Lock()
        self.times: list[float] = []
        self.tries: dict[str, int] = {}

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}{path}"


@pytest.fixture
def server() -> Iterator[Server]:
    with serving_in_thread(Server()) as srv:
        yield srv


class TestHttpInFlight:
    def test_429_and_503_with_retry_after_are_sent_again_after_the_delay(
        self, pytester: pytest.Pytester, server: Server
    ) -> None:
        ids = [f"c{i}" for i in range(6)]
        write_cases(pytester, "h.icd.yaml", cases(*ids), defaults=True)
        result = pytester.runpytest(
            "--icd-engine", server.url("/limited"), "--icd-concurrency", "8"
        )
        result.assert_outcomes(passed=6)
        assert server.tries == dict.fromkeys(ids, 2)
        assert result.duration >= 0.9  # each waited the second Retry-After asked for

    def test_giving_up_says_so_with_the_waits(
        self, pytester: pytest.Pytester, server: Server
    ) -> None:
        write_cases(pytester, "h.icd.yaml", cases("busy"), defaults=True)
        result = pytester.runpytest("--icd-engine", server.url("/always-busy"))
        result.assert_outcomes(failed=1)
        result.stdout.fnmatch_lines(
            [
                f"*HTTP 503 from {server.url('/always-busy')} for case busy: gave up after 3 "
                "retries (waited 0, 0, 0 s as Retry-After asked); lower --icd-concurrency or "
                "set --icd-rate below the service's limit: overloaded, come back later*"
            ]
        )
        assert server.tries == {"busy": 4}

    def test_a_retry_after_too_long_fails_at_once(
        self, pytester: pytest.Pytester, server: Server
    ) -> None:
        write_cases(pytester, "h.icd.yaml", cases("quota"), defaults=True)
        result = pytester.runpytest("--icd-engine", server.url("/come-back-tomorrow"))
        result.assert_outcomes(failed=1)
        result.stdout.fnmatch_lines(
            ["*HTTP 429 * for case quota: it asked to wait 86400 s (Retry-After), more than*"]
        )
        assert server.tries == {"quota": 1}

    def test_503_without_retry_after_is_not_retried(
        self, pytester: pytest.Pytester, server: Server
    ) -> None:
        write_cases(pytester, "h.icd.yaml", cases("down"), defaults=True)
        result = pytester.runpytest("--icd-engine", server.url("/no-retry-after"))
        result.assert_outcomes(failed=1)
        result.stdout.fnmatch_lines(["*HTTP 503 from * for case down: down for maintenance*"])
        assert server.tries == {"down": 1}

    def test_rate_caps_requests_a_second_whatever_the_concurrency(
        self, pytester: pytest.Pytester, server: Server
    ) -> None:
        write_cases(pytester, "h.icd.yaml", cases(*[f"c{i}" for i in range(11)]), defaults=True)
        result = pytester.runpytest(
            "--icd-engine", server.url("/"), "--icd-concurrency", "8", "--icd-rate", "20"
        )
        result.assert_outcomes(passed=11)
        # 11 requests at 20 a second: the last at least 10 / 20 s after the first
        # (a generous bound: the limiter spaces them 0.05 s apart).
        assert len(server.times) == 11
        assert server.times[-1] - server.times[0] >= 0.45


def test_rate_limiter_spaces_requests_evenly() -> None:
    now = [100.0]
    starts: list[float] = []

    def sleep(seconds: float) -> None:
        now[0] += seconds

    limiter = RateLimiter(4, clock=lambda: now[0], sleep=sleep)
    for _ in range(5):
        limiter.wait()
        starts.append(now[0])
    assert starts == [100.0, 100.25, 100.5, 100.75, 101.0]
    now[0] += 10  # idle a while: no burst is saved up beyond the next request
    limiter.wait()
    limiter.wait()
    assert now[0] == 111.25


@pytest.mark.parametrize("bad", ["0", "-1", "many"])
def test_concurrency_must_be_a_whole_number_of_one_or_more(
    pytester: pytest.Pytester, bad: str
) -> None:
    write_cases(pytester, "c.icd.yaml", cases("a"), defaults=True)
    pytester.makeini(f"[pytest]\nicd_concurrency = {bad}\n")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*icd_concurrency*" if bad == "many" else "*1 or more*"])


# -- the same results, verdicts, messages and goldens at any N, with and without xdist ----

REFERENCE_CMD = r"""
import json, random, sys, threading
from pytest_icdcheck.reference import ReferenceEngine

engine, lock, out = ReferenceEngine(), threading.Lock(), threading.Lock()
random.seed(7)

def reply(obj):
    with out:
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()

def answer(request, delay):
    threading.Event().wait(delay)  # replies leave out of order
    with lock:
        try:
            reply({"id": request["id"], "result": engine.run(request["encounter"])})
        except Exception as exc:
            reply({"id": request["id"], "error": f"{type(exc).__name__}: {exc}"})

for line in sys.stdin:
    request = json.loads(line)
    if request["op"] == "describe":
        reply({"describe": engine.describe()})
    else:
        threading.Thread(target=answer, args=(request, random.random() / 200)).start()
"""

WRONG = """\
cases:
  - id: wrong-dx
    title: expects a code the reference does not give
    encounter:
      setting: outpatient
      date_of_service: "2025-11-03"
      patient: {age: 59, sex: F}
      claim: {diagnoses: [R25.3]}
    expected: {diagnoses: [G12.21]}
"""


def _junit(path: Path, folder: str) -> dict[str, tuple[str, str]]:
    """case id -> (outcome, message), with the run's folder taken out of the message."""
    verdicts: dict[str, tuple[str, str]] = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        outcome, text = "passed", ""
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                outcome, text = child.tag, child.text or ""
        verdicts[case.get("name", "")] = (outcome, text.replace(f"{folder}/", ""))
    return verdicts


def test_results_verdicts_messages_and_goldens_equal_n1_with_and_without_xdist(
    pytester: pytest.Pytester,
) -> None:
    pytester.path.joinpath("engine.py").write_text(REFERENCE_CMD, encoding="utf-8")
    engine = "cmd:" + shlex.join([sys.executable, str(pytester.path / "engine.py")])
    shipped = ROOT / "cases" / "fy2026"
    runs: dict[str, tuple[dict[str, tuple[str, str]], bytes]] = {}
    for name, extra in {
        "n1": ["--icd-concurrency", "1"],
        "n8": ["--icd-concurrency", "8"],
        "n1x2": ["--icd-concurrency", "1", "-n", "2"],
        "n8x2": ["--icd-concurrency", "8", "-n", "2"],
    }.items():
        folder = pytester.mkdir(name)
        for file in ("drg.icd.yaml", "edits-validity.icd.yaml", "hcc.icd.yaml"):
            shutil.copy(shipped / file, folder / file)
        recorded = (shipped / "cdi.icd.yaml").read_text(encoding="utf-8")
        (folder / "golden.icd.yaml").write_text("golden: recorded\n" + recorded, "utf-8")
        (folder / "wrong.icd.yaml").write_text(WRONG, encoding="utf-8")
        junit = pytester.path / f"{name}.xml"
        subprocess.run(
            [sys.executable, "-m", "pytest", name, "-q", "-p", "no:cacheprovider",
             "--icd-engine", engine, "--icd-update", f"--junitxml={junit}", *extra],
            cwd=pytester.path, capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        runs[name] = (_junit(junit, name), (folder / "golden.recorded.yaml").read_bytes())
    verdicts, golden = runs["n1"]
    assert verdicts["wrong-dx"] != ("failure", "") and verdicts["wrong-dx"][0] == "failure"
    assert sum(outcome == "passed" for outcome, _ in verdicts.values()) > 20
    for name, (other_verdicts, other_golden) in runs.items():
        assert other_verdicts == verdicts, name
        assert other_golden == golden, name


def test_icdcheck_run_concurrency_across_files_matches_by_id(
    pytester: pytest.Pytester, threaded: str
) -> None:
    write_cases(pytester, "a.icd.yaml", cases(*[f"a{i}" for i in range(6)]), defaults=True)
    write_cases(pytester, "b.icd.yaml", cases(*[f"b{i}" for i in range(6)]), defaults=True)
    run = [sys.executable, "-m", "pytest_icdcheck", "run", ".", "--jobs", "1", "--no-cache"]
    out = subprocess.run(
        [*run, "--engine", threaded + " REVERSE=1", "--concurrency", "4"],
        cwd=pytester.path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr
    assert "12 passed" in out.stdout
    batches = [line.split() for line in log_lines(pytester, "batches.log")]
    assert max(len(b) for b in batches) > 1  # answered last first, matched by id
    refused = subprocess.run(
        [*run, "--engine", threaded, "--concurrency", "0"],
        cwd=pytester.path, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert refused.returncode == 4
    assert "--icd-concurrency must be 1 or more" in refused.stderr


def _one_case_files(
    pytester: pytest.Pytester, threaded: str, files: int, jobs: int
) -> list[list[str]]:
    """`icdcheck run` of ``files`` one-case files with 4 in flight on the batching engine
    (REVERSE=1: it answers up to 4 requests together): the batches it answered."""
    for number in range(files):
        write_cases(pytester, f"f{number:03}.icd.yaml", cases(f"f{number}"), defaults=True)
    out = subprocess.run(
        [sys.executable, "-m", "pytest_icdcheck", "run", ".", "--jobs", str(jobs),
         "--no-cache", "--engine", threaded + " REVERSE=1", "--concurrency", "4"],
        cwd=pytester.path, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"{files} passed" in out.stdout and f"processes: {jobs}" in out.stdout
    batches = [line.split() for line in log_lines(pytester, "batches.log")]
    assert sorted(i for b in batches for i in b) == sorted(f"f{n}" for n in range(files))
    return batches


def test_icdcheck_run_keeps_n_requests_in_flight_across_files_of_one_case(
    pytester: pytest.Pytester, threaded: str
) -> None:
    # Eight files of one case each, 4 in flight: the cases of four files are in the
    # engine at once (one file ahead would give it at most two).
    batches = _one_case_files(pytester, threaded, files=8, jobs=1)
    assert max(len(b) for b in batches) == 4, batches


class TestIcdcheckRunStartsTheEngineEarly:
    """`icdcheck run` starts a cmd: engine before it loads anything (engines/spawn.py):
    one process, taken by the adapter, and none left behind when the run stops first."""

    def run(self, pytester: pytest.Pytester, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pytest_icdcheck", "run", ".", "--jobs", "1", *args],
            cwd=pytester.path, capture_output=True, text=True, timeout=120,
        )  # fmt: skip

    def test_the_engine_on_the_command_line_starts_once(
        self, pytester: pytest.Pytester, threaded: str
    ) -> None:
        write_cases(pytester, "c.icd.yaml", cases("a", "b", "c"), defaults=True)
        out = self.run(pytester, "--engine", threaded, "--concurrency", "2")
        assert out.returncode == 0, out.stdout + out.stderr
        assert "3 passed" in out.stdout
        assert len(log_lines(pytester, "pids.log")) == 1

    def test_the_engine_of_the_ini_file_starts_once(
        self, pytester: pytest.Pytester, threaded: str
    ) -> None:
        pytester.makeini(f"[pytest]\nicd_engine = {threaded}\n")
        write_cases(pytester, "c.icd.yaml", cases("a", "b"), defaults=True)
        out = self.run(pytester)
        assert out.returncode == 0, out.stdout + out.stderr
        assert "2 passed" in out.stdout
        assert len(log_lines(pytester, "pids.log")) == 1

    def test_a_run_refused_after_the_start_leaves_no_engine_running(
        self, pytester: pytest.Pytester
    ) -> None:
        # An engine that never reads stdin, so the end of its stdin does not stop it.
        script = (
            "import os, time\n"
            "with open('pids.log', 'a') as f:\n"
            "    f.write(f'{os.getpid()}\\n')\n"
            "time.sleep(120)\n"
        )
        pytester.path.joinpath("deaf.py").write_text(script, encoding="utf-8")
        deaf = "cmd:" + shlex.join([sys.executable, "deaf.py"])
        write_cases(pytester, "c.icd.yaml", cases("a"), defaults=True)
        refused = self.run(pytester, "--engine", deaf, "--timeout", "0")
        assert refused.returncode == 4
        assert "--icd-timeout" in refused.stderr
        empty = pytester.mkdir("empty")
        nothing = subprocess.run(
            [sys.executable, "-m", "pytest_icdcheck", "run", str(empty), "--engine", deaf],
            cwd=pytester.path, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert nothing.returncode == 5
        pids = log_lines(pytester, "pids.log")
        assert len(pids) == 2  # each run started it early, and stopped it
        for pid in pids:
            with pytest.raises(ProcessLookupError):
                os.kill(int(pid), 0)

    def test_a_path_that_does_not_exist_starts_no_engine(
        self, pytester: pytest.Pytester, threaded: str
    ) -> None:
        out = subprocess.run(
            [sys.executable, "-m", "pytest_icdcheck", "run", "no-such-folder",
             "--engine", threaded],
            cwd=pytester.path, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
        assert out.returncode == 4
        assert "no such file or folder: no-such-folder" in out.stderr
        assert log_lines(pytester, "pids.log") == []

    def test_an_engine_that_cannot_start_is_named_as_before(
        self, pytester: pytest.Pytester
    ) -> None:
        write_cases(pytester, "c.icd.yaml", cases("a"), defaults=True)
        out = self.run(pytester, "--engine", "cmd:no-such-engine-icdcheck --serve")
        assert out.returncode == 1
        assert "cannot run 'no-such-engine-icdcheck': command not found on PATH" in out.stdout


def test_icdcheck_run_with_two_processes_keeps_requests_in_flight_across_files(
    pytester: pytest.Pytester, threaded: str
) -> None:
    # 120 files of one case, 2 processes, 4 in flight: each process takes groups of files
    # (about 4N cases' worth of bytes), so its engine gets 4 requests at once, not one
    # file's one case at a time.
    batches = _one_case_files(pytester, threaded, files=120, jobs=2)
    assert len(log_lines(pytester, "pids.log")) == 2  # an engine a process
    assert sum(len(b) == 4 for b in batches) >= 20, batches
