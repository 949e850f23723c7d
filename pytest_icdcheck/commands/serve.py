"""`icdcheck serve`: any engine (the reference by default) as a local HTTP service."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
from types import FrameType
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "serve",
        help="serve an engine (the reference by default) over HTTP",
        description="Serve an engine as a local HTTP service speaking the engine protocol "
        "(CONTRACT §5): POST an encounter as JSON to / and get the result; GET /describe, "
        "GET /health. Teams in other languages call it from their own tests, and pytest "
        "runs cases against it with --icd-engine http://HOST:PORT/. The URL is printed on "
        "the first line of stdout. Stop with Ctrl-C or SIGTERM.",
    )
    parser.add_argument(
        "--engine",
        default="reference",
        metavar="SPEC",
        help="the engine to serve, as for pytest --icd-engine (default: reference)",
    )
    parser.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to bind (default 127.0.0.1, this machine only; 0.0.0.0 exposes it "
        "to the network)",
    )
    parser.add_argument(
        "--port", type=int, default=8765, help="port (default 8765; 0 picks a free one)"
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=30.0,
        metavar="SECONDS",
        help="per-case limit when the served engine is itself cmd: or http:// (default 30)",
    )
    parser.add_argument("--log", action="store_true", help="log every request to stderr")
    parser.set_defaults(handler=run)


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def run(args: argparse.Namespace) -> int:
    from pytest_icdcheck.engines import resolve_engine
    from pytest_icdcheck.engines.serving import make_server
    from pytest_icdcheck.errors import IcdCheckError

    try:
        engine = resolve_engine(args.engine, timeout=args.timeout)
    except IcdCheckError as exc:
        print(f"icdcheck serve: {exc}", file=sys.stderr)
        return 2
    try:
        server = make_server(engine, args.host, args.port, log=args.log)
    except OSError as exc:
        print(f"icdcheck serve: cannot listen on {args.host}:{args.port}: {exc}", file=sys.stderr)
        _close(engine)
        return 2
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
