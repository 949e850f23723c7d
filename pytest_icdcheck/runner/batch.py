"""`icdcheck run`: the cases without a pytest item each, for corpora of 100,000+ encounters.

The same loading (`read_cases_cached`), engine protocol (`RunState`), verdicts and
messages (`outcome.judge`) as the plugin; what differs is only the driver: case files are
streamed one at a time (memory stays flat), each file's cases go to the engine as one
batch where it has `run_many`, and `--jobs N` spreads files over N processes (this one and
N - 1 workers), each with its own engine (like xdist workers). With `--concurrency N` an
out-of-process engine gets up to N requests in flight from each process: 2N cases are
sent ahead of the one being judged, across files (a process takes a group of files for
about 4N cases at a time), so the engine never idles at a file's end.
"""

from __future__ import annotations

import contextlib
import dataclasses
import multiprocessing
import multiprocessing.pool
import os
import sys
import time
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from multiprocessing.util import Finalize
from pathlib import Path
from typing import IO, Any

from pytest_icdcheck.casefile.cases import Case, CaseFileError
from pytest_icdcheck.casefile.ids import CaseIds
from pytest_icdcheck.runner.options import PluginEngines
from pytest_icdcheck.runner.results import CaseResult
from pytest_icdcheck.verdict.outcome import ERROR, FAILED, PASSED, judge
from pytest_icdcheck.verdict.render import render_invalid
from pytest_icdcheck.verdict.runreport import RunReport, package_version, write_report
from pytest_icdcheck.verdict.scorecard import Scorecard
from pytest_icdcheck.verdict.state import Limits, RunState
from pytest_icdcheck.verdict.tally import Tally


@dataclass(frozen=True)
class Settings:
    engine: str
    against: str | None
    timeout: float
    cache: Path | None
    verbose: bool
    path_entry: str = "."  # put on sys.path, as pytest puts a rootdir conftest's folder
    plugins: PluginEngines | None = None  # engines registered through the plugin hook
    limits: Limits = field(default_factory=Limits)  # --concurrency, --rate (per process)


# -- one process: run a file ------------------------------------------------------------

_state: RunState | None = None
_settings: Settings | None = None


def _init(settings: Settings) -> None:
    """Set up this process's engine(s), closed when the process ends."""
    global _state, _settings
    _settings = settings
    if settings.path_entry not in sys.path:
        sys.path.insert(0, settings.path_entry)  # module:attr engines beside the corpus
    _state = RunState(
        settings.engine,
        settings.plugins or (),
        against=settings.against,
        timeout=settings.timeout,
        limits=settings.limits,
    )
    Finalize(_state, _state.close, exitpriority=10)
    _state.start_engines()  # an engine process starts while the first file is read


def run_file(job: tuple[str, str]) -> list[CaseResult]:
    """Every case of one file, judged; a file that cannot be read is one error result."""
    return _judge_all(_started(job))


def run_files(group: Sequence[tuple[str, str]]) -> list[CaseResult]:
    """Every case of a group of consecutive files (see ``file_groups``), in file order."""
    assert _settings is not None, "_init() first"
    concurrency = _settings.limits.concurrency
    if concurrency > 1:
        return list(_run_ahead(group, 2 * concurrency))
    return [result for job in group for result in run_file(job)]


def _started(job: tuple[str, str]) -> list[Case] | CaseResult:
    """A file's cases, handed to the engine ahead of judging (or why it cannot be read)."""
    from pytest_icdcheck.casefile.cache import read_cases_cached

    assert _state is not None and _settings is not None, "_init() first"
    path, shown = Path(job[0]), job[1]
    try:
        cases = read_cases_cached(path, shown, _settings.cache)
    except CaseFileError as exc:
        return CaseResult(shown, "", 0, ERROR, str(exc))
    runnable = [(c.name, c.encounter) for c in cases if not c.problems]
    _state.prefetch(runnable)
    return cases


