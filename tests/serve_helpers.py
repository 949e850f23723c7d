"""Start a service as a subprocess that prints its URL on the first line, and always stop it."""

from __future__ import annotations

import contextlib
import os
import queue
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
ICDCHECK = [
    sys.executable,
    "-c",
    "import sys; from pytest_icdcheck.commands.cli import main; sys.exit(main())",
]


class Service:
    def __init__(self, process: subprocess.Popen[str], url: str) -> None:
        self.process = process
        self.url = url
        self._stopped: tuple[int, str] | None = None

    def stop(self) -> tuple[int, str]:
        """SIGTERM, then kill if it does not stop; returns exit status and stderr."""
        if self._stopped is not None:
            return self._stopped
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        assert self.process.stderr is not None
        err = self.process.stderr.read()
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()
        self._stopped = (self.process.returncode, err)
        return self._stopped


@contextlib.contextmanager
def service(
    argv: Sequence[str], *, cwd: Path = REPO, env: dict[str, str] | None = None, wait: float = 60
) -> Iterator[Service]:
    """Run ``argv``; its first stdout line is the URL (within ``wait`` seconds)."""
    process = subprocess.Popen(
        list(argv),
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    running = Service(process, "")
    try:
        first: queue.Queue[str] = queue.Queue()
        assert process.stdout is not None
        stdout = process.stdout
        threading.Thread(target=lambda: first.put(stdout.readline()), daemon=True).start()
        try:
            url = first.get(timeout=wait).strip()
        except queue.Empty:
            url = ""
        if not url.startswith("http"):
            status, err = running.stop()
            raise RuntimeError(f"{argv} did not print a URL (status {status}): {err[-2000:]}")
        running.url = url
        yield running
    finally:
        running.stop()


def serve(*args: str, **kwargs: object) -> contextlib.AbstractContextManager[Service]:
    """``icdcheck serve --port 0 ARGS``."""
    return service([*ICDCHECK, "serve", "--port", "0", *args], **kwargs)  # type: ignore[arg-type]


class QuietHandler(BaseHTTPRequestHandler):
    """A test service's handler: HTTP/1.1 keep-alive, no log lines, one call per reply."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _reply(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def echo_result(encounter: dict[str, Any]) -> dict[str, Any]:
    """A valid result that reports the claim's diagnoses and nothing else."""
    claim = encounter.get("claim") or {}
    return {"diagnoses": claim.get("diagnoses", []), "services": [], "edits": [],
            "cdi": [], "hcc": None, "drg": None}  # fmt: skip


@contextlib.contextmanager
def serving_in_thread(server: Any) -> Iterator[Any]:
    """A test HTTP server answering from a thread for the ``with`` block, then shut."""
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)
