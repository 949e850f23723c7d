"""A Python coding engine behind HTTP, as a vendor would expose one (CONTRACT §5).

    python examples/http-engine/server.py --port 8780
    pytest cases --icd-engine http://127.0.0.1:8780/

The protocol is small: ``POST`` the encounter as JSON, a ``200`` reply's body is the
result (CONTRACT §3). Anything else fails that case. ``GET /describe`` is optional; the
plugin shows its ``name`` and ``version`` in the run summary.

This service is plain ``http.server`` (standard library only), so it reads like what a
team would write in any language. ``AcmeEngine`` stands for the product: here it wraps
the shipped reference engine and maps its output the way a vendor adapter maps theirs.
``icdcheck serve --engine module:attr`` would serve the same class with no code at all.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType
from typing import Any

from pytest_icdcheck.errors import EngineInputError
from pytest_icdcheck.reference import ReferenceEngine


class AcmeEngine:
    """The product: codes one encounter. Replace the body of ``code`` with your own."""

    def __init__(self) -> None:
        self._backend = ReferenceEngine()
        self._lock = threading.Lock()  # the backend is not thread-safe; the server is

    def describe(self) -> dict[str, Any]:
        backend = self._backend.describe()
        return {
            "name": "acme-python-http",
            "version": "2.1.0",
            "fiscal_years": backend["fiscal_years"],
            "backend": f"{backend['name']} {backend['version']}",
        }

    def code(self, encounter: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            raw = self._backend.run(encounter)
        # The mapping step of a real adapter: keep the contract's keys, normalise services.
        return {
            "diagnoses": list(raw["diagnoses"]),
            "services": [
                {
                    "code": s["code"],
                    "modifiers": list(s.get("modifiers", [])),
                    "units": s.get("units", 1),
                }
                for s in raw["services"]
            ],
            "edits": list(raw["edits"]),
            "cdi": list(raw["cdi"]),
            "hcc": raw["hcc"],
            "drg": raw["drg"],
        }

    def close(self) -> None:
        self._backend.close()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: the plugin reuses one connection
    wbufsize = -1  # headers and body in one write (else Nagle + delayed ACK: ~40 ms each)
    disable_nagle_algorithm = True
    engine: AcmeEngine

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet; use sys.stderr for your own diagnostics

    def send_json(self, status: int, payload: Any) -> None:
        body = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        if self.path == "/describe":
            self.send_json(200, self.engine.describe())
        else:
            self.send_json(404, {"error": f"no such resource {self.path}"})

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        if self.path != "/":
            self.send_json(404, {"error": f"POST encounters to /, not {self.path}"})
            return
        try:
            encounter = json.loads(body)
        except ValueError as exc:
            self.send_json(400, {"error": f"not JSON: {exc}"})
            return
        try:
            self.send_json(200, self.engine.code(encounter))
        except EngineInputError as exc:
            self.send_json(422, {"error": str(exc)})
        except Exception as exc:
            self.send_json(500, {"error": f"{type(exc).__name__}: {exc}"})


def main() -> int:
    parser = argparse.ArgumentParser(description="The Acme coding engine over HTTP.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8780, help="0 picks a free port")
    args = parser.parse_args()

    engine = AcmeEngine()
    Handler.engine = engine
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    server.daemon_threads = True
    host, port = server.server_address[:2]
    print(f"http://{host}:{port}/", flush=True)  # first line: the URL (tests read it)

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
        engine.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
