"""Any engine as a local HTTP service speaking CONTRACT §5 (``icdcheck serve``).

- ``POST /`` or ``POST /run``: the body is an encounter (JSON); ``200`` with the result.
  ``400`` for a body that is not JSON or an encounter that breaks encounter.schema.json,
  ``422`` when the engine refuses the encounter (``EngineInputError``), ``500`` when it
  fails otherwise — every error body is JSON: ``{"error": "message", ...}``.
- ``GET /describe``: the engine's ``describe()``; ``GET /health``: ``{"status": "ok"}``.

HTTP/1.1 with keep-alive, one thread per connection, one engine instance; calls into the
engine are serialised by a lock unless its ``describe()`` says ``"thread_safe": true``.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
from collections.abc import Mapping
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from pytest_icdcheck import __version__
from pytest_icdcheck.errors import EngineFailure, EngineInputError

MAX_REQUEST = 16 * 1024 * 1024
RUN_PATHS = ("/", "/run")


class EngineServer(ThreadingHTTPServer):
    daemon_threads = True  # an idle keep-alive connection never holds up shutdown
    block_on_close = False

    def __init__(self, address: tuple[str, int], engine: Any, *, log: bool = False) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)
        self.engine = engine
        self.log = log
        info = _describe(engine)
        self.info = info
        self._lock: threading.Lock | contextlib.nullcontext[None] = (
            contextlib.nullcontext() if info.get("thread_safe") is True else threading.Lock()
        )

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        if isinstance(host, bytes):
            host = host.decode()
        shown = f"[{host}]" if ":" in str(host) else str(host)
        return f"http://{shown}:{port}/"

    def run_engine(self, case_id: str | None, encounter: Mapping[str, Any]) -> Any:
        run_case = getattr(self.engine, "run_case", None)
        with self._lock:
            if callable(run_case):
                return run_case(case_id or "-", encounter)
            return self.engine.run(encounter)


def _describe(engine: Any) -> dict[str, Any]:
    describe = getattr(engine, "describe", None)
    if callable(describe):
        with contextlib.suppress(Exception):
            info = describe()
            if isinstance(info, Mapping):
                return dict(info)
    return {"name": type(engine).__name__}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in one segment: with Nagle on, a second small write waits
    # for the client's delayed ACK (~40 ms a request on a kept-alive connection).
    wbufsize = -1  # buffered; handle_one_request() flushes after each request
    disable_nagle_algorithm = True
    server_version = f"icdcheck-serve/{__version__}"
    server: EngineServer

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.log:
            super().log_message(format, *args)

    def _send(self, status: int, payload: Any) -> None:
        try:
            body = json.dumps(payload, ensure_ascii=False, allow_nan=False).encode("utf-8")
        except (TypeError, ValueError) as exc:
            status = HTTPStatus.INTERNAL_SERVER_ERROR
            body = json.dumps({"error": f"the engine's result is not JSON: {exc}"}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _error(self, status: int, message: str, **extra: Any) -> None:
        self._send(status, {"error": message, **extra})

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/describe":
            self._send(HTTPStatus.OK, self.server.info)
        elif path == "/health":
            self._send(HTTPStatus.OK, {"status": "ok"})
        else:
            self._error(
                HTTPStatus.NOT_FOUND,
                f"no such resource {path}; POST an encounter to / (or /run), "
                "GET /describe or /health",
            )

    def do_POST(self) -> None:
        path = self.path.split("?", 1)[0]
        length_header = self.headers.get("Content-Length")
        if length_header is None:
            self.close_connection = True
            self._error(HTTPStatus.LENGTH_REQUIRED, "a Content-Length header is required")
            return
        try:
            length = int(length_header)
        except ValueError:
            self.close_connection = True
            self._error(HTTPStatus.BAD_REQUEST, f"bad Content-Length {length_header!r}")
            return
        if length < 0 or length > MAX_REQUEST:
            self.close_connection = True
            self._error(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                f"the body must be at most {MAX_REQUEST} bytes, not {length}",
            )
            return
        data = self.rfile.read(length)  # read it whatever the path, to keep the stream in step
        if path not in RUN_PATHS:
            self._error(HTTPStatus.NOT_FOUND, f"no such resource {path}; POST encounters to /")
            return
        try:
            encounter = json.loads(data)
        except ValueError as exc:
            self._error(HTTPStatus.BAD_REQUEST, f"the body is not JSON: {exc}")
            return
        from pytest_icdcheck.casefile import schema

        problems = schema.encounter_problems(encounter)
        if problems:
            self._error(
                HTTPStatus.BAD_REQUEST,
                "the body is not a valid encounter (encounter.schema.json): "
                + "; ".join(f"{p.where}: {p.message}" for p in problems[: schema.MAX_ERRORS_SHOWN]),
                problems=[{"where": p.where, "message": p.message} for p in problems],
            )
            return
        case_id = self.headers.get("X-Icdcheck-Case")
        try:
            result = self.server.run_engine(case_id, encounter)
        except EngineInputError as exc:
            self._error(HTTPStatus.UNPROCESSABLE_ENTITY, str(exc))
            return
        except EngineFailure as exc:
            self._error(HTTPStatus.INTERNAL_SERVER_ERROR, str(exc))
            return
        except Exception as exc:
            self._error(HTTPStatus.INTERNAL_SERVER_ERROR, f"{type(exc).__name__}: {exc}")
            return
        if not isinstance(result, Mapping):
            self._error(
                HTTPStatus.INTERNAL_SERVER_ERROR,
                f"the engine returned {type(result).__name__}, not a result mapping",
            )
            return
        self._send(HTTPStatus.OK, dict(result))


def make_server(
    engine: Any, host: str = "127.0.0.1", port: int = 0, *, log: bool = False
) -> EngineServer:
    """A bound, not yet serving, server for ``engine`` (port 0: a free port)."""
    return EngineServer((host, port), engine, log=log)
