"""The runnable examples run the shipped suite with the reference's results.

- ``examples/node-engine/engine.js``: a vendor adapter in JavaScript speaking ``cmd:``
  JSON Lines, forwarding to the reference served by ``icdcheck serve``;
- ``examples/http-engine/server.py``: a Python engine behind HTTP.

Each runs the whole shipped suite once, and the hand-written part again with ``-n 2``;
the per-case outcomes must equal the reference engine's in-process ones.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence

import pytest
from serve_helpers import REPO, Service, serve, service

NODE = shutil.which("node")
NODE_ENGINE = "cmd:node examples/node-engine/engine.js"
SUITE = ["cases"]
HAND_WRITTEN = ["cases", "--ignore=cases/fy2026/generated"]
OUTCOMES = ("PASSED", "FAILED", "ERROR", "XFAIL", "XPASS", "SKIPPED")

pytestmark = pytest.mark.skipif(not (REPO / "cases").is_dir(), reason="no shipped suite here")


def run_suite(
    args: Sequence[str], *, env: dict[str, str] | None = None
) -> tuple[dict[str, str], str]:
    """Node id -> outcome for a pytest run of the shipped suite, and the run's output."""
    out = subprocess.run(
        [sys.executable, "-m", "pytest", *args, "-p", "no:cacheprovider", "-q", "-rA"],
        cwd=REPO,
        env={**_environ(), **(env or {})},
        capture_output=True,
        text=True,
        timeout=900,
    )
    outcomes: dict[str, str] = {}
    for line in out.stdout.splitlines():
        word, _, rest = line.partition(" ")
        if word in OUTCOMES and rest:
            outcomes[rest.split(" - ")[0].strip()] = word
    assert outcomes, out.stdout[-3000:] + out.stderr[-3000:]
    return outcomes, out.stdout


def _environ() -> dict[str, str]:
    import os

    env = dict(os.environ)
    env.pop("PYTEST_ADDOPTS", None)
    env.pop("PYTEST_XDIST_WORKER", None)
    return env


def hand_written(outcomes: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in outcomes.items() if "/generated/" not in k}


@pytest.fixture(scope="module")
def reference_outcomes() -> dict[str, str]:
    outcomes, _ = run_suite(SUITE)
    return outcomes


@pytest.fixture(scope="module")
def reference_service() -> Iterator[Service]:
    with serve() as running:
        yield running


@pytest.fixture(scope="module")
def http_example() -> Iterator[Service]:
    with service([sys.executable, "examples/http-engine/server.py", "--port", "0"]) as running:
        yield running


def test_the_shipped_suite_passes_in_process(reference_outcomes: dict[str, str]) -> None:
    assert set(reference_outcomes.values()) <= {"PASSED", "XFAIL"}


@pytest.mark.skipif(NODE is None, reason="Node.js is not installed")
class TestNodeExample:
    def test_whole_suite_like_the_reference(
        self, reference_service: Service, reference_outcomes: dict[str, str]
    ) -> None:
        env = {"ICDCHECK_SERVICE_URL": reference_service.url}
        outcomes, stdout = run_suite([*SUITE, "--icd-engine", NODE_ENGINE], env=env)
        assert "engine: acme-node-adapter 1.0.0" in stdout
        assert outcomes == reference_outcomes

    def test_with_two_workers(
        self, reference_service: Service, reference_outcomes: dict[str, str]
    ) -> None:
        env = {"ICDCHECK_SERVICE_URL": reference_service.url}
        outcomes, _ = run_suite([*HAND_WRITTEN, "-n", "2", "--icd-engine", NODE_ENGINE], env=env)
        assert outcomes == hand_written(reference_outcomes)

    def test_service_down_fails_each_case_clearly(self) -> None:
        env = {"ICDCHECK_SERVICE_URL": "http://127.0.0.1:9/"}  # discard port: nothing listens
        args = ["cases/fy2026/seed-scenarios.icd.yaml", "--icd-engine", NODE_ENGINE]
        outcomes, stdout = run_suite(args, env=env)
        assert set(outcomes.values()) == {"FAILED"}
        assert "coding service http://127.0.0.1:9/ not reachable" in stdout


class TestHttpExample:
    def test_whole_suite_like_the_reference(
        self, http_example: Service, reference_outcomes: dict[str, str]
    ) -> None:
        outcomes, stdout = run_suite([*SUITE, "--icd-engine", http_example.url])
        assert "engine: acme-python-http 2.1.0" in stdout
        assert outcomes == reference_outcomes

    def test_with_two_workers(
        self, http_example: Service, reference_outcomes: dict[str, str]
    ) -> None:
        outcomes, _ = run_suite([*HAND_WRITTEN, "-n", "2", "--icd-engine", http_example.url])
        assert outcomes == hand_written(reference_outcomes)

    def test_icdcheck_serve_runs_the_suite_too(
        self, reference_service: Service, reference_outcomes: dict[str, str]
    ) -> None:
        outcomes, _ = run_suite([*HAND_WRITTEN, "--icd-engine", reference_service.url])
        assert outcomes == hand_written(reference_outcomes)
