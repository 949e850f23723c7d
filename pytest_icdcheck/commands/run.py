"""`icdcheck run PATHS`: the cases without pytest, for large corpora (see batch.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, NoReturn

from pytest_icdcheck.commands.validate import add_paths_argument

DEFAULT_CACHE = Path(".pytest_cache") / "d" / "icdcheck-cases"
EXIT_USAGE = 4  # batch.EXIT_USAGE, without importing the runner to build --help
# Below this much case-file text, starting workers costs more than it saves.
AUTO_MIN_BYTES = 1 << 20


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "run",
        help="run case files on an engine without a pytest item per case (large corpora)",
        description="Run *.icd.yaml cases on an engine with the plugin's loading, engine "
        "protocol, comparison and messages, but no pytest item per case: files are "
        "streamed, so memory stays flat. Exit 0 when every case passed, 1 when any failed "
        "or errored, 4 on a usage error, 5 when no case was found.",
    )
    add_paths_argument(parser)

    def usage_error(message: str) -> NoReturn:  # argparse exits 2; `run` documents 4
        parser.print_usage(sys.stderr)
        print(f"icdcheck run: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)

    parser.error = usage_error
    parser.add_argument(
        "--engine",
        default="reference",
        metavar="SPEC",
        help="engine to run: reference (default), a registered name, "
        "package.module:attr, cmd:<command line> or http(s)://…",
    )
    parser.add_argument(
        "--against",
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
        "engine, or `auto` (the default): one "
        "per CPU this process may use, but one process for a corpus under "
        f"{AUTO_MIN_BYTES // 2**20} MB of case files or a single file",
    )
    parser.add_argument(
        "--concurrency",
        type=int,
        default=1,
        metavar="N",
        help="requests an out-of-process engine (cmd:, http://) may have in flight at once, "
        "per process (default 1: only for engines that can take N requests at once)",
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=None,
        metavar="R",
        help="at most R requests a second to an out-of-process engine, per process "
        "(metered services; default no cap)",
    )
    parser.add_argument(
        "--junitxml",
        type=Path,
        metavar="FILE",
        help="write a JUnit XML report (case_id, source, fiscal_year properties)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="per-case limit for out-of-process engines (default 30)",
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
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number or `auto`, got {text!r}") from None


def run(args: argparse.Namespace) -> int:
    from pytest_icdcheck.casefile.finder import missing_paths
    from pytest_icdcheck.runner import batch
    from pytest_icdcheck.verdict.state import Limits

    problem = missing_paths(args.paths)
    if problem:
        return batch.describe_usage_error(problem)
    if args.jobs != "auto" and args.jobs < 1:
        return batch.describe_usage_error("--jobs must be 1 or more, or `auto`")
    if not args.timeout > 0:
        return batch.describe_usage_error("--timeout must be more than 0 seconds")
    if args.concurrency < 1:
        return batch.describe_usage_error("--concurrency must be 1 or more")
    if args.rate is not None and not args.rate > 0:
        return batch.describe_usage_error("--rate must be more than 0 requests a second")
    if not args.engine.strip():
        return batch.describe_usage_error("--engine is empty; e.g. --engine reference")
    settings = batch.Settings(
        engine=args.engine,
        against=args.against,
        timeout=args.timeout,
        cache=None if args.no_cache else args.cache_dir,
        verbose=args.verbose >= 2,
        limits=Limits(concurrency=args.concurrency, rate=args.rate),
    )
    return batch.main(args.paths, settings, args.jobs, args.junitxml, auto_min_bytes=AUTO_MIN_BYTES)
