"""``--icd-engine http://…``: an engine behind HTTP (CONTRACT §5).

A tiny server runs in a thread of the test process (127.0.0.1, a free port); the path
of the URL chooses how it behaves.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import ThreadingHTTPServer
from typing import Any

import pytest
from plugin_helpers import THREE_CASES, write_cases
from serve_helpers import QuietHandler, echo_result, serving_in_thread


class Handler(QuietHandler):
    server: Server

    def do_GET(self) -> None:
        if self.path == "/describe":
            info = {"name": "http-toy", "version": "2.0", "fiscal_years": [2026]}
            self._reply(200, json.dumps(info).encode(), {"Content-Type": "application/json"})
        else:
            self._reply(404, b"not here")

    def do_POST(self) -> None:
        self.server.connections.add(self.client_address)
        self.server.cases.append(self.headers.get("X-Icdcheck-Case", ""))
        encounter = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        result = echo_result(encounter)
        ok = json.dumps(result).encode()
        path = self.path
        if path in ("/", "/engine/run"):
            self._reply(200, ok, {"Content-Type": "application/json"})
        elif path == "/drop-idle":  # answers, then drops the kept-alive connection
            self._reply(200, ok)
            self.close_connection = True
        elif path == "/pair-then-drop":  # two at once, then both connections dropped
            self.server.pair.wait(10)
            self._reply(200, ok)
            self.close_connection = True
        elif path == "/500":
            self._reply(500, b"Traceback (most recent call last): NullPointerException " * 10)
        elif path == "/404":
            self._reply(404, b"<html><body>No such page</body></html>")
        elif path == "/not-json":
            self._reply(200, b"<html>oops, the login page</html>")
        elif path == "/list":
            self._reply(200, b"[1, 2]")
        elif path == "/slow":
            time.sleep(3)
            self._reply(200, ok)
        elif path == "/elsewhere":
            self._reply(307, b"", {"Location": "http://coder.example.invalid/run"})
        elif path == "/moved":
            self._reply(308, b"", {"Location": "/"})
        elif path == "/see-other":
            self._reply(303, b"", {"Location": "/"})
        else:
            self._reply(404, b"unknown test path")


class Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), Handler)
        self.connections: set[Any] = set()
        self.cases: list[str] = []
        self.pair = threading.Barrier(2)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def server(pytester: pytest.Pytester) -> Iterator[Server]:
    write_cases(pytester, "h.icd.yaml", THREE_CASES, defaults=True)
    with serving_in_thread(Server()) as srv:
        yield srv


class TestWorkingService:
    def test_cases_post_to_the_url_on_one_kept_alive_connection(
        self, pytester: pytest.Pytester, server: Server
    ) -> None:
        result = pytester.runpytest("--icd-engine", server.base + "/")
        result.assert_outcomes(passed=3)
        result.stdout.fnmatch_lines(["engine: http-toy 2.0"])  # from GET /describe
        assert server.cases == ["c1", "c2", "c3"]
        assert len(server.connections) == 1

    def test_url_ending_in_run_describes_from_its_parent(
        self, pytester: pytest.Pytester, server: Server
    ) -> None:
        result = pytester.runpytest("--icd-engine", server.base + "/engine/run")
        result.assert_outcomes(passed=3)

    def test_a_dropped_keep_alive_connection_is_opened_again(
        self, pytester: pytest.Pytester, server: Server
    ) -> None:
        result = pytester.runpytest("--icd-engine", server.base + "/drop-idle")
        result.assert_outcomes(passed=3)
        assert len(server.connections) == 3

    def test_when_every_kept_alive_connection_went_stale_a_new_one_is_opened(
        self, server: Server
    ) -> None:
        from pytest_icdcheck.engines.http_engine import HttpEngine

        engine = HttpEngine(server.base + "/pair-then-drop", concurrency=2)
        encounter = {"claim": {"diagnoses": ["R25.3"]}}
        with ThreadPoolExecutor(2) as pool:  # two connections, both kept by the client
            list(pool.map(lambda n: engine.run_case(f"c{n}", encounter), (1, 2)))
        server.pair = threading.Barrier(1)  # the server dropped both after replying
        result = engine.run_case("c3", encounter)  # stale, stale: a new connection
        assert result["diagnoses"] == ["R25.3"]
        assert len(server.connections) == 3
        engine.close()

    def test_same_host_308_is_followed(self, pytester: pytest.Pytester, server: Server) -> None:
        result = pytester.runpytest("--icd-engine", server.base + "/moved")
        result.assert_outcomes(passed=3)


class TestBrokenService:
    @pytest.mark.parametrize(
        ("path", "message"),
        [
            ("/500", "*HTTP 500 from http://127.0.0.1:*/500 for case c1: Traceback (most recent*"),
            ("/404", "*HTTP 404 from http://*/404 for case c1: <html><body>No such page*"),
            (
                "/not-json",
                "*HTTP 200 from http://*/not-json for case c1, but the body is not JSON: "
                "<html>oops, the login page</html>*",
            ),
            ("/list", "*the body is a JSON list, not a result object: ?1, 2?*"),
            (
                "/elsewhere",
                "*HTTP 307 from http://*/elsewhere redirects case c1 to another host "
                "(http://coder.example.invalid/run); redirects to another host are not followed*",
            ),
            ("/see-other", "*HTTP 303 from http://*/see-other redirects case c1 to http://*"),
        ],
    )
    def test_each_case_fails_with_status_and_the_start_of_the_body(
        self, pytester: pytest.Pytester, server: Server, path: str, message: str
    ) -> None:
        result = pytester.runpytest("--icd-engine", server.base + path)
        result.assert_outcomes(failed=3)
        result.stdout.fnmatch_lines([message])

    def test_the_body_start_is_bounded(self, pytester: pytest.Pytester, server: Server) -> None:
        result = pytester.runpytest("--icd-engine", server.base + "/500")
        line = next(x for x in result.outlines if "HTTP 500 from" in x)
        assert len(line) < 400 and line.endswith("…")

    def test_slow_service_times_out(self, pytester: pytest.Pytester, server: Server) -> None:
        result = pytester.runpytest("--icd-engine", server.base + "/slow", "--icd-timeout", "0.5")
        result.assert_outcomes(failed=3)
        result.stdout.fnmatch_lines(["*timed out after 0.5 s on case c1 (POST http://*/slow)*"])

    def test_refused_connection(self, pytester: pytest.Pytester) -> None:
        write_cases(pytester, "h.icd.yaml", THREE_CASES, defaults=True)
        with socket.socket() as sock:  # a port that was free a moment ago and is now closed
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        url = f"http://127.0.0.1:{port}/"
        result = pytester.runpytest("--icd-engine", url)
        result.assert_outcomes(failed=3)
        result.stdout.fnmatch_lines(
            [f"*cannot connect to {url} for case *: connection refused (is the service running?)*"]
        )

    def test_not_a_url(self, pytester: pytest.Pytester) -> None:
        write_cases(pytester, "h.icd.yaml", THREE_CASES, defaults=True)
        result = pytester.runpytest("--icd-engine", "http:///run")
        result.assert_outcomes(failed=3)
        result.stdout.fnmatch_lines(["*not an http(s) URL with a host*"])
