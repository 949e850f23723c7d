"""Per-case overhead of the out-of-process engines (cmd:, http://) against in-process.

The same engine three ways, in the same run, on the shipped suite (``cases/``):

- in-process: ``--icd-engine reference``;
- ``cmd:``: a thin Python JSON Lines wrapper around the reference (so what is measured
  is the protocol — pipes, JSON, one process — not another language);
- ``http://``: the reference behind ``icdcheck serve`` (keep-alive, JSON).

Two measurements:

1. *pytest*: wall time of ``pytest cases`` with each engine; overhead per case is the
   difference to in-process divided by the number of cases (engine start-up included:
   the cmd: process loads the reference during the run, the service before it).
2. *calls*: every case's encounter sent straight to each engine adapter (warm, no pytest),
   median of the per-case times; the pure protocol cost.

    python benchmarks/bench_engines.py [--repeat R] [PATH ...]

The machines are shared and noisy: compare numbers from the same run only.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from services import started

ROOT = Path(__file__).resolve().parent.parent

WRAPPER = """\
import json, sys
from pytest_icdcheck.reference import ReferenceEngine

engine = ReferenceEngine()
out = sys.stdout
for line in sys.stdin:
    request = json.loads(line)
    if request.get("op") == "describe":
        reply = {"describe": engine.describe()}
    else:
        try:
            reply = {"id": request["id"], "result": engine.run(request["encounter"])}
        except Exception as exc:
            reply = {"id": request["id"], "error": f"{type(exc).__name__}: {exc}"}
    out.write(json.dumps(reply) + "\\n")
    out.flush()
engine.close()
"""


@contextmanager
def served() -> Iterator[str]:
    cmd = [
        sys.executable,
        "-c",
        "import sys; from pytest_icdcheck.commands.cli import main; sys.exit(main())",
    ]
    with started([*cmd, "serve", "--port", "0"], "icdcheck serve") as url:
        yield url


def pytest_wall(paths: list[str], engine: str) -> tuple[float, str]:
    start = time.perf_counter()
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            *paths,
            "-q",
            "-p",
            "no:cacheprovider",
            "--icd-engine",
            engine,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - start
    last = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else out.stderr[-300:]
    return wall, last


def encounters(paths: list[str]) -> list[tuple[str, dict[str, Any]]]:
    from pytest_icdcheck.casefile.cases import read_cases

    out: list[tuple[str, dict[str, Any]]] = []
    for root in paths:
        base = ROOT / root
        files = sorted(base.rglob("*.icd.yaml")) if base.is_dir() else [base]
        for path in files:
            for case in read_cases(path, str(path)):
                if not case.problems:
                    out.append((case.name, case.encounter))
    return out


def per_call_ms(adapter: Any, cases: list[tuple[str, dict[str, Any]]]) -> float:
    """Median ms per case through an EngineAdapter (after one warm-up pass)."""
    for case_id, encounter in cases[:50]:
        _run(adapter, case_id, encounter)
    times = []
    for case_id, encounter in cases:
        start = time.perf_counter()
        _run(adapter, case_id, encounter)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def _run(adapter: Any, case_id: str, encounter: dict[str, Any]) -> None:
    from pytest_icdcheck.errors import IcdCheckError

    with contextlib.suppress(IcdCheckError):  # a refused case costs a round trip too
        adapter.run(case_id, encounter)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="*", default=["cases"], help="case files or folders")
    parser.add_argument("--repeat", type=int, default=1, help="pytest runs per engine (best kept)")
    args = parser.parse_args()

    from pytest_icdcheck.engines.adapter import EngineAdapter
    from pytest_icdcheck.engines.resolve import resolve_engine

    cases = encounters(args.paths)
    n = len(cases)
    with tempfile.TemporaryDirectory() as tmp, served() as url:
        wrapper = Path(tmp) / "jsonl_reference.py"
        wrapper.write_text(WRAPPER, encoding="utf-8")
        engines = {
            "in-process": "reference",
            "cmd:": f"cmd:{sys.executable} {wrapper}",
            "http://": url,
        }
        print(f"{n} cases in {' '.join(args.paths)}; engine service at {url}\n")

        print("1. pytest wall time (best of", args.repeat, "run(s))")
        walls: dict[str, float] = {}
        for label, spec in engines.items():
            best = None
            for _ in range(args.repeat):
                wall, summary = pytest_wall(args.paths, spec)
                best = wall if best is None else min(best, wall)
            assert best is not None
            walls[label] = best
            extra = ""
            if label != "in-process":
                overhead = (best - walls["in-process"]) / n * 1000
                extra = f"   overhead {overhead:+.2f} ms/case"
            print(
                f"   {label:<11} {best:7.2f} s   {best / n * 1000:6.2f} ms/case{extra}"
                f"   ({summary})"
            )

        print("\n2. engine calls, no pytest (median per case, warm)")
        medians: dict[str, float] = {}
        for label, spec in engines.items():
            adapter = EngineAdapter(spec, resolve_engine(spec, timeout=30))
            try:
                medians[label] = per_call_ms(adapter, cases)
            finally:
                adapter.close()
            extra = ""
            if label != "in-process":
                extra = f"   overhead {medians[label] - medians['in-process']:+.3f} ms/case"
            print(f"   {label:<11} {medians[label]:7.3f} ms/case{extra}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
