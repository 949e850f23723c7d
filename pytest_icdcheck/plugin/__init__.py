"""The pytest11 entry point: thin hooks that hand the work to the modules named below.

Loaded into every pytest run of an environment the package is installed in, so it
imports nothing heavy: YAML, JSON Schema and the engine load only once a `*.icd.yaml`
file is collected and a case runs.
"""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from pytest_icdcheck.casefile.finder import NEAR_SUFFIXES, SUFFIX
from pytest_icdcheck.plugin.retention import ReportRetention
from pytest_icdcheck.plugin.stash import MAKE_STATE, RUN_STATE, SUMMARY
from pytest_icdcheck.plugin.summary import Summary

if TYPE_CHECKING:  # loaded by the first case file, not with the plugin
    from pytest_icdcheck.verdict.state import RunState

DEFAULT_ENGINE = "reference"  # the shipped engine (engines.resolve.DEFAULT_ENGINE)
FOLDERS = pytest.StashKey[list[Path]]()  # folders collected (for dangling links)
SAW_CASE_FILE = pytest.StashKey[bool]()  # a *.icd.yaml file was collected


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    from pytest_icdcheck.plugin import hookspecs

    pluginmanager.add_hookspecs(hookspecs)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("icdcheck", "ICD-10-CM / CPT coding engine cases (*.icd.yaml)")
    group.addoption(
        "--icd-engine",
        metavar="SPEC",
        default=None,
        help="engine that codes the cases: 'reference' (the shipped one, default), a name "
        "registered by a plugin or entry point, package.module:attr (a class, factory "
        "or instance), cmd:<command line> (a subprocess speaking JSON Lines) or "
        "http(s)://… (a service). Overrides the icd_engine ini option.",
    )
    group.addoption(
        "--icd-against",
        metavar="SPEC",
        default=None,
        help="differential mode: also run every case on this engine (typically 'reference') "
        "and fail where the two results differ in any field, by the same comparison rules; "
        "cases without expectations then still test something.",
    )
    group.addoption(
        "--icd-update",
        action="store_true",
        default=False,
        help="record the engine's current results for the cases of files that say "
        "'golden: recorded', in NAME.recorded.yaml beside NAME.icd.yaml; only new or "
        "changed entries are written; hand-written expected keys are never recorded.",
    )
    group.addoption(
        "--icd-prune",
        action="store_true",
        default=False,
        help="remove recorded entries that no case uses any more; done only for files "
        "whose every case ran in this session (no -k/-m, no node ids).",
    )
    group.addoption(
        "--icd-timeout",
        metavar="SECONDS",
        type=float,
        default=None,
        help="seconds an out-of-process engine (cmd:, http://) may take for one case before "
        "that case fails: more than 0, at most 86400 (default 30; ini icd_timeout).",
    )
    group.addoption(
        "--icd-report",
        metavar="FILE",
        default=None,
        help="write a JSON run report to FILE: engine, versions, counts, the scorecard by "
        "rule and every case with its status and differences (schemas/run-report.schema."
        "json); written once, atomically, also under pytest-xdist.",
    )
    group.addoption(
        "--icd-concurrency",
        metavar="N",
        type=int,
        default=None,
        help="requests an out-of-process engine (cmd:, http://) may have in flight at once, "
        "per process (xdist worker); the cases ahead of the one reported are sent early. "
        "Default 1: only for engines that can take N requests at once (ini icd_concurrency).",
    )
    group.addoption(
        "--icd-rate",
        metavar="R",
        type=float,
        default=None,
        help="at most R requests a second to an out-of-process engine, per process "
        "(metered services); default no cap (ini icd_rate).",
    )
    parser.addini(
        "icd_concurrency",
        "requests in flight to an out-of-process engine (see --icd-concurrency)",
        default="1",
    )
    parser.addini(
        "icd_rate", "requests a second at most to an out-of-process engine (see --icd-rate)"
    )
    parser.addini(
        "icd_timeout",
        "seconds an out-of-process engine may take for one case (see --icd-timeout)",
        default="30",
    )
    parser.addini(
        "icd_engine",
        "engine for *.icd.yaml cases (see --icd-engine)",
        default=DEFAULT_ENGINE,
    )


