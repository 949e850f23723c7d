"""Any engine as a local HTTP service speaking CONTRACT §5 (``icdcheck serve``).

- ``POST /`` or ``POST /run``: the body is an encounter (JSON); ``200`` with the result.
  ``400`` for a body that is not JSON or an encounter that breaks encounter.schema.json,
  ``422`` when the engine refuses the encounter (``EngineInputError``), ``500`` when it
  fails otherwise — every error body is JSON: ``{"error": "message", ...}``.
- ``GET /describe``: the engine's ``describe()``; ``GET /health``: ``{"status": "ok"}``.

HTTP/1.1 with keep-alive, one engine instance; calls into the engine are serialised by a
lock unless its ``describe()`` says ``"thread_safe": true``. Limits, for a service that
may be called by many clients at once (all documented in ``icdcheck serve --help``):

- a listen backlog of ``BACKLOG`` connections, so a burst of clients waits, not resets;
- a bounded pool of ``workers`` threads, each serving one connection at a time; further
  connections wait (accepted) for a free worker, and while one waits, a kept-alive
  connection closes after its reply and one idle between requests is closed;
- a connection idle for ``idle_timeout`` seconds (no request, or a stalled one) is closed,
  and a request must arrive whole within ``REQUEST_DEADLINE`` seconds;
- a body of at most ``MAX_REQUEST`` bytes, with Content-Length or chunked;
- every error, for every method, is a JSON body ``{"error": …}``.
"""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from pytest_icdcheck import __version__, limits
from pytest_icdcheck.errors import EngineFailure, EngineInputError

RUN_PATHS = ("/", "/run")
MAX_REQUEST = limits.SERVE_MAX_REQUEST
BACKLOG = limits.SERVE_BACKLOG
WORKERS = limits.SERVE_WORKERS
IDLE_TIMEOUT = limits.SERVE_IDLE_TIMEOUT
REQUEST_DEADLINE = limits.SERVE_REQUEST_DEADLINE