def _judge_all(started: list[Case] | CaseResult) -> list[CaseResult]:
    if isinstance(started, CaseResult):
        return [started]
    return [_judge(case) for case in started]


def _run_ahead(jobs: Sequence[tuple[str, str]], window: int) -> Iterator[CaseResult]:
    """Results in file order, with at least ``window`` cases handed to the engine ahead of
    the one being judged (requests in flight), across as many files as that takes.

    A window of cases, not of files: shipped corpora have many files of a few cases, and
    one file ahead left the engine with fewer than N requests at those files.
    """
    started: deque[list[Case] | CaseResult] = deque()
    ahead = 0  # cases handed to the engine and not yet judged
    upcoming = iter(jobs)

    def top_up() -> None:
        nonlocal ahead
        while ahead < window or not started:
            job = next(upcoming, None)
            if job is None:
                return
            files_cases = _started(job)
            started.append(files_cases)
            ahead += _runnable(files_cases)

    top_up()
    while started:
        first = started.popleft()
        if isinstance(first, CaseResult):
            yield first
        else:
            for case in first:
                yield _judge(case)
                if not case.problems:
                    ahead -= 1
                    top_up()
        top_up()


def _runnable(started: list[Case] | CaseResult) -> int:
    return 0 if isinstance(started, CaseResult) else sum(1 for c in started if not c.problems)


def _judge(case: Case) -> CaseResult:
    assert _state is not None and _settings is not None
    start = time.perf_counter()
    outcome = judge(case, _state, verbose=_settings.verbose)
    status = outcome.status
    if case.xfail:
        status = "xpassed" if status == PASSED else "xfailed"
    return CaseResult(
        file=case.file,
        case_id=case.name,
        line=case.line,
        status=status,
        text=outcome.text,
        fields=list(outcome.info.get("fields", ())),
        engine=outcome.info.get("engine"),
        source=case.source,
        fiscal_year=str(case.fiscal_year or ""),
        problems=list(case.problems),
        seconds=time.perf_counter() - start,
        index=case.index,
        differences=list(outcome.info.get("differences", ())),
        engine_info=outcome.info.get("engine_info"),
        against=outcome.info.get("against"),
    )


# -- the driver ----------------------------------------------------------------------------


def case_file_jobs(paths: Iterable[Path], cwd: Path) -> Iterator[tuple[str, str]]:
    from pytest_icdcheck.casefile.finder import case_files

    for path in case_files(list(paths)):
        try:
            shown = str(path.resolve().relative_to(cwd))
        except ValueError:
            shown = str(path)
        yield str(path), shown


# About this many bytes of case file a case (the shipped corpus: 2.9 MB, 4,656 cases).
BYTES_A_CASE = 600


def file_groups(jobs: Sequence[tuple[str, str]], concurrency: int) -> list[list[tuple[str, str]]]:
    """Consecutive files handed to one process at a time, in order: a file each, or with
    N requests in flight, enough files for about 4N cases, so that each process keeps
    its engine busy across small files as one process alone does (``_run_ahead``)."""
    if concurrency <= 1:
        return [[job] for job in jobs]
    target = 4 * concurrency * BYTES_A_CASE
    groups: list[list[tuple[str, str]]] = []
    group: list[tuple[str, str]] = []
    size = 0
    for job in jobs:
        group.append(job)
        with contextlib.suppress(OSError):  # a vanished file is reported when it is read
            size += os.stat(job[0]).st_size
        if size >= target:
            groups.append(group)
            group, size = [], 0
    if group:
        groups.append(group)
    return groups