def pytest_configure(config: pytest.Config) -> None:
    spec = config.getoption("icd_engine")
    if spec is None:  # an empty --icd-engine is an error, not "use the default"
        spec = config.getini("icd_engine") or DEFAULT_ENGINE
    from pytest_icdcheck.limits import engine_spec_problem

    problem = engine_spec_problem("--icd-engine", str(spec))
    against = config.getoption("icd_against")
    if not problem and against is not None:
        problem = engine_spec_problem("--icd-against", str(against))
    if problem:
        raise pytest.UsageError(problem)
    update = bool(config.getoption("icd_update"))
    timeout = _timeout(config)
    concurrency, rate = _limits(config)

    def make_state() -> RunState:  # called by the first case file (stash.run_state)
        from pytest_icdcheck.verdict.state import Limits, RunState

        return RunState(
            str(spec),
            _Registered(config),
            against=against,
            update=update,
            timeout=timeout,
            limits=Limits.read(concurrency, rate),
        )

    config.stash[MAKE_STATE] = make_state
    if not hasattr(config, "workerinput"):  # the process that sees every report writes
        from pytest_icdcheck.plugin.recording import Recorder

        recorder = Recorder(
            update=update, prune=bool(config.getoption("icd_prune")), rootdir=config.rootpath
        )
        config.pluginmanager.register(recorder, "icdcheck-recorder")
    summary = Summary()
    config.stash[SUMMARY] = summary
    config.pluginmanager.register(summary, "icdcheck-summary")
    config.pluginmanager.register(ReportRetention(), "icdcheck-retention")
    report = config.getoption("icd_report")
    if report is not None and not hasattr(config, "workerinput"):
        if not str(report).strip():
            raise pytest.UsageError("--icd-report is empty; e.g. --icd-report icdcheck.json")
        from pytest_icdcheck.plugin.report import ReportWriter

        path = config.invocation_params.dir / report
        config.pluginmanager.register(
            ReportWriter(path, summary, config.rootpath), "icdcheck-report"
        )
    if config.pluginmanager.hasplugin("html") and not hasattr(config, "workerinput"):
        # pytest-html's hooks exist only when it is installed: register ours only then.
        from pytest_icdcheck.plugin import html

        config.pluginmanager.register(html.HtmlReport(summary), "icdcheck-html")


def _timeout(config: pytest.Config) -> float:
    from pytest_icdcheck.limits import timeout_problem

    value = config.getoption("icd_timeout")
    option = "--icd-timeout"
    if value is None:
        value, option = config.getini("icd_timeout"), "icd_timeout"
    problem = timeout_problem(option, value)
    if problem:
        raise pytest.UsageError(problem)
    return float(value)


def _limits(config: pytest.Config) -> tuple[object, object]:
    """--icd-concurrency and --icd-rate (else their ini options), checked as `icdcheck run`
    checks them (Limits.read turns them into values)."""
    from pytest_icdcheck.limits import concurrency_problem, rate_problem

    settings = []
    for name in ("icd_concurrency", "icd_rate"):
        value, option = config.getoption(name), "--" + name.replace("_", "-")
        if value is None:
            value, option = config.getini(name), name
        settings.append((value, option))
    (concurrency, c_option), (rate, r_option) = settings
    problem = concurrency_problem(c_option, concurrency or "1") or rate_problem(r_option, rate)
    if problem:
        raise pytest.UsageError(problem)
    return concurrency, rate


class _Registered:
    """Engines offered through the plugin hook, asked for only when an engine is loaded."""

    def __init__(self, config: pytest.Config) -> None:
        self._config = config

    def __iter__(self) -> Any:
        return iter(self._config.hook.pytest_icdcheck_engines())


def pytest_collect_directory(path: Path, parent: pytest.Collector) -> None:
    """Note the folder: its case-file links that lead nowhere (which pytest skips unseen)
    are named once collection is over, and only in a session about case files."""
    folders = parent.config.stash.get(FOLDERS, None)
    if folders is None:
        folders = parent.config.stash[FOLDERS] = []
    folders.append(path)
    return None


def pytest_collection_finish(session: pytest.Session) -> None:
    """Name dangling case-file links in the folders collected, when this session ran case
    files or found nothing to run: a session of other tests pays no listing of folders."""
    config = session.config
    if not config.stash.get(SAW_CASE_FILE, False) and session.items:
        return
    import os

    from pytest_icdcheck.casefile.finder import dangling_link

    for folder in config.stash.get(FOLDERS, []):
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if entry.name.lower().endswith(NEAR_SUFFIXES) and entry.is_symlink():
                path = Path(entry.path)
                reason = dangling_link(path, _shown(path, config.rootpath))
                if reason:
                    _warn_at(path, reason)


def _warn_at(path: Path, message: str) -> None:
    """A collection warning shown at the user's file, not at a line of the plugin."""
    import warnings

    warnings.warn_explicit(
        pytest.PytestCollectionWarning(message),
        category=pytest.PytestCollectionWarning,
        filename=str(path),
        lineno=1,
    )


def _shown(path: Path, root: Path) -> Path:
    """How messages name a file: relative to the rootdir, as pytest names it."""
    return path.relative_to(root) if path.is_relative_to(root) else path


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if not file_path.name.endswith(SUFFIX):
        if file_path.name.lower().endswith(NEAR_SUFFIXES):  # say why it does not run
            from pytest_icdcheck.casefile.finder import near_miss

            reason = near_miss(_shown(file_path, parent.config.rootpath))
            if reason:
                _warn_at(file_path, reason)
        return None
    parent.config.stash[SAW_CASE_FILE] = True
    from pytest_icdcheck.plugin.collection import CaseFile

    return CaseFile.from_parent(parent, path=file_path)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    outcome = getattr(item, "icdcheck_outcome", None)
    if call.when == "call" and isinstance(outcome, dict):  # pytest keeps every report
        # A plain dict survives xdist's report serialisation to the controller.
        report.icdcheck = dict(outcome)  # type: ignore[attr-defined]
    return report


def pytest_sessionfinish(session: pytest.Session) -> None:
    state = session.config.stash.get(RUN_STATE, None)
    if state is not None:  # (made by the first case file: none without one)
        state.close()
