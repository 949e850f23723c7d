"""pytest mode against pytest's own floor, measured in one run (ratios, not seconds).

Writes N synthetic cases (default 10,000) to a temporary folder and, in the same run:

1. pytest mode on the reference engine, cold (no parsed-case cache) and warm (cache
   filled), against a bare baseline of N parametrized trivial tests;
2. the reference engine's own cost per case (in one process, after its one-time start)
   against pytest's per-item floor from (1), plus its one-time start;
3. start-up: `pytest --collect-only` of a project without case files, with the plugin
   and with `-p no:icdcheck`, median of repeated runs.

The machines are shared and noisy: every figure is printed beside its baseline from the
same run, runs are interleaved, and medians are taken. Subprocesses run with bytecode
caching on (PYTHONDONTWRITEBYTECODE unset), as on a developer's machine.

    python benchmarks/bench_suite.py [--cases N] [--repeat R]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CASES_PER_FILE = 100

# A handful of encounter shapes, cycled: coding, editing and audit, both settings.
SHAPES = [
    """    encounter:
      setting: outpatient
      date_of_service: "2025-11-{day:02d}"
      patient: {{age: {age}, sex: M}}
      documentation:
        conditions: [{{term: benign fasciculation syndrome}}]
        findings: {{emg: normal, ncs: normal}}
        procedures:
          - {{type: office-visit, patient_status: established, mdm: high}}
          - {{type: needle-emg, extremities: 2, muscles_per_extremity: 6}}
    expected:
      diagnoses: [R25.3]
      drg: null
""",
    """    encounter:
      setting: outpatient
      date_of_service: "2025-12-{day:02d}"
      patient: {{age: {age}, sex: F}}
      claim:
        diagnoses: [R25.3, G12.21]
        services:
          - {{code: "99215"}}
          - {{code: "95861"}}
          - {{code: "95908"}}
    expected:
      diagnoses: [R25.3, G12.21]
      drg: null
""",
    """    encounter:
      setting: inpatient
      date_of_service: "2025-10-{day:02d}"
      patient: {{age: {age}, sex: M}}
      documentation:
        conditions:
          - {{term: amyotrophic lateral sclerosis, code: G12.21, certainty: probable}}
          - {{term: cramp, code: R25.2}}
    expected:
      services: []
""",
    """    encounter:
      setting: outpatient
      date_of_service: "2025-11-{day:02d}"
      patient: {{age: {age}, sex: F}}
      documentation:
        conditions:
          - {{term: fasciculation, code: R25.3, due_to: E05.00}}
          - {{term: thyrotoxicosis with diffuse goiter, code: E05.00}}
      claim:
        diagnoses: [R25.3, E05.00]
    expected:
      drg: null
""",
]


def env() -> dict[str, str]:
    """The environment for measured runs: bytecode caching on, as on a developer machine."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def write_cases(folder: Path, n: int) -> None:
    for start in range(0, n, CASES_PER_FILE):
        lines = ["cases:"]
        for i in range(start, min(n, start + CASES_PER_FILE)):
            lines.append(f"  - id: bench-{i:06d}\n    title: synthetic case {i}")
            lines.append(SHAPES[i % len(SHAPES)].format(day=1 + i % 28, age=30 + i % 60))
        (folder / f"bench_{start // CASES_PER_FILE:05d}.icd.yaml").write_text("\n".join(lines))


def write_baseline(folder: Path, n: int) -> None:
    (folder / "test_baseline.py").write_text(
        "import pytest\n\n\n"
        f"@pytest.mark.parametrize('i', range({n}))\n"
        "def test_trivial(i):\n    assert i >= 0\n"
    )


def timed(cmd: list[str], cwd: Path, ok: tuple[int, ...] = (0,)) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env())
    elapsed = time.perf_counter() - start
    if proc.returncode not in ok:
        tail = "\n".join((proc.stdout + proc.stderr).splitlines()[-15:])
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}) in {cwd}:\n{tail}")
    return elapsed


def pytest_cmd(folder: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "pytest", "-q", *extra, str(folder)]


