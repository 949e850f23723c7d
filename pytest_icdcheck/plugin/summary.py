"""The `icdcheck` section of the terminal summary, built from test reports.

It reads only the reports (not the items), so under xdist the controller sees the same
numbers as a single process.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pytest_icdcheck.verdict.scorecard import Scorecard


class Summary:
    def __init__(self) -> None:
        self.engines: set[str] = set()
        self.against: set[str] = set()
        self.engine_info: dict[str, Any] | None = None  # describe(), from the first outcome
        self.counts: Counter[str] = Counter()
        self.fields: Counter[str] = Counter()
        self.scorecard: Scorecard | None = None  # made by the first failure

    def pytest_runtest_logreport(self, report: Any) -> None:
        info = getattr(report, "icdcheck", None)
        if not isinstance(info, dict):
            return
        if info.get("engine"):
            self.engines.add(str(info["engine"]))
        if info.get("against"):
            self.against.add(str(info["against"]))
        if self.engine_info is None and isinstance(info.get("engine_info"), dict):
            self.engine_info = info["engine_info"]
        if report.when == "call":
            status = case_status(report, info)
            self.counts[status] += 1
            if status == "failed":
                self.fields.update(info.get("fields", ()))
                if self.scorecard is None:
                    from pytest_icdcheck.verdict.scorecard import Scorecard

                    self.scorecard = Scorecard()
                self.scorecard.add_case(info.get("differences", ()))

    def lines(self) -> list[str]:
        out = self.facts()
        if out and self.scorecard is not None:
            out += self.scorecard.lines()
        return out

    def facts(self) -> list[str]:
        """Engine, counts and failures by field: the summary without the scorecard."""
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


def case_status(report: Any, info: dict[str, Any]) -> str:
    """passed failed error (the case's own verdict) or xfailed xpassed (an xfail case)."""
    if hasattr(report, "wasxfail"):
        return "xfailed" if report.skipped else "xpassed"
    return str(info.get("status") or report.outcome)
