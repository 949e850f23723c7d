"""`icdcheck run` against pytest mode at 1k, 10k and 100k cases: time, peak memory, scaling.

Builds a corpus of N cases by copying the shipped generated suite
(cases/fy2026/generated, about 3,300 cases of every rule family) with renamed ids, then,
in one run, cold (no parsed-case cache) unless said otherwise:

* bare pytest (as many parametrized trivial tests: pytest's floor), pytest mode
  (`pytest -p no:cacheprovider`) and the batch runner (`icdcheck run
  --no-cache`) as a user runs it (`--jobs auto`, the default: one process per CPU once
  the corpus is over 1 MB) and in one process (`--jobs 1`), at each size, with wall time
  and peak memory (below the largest size, the median of 3 interleaved rounds);
* at the largest size the batch runner with `--jobs 2` against `--jobs 1` (the median of
  interleaved pairs), and both modes again warm (the parsed-case cache filled by a first
  run, as on a CI rerun);
* what two processes can do on this machine at all: two `--jobs 1` runs started together
  against one alone (the ceiling for `--jobs 2`);
* pytest-xdist `-n 2` against one process on the shipped suite (`cases/`) and at the
  middle size, beside bare pytest (trivial tests) with and without `-n 2`.

Peak memory is the largest resident set of any process of the command (its workers
included). Ratios are the figures to read: the machines are shared and noisy.

    python benchmarks/bench_batch.py [--sizes 1000,10000,100000] [--pairs 5]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GENERATED = ROOT / "cases" / "fy2026" / "generated"
ID_LINE = re.compile(r'^(  - id: "?)', re.M)

# Runs a command, then prints its exit status and the peak RSS (KiB) of its processes.
MEASURE = (
    "import resource, subprocess, sys\n"
    "p = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)\n"
    "print(p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def env() -> dict[str, str]:
    """Bytecode caching on, as on a developer machine."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def build_corpus(folder: Path, n: int) -> int:
    """Copies of the generated suite with renamed ids until there are at least ``n``."""
    sources = [(p.name, p.read_text()) for p in sorted(GENERATED.glob("*.icd.yaml"))]
    total, copy = 0, 0
    while total < n:
        for name, text in sources:
            if total >= n:
                break
            renamed = ID_LINE.sub(rf"\g<1>c{copy:03d}-", text)
            (folder / f"c{copy:03d}-{name}").write_text(renamed)
            total += len(ID_LINE.findall(text))
        copy += 1
    return total


def measure(cmd: list[str], cwd: Path) -> tuple[float, float]:
    """(wall seconds, peak MB) of ``cmd``; pytest's exit 0 or 1 both count as a run."""
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", MEASURE, *cmd],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env(),
    )
    elapsed = time.perf_counter() - start
    code, peak_kib = proc.stdout.split()
    if int(code) not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} exited {code}:\n{proc.stderr[-2000:]}")
    return elapsed, int(peak_kib) / 1024


def write_bare(folder: Path, n: int) -> None:
    """pytest's floor: ``n`` parametrized trivial tests."""
    (folder / "test_bare.py").write_text(
        "import pytest\n\n\n"
        f"@pytest.mark.parametrize('i', range({n}))\n"
        "def test_trivial(i):\n    assert i >= 0\n"
    )


def at_once(cmd: list[str], cwd: Path) -> float:
    """Wall seconds of two copies of ``cmd`` started together (both must finish)."""
    start = time.perf_counter()
    procs = [
        subprocess.Popen(
            cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env()
        )
        for _ in range(2)
    ]
    for proc in procs:
        proc.wait()
    return time.perf_counter() - start


def pytest_mode(folder: Path, *extra: str, cache: Path | None = None) -> list[str]:
    cached = ["-o", f"cache_dir={cache}"] if cache else ["-p", "no:cacheprovider"]
    return [sys.executable, "-m", "pytest", "-q", *cached, *extra, str(folder)]


def batch(folder: Path, jobs: int | str, cache: Path | None = None) -> list[str]:
    cached = ["--cache-dir", str(cache)] if cache else ["--no-cache"]
    return [
        sys.executable,
        "-m",
        "pytest_icdcheck",
        "run",
        str(folder),
        *cached,
        "--jobs",
        str(jobs),
    ]