ENGINE_PROBE = """
import sys, time
from pathlib import Path
from pytest_icdcheck.casefile.cases import read_cases
from pytest_icdcheck.reference import ReferenceEngine
cases = [c for f in sorted(Path(sys.argv[1]).glob("*.icd.yaml")) for c in read_cases(f)]
engine = ReferenceEngine()
start = time.perf_counter()
for case in cases[:4]:  # one of each shape: loads every table the run needs
    engine.run(case.encounter)
first = time.perf_counter() - start
start = time.perf_counter()
for case in cases[4:]:  # one pass: each encounter once, as in a corpus
    engine.run(case.encounter)
each = (time.perf_counter() - start) / (len(cases) - 4)
engine.close()
print(first, each)
"""


def engine_cost(folder: Path) -> tuple[float, float]:
    """(one-time start, seconds per case) of the reference engine in one process.

    The start is the first case of each shape (tables load on first use); the per-case
    figure is one pass over all the others, so caches hit only where cases repeat."""
    proc = subprocess.run(
        [sys.executable, "-c", ENGINE_PROBE, str(folder)],
        capture_output=True,
        text=True,
        env=env(),
        check=True,
    )
    first, each = proc.stdout.split()
    return float(first), float(each)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000, help="number of cases (10,000)")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each, median (5)")
    parser.add_argument("--startup-runs", type=int, default=61, help="start-up runs (61)")
    args = parser.parse_args()
    n = args.cases
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        cases, baseline, plain = root / "cases", root / "baseline", root / "plain"
        for folder in (cases, baseline, plain):
            folder.mkdir()
        write_cases(cases, n)
        write_baseline(baseline, n)
        (plain / "test_plain.py").write_text("def test_plain():\n    pass\n")
        warm_cache = root / "warm-cache"
        # Warm-ups (not timed): bytecode, the engine's disk cache, the warm case cache.
        timed(pytest_cmd(baseline), baseline)
        timed(pytest_cmd(cases, "-o", f"cache_dir={warm_cache}"), cases)

        bare, cold, warm = [], [], []
        for r in range(args.repeat):  # interleaved, so drift hits all alike
            bare.append(timed(pytest_cmd(baseline, "-p", "no:cacheprovider"), baseline))
            cold_cache = root / f"cold-cache-{r}"
            cold.append(timed(pytest_cmd(cases, "-o", f"cache_dir={cold_cache}"), cases))
            warm.append(timed(pytest_cmd(cases, "-o", f"cache_dir={warm_cache}"), cases))
        first, each = engine_cost(cases)

        with_plugin, without, paired = [], [], []
        collect = [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider"]
        for _ in range(args.startup_runs):  # back to back, so each pair sees the same load
            with_plugin.append(timed([*collect, str(plain)], plain))
            without.append(timed([*collect, "-p", "no:icdcheck", str(plain)], plain))
            paired.append(with_plugin[-1] - without[-1])

    b, c, w = (statistics.median(x) for x in (bare, cold, warm))
    floor = b / n
    start_with, start_without = statistics.median(with_plugin), statistics.median(without)
    extra = statistics.median(paired)
    rows = [
        ("bare pytest: N parametrized trivial tests", f"{b:.2f} s", "baseline"),
        ("pytest mode, cold (no case cache)", f"{c:.2f} s", f"{c / b:.2f}x  (target <= 1.5x)"),
        ("pytest mode, warm (case cache filled)", f"{w:.2f} s", f"{w / b:.2f}x  (target <= 1.2x)"),
        ("pytest per-item floor (bare / N)", f"{floor * 1e6:.0f} us", "baseline"),
        (
            "reference engine, per case (warm)",
            f"{each * 1e6:.0f} us",
            f"{each / floor:.1%} of the floor  (target <= 10%)",
        ),
        (
            "reference engine, one-time start",
            f"{first:.2f} s",
            f"{first / n * 1e6:.0f} us a case over N",
        ),
        (
            "collect-only, no case files, -p no:icdcheck",
            f"{start_without * 1e3:.0f} ms",
            "baseline",
        ),
        (
            "collect-only, no case files, with the plugin",
            f"{start_with * 1e3:.0f} ms",
            f"{extra * 1e3:+.1f} ms, median of paired runs  (target <= 10 ms)",
        ),
    ]
    print(
        f"pytest-icdcheck benchmark: {n:,} cases, median of {args.repeat} "
        f"(start-up: of {args.startup_runs})"
    )
    for what, value, versus in rows:
        print(f"  {what:<46} {value:>10}   {versus}")


if __name__ == "__main__":
    main()
