"""A latency-injected engine for bench_concurrency.py: the reference, DELAY s a request.

Like a vendor's service or multi-threaded engine: each request waits a fixed delay (the
service's latency) and is then coded by the shipped reference engine, so every case
still passes. Requests wait out their delays side by side (HTTP: a thread a connection;
``cmd:``: a timer heap), so N requests in flight take one delay, not N; the coding itself
runs one request at a time, as the reference need not be thread-safe.

    python benchmarks/latency_engine.py cmd  DELAY      # JSON Lines on stdin/stdout
    python benchmarks/latency_engine.py http DELAY      # prints its URL, serves until killed

Loopback only (127.0.0.1).
"""

from __future__ import annotations

import contextlib
import heapq
import json
import sys
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pytest_icdcheck.reference import ReferenceEngine

# A service loads its rules before it answers: the engine codes these files' cases at
# start (the grouper, MCE, HCC and code-set tables all load), before it reads stdin.
WARM_UP = [
    Path(__file__).resolve().parent.parent / "cases" / "fy2026" / name
    for name in ("drg.icd.yaml", "hcc.icd.yaml", "edits-validity.icd.yaml")
]


def warm_up(engine: ReferenceEngine) -> None:
    from pytest_icdcheck.casefile.cases import read_cases

    for path in WARM_UP:
        for case in read_cases(path, str(path)):
            if not case.problems:
                with contextlib.suppress(Exception):
                    engine.run(case.encounter)


class SlowReference:
    """The reference engine behind a fixed delay; coding itself is serialised."""

    def __init__(self, delay: float) -> None:
        self.delay = delay
        self._engine = ReferenceEngine()
        # Load the code sets now, as a service loads its rules before it answers.
        warm_up(self._engine)
        self._lock = threading.Lock()  # the delay overlaps; the coding does not

    def describe(self) -> dict[str, Any]:
        info = dict(self._engine.describe())
        info.update(name=f"reference+{self.delay * 1000:g}ms", thread_safe=True)
        return info

    def run(self, encounter: Mapping[str, Any]) -> dict[str, Any]:
        time.sleep(self.delay)
        return self.code(encounter)

    def code(self, encounter: Mapping[str, Any]) -> dict[str, Any]:
        with self._lock:
            return dict(self._engine.run(encounter))


def serve_cmd(engine: SlowReference) -> None:
    """Every request waits its delay alongside the others (a timer heap), then one
    thread codes it: requests overlap as in a multi-threaded engine, coding does not."""
    due: list[tuple[float, int, dict[str, Any]]] = []
    ready = threading.Condition()
    done = threading.Event()

    def reply(obj: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(obj) + "\n")
        sys.stdout.flush()

    def answer() -> None:
        while True:
            with ready:
                while not due or due[0][0] > time.monotonic():
                    if done.is_set() and not due:
                        return
                    ready.wait(None if not due else due[0][0] - time.monotonic())
                _, _, request = heapq.heappop(due)
            try:
                reply({"id": request["id"], "result": engine.code(request["encounter"])})
            except Exception as exc:
                reply({"id": request["id"], "error": f"{type(exc).__name__}: {exc}"})

    worker = threading.Thread(target=answer, daemon=True)
    worker.start()
    for number, line in enumerate(sys.stdin):
        request = json.loads(line)
        if request.get("op") == "describe":
            reply({"describe": engine.describe()})
            continue
        with ready:
            heapq.heappush(due, (time.monotonic() + engine.delay, number, request))
            ready.notify()
    with ready:
        done.set()
        ready.notify()
    worker.join()


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
