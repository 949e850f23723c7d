"""A latency-injected engine for bench_concurrency.py: the reference, DELAY s a request.

Like a vendor's service or multi-threaded engine: each request waits a fixed delay (the
service's latency) and is then coded by the shipped reference engine, so every case
still passes; requests are served concurrently (one thread each), and replies leave in
the order they finish, not the order they came.

    python benchmarks/latency_engine.py cmd  DELAY      # JSON Lines on stdin/stdout
    python benchmarks/latency_engine.py http DELAY      # prints its URL, serves until killed

Loopback only (127.0.0.1).
"""

from __future__ import annotations

import json
import sys
import threading
import time
from collections.abc import Mapping
from typing import Any

from pytest_icdcheck.reference import ReferenceEngine


class SlowReference:
    """The reference engine behind a fixed delay; coding itself is serialised."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self._engine = ReferenceEngine()
        self._lock = threading.Lock()  # the delay overlaps; the coding does not

    def describe(self) -> dict[str, Any]:
        info = dict(self._engine.describe())
        info.update(name=f"reference+{self.delay * 1000:g}ms", thread_safe=True)
        return info

    def run(self, encounter: Mapping[str, Any]) -> dict[str, Any]:
        time.sleep(self.delay)
        with self._lock:
            return dict(self._engine.run(encounter))


def serve_cmd(engine: SlowReference) -> None:
    out_lock = threading.Lock()

    def reply(obj: dict[str, Any]) -> None:
        line = json.dumps(obj) + "\n"
        with out_lock:
            sys.stdout.write(line)
            sys.stdout.flush()

    def answer(request: dict[str, Any]) -> None:
        try:
            reply({"id": request["id"], "result": engine.run(request["encounter"])})
        except Exception as exc:
            reply({"id": request["id"], "error": f"{type(exc).__name__}: {exc}"})

    threads = []
    for line in sys.stdin:
        request = json.loads(line)
        if request.get("op") == "describe":
            reply({"describe": engine.describe()})
            continue
        thread = threading.Thread(target=answer, args=(request,), daemon=True)
        thread.start()
        threads.append(thread)
        threads = [t for t in threads if t.is_alive()]
    for thread in threads:
        thread.join()


def serve_http(engine: SlowReference) -> None:
    from pytest_icdcheck.engines.serving import EngineServer

    class Server(EngineServer):
        request_queue_size = 128  # at N = 64, 64 connections arrive at once

    server = Server(("127.0.0.1", 0), engine)
    print(server.url, flush=True)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()


def main() -> None:
    mode, delay = sys.argv[1], float(sys.argv[2])
    engine = SlowReference(delay)
    serve_cmd(engine) if mode == "cmd" else serve_http(engine)


if __name__ == "__main__":
    main()