class EngineServer(ThreadingHTTPServer):
    request_queue_size = BACKLOG
    daemon_threads = True
    block_on_close = False

    def __init__(
        self,
        address: tuple[str, int],
        engine: Any,
        *,
        log: bool = False,
        workers: int = WORKERS,
        idle_timeout: float = IDLE_TIMEOUT,
    ) -> None:
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        super().__init__(address, _Handler)
        self.engine = engine
        self.log = log
        self.idle_timeout = idle_timeout
        self.workers = workers
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="icdcheck-serve")
        self._waiting = 0  # accepted connections no worker has taken yet
        self._serving = 0  # connections a worker has taken
        self._idle: dict[_Handler, socket.socket] = {}  # kept alive, between requests
        self._waiting_lock = threading.Lock()
        info = _describe(engine)
        self.info = info
        self._lock: threading.Lock | contextlib.nullcontext[None] = (
            contextlib.nullcontext() if info.get("thread_safe") is True else threading.Lock()
        )

    def process_request(self, request: Any, client_address: Any) -> None:
        """A worker of the bounded pool serves the connection (not a new thread each).

        When every worker is taken, one kept-alive connection idle between requests is
        closed to make room, as servers close idle keep-alive connections (clients open a
        new one), rather than the new one waiting out an idle timeout.
        """
        with self._waiting_lock:
            self._waiting += 1
            idle = None
            if self._serving >= self.workers and self._idle:
                _, idle = self._idle.popitem()
        if idle is not None:
            with contextlib.suppress(OSError):  # its worker's read sees the end
                idle.shutdown(socket.SHUT_RDWR)
        self._pool.submit(self._serve_connection, request, client_address)

    def _serve_connection(self, request: Any, client_address: Any) -> None:
        with self._waiting_lock:
            self._waiting -= 1
            self._serving += 1
        try:
            self.process_request_thread(request, client_address)
        finally:
            with self._waiting_lock:
                self._serving -= 1

    def next_request_starts(self, handler: _Handler) -> bool:
        """Wait, as an idle kept-alive connection, for the next request's first byte (or
        the client's close): False if the connection is to end instead, because it idled
        past the timeout or was closed to make room for a waiting one."""
        with self._waiting_lock:
            self._idle[handler] = handler.connection
        try:
            handler.rfile.peek(1)  # type: ignore[attr-defined]
            ended = False
        except (OSError, ValueError):  # the idle timeout (a socket after one can't be read)
            ended = True
        with self._waiting_lock:
            kept = self._idle.pop(handler, None) is not None
        return kept and not ended

    @property
    def others_waiting(self) -> bool:
        """Whether a connection waits for a worker: then a kept-alive connection gives its
        worker up after its reply, or clients with more connections than there are
        workers (--icd-concurrency 64 against 32) would wait for an idle timeout."""
        return self._waiting > 0

    def server_close(self) -> None:
        super().server_close()
        self._pool.shutdown(wait=False, cancel_futures=True)

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
    error_content_type = "application/json"
    # Headers and body leave in one segment: with Nagle on, a second small write waits
    # for the client's delayed ACK (~40 ms a request on a kept-alive connection).
    wbufsize = -1  # buffered; handle_one_request() flushes after each request
    disable_nagle_algorithm = True
    server_version = f"icdcheck-serve/{__version__}"
    server: EngineServer

    def setup(self) -> None:
        # Each read waits this long at most: an idle or stalled client frees its worker.
        self.timeout = self.server.idle_timeout  # type: ignore[misc]
        self.requests_served = 0
        super().setup()

    def handle_one_request(self) -> None:
        # Between two requests of a kept-alive connection the worker may be taken back
        # (EngineServer.process_request); the first request of a connection is not cut.
        if self.requests_served and not self.server.next_request_starts(self):
            self.close_connection = True
            return
        self.requests_served += 1
        super().handle_one_request()

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """http.server's own errors (bad request line, unknown method, headers too long)
        as JSON, like every other error of the service."""
        try:
            phrase = HTTPStatus(code).phrase
        except ValueError:
            phrase = "error"
        self.close_connection = True
        body = json.dumps({"error": message or phrase}).encode("utf-8")
        self.send_response(code, message)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD" and code >= 200 and code not in (204, 304):
            self.wfile.write(body)

    def _not_allowed(self) -> None:
        self.close_connection = True
        self.send_response(HTTPStatus.METHOD_NOT_ALLOWED)
        body = json.dumps(
            {
                "error": f"method {self.command} is not allowed; POST an encounter to / "
                "(or /run), GET /describe or /health"
            }
        ).encode("utf-8")
        self.send_header("Allow", "GET, POST")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_PUT = do_DELETE = do_PATCH = do_HEAD = do_OPTIONS = do_TRACE = do_CONNECT = _not_allowed

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
        if self.server.others_waiting:  # the client reconnects; the worker serves the next
            self.close_connection = True
            self.send_header("Connection", "close")
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

    def _read_body(self) -> bytes | None:
        """The request body (Content-Length or chunked), or None once an error is sent."""
        deadline = time.monotonic() + REQUEST_DEADLINE
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked(deadline)
        length_header = self.headers.get("Content-Length")
        if length_header is None:
            return self._refuse(
                HTTPStatus.LENGTH_REQUIRED,
                "a Content-Length header (or Transfer-Encoding: chunked) is required",
            )
        length_text = length_header.strip()
        if not length_text.isdigit():
            return self._refuse(
                HTTPStatus.BAD_REQUEST,
                f"bad Content-Length {length_header!r}: give the body's size in bytes, "
                "a whole number of 0 or more",
            )
        length = int(length_text)
        if length > MAX_REQUEST:
            return self._refuse(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                f"the body must be at most {MAX_REQUEST} bytes, not {length}",
            )
        return self._read_exactly(length, deadline)

    def _read_chunked(self, deadline: float) -> bytes | None:
        parts: list[bytes] = []
        total = 0
        while True:
            line = self.rfile.readline(1024)
            size_text = line.split(b";", 1)[0].strip()
            try:
                size = int(size_text, 16)
            except ValueError:
                return self._refuse(HTTPStatus.BAD_REQUEST, f"bad chunk size {size_text!r}")
            if size == 0:
                while self.rfile.readline(1024).strip():  # trailers, up to the blank line
                    if time.monotonic() > deadline:
                        return self._timed_out()
                return b"".join(parts)
            total += size
            if total > MAX_REQUEST:
                return self._refuse(
                    HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                    f"the body must be at most {MAX_REQUEST} bytes",
                )
            chunk = self._read_exactly(size, deadline)
            if chunk is None:
                return None
            parts.append(chunk)
            self.rfile.readline(16)  # the CRLF after the chunk

    def _read_exactly(self, length: int, deadline: float) -> bytes | None:
        parts: list[bytes] = []
        left = length
        while left:
            piece = self.rfile.read1(min(left, 65536))
            if not piece:
                return self._refuse(
                    HTTPStatus.BAD_REQUEST, f"the body ended after {length - left} bytes"
                )
            parts.append(piece)
            left -= len(piece)
            if left and time.monotonic() > deadline:
                return self._timed_out()
        return b"".join(parts)

    def _timed_out(self) -> bytes | None:
        return self._refuse(
            HTTPStatus.REQUEST_TIMEOUT,
            f"the request did not arrive whole within {REQUEST_DEADLINE:.0f} seconds",
        )

    def _refuse(self, status: int, message: str) -> bytes | None:
        """Send the error and close; None, for _read_body to return."""
        self.close_connection = True  # the rest of the stream cannot be trusted
        self._error(status, message)
        return None

    def do_POST(self) -> None:
        path = self.path.split("?", 1)[0]
        data = self._read_body()  # read it whatever the path, to keep the stream in step
        if data is None:
            return
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
    engine: Any,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    log: bool = False,
    workers: int = WORKERS,
    idle_timeout: float = IDLE_TIMEOUT,
) -> EngineServer:
    """A bound, not yet serving, server for ``engine`` (port 0: a free port)."""
    return EngineServer((host, port), engine, log=log, workers=workers, idle_timeout=idle_timeout)