def batch_workers(folder: Path) -> int:
    """How many processes `--jobs auto` (the default) starts for ``folder``."""
    from pytest_icdcheck.commands.run import AUTO_MIN_BYTES
    from pytest_icdcheck.runner.batch import case_file_jobs, worker_count

    return worker_count(list(case_file_jobs([folder], folder)), "auto", AUTO_MIN_BYTES)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        default="1000,10000,100000",
        help="corpus sizes, comma-separated (1000,10000,100000)",
    )
    parser.add_argument(
        "--pairs", type=int, default=5, help="interleaved --jobs 1 / --jobs 2 pairs (5)"
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    rows: list[tuple[str, int, float, float]] = []
    speed: dict[tuple[str, int], float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        warm = Path(tmp, "warm")
        warm.mkdir()
        build_corpus(warm, 200)
        measure(batch(warm, 1), warm)  # bytecode and the engine's disk cache, not timed
        for n in sizes:
            folder = Path(tmp, f"n{n}")
            folder.mkdir()
            count = build_corpus(folder, n)
            trivial = Path(tmp, f"bare{n}")
            trivial.mkdir()
            write_bare(trivial, count)
            # Below the largest size, the median of 3 interleaved rounds: a growth ratio
            # divides by these, and one slow run on a shared machine would skew it.
            rounds = 1 if n == sizes[-1] else 3
            runs: dict[str, list[tuple[float, float]]] = {}
            for _ in range(rounds):
                for mode, cmd, cwd in (
                    ("bare pytest", pytest_mode(trivial), trivial),
                    ("pytest mode", pytest_mode(folder), folder),
                    ("icdcheck run", batch(folder, "auto"), folder),
                    ("run --jobs 1", batch(folder, 1), folder),
                ):
                    runs.setdefault(mode, []).append(measure(cmd, cwd))
            for mode, found in runs.items():
                seconds, peak = statistics.median(sorted(found))
                rows.append((mode, count, seconds, peak))
                speed[(mode, n)] = seconds
        largest = Path(tmp, f"n{sizes[-1]}")
        # --jobs 2 against --jobs 1: interleaved pairs, the median ratio (noisy machines).
        pairs = []
        for _ in range(args.pairs):
            one_s, _ = measure(batch(largest, 1), largest)
            two_s, peak2 = measure(batch(largest, 2), largest)
            pairs.append((one_s / two_s, one_s, two_s))
        jobs_ratio, one, two = statistics.median(sorted(pairs))
        # What two processes can gain on this machine at all: two --jobs 1 runs at once
        # against one alone (shared caches and memory bandwidth, other tenants).
        alone, _ = measure(batch(largest, 1), largest)
        together = at_once(batch(largest, 1), largest)
        # Warm: the parsed-case cache filled by a first run (the usual CI rerun).
        pytest_cache, batch_cache = Path(tmp, "pytest-cache"), Path(tmp, "batch-cache")
        measure(pytest_mode(largest, cache=pytest_cache), largest)
        measure(batch(largest, "auto", cache=batch_cache), largest)
        warm_pytest, _ = measure(pytest_mode(largest, cache=pytest_cache), largest)
        warm_batch, warm_peak = measure(batch(largest, "auto", cache=batch_cache), largest)
        warm_one, _ = measure(batch(largest, 1, cache=batch_cache), largest)
        serial, _ = measure(pytest_mode(ROOT / "cases"), ROOT)
        parallel, _ = measure(pytest_mode(ROOT / "cases", "-n", "2"), ROOT)
        xdist_size = sizes[-2] if len(sizes) > 1 else sizes[-1]
        middle = Path(tmp, f"n{xdist_size}")
        xdist_one = speed[("pytest mode", xdist_size)]
        xdist_two, _ = measure(pytest_mode(middle, "-n", "2"), middle)
        bare = Path(tmp, f"bare{xdist_size}")
        bare_one = speed[("bare pytest", xdist_size)]
        bare_two, _ = measure(pytest_mode(bare, "-n", "2"), bare)
        workers = batch_workers(largest)

    print(f"{'mode':<14} {'cases':>8} {'wall s':>9} {'peak MB':>9} {'ms/case':>8}")
    for mode, count, seconds, peak in rows:
        print(f"{mode:<14} {count:>8,} {seconds:>9.2f} {peak:>9.0f} {seconds / count * 1e3:>8.3f}")
    big, mid = sizes[-1], sizes[-2] if len(sizes) > 1 else sizes[-1]
    print()
    pytest_big = speed[("pytest mode", big)]
    print(
        f"icdcheck run (default --jobs auto, {workers} process{'es' if workers != 1 else ''} "
        "here) vs pytest mode at "
        f"{big:,}, cold: {pytest_big / speed[('icdcheck run', big)]:.1f}x faster  "
        "(target >= 5x)"
    )
    print(f"  in one process (--jobs 1): {pytest_big / speed[('run --jobs 1', big)]:.1f}x faster")
    print(
        f"icdcheck run vs pytest mode at {big:,}, warm case cache: {warm_batch:.2f} s vs "
        f"{warm_pytest:.2f} s, {warm_pytest / warm_batch:.1f}x faster, batch peak "
        f"{warm_peak:.0f} MB; --jobs 1 {warm_one:.2f} s, {warm_pytest / warm_one:.1f}x"
    )
    print(
        f"icdcheck run --jobs 2 vs --jobs 1 at {big:,}: {jobs_ratio:.2f}x faster "
        f"({two:.2f} s vs {one:.2f} s, median of {len(pairs)} interleaved pairs: "
        f"{', '.join(f'{r:.2f}x' for r, _, _ in pairs)}), peak {peak2:.0f} MB a process  "
        f"(target >= 0.9x the ceiling below: {jobs_ratio / (2 * alone / together):.2f}x)"
    )
    print(
        f"  ceiling on this machine: two --jobs 1 runs at once {together:.2f} s vs one alone "
        f"{alone:.2f} s: two processes do {2 * alone / together:.2f}x the work of one"
    )
    for mode in ("bare pytest", "pytest mode", "icdcheck run", "run --jobs 1"):
        print(
            f"{mode} growth {big:,} / {mid:,}: "
            f"{speed[(mode, big)] / speed[(mode, mid)]:.1f}x for {big / mid:.0f}x the cases  "
            "(target <= 11x)"
        )
    print(
        f"shipped suite (cases/): pytest -n 2 {parallel:.2f} s vs one process "
        f"{serial:.2f} s: {serial / parallel:.2f}x"
    )
    print(
        f"pytest mode at {mid:,}: pytest -n 2 {xdist_two:.2f} s vs one process "
        f"{xdist_one:.2f} s: {xdist_one / xdist_two:.2f}x; bare pytest ({xdist_size:,} "
        f"trivial tests) -n 2 {bare_two:.2f} s vs {bare_one:.2f} s: {bare_one / bare_two:.2f}x"
    )


if __name__ == "__main__":
    main()
