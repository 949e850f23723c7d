"""The pytest11 entry point: thin hooks that hand the work to the modules named below.

Loaded into every pytest run of an environment the package is installed in, so it
imports nothing heavy: YAML, JSON Schema and the engine load only once a `*.icd.yaml`
file is collected and a case runs.
"""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

from pytest_icdcheck.casefile.finder import SUFFIX
from pytest_icdcheck.plugin.retention import ReportRetention
from pytest_icdcheck.plugin.stash import RUN_STATE, SUMMARY
from pytest_icdcheck.plugin.summary import Summary
from pytest_icdcheck.verdict.state import Limits, RunState

DEFAULT_ENGINE = "reference"  # the shipped engine (engines.resolve.DEFAULT_ENGINE)


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
        "registered by a plugin or entry point, or package.module:attr (a class, factory "
        "or instance). Overrides the icd_engine ini option.",
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
        "that case fails (default 30; ini icd_timeout).",
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
    if not str(spec).strip():
        raise pytest.UsageError("--icd-engine is empty; e.g. --icd-engine reference")
    against = config.getoption("icd_against")
    if against is not None and not str(against).strip():
        raise pytest.UsageError("--icd-against is empty; e.g. --icd-against reference")
    update = bool(config.getoption("icd_update"))
    config.stash[RUN_STATE] = RunState(
        str(spec),
        _Registered(config),
        against=against,
        update=update,
        timeout=_timeout(config),
        limits=_limits(config),
    )
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


def _timeout(config: pytest.Config) -> float:
    value = config.getoption("icd_timeout")
    if value is None:
        raw = config.getini("icd_timeout")
        try:
            value = float(raw)
        except ValueError:
            raise pytest.UsageError(f"icd_timeout = {raw!r} is not a number of seconds") from None
    if not value > 0:
        raise pytest.UsageError(f"--icd-timeout must be more than 0 seconds, not {value}")
    return float(value)


def _limits(config: pytest.Config) -> Limits:
    """--icd-concurrency and --icd-rate (else their ini options), checked."""
    concurrency = config.getoption("icd_concurrency")
    if concurrency is None:
        raw = str(config.getini("icd_concurrency") or "1")
        try:
            concurrency = int(raw)
        except ValueError:
            raise pytest.UsageError(f"icd_concurrency = {raw!r} is not a whole number") from None
    if concurrency < 1:
        raise pytest.UsageError(f"--icd-concurrency must be 1 or more, not {concurrency}")
    rate = config.getoption("icd_rate")
    if rate is None and str(config.getini("icd_rate") or "").strip():
        raw = str(config.getini("icd_rate"))
        try:
            rate = float(raw)
        except ValueError:
            raise pytest.UsageError(f"icd_rate = {raw!r} is not a number a second") from None
    if rate is not None and not rate > 0:
        raise pytest.UsageError(f"--icd-rate must be more than 0 requests a second, not {rate}")
    return Limits(concurrency=concurrency, rate=rate)


class _Registered:
    """Engines offered through the plugin hook, asked for only when an engine is loaded."""

    def __init__(self, config: pytest.Config) -> None:
        self._config = config

    def __iter__(self) -> Any:
        return iter(self._config.hook.pytest_icdcheck_engines())


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if not file_path.name.endswith(SUFFIX):
        return None
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
    session.config.stash[RUN_STATE].close()
