"""`icdcheck serve`: any engine as a local HTTP service speaking CONTRACT §5."""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from serve_helpers import ICDCHECK, Service, serve, service

from pytest_icdcheck.reference import ReferenceEngine

ENCOUNTER = {
    "setting": "outpatient",
    "date_of_service": "2025-11-03",
    "patient": {"age": 59, "sex": "F"},
    "documentation": {"conditions": [{"term": "amyotrophic lateral sclerosis"}]},
    "claim": {"diagnoses": ["R25.3", "G12.21"]},
}

# An engine module for --engine module:attr: refuses, raises, and logs close().
ODD_ENGINE = """
import os
from pytest_icdcheck.errors import EngineInputError

class Odd:
    def describe(self):
        return {"name": "odd", "version": "1"}

    def run(self, encounter):
        age = encounter["patient"]["age"]
        if age == 1:
            raise EngineInputError("no neonates, please")
        if age == 2:
            raise ZeroDivisionError("division by zero")
        return {"diagnoses": [], "services": [], "edits": [], "cdi": [], "hcc": None,
                "drg": None}

    def close(self):
        with open(os.environ["ODD_CLOSED"], "w") as f:
            f.write("closed")
"""


def request(
    url: str,
    method: str,
    path: str,
    body: Any = None,
    conn: http.client.HTTPConnection | None = None,
) -> tuple[int, Any]:
    parts = urlsplit(url)
    own = conn is None
    conn = conn or http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    conn.request(method, path, body=data, headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    payload = json.loads(response.read())
    if own:
        conn.close()
    return response.status, payload


def _connection(url: str) -> http.client.HTTPConnection:
    parts = urlsplit(url)
    return http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)


@pytest.fixture(scope="module")
def reference() -> Iterator[Service]:
    with serve() as running:
        yield running


class TestReferenceService:
    def test_binds_to_loopback_and_prints_the_url_first(self, reference: Service) -> None:
        assert reference.url.startswith("http://127.0.0.1:")
        assert reference.url.endswith("/")

    def test_post_an_encounter_get_the_reference_result(self, reference: Service) -> None:
        status, result = request(reference.url, "POST", "/", ENCOUNTER)
        assert status == 200
        engine = ReferenceEngine()
        try:
            assert result == json.loads(json.dumps(engine.run(ENCOUNTER)))
        finally:
            engine.close()
        assert request(reference.url, "POST", "/run", ENCOUNTER) == (200, result)

    def test_describe_and_health(self, reference: Service) -> None:
        status, info = request(reference.url, "GET", "/describe")
        assert status == 200 and info["name"] == "reference" and 2026 in info["fiscal_years"]
        assert request(reference.url, "GET", "/health") == (200, {"status": "ok"})

    def test_keep_alive(self, reference: Service) -> None:
        parts = urlsplit(reference.url)
        conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
        try:
            for _ in range(3):
                assert request(reference.url, "POST", "/", ENCOUNTER, conn)[0] == 200
                sock = conn.sock
                assert sock is not None
            assert conn.sock is sock  # the same socket all along
        finally:
            conn.close()

    def test_body_that_is_not_json_is_400(self, reference: Service) -> None:
        status, body = request(reference.url, "POST", "/", b"{not json")
        assert status == 400 and body["error"].startswith("the body is not JSON")

    def test_invalid_encounter_is_400_naming_the_problems(self, reference: Service) -> None:
        bad = {**ENCOUNTER, "setting": "ambulance", "patient": {"age": 59}}
        status, body = request(reference.url, "POST", "/", bad)
        assert status == 400
        assert "encounter.schema.json" in body["error"]
        wheres = {p["where"] for p in body["problems"]}
        assert {"setting", "patient"} <= wheres

    def test_refused_encounter_is_422(self, reference: Service) -> None:
        status, body = request(
            reference.url, "POST", "/", {**ENCOUNTER, "date_of_service": "2015-01-01"}
        )
        assert status == 422 and "2015-01-01" in body["error"]

    @pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH", "OPTIONS"])
    def test_other_methods_are_405_with_a_json_error(self, reference: Service, method: str) -> None:
        status, body = request(reference.url, method, "/", ENCOUNTER)
        assert status == 405
        assert body["error"].startswith(f"method {method} is not allowed; POST an encounter")

    def test_head_is_405_without_a_body(self, reference: Service) -> None:
        conn = _connection(reference.url)
        try:
            conn.request("HEAD", "/health")
            response = conn.getresponse()
            assert response.status == 405
            assert response.getheader("Content-Type") == "application/json"
            assert response.read() == b""
        finally:
            conn.close()

    def test_an_unknown_method_is_501_with_a_json_error(self, reference: Service) -> None:
        status, body = request(reference.url, "BREW", "/")
        assert status == 501 and "BREW" in body["error"]

    def test_a_negative_content_length_is_400(self, reference: Service) -> None:
        conn = _connection(reference.url)
        try:
            conn.putrequest("POST", "/")
            conn.putheader("Content-Length", "-5")
            conn.endheaders()
            response = conn.getresponse()
            body = json.loads(response.read())
        finally:
            conn.close()
        assert response.status == 400
        assert body["error"] == (
            "bad Content-Length '-5': give the body's size in bytes, a whole number of 0 or more"
        )

    def test_a_chunked_body_is_read(self, reference: Service) -> None:
        conn = _connection(reference.url)
        data = json.dumps(ENCOUNTER).encode()
        try:
            conn.request(
                "POST",
                "/",
                body=iter([data[:10], data[10:]]),
                encode_chunked=True,
                headers={"Transfer-Encoding": "chunked"},
            )
            response = conn.getresponse()
            result = json.loads(response.read())
        finally:
            conn.close()
        assert response.status == 200
        assert request(reference.url, "POST", "/", ENCOUNTER) == (200, result)

    def test_unknown_path_is_404(self, reference: Service) -> None:
        assert request(reference.url, "GET", "/nope")[0] == 404
        assert request(reference.url, "POST", "/nope", ENCOUNTER)[0] == 404


