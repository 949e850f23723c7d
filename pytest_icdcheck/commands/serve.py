"""`icdcheck serve`: any engine (the reference by default) as a local HTTP service."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import sys
from types import FrameType
from typing import Any

from pytest_icdcheck import limits
from pytest_icdcheck.commands.status import EXIT_FAILED, usage_error
from pytest_icdcheck.limits import engine_spec_problem, timeout_problem


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="serve an engine (the reference by default) over HTTP",
        description="Serve an engine as a local HTTP service speaking the engine protocol "
        "(CONTRACT §5): POST an encounter as JSON to / and get the result; GET /describe, "
        "GET /health. Teams in other languages call it from their own tests, and pytest "
        "runs cases against it with --icd-engine http://HOST:PORT/. The URL is printed on "
        "the first line of stdout. Stop with Ctrl-C or SIGTERM. Limits: a listen backlog "
        f"of {limits.SERVE_BACKLOG} connections; --workers threads, each serving one "
        "connection at a time (further connections wait for a free one, and meanwhile "
        "kept-alive connections are closed between requests to make room); a connection idle "
        "for --idle-timeout seconds is closed; a request must arrive whole within "
        f"{limits.SERVE_REQUEST_DEADLINE:.0f} s; a body is at most "
        f"{limits.SERVE_MAX_REQUEST // 2**20} MB "
        '(Content-Length or chunked); every error is a JSON body {"error": …}. Exit 0 '
        "when stopped, 1 when it cannot listen, 4 on a usage error.",
    )
    parser.add_argument(
        "--engine",
        "--icd-engine",
        dest="engine",
        default="reference",
        metavar="SPEC",
        help="the engine to serve, as for pytest --icd-engine (default: reference); "
        "package.module:attr may name a module in the folder serve is started in",
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to bind (default 127.0.0.1, this machine only; 0.0.0.0 exposes it "
        "to the network)",
    )
    parser.add_argument(
        "--port", type=_port, default=8765, help="port (default 8765; 0 picks a free one)"
    )
    parser.add_argument(
        "--timeout",
        "--icd-timeout",
        dest="timeout",
        default="30",
        metavar="SECONDS",
        help="per-case limit when the served engine is itself cmd: or http:// (default 30)",
    )
    parser.add_argument(
        "--workers",
        type=_positive_int,
        default=limits.SERVE_WORKERS,
        metavar="N",
        help=f"connections served at once (default {limits.SERVE_WORKERS})",
    )
    parser.add_argument(
        "--idle-timeout",
        type=_positive_float,
        default=limits.SERVE_IDLE_TIMEOUT,
        metavar="SECONDS",
        help="close a connection that sends nothing (or stalls mid-request) for this long "
        f"(default {limits.SERVE_IDLE_TIMEOUT:.0f})",
    )
    parser.add_argument("--log", action="store_true", help="log every request to stderr")
    parser.set_defaults(handler=run)


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"a port is a number from 0 to 65535, not {text!r}")
    return port


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"a whole number of 1 or more, not {text!r}")
    return value


def _positive_float(text: str) -> float:
    problem = timeout_problem("--idle-timeout", text)
    if problem:
        raise argparse.ArgumentTypeError(problem)
    return float(text)


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def run(args: argparse.Namespace) -> int:
    from pytest_icdcheck.engines.resolve import resolve_engine
    from pytest_icdcheck.engines.serving import make_server
    from pytest_icdcheck.errors import IcdCheckError

    problem = engine_spec_problem("--engine", args.engine) or timeout_problem(
        "--timeout", args.timeout
    )
    if problem:
        return usage_error("serve", problem)
    if "" not in sys.path and os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())  # module:attr beside where serve starts, as pytest
    try:
        engine = resolve_engine(args.engine, timeout=float(args.timeout), option="--engine")
    except IcdCheckError as exc:
        return usage_error("serve", str(exc))
    try:
        server = make_server(
            engine,
            args.host,
            args.port,
            log=args.log,
            workers=args.workers,
            idle_timeout=args.idle_timeout,
        )
    except (OSError, OverflowError) as exc:
        print(f"icdcheck serve: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        _close(engine)
        return EXIT_FAILED
    print(server.url, flush=True)
    name = server.info.get("name", args.engine)
    print(f"icdcheck serve: engine {name} at {server.url} (Ctrl-C stops)", file=sys.stderr)
    previous = signal.signal(signal.SIGTERM, _stop)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        server.server_close()
        _close(engine)
        print("icdcheck serve: stopped", file=sys.stderr)
    return 0


def _close(engine: Any) -> None:
    close = getattr(engine, "close", None)
    if callable(close):
        with contextlib.suppress(Exception):
            close()
