"""--icd-update: gather recorded results from every report, write them once at the end.

This plugin object lives in the process that sees all reports (the xdist controller, or
the only process); registered in every run, it imports the writing machinery only when a
run has recorded cases. Workers only put the entry to record on their reports, so no two
processes ever write the same file and a parallel run writes what a serial run writes.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any


class Recorder:
    def __init__(self, *, update: bool, prune: bool, rootdir: Path) -> None:
        self.update = update
        self.prune = prune
        self.rootdir = rootdir
        self.seen: dict[Path, set[str]] = defaultdict(set)  # recorded case file -> ids run
        self.records: dict[Path, dict[str, dict[str, Any]]] = defaultdict(dict)
        self.lines: list[str] = []

    def pytest_runtest_logreport(self, report: Any) -> None:
        info = getattr(report, "icdcheck", None)
        if not isinstance(info, dict) or not info.get("recorded"):
            return
        case_file = Path(info["case_file"])
        self.seen[case_file].add(str(info["case_id"]))
        if self.update and isinstance(info.get("record"), dict):
            self.records[case_file][str(info["case_id"])] = info["record"]

    def pytest_sessionfinish(self, session: Any) -> None:
        if not self.seen:
            return  # no case of a `golden: recorded` file ran
        from pytest_icdcheck.verdict.golden import GoldenFileError, recorded_path

        written = 0
        files = []
        for case_file in sorted(self.seen):
            try:
                count = self._finish(case_file)
            except GoldenFileError as exc:
                self.lines.append(f"not written: {exc}")
                continue
            if count:
                written += count
                files.append(self._shown(recorded_path(case_file)))
        if self.update:
            where = f" in {', '.join(files)}" if files else ""
            self.lines.insert(0, f"recorded: {written} new or changed result(s) written{where}")

    def _finish(self, case_file: Path) -> int:
        from pytest_icdcheck.casefile.cases import CaseFileError, read_cases
        from pytest_icdcheck.verdict.golden import RecordedFile, recorded_path, write_atomically

        path = recorded_path(case_file)
        recorded = RecordedFile.read(path)
        try:
            order = [c.name for c in read_cases(case_file)]
        except CaseFileError:
            order = list(self.seen[case_file])
        unused = [i for i in recorded.entries if i not in order]
        complete = set(order) <= self.seen[case_file]
        prune = unused if (self.prune and complete) else []
        if unused and not prune:
            how = (
                "remove them with --icd-prune"
                if complete
                else "--icd-prune removes them only in a run that collects every case of "
                f"{self._shown(case_file)}"
            )
            self.lines.append(
                f"unused: {self._shown(path)} has {len(unused)} entr"
                f"{'y' if len(unused) == 1 else 'ies'} no case uses ({', '.join(unused)}); {how}"
            )
        changes = self.records.get(case_file, {})
        if not changes and not prune:
            return 0
        text = recorded.render(order, changes, prune, case_file=case_file.name)
        write_atomically(path, text)
        if prune:
            self.lines.append(
                f"pruned: {len(prune)} unused entr"
                f"{'y' if len(prune) == 1 else 'ies'} from {self._shown(path)}"
            )
        return len(changes)

    def _shown(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.rootdir))
        except ValueError:
            return str(path)

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if self.lines:
            terminalreporter.write_sep("-", "icdcheck recorded results")
            for line in self.lines:
                terminalreporter.write_line(line)