def results(
    groups: Sequence[Sequence[tuple[str, str]]], settings: Settings, workers: int
) -> Iterator[CaseResult]:
    """Results file by file, in file order, from this process and ``workers - 1`` others,
    each running a group of files at a time (``file_groups``).

    This process works too: while the group due next is still running elsewhere it runs
    a later group itself, so N jobs are N busy processes, not N workers and an idle
    collector competing with them for the CPUs.
    """
    if not groups:
        return  # no case file: no engine to start (nor to wait for)
    _init(settings)
    try:
        if workers <= 1 and settings.limits.concurrency > 1:
            yield from _run_ahead(
                [job for group in groups for job in group], 2 * settings.limits.concurrency
            )
            return
        if workers <= 1:
            for group in groups:
                for job in group:
                    yield from run_file(job)
            return
        context = multiprocessing.get_context("spawn")  # no inherited threads or handles
        if not _names_a_plugin_engine(settings):  # (workers then skip reading the plugins)
            settings = dataclasses.replace(settings, plugins=None)
        with context.Pool(workers - 1, initializer=_init, initargs=(settings,)) as pool:
            yield from _shared(groups, pool, ahead=2 * workers)
            pool.close()
            pool.join()
    finally:
        assert _state is not None
        _state.close()


def _names_a_plugin_engine(settings: Settings) -> bool:
    if settings.plugins is None:
        return False
    specs = {settings.engine, settings.against}
    try:
        return any(spec in names for names in settings.plugins for spec in specs)
    except Exception:  # reading the plugins failed: each worker reports it for its cases
        return True


def _shared(
    groups: Sequence[Sequence[tuple[str, str]]], pool: multiprocessing.pool.Pool, ahead: int
) -> Iterator[CaseResult]:
    running: dict[int, multiprocessing.pool.AsyncResult[list[CaseResult]]] = {}
    done: dict[int, list[CaseResult]] = {}
    given = 0  # groups handed out so far, in order
    for due in range(len(groups)):
        while due not in done:
            while given < len(groups) and len(running) < ahead:
                running[given] = pool.apply_async(run_files, (groups[given],))
                given += 1
            if running[due].ready() or given >= len(groups) or given - due > 4 * ahead:
                done[due] = running.pop(due).get()  # (never far ahead: memory stays flat)
            else:  # the group due is still running: run the next one here meanwhile
                done[given] = run_files(groups[given])
                given += 1
        yield from done.pop(due)


class Driver:
    """Counts, duplicate ids, the printed report and the JUnit XML of one run."""

    def __init__(
        self, out: IO[str], junit: IO[str] | None, verbose: bool, report: Path | None = None
    ) -> None:
        self.out = out
        self.junit = junit
        self.verbose = verbose
        self.tally = Tally()
        self.ids = CaseIds()
        self.scorecard = Scorecard()
        self.engine_info: dict[str, Any] | None = None
        self.report_path = report
        self.report = RunReport("icdcheck run") if report is not None else None
        self.failures: list[str] = []
        self._file: str | None = None
        self.processes = 1  # processes running cases (--jobs), for the report

    def add(self, result: CaseResult) -> None:
        self._check_unique(result)
        if result.file != self._file:
            if self._file is not None:
                self.out.write("\n")
            self._file = result.file
            self.out.write(f"{result.file} ")
        self.out.write(
            {"passed": ".", "failed": "F", "error": "E", "xfailed": "x", "xpassed": "X"}.get(
                result.status, "?"
            )
        )
        self.tally.add(result.status, result.fields)
        if result.engine:
            self.tally.engines.add(result.engine)
        if result.against:
            self.tally.against.add(result.against)
        if self.engine_info is None and result.engine_info is not None:
            self.engine_info = result.engine_info
        if result.status in (FAILED, ERROR):
            self.failures.append(result.text)
            if result.status == FAILED:
                self.scorecard.add_case(result.differences)
        if self.report is not None:
            self.report.add_case(
                case_id=result.case_id,
                file=result.file,
                line=result.line,
                status=result.status,
                differences=result.differences,
                message=result.text if result.status in (FAILED, ERROR) else None,
            )
        if self.junit is not None:
            from pytest_icdcheck.runner.junit import testcase

            self.junit.write(testcase(result))

    def _check_unique(self, result: CaseResult) -> None:
        """The plugin's rule: a repeated id fails as that case, naming both places."""
        repeat = self.ids.repeat(result.case_id, result.file, result.line)
        if repeat is None:
            return
        problems = [*result.problems, repeat[0]]
        if repeat[1] == result.file:  # as the plugin names it: node ids stay unique
            result.case_id = f"cases[{result.index}]"
        result.status = ERROR
        result.text = render_invalid(result.case_id, problems)
        result.fields = []
        result.differences = []

    def finish(self, seconds: float) -> int:
        if self._file is not None:
            self.out.write("\n")
        write = self.out.write
        if self.failures:
            write("\n" + "=" * 30 + " FAILURES " + "=" * 30 + "\n")
            for text in self.failures:
                write(text + "\n\n")
        write("=" * 30 + " icdcheck " + "=" * 30 + "\n")
        for line in self.tally.lines(after_engine=[f"processes: {self.processes}"]):
            write(line + "\n")
        for line in self.scorecard.lines():
            write(line + "\n")
        if self.report is not None and self.report_path is not None:
            self._write_report()
        if not self.tally.total:
            write(f"no cases found in {seconds:.2f}s\n")
        else:
            write(f"{self.tally.counts_text()} in {seconds:.2f}s\n")
        return self.tally.exit_status()

    def _write_report(self) -> None:
        assert self.report is not None and self.report_path is not None
        document = self.report.document(
            self.tally,
            engine_info=self.engine_info,
            scorecard=self.scorecard,
            versions={"pytest_icdcheck": package_version()},
        )
        try:
            write_report(self.report_path, document)
        except OSError as exc:
            self.out.write(f"run report not written to {self.report_path}: {exc}\n")
            return
        self.out.write(f"run report: {self.report_path}\n")


