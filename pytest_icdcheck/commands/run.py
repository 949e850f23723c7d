"""`icdcheck run PATHS`: the cases without pytest, for large corpora (see batch.py)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from pytest_icdcheck.commands.paths import add_paths_argument, open_paths
from pytest_icdcheck.commands.status import usage_error

DEFAULT_CACHE = Path(".pytest_cache") / "d" / "icdcheck-cases"
# Below this much case-file text, starting workers costs more than it saves.
AUTO_MIN_BYTES = 1 << 20


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "run",
        help="run case files on an engine without a pytest item per case (large corpora)",
        description="Run *.icd.yaml cases on an engine with the plugin's loading, engine "
        "protocol, comparison and messages, but no pytest item per case: files are "
        "streamed, so memory stays flat. Options take the plugin's names (--icd-engine, "
        "--icd-against, --icd-timeout; --engine, --against, --timeout are the same) and "
        "the plugin's ini settings (icd_engine, icd_timeout, icd_concurrency, icd_rate) "
        "from the file pytest would read (pytest.ini, pyproject.toml, tox.ini, setup.cfg); "
        "engines registered by plugins through the pytest_icdcheck_engines hook are found "
        "by name. Exit 0 when every case passed, 1 when any failed or errored, 4 on a "
        "usage error, 5 when no case was found.",
    )
    add_paths_argument(parser)
    parser.add_argument(
        "--icd-engine",
        "--engine",
        dest="engine",
        default=None,
        metavar="SPEC",
        help="engine to run: reference (the default), a registered name, "
        "package.module:attr, cmd:<command line> or http(s)://… (ini icd_engine)",
    )
    parser.add_argument(
        "--icd-against",
        "--against",
        dest="against",
        metavar="SPEC",
        help="differential mode: compare every result with this engine's",
    )
    parser.add_argument(
        "--jobs",
        "-j",
        type=_jobs,
        default="auto",
        metavar="N",
        help="processes running cases (this one and N-1 workers), each with its own "
        "engine, at most one per case file (with --concurrency N, per group of files of "
        "about 4N cases) and 4 per usable CPU; or `auto` (the default): "
        "one per CPU this process may use, but one process for a corpus under "
        f"{AUTO_MIN_BYTES // 2**20} MB of case files or a single file",
    )
    parser.add_argument(
        "--icd-concurrency",
        "--concurrency",
        dest="concurrency",
        default=None,
        metavar="N",
        help="requests an out-of-process engine (cmd:, http://) may have in flight at once, "
        "per process (default 1, ini icd_concurrency: more only for engines that can take "
        "N requests at once)",
    )
    parser.add_argument(
        "--icd-rate",
        "--rate",
        dest="rate",
        default=None,
        metavar="R",
        help="at most R requests a second to an out-of-process engine, per process "
        "(metered services; default no cap; ini icd_rate)",
    )
    parser.add_argument(
        "--junitxml",
        type=Path,
        metavar="FILE",
        help="write a JUnit XML report (case_id, source, fiscal_year properties)",
    )
    parser.add_argument(
        "--icd-report",
        "--report",
        dest="report",
        type=Path,
        metavar="FILE",
        help="write a JSON run report: engine, versions, counts, the scorecard by rule and "
        "every case with its status and differences (schemas/run-report.schema.json)",
    )
    parser.add_argument(
        "--icd-timeout",
        "--timeout",
        dest="timeout",
        default=None,
        metavar="SECONDS",
        help="per-case limit for out-of-process engines: more than 0, at most 86400 "
        "(default 30; ini icd_timeout)",
    )
    parser.add_argument(
        "--cache-dir",
        type=Path,
        default=DEFAULT_CACHE,
        metavar="DIR",
        help=f"cache of parsed case files, shared with pytest's (default {DEFAULT_CACHE})",
    )
    parser.add_argument("--no-cache", action="store_true", help="parse every file afresh")
    parser.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=0,
        help="-vv shows every difference of a failing case (else the first 20)",
    )
    parser.set_defaults(handler=run)


def _jobs(text: str) -> int | str:
    if text == "auto":
        return text
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number or `auto`, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, or `auto`, not {value}")
    return value


def run(args: argparse.Namespace) -> int:
    from pytest_icdcheck.casefile.finder import missing_paths
    from pytest_icdcheck.engines.spawn import discard_early, start_early

    # A cmd: engine named here starts before anything else loads: its own start-up (often
    # most of a second of loading tables) then overlaps the harness's (engines/spawn.py).
    # Not for a path that does not exist: that usage error comes at once, engine or not.
    if not missing_paths(args.paths):
        start_early(args.engine)
        start_early(args.against)
    try:
        return _run(args)
    finally:
        discard_early()


def _run(args: argparse.Namespace) -> int:
    from pytest_icdcheck.engines.spawn import start_early
    from pytest_icdcheck.limits import (
        concurrency_problem,
        engine_spec_problem,
        rate_problem,
        timeout_problem,
    )
    from pytest_icdcheck.runner import batch
    from pytest_icdcheck.runner.options import PluginEngines, read_ini
    from pytest_icdcheck.verdict.state import Limits

    status, _ = open_paths("run", args.paths)
    if status is not None:
        return status
    ini = read_ini(args.paths)
    engine, engine_option = ini.pick("icd_engine", args.engine, "--icd-engine")
    start_early(engine)  # (one named in the ini file: started as soon as it is known)
    timeout, timeout_option = ini.pick("icd_timeout", args.timeout, "--icd-timeout")
    concurrency, concurrency_option = ini.pick(
        "icd_concurrency", args.concurrency, "--icd-concurrency"
    )
    rate, rate_option = ini.pick("icd_rate", args.rate, "--icd-rate")
    problem = (
        engine_spec_problem(engine_option, engine)
        or (args.against is not None and engine_spec_problem("--icd-against", args.against))
        or timeout_problem(timeout_option, timeout)
        or concurrency_problem(concurrency_option, concurrency)
        or rate_problem(rate_option, rate)
        or _jobs_problem(args.jobs)
    )
    if problem:
        return usage_error("run", problem)
    settings = batch.Settings(
        engine=engine.strip(),
        against=args.against.strip() if args.against else None,
        timeout=float(timeout),
        cache=None if args.no_cache else args.cache_dir,
        verbose=args.verbose >= 2,
        plugins=PluginEngines([str(p) for p in args.paths]),
        limits=Limits.read(concurrency, rate),
    )
    return batch.main(
        args.paths,
        settings,
        args.jobs,
        args.junitxml,
        auto_min_bytes=AUTO_MIN_BYTES,
        report=args.report,
    )


def _jobs_problem(jobs: int | str) -> str | None:
    """More processes than CPUs only compete for them; far more is a typo."""
    from pytest_icdcheck.runner.batch import usable_cpus

    if jobs == "auto":
        return None
    cpus = usable_cpus()
    most = 4 * (cpus or 1)
    if int(jobs) > most:
        return (
            f"--jobs {jobs}: this machine has {cpus} usable CPU(s); give at most {most}, "
            "or --jobs auto"
        )
    return None
