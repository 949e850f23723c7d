"""The runnable examples run the shipped suite with the reference's results.

- ``examples/node-engine/engine.js``: a vendor adapter in JavaScript speaking ``cmd:``
  JSON Lines, forwarding to the reference served by ``icdcheck serve``;
- ``examples/http-engine/server.py``: a Python engine behind HTTP.

The whole suite is sent with 8 requests in flight, as a vendor's service would take it.

Each runs the whole shipped suite once, and the hand-written part again with ``-n 2``;
the per-case outcomes must equal the reference engine's in-process ones (the session's
one run of the shipped suite, ``shipped_suite`` in conftest.py).
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator

import pytest
from serve_helpers import REPO, Service, serve, service
from suite_helpers import SuiteRun, hand_written, run_suite

NODE = shutil.which("node")
NODE_ENGINE = "cmd:node examples/node-engine/engine.js"
# The whole suite goes through each example with requests in flight (CONTRACT §5): the
# examples answer them, and the run takes half the time.
SUITE = ["cases", "--icd-concurrency", "8"]
HAND_WRITTEN = ["cases", "--ignore=cases/fy2026/generated"]

pytestmark = pytest.mark.skipif(not (REPO / "cases").is_dir(), reason="no shipped suite here")


@pytest.fixture(scope="module")
def reference_outcomes(shipped_suite: SuiteRun) -> dict[str, str]:
    return shipped_suite.outcomes


@pytest.fixture(scope="module")
def reference_service() -> Iterator[Service]:
    with serve() as running:
        yield running


@pytest.fixture(scope="module")
def http_example() -> Iterator[Service]:
    with service([sys.executable, "examples/http-engine/server.py", "--port", "0"]) as running:
        yield running


@pytest.mark.skipif(NODE is None, reason="Node.js is not installed")
class TestNodeExample:
    def test_whole_suite_like_the_reference(
        self, reference_service: Service, reference_outcomes: dict[str, str]
    ) -> None:
        env = {"ICDCHECK_SERVICE_URL": reference_service.url}
        run = run_suite([*SUITE, "--icd-engine", NODE_ENGINE], env=env)
        assert "engine: acme-node-adapter 1.0.0" in run.output
        assert run.outcomes == reference_outcomes

    def test_with_two_workers(
        self, reference_service: Service, reference_outcomes: dict[str, str]
    ) -> None:
        env = {"ICDCHECK_SERVICE_URL": reference_service.url}
        run = run_suite([*HAND_WRITTEN, "-n", "2", "--icd-engine", NODE_ENGINE], env=env)
        assert run.outcomes == hand_written(reference_outcomes)

    def test_service_down_fails_each_case_clearly(self) -> None:
        env = {"ICDCHECK_SERVICE_URL": "http://127.0.0.1:9/"}  # discard port: nothing listens
        args = ["cases/fy2026/seed-scenarios.icd.yaml", "--icd-engine", NODE_ENGINE]
        run = run_suite(args, env=env)
        assert set(run.outcomes.values()) == {"FAILED"}
        assert "coding service http://127.0.0.1:9/ not reachable" in run.output


class TestHttpExample:
    def test_whole_suite_like_the_reference(
        self, http_example: Service, reference_outcomes: dict[str, str]
    ) -> None:
        run = run_suite([*SUITE, "--icd-engine", http_example.url])
        assert "engine: acme-python-http 2.1.0" in run.output
        assert run.outcomes == reference_outcomes

    def test_with_two_workers(
        self, http_example: Service, reference_outcomes: dict[str, str]
    ) -> None:
        run = run_suite([*HAND_WRITTEN, "-n", "2", "--icd-engine", http_example.url])
        assert run.outcomes == hand_written(reference_outcomes)

    def test_icdcheck_serve_runs_the_suite_too(
        self, reference_service: Service, reference_outcomes: dict[str, str]
    ) -> None:
        run = run_suite([*HAND_WRITTEN, "--icd-engine", reference_service.url])
        assert run.outcomes == hand_written(reference_outcomes)