def usable_cpus() -> int | None:
    """The CPUs this process may run on (its affinity), else the machine's count."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()


def worker_count(jobs: list[tuple[str, str]], wanted: int | str, min_bytes: int) -> int:
    """``--jobs``: a number as given; `auto` is one worker per usable CPU, but one process
    for a single file or a corpus under ``min_bytes`` (workers start in about 0.3 s)."""
    if wanted != "auto":
        return max(1, min(int(wanted), len(jobs)))  # no process without a file to run
    cpus = usable_cpus()
    if not cpus or cpus < 2 or len(jobs) < 2:
        return 1
    size = 0
    for path, _ in jobs:
        with contextlib.suppress(OSError):  # a vanished file is reported when it is read
            size += os.stat(path).st_size
        if size >= min_bytes:
            return min(cpus, len(jobs))
    return 1


def main(
    paths: list[Path],
    settings: Settings,
    workers: int | str,
    junitxml: Path | None,
    out: IO[str] = sys.stdout,
    auto_min_bytes: int = 1 << 20,
    report: Path | None = None,
) -> int:
    start = time.perf_counter()
    jobs = list(case_file_jobs(paths, Path.cwd()))  # names only: cases are still streamed
    groups = file_groups(jobs, settings.limits.concurrency)
    workers = min(worker_count(jobs, workers, auto_min_bytes), max(1, len(groups)))
    if junitxml is None:
        driver = Driver(out, None, settings.verbose, report)
        driver.processes = workers
        for result in results(groups, settings, workers):
            driver.add(result)
        return driver.finish(time.perf_counter() - start)
    from pytest_icdcheck.runner.junit import JUnitWriter

    with JUnitWriter(junitxml) as junit:
        driver = Driver(out, junit.body, settings.verbose, report)
        driver.processes = workers
        for result in results(groups, settings, workers):
            driver.add(result)
        code = driver.finish(time.perf_counter() - start)
        counts = driver.tally.counts
        junit.counts = (driver.tally.total, counts[FAILED], counts[ERROR], counts["xfailed"])
        junit.seconds = time.perf_counter() - start
    return code
