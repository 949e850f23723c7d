"""Requests in flight (``--icd-concurrency`` / ``--concurrency``) against engine latency.

One run, one table: the shipped reference in process, then the same reference behind a
fixed delay a request (``latency_engine.py``: an HTTP service and a ``cmd:`` program, both
answering concurrently) at 20 ms and 100 ms, at N = 1, 8, 32, 64 requests in flight, in
pytest mode (``pytest -n 0``) and ``icdcheck run --jobs 1`` (one process, so the gain is
the requests in flight alone). Walls are whole runs (start-up included; the HTTP service
is started before, the ``cmd:`` program within the run).

The 20 ms rows run about 1,000 shipped cases (whole files of cases/, in order); the
100 ms rows a subset of about 200 (N = 1 alone would take 100 s a mode and transport).
Each row says how many cases it ran and its ratio to in-process on the same cases; each
wall is the median of 3 runs (``--repeat``), but N = 1 rows run once.

Then the Done-when cells (20 ms, N = 32, both modes and transports) once more, each
engine run alternating with an in-process run (``target_check``), with the least a
``cmd:`` row could take whatever the harness did: its engine's own start-up plus the
latency floor.

    python benchmarks/bench_concurrency.py [--cases 1000] [--slow-cases 200] [--target-only]

The machines are shared and noisy: compare numbers from the same run only.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from services import started

ROOT = Path(__file__).resolve().parent.parent
LATENCY_ENGINE = Path(__file__).resolve().parent / "latency_engine.py"
CONCURRENCY = (1, 8, 32, 64)
TARGET = 1.5  # Done when: 20 ms engine, N = 32, ~1,000 cases within 1.5x of in-process


def pick_files(count: int) -> list[tuple[Path, int]]:
    """Whole shipped case files, in path order, until ``count`` cases (valid ones)."""
    from pytest_icdcheck.casefile.cases import read_cases

    picked: list[tuple[Path, int]] = []
    total = 0
    for path in sorted((ROOT / "cases").rglob("*.icd.yaml")):
        n = sum(1 for case in read_cases(path, str(path)) if not case.problems)
        if total and total + n > count * 1.1:
            continue
        picked.append((path, n))
        total += n
        if total >= count:
            break
    return picked


def corpus(folder: Path, files: list[tuple[Path, int]]) -> int:
    folder.mkdir(parents=True)
    for path, _ in files:
        shutil.copy(path, folder / path.name)
    return sum(n for _, n in files)


@contextmanager
def http_engine(delay: float) -> Iterator[str]:
    argv = [sys.executable, str(LATENCY_ENGINE), "http", str(delay)]
    with started(argv, "the latency-injected HTTP engine") as url:
        yield url


def cmd_engine(delay: float) -> str:
    return f"cmd:{sys.executable} {LATENCY_ENGINE} cmd {delay}"


def cmd_start(delay: float) -> float:
    """Seconds for the cmd: engine to start and answer describe (its start-up alone)."""
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, str(LATENCY_ENGINE), "cmd", str(delay)],
        input='{"op": "describe"}\n',
        capture_output=True,
        text=True,
        check=True,
    )
    return time.perf_counter() - start


def wall(mode: str, folder: Path, engine: str, n: int) -> tuple[float, str]:
    if mode == "pytest":
        argv = [sys.executable, "-m", "pytest", str(folder), "-q", "-n", "0"]
        argv += ["-p", "no:cacheprovider", "--icd-engine", engine, "--icd-concurrency", str(n)]
    else:
        argv = [sys.executable, "-m", "pytest_icdcheck", "run", str(folder), "--jobs", "1"]
        argv += ["--no-cache", "--engine", engine, "--concurrency", str(n)]
    start = time.perf_counter()
    out = subprocess.run(argv, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    lines = out.stdout.strip().splitlines()
    return seconds, (lines[-1] if lines else out.stderr.strip()[-200:])


def median_wall(mode: str, folder: Path, engine: str, n: int, repeat: int) -> tuple[float, str]:
    """The median of ``repeat`` runs (the shared machine is noisy)."""
    runs = sorted(wall(mode, folder, engine, n) for _ in range(repeat))
    return runs[len(runs) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=1000, help="cases for 20 ms rows")
    parser.add_argument("--slow-cases", type=int, default=200, help="cases for 100 ms rows")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs a row, median kept (N = 1 rows: one run)"
    )
    parser.add_argument(
        "--target-only", action="store_true", help="only the Done-when cells (20 ms, N = 32)"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        sets = {
            "20": corpus(Path(tmp, "big"), pick_files(args.cases)),
            "100": corpus(Path(tmp, "small"), pick_files(args.slow_cases)),
        }
        folders = {"20": Path(tmp, "big"), "100": Path(tmp, "small")}
        if not args.target_only:
            table(folders, sets, args.repeat)
            print()
        target_check(folders["20"], sets["20"], args.repeat)


def table(folders: dict[str, Path], sets: dict[str, int], repeat: int) -> None:
    """In-process, then 20 ms and 100 ms engines at N = 1, 8, 32, 64, both transports."""
    rows: list[tuple[str, str, int, int, float, float, str]] = []
    base: dict[tuple[str, str], float] = {}
    for size in ("20", "100"):
        for mode in ("pytest", "run"):
            seconds, last = median_wall(mode, folders[size], "reference", 1, repeat)
            base[(size, mode)] = seconds
            rows.append(("in-process", mode, sets[size], 1, seconds, 1.0, last))
    for size, delay in (("20", 0.02), ("100", 0.1)):
        with http_engine(delay) as url:
            for transport, engine in (("http", url), ("cmd", cmd_engine(delay))):
                for mode in ("pytest", "run"):
                    for n in CONCURRENCY:
                        runs = 1 if n == 1 else repeat
                        seconds, last = median_wall(mode, folders[size], engine, n, runs)
                        label = f"{size} ms {transport}"
                        ratio = seconds / base[(size, mode)]
                        rows.append((label, mode, sets[size], n, seconds, ratio, last))
                        print(f"  {label:<14} {mode:<7} N={n:<3} {seconds:6.2f} s", flush=True)
    print()
    print(
        f"{'engine':<16} {'mode':<8} {'cases':>6} {'N':>4} {'wall s':>8} {'x in-proc':>10}"
        "  last line"
    )
    for label, mode, count, n, seconds, ratio, last in rows:
        print(
            f"{label:<16} {mode:<8} {count:>6} {n:>4} {seconds:>8.2f} {ratio:>9.2f}x  {last[:60]}"
        )


def target_check(folder: Path, count: int, repeat: int) -> None:
    """The Done-when cells (20 ms, N = 32), each against in-process in alternating runs.

    The table's rows run minutes apart, and the shared machine drifts in between; here
    each engine run is paired with an in-process run just before it, and the ratio is of
    the two medians. For ``cmd:``, whose engine starts inside the run, it also prints the
    least any harness could take: the engine's own start-up plus the latency floor
    (cases x 20 ms / 32), over in-process.
    """
    starts = sorted(cmd_start(0.02) for _ in range(3))
    start = starts[1]
    floor = count * 0.02 / 32
    with http_engine(0.02) as url:
        for transport, engine in (("http", url), ("cmd", cmd_engine(0.02))):
            for mode in ("pytest", "run"):
                base_walls, walls = [], []
                for _ in range(repeat):
                    base_walls.append(wall(mode, folder, "reference", 1)[0])
                    walls.append(wall(mode, folder, engine, 32)[0])
                base, seconds = sorted(base_walls)[repeat // 2], sorted(walls)[repeat // 2]
                ratio = seconds / base
                verdict = "meets" if ratio <= TARGET else "MISSES"
                line = (
                    f"20 ms {transport} engine, N = 32, {count} cases, {mode}: {seconds:.2f} s "
                    f"against {base:.2f} s in-process = {ratio:.2f}x (target <= {TARGET}x: "
                    f"{verdict})"
                )
                if transport == "cmd":
                    bound = (start + floor) / base
                    line += (
                        f"; least possible {bound:.2f}x (engine start {start:.2f} s + floor "
                        f"{floor:.2f} s), harness {seconds - start - floor:.2f} s"
                    )
                print(line, flush=True)
    print(
        f"(medians of {repeat} alternating pairs; the HTTP service was started before its "
        "rows, the cmd: engine starts within each run: it took "
        f"{start:.2f} s alone to load its tables and answer describe, median of 3)"
    )


if __name__ == "__main__":
    main()
