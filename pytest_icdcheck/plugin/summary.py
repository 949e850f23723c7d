"""The `icdcheck` section of the terminal summary, built from test reports.

It reads only the reports (not the items), so under xdist the controller sees the same
numbers as a single process.
"""

from __future__ import annotations

from typing import Any

from pytest_icdcheck.verdict.tally import Tally


class Summary:
    def __init__(self) -> None:
        self.tally = Tally()

    def pytest_runtest_logreport(self, report: Any) -> None:
        info = getattr(report, "icdcheck", None)
        if not isinstance(info, dict):
            return
        if info.get("engine"):
            self.tally.engines.add(str(info["engine"]))
        if info.get("against"):
            self.tally.against.add(str(info["against"]))
        if report.when == "call":
            if hasattr(report, "wasxfail"):
                status = "xfailed" if report.skipped else "xpassed"
            else:
                status = str(info.get("status") or report.outcome)
            self.tally.add(status, info.get("fields", ()))

    def lines(self) -> list[str]:
        return self.tally.lines() if self.tally.total else []

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        lines = self.lines()
        if lines:
            terminalreporter.write_sep("=", "icdcheck")
            for line in lines:
                terminalreporter.write_line(line)