def test_any_engine_sigterm_closes_it(tmp_path: Path) -> None:
    (tmp_path / "odd_engine.py").write_text(ODD_ENGINE, encoding="utf-8")
    closed = tmp_path / "closed.txt"
    env = {"PYTHONPATH": str(tmp_path), "ODD_CLOSED": str(closed)}
    with serve("--engine", "odd_engine:Odd", env=env) as running:
        status, body = request(
            running.url, "POST", "/", {**ENCOUNTER, "patient": {"age": 1, "sex": "F"}}
        )
        assert (status, body) == (422, {"error": "no neonates, please"})
        status, body = request(
            running.url, "POST", "/", {**ENCOUNTER, "patient": {"age": 2, "sex": "F"}}
        )
        assert (status, body) == (500, {"error": "ZeroDivisionError: division by zero"})
        assert request(running.url, "GET", "/describe") == (200, {"name": "odd", "version": "1"})
        code, err = running.stop()
    assert code == 0
    assert "icdcheck serve: stopped" in err
    assert closed.read_text() == "closed"


def test_pytest_runs_cases_against_the_service(
    pytester: pytest.Pytester, reference: Service
) -> None:
    pytester.path.joinpath("s.icd.yaml").write_text(
        json.dumps(
            {
                "cases": [
                    {
                        "id": "als",
                        "title": "ALS",
                        "encounter": ENCOUNTER,
                        "expected": {"diagnoses": ["G12.21"]},
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    result = pytester.runpytest("--icd-engine", reference.url)
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["engine: reference *"])


def test_unknown_engine_is_a_usage_error_naming_serves_option() -> None:
    out = subprocess.run(
        [*ICDCHECK, "serve", "--port", "0", "--engine", "nosuch"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 4
    assert "icdcheck serve: --engine 'nosuch': no engine of that name" in out.stderr
    assert out.stdout == ""


def test_an_engine_module_in_the_folder_serve_starts_in(tmp_path: Path) -> None:
    # The console script, as a user runs it: unlike `python -c`, it does not put the
    # current folder on sys.path by itself.
    script = Path(sys.executable).with_name("icdcheck")
    (tmp_path / "odd_engine.py").write_text(ODD_ENGINE, encoding="utf-8")
    env = {"ODD_CLOSED": str(tmp_path / "closed.txt"), "PYTHONPATH": ""}
    argv = [str(script), "serve", "--port", "0", "--engine", "odd_engine:Odd"]
    with service(argv, cwd=tmp_path, env=env) as running:
        assert request(running.url, "GET", "/describe") == (200, {"name": "odd", "version": "1"})


def test_a_port_out_of_range_is_a_usage_error() -> None:
    out = subprocess.run(
        [*ICDCHECK, "serve", "--port", "99999"], capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 4
    assert "--port: a port is a number from 0 to 65535, not '99999'" in out.stderr
    assert "Traceback" not in out.stderr


def test_the_readme_serve_example_works_outside_the_checkout(tmp_path: Path) -> None:
    """The README's curl example, run against `icdcheck serve` started in an empty folder."""
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    start = readme.index("icdcheck serve                                  # reference")
    block = readme[start : readme.index("```", start)]
    assert "curl -s -X POST" in block
    body = block[block.index("'{") + 1 : block.rindex("}'") + 1]
    script = Path(sys.executable).with_name("icdcheck")
    with service([str(script), "serve", "--port", "0"], cwd=tmp_path) as running:
        status, result = request(running.url, "POST", "/", json.loads(body))
    assert status == 200
    assert result["diagnoses"] == ["R25.3", "G12.21"]  # editing mode echoes the claim
    # and flags R25.3 as integral to ALS (contract §3, the table of §2.1 step 3)
    assert "SYMPTOM_INTEGRAL" in {edit["rule"] for edit in result["edits"]}
