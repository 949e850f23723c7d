"""pytest mode on N synthetic cases against pytest's own floor, in one run.

Writes N synthetic cases (default 10,000) to a temporary folder and runs them with
pytest on the reference engine; in the same run, a bare pytest baseline of N
parametrized trivial tests. Prints both wall times and their ratio. The machines are
shared and noisy, so only ratios measured in the same run mean anything.

    python benchmarks/bench_suite.py [--cases N] [--repeat R]
"""

from __future__ import annotations

import argparse
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


def run_pytest(folder: Path, *extra: str) -> float:
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *extra, str(folder)]
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=folder, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        tail = "\n".join(proc.stdout.splitlines()[-15:])
        raise SystemExit(f"pytest failed ({proc.returncode}) in {folder}:\n{tail}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000, help="number of cases (10,000)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each, median (1)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        cases, baseline = Path(tmp, "cases"), Path(tmp, "baseline")
        cases.mkdir()
        baseline.mkdir()
        write_cases(cases, args.cases)
        write_baseline(baseline, args.cases)
        suite_times, base_times = [], []
        for _ in range(args.repeat):  # interleaved, so drift hits both alike
            base_times.append(run_pytest(baseline))
            suite_times.append(run_pytest(cases))
    suite, base = statistics.median(suite_times), statistics.median(base_times)
    print(f"{'what':<44} {'wall s':>8}")
    print(f"{f'bare pytest, {args.cases:,} parametrized tests':<44} {base:>8.2f}")
    print(f"{f'pytest-icdcheck, {args.cases:,} cases (reference)':<44} {suite:>8.2f}")
    print(f"{'ratio (cases / bare)':<44} {suite / base:>8.2f}x")
    print(f"{'per case over the floor (ms)':<44} {(suite - base) / args.cases * 1000:>8.3f}")


if __name__ == "__main__":
    main()
