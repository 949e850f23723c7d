"""The `icdcheck` section of the terminal summary, built from test reports.

It reads only the reports (not the items), so under xdist the controller sees the same
numbers as a single process.
"""

from __future__ import annotations

from collections import Counter
from typing import Any


class Summary:
    def __init__(self) -> None:
        self.engines: set[str] = set()
        self.against: set[str] = set()
        self.counts: Counter[str] = Counter()
        self.fields: Counter[str] = Counter()

    def pytest_runtest_logreport(self, report: Any) -> None:
        info = getattr(report, "icdcheck", None)
        if not isinstance(info, dict):
            return
        if info.get("engine"):
            self.engines.add(str(info["engine"]))
        if info.get("against"):
            self.against.add(str(info["against"]))
        if report.when == "call":
            if hasattr(report, "wasxfail"):
                status = "xfailed" if report.skipped else "xpassed"
            else:
                status = str(info.get("status") or report.outcome)
            self.counts[status] += 1
            for field in info.get("fields", ()) if status == "failed" else ():
                self.fields[field] += 1

    def lines(self) -> list[str]:
        if not self.counts:
            return []
        engines = ", ".join(sorted(self.engines)) or "(not loaded)"
        order = ("passed", "failed", "error", "xfailed", "xpassed")
        counts = ", ".join(f"{self.counts[k]} {k}" for k in order if self.counts[k])
        if self.against:
            engines += f" (against {', '.join(sorted(self.against))})"
        out = [f"engine: {engines}", f"cases: {counts}"]
        if self.fields:
            from pytest_icdcheck.verdict.compare import FIELDS  # only a run with failures needs it

            out.append(
                "failures by field: "
                + ", ".join(f"{f} {self.fields[f]}" for f in FIELDS if self.fields[f])
            )
        return out

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        lines = self.lines()
        if lines:
            terminalreporter.write_sep("=", "icdcheck")
            for line in lines:
                terminalreporter.write_line(line)
