"""--icd-report FILE: the JSON run report, written by the process that sees every report.

Registered only in that process (the xdist controller, or the only process) and only
when asked for; it reads the same report data as the terminal summary, so a parallel run
writes the document a serial run writes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pytest_icdcheck.plugin.summary import Summary, case_status, is_case_file_error


class ReportWriter:
    def __init__(self, path: Path, summary: Summary, rootdir: Path) -> None:
        from pytest_icdcheck.verdict.runreport import RunReport

        self.path = path
        self.summary = summary
        self.rootdir = rootdir
        self.report = RunReport("pytest")
        self.problem: str | None = None

    def pytest_runtest_logreport(self, report: Any) -> None:
        info = getattr(report, "icdcheck", None)
        if not isinstance(info, dict) or report.when != "call":
            return
        status = case_status(report, info)
        self.report.add_case(
            case_id=str(info.get("case_id", "")),
            file=self._shown(Path(str(info.get("case_file", "")))),
            line=int(info.get("line") or 0),
            status=status,
            differences=info.get("differences", ()),
            message=(report.longreprtext or None) if status in ("failed", "error") else None,
            node_id=report.nodeid,
        )

    def pytest_collectreport(self, report: Any) -> None:
        """A case file that cannot be read: one error entry, as ``icdcheck run`` writes."""
        if not is_case_file_error(report):
            return
        self.report.add_case(
            case_id="",
            file=str(report.nodeid),  # (relative to the rootdir, as the cases' files are)
            line=0,
            status="error",
            message=report.longreprtext or None,
            node_id=report.nodeid,
        )

    def pytest_sessionfinish(self, session: Any) -> None:
        from pytest_icdcheck.verdict.runreport import package_version, write_report

        summary = self.summary
        document = self.report.document(
            summary.tally,
            engine_info=summary.engine_info,
            scorecard=summary.scorecard,
            versions={"pytest_icdcheck": package_version(), "pytest": pytest.__version__},
        )
        try:
            write_report(self.path, document)
        except OSError as exc:
            self.problem = f"icdcheck: the run report was not written to {self.path}: {exc}"

    @pytest.hookimpl(trylast=True)  # after the icdcheck section it belongs to
    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.problem:
            terminalreporter.write_line(self.problem, red=True)
        else:
            terminalreporter.write_line(f"icdcheck: run report written to {self.path}")

    def _shown(self, path: Path) -> str:
        try:
            return path.relative_to(self.rootdir).as_posix()
        except ValueError:
            return path.as_posix()
