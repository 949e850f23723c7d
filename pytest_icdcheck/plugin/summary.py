"""The `icdcheck` section of the terminal summary, built from test reports.

It reads only the reports (not the items), so under xdist the controller sees the same
numbers as a single process. A case file that cannot be read at all counts as one error,
as in ``icdcheck run``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pytest_icdcheck.casefile.finder import SUFFIX

if TYPE_CHECKING:
    from pytest_icdcheck.verdict.scorecard import Scorecard
    from pytest_icdcheck.verdict.tally import Tally


class Summary:
    def __init__(self) -> None:
        self._tally: Tally | None = None  # made by the first case (a session may have none)
        self.engine_info: dict[str, Any] | None = None  # describe(), from the first outcome
        self.scorecard: Scorecard | None = None  # made by the first failure

    @property
    def tally(self) -> Tally:
        if self._tally is None:
            from pytest_icdcheck.verdict.tally import Tally

            self._tally = Tally()
        return self._tally

    def pytest_runtest_logreport(self, report: Any) -> None:
        info = getattr(report, "icdcheck", None)
        if not isinstance(info, dict):
            return
        if info.get("engine"):
            self.tally.engines.add(str(info["engine"]))
        if info.get("against"):
            self.tally.against.add(str(info["against"]))
        if self.engine_info is None and isinstance(info.get("engine_info"), dict):
            self.engine_info = info["engine_info"]
        if report.when == "call":
            status = case_status(report, info)
            self.tally.add(status, info.get("fields", ()))
            if status == "failed":
                if self.scorecard is None:
                    from pytest_icdcheck.verdict.scorecard import Scorecard

                    self.scorecard = Scorecard()
                self.scorecard.add_case(info.get("differences", ()))

    def pytest_collectreport(self, report: Any) -> None:
        if is_case_file_error(report):
            self.tally.add("error")  # as icdcheck run counts a file it cannot read

    def lines(self) -> list[str]:
        out = self.facts()
        if out and self.scorecard is not None:
            out += self.scorecard.lines()
        return out

    def facts(self) -> list[str]:
        """Engine, counts and failures by field: the summary without the scorecard."""
        return self.tally.lines() if self._tally is not None and self._tally.total else []

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


def is_case_file_error(report: Any) -> bool:
    """A case file that cannot be read at all (a collection error, one per file: under
    xdist the controller hears it once, whichever workers collected the file)."""
    return bool(report.failed) and str(report.nodeid).endswith(SUFFIX)
