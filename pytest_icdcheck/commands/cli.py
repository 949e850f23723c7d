"""The `icdcheck` console script: case-file chores that need no pytest session.

Each subcommand lives in its own module under ``pytest_icdcheck.commands`` with
``register(subparsers)``, which adds its parser and sets ``run`` as the handler.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from pytest_icdcheck import __version__
from pytest_icdcheck.commands.status import EXIT_USAGE, Parser

COMMANDS = ("validate", "schema", "generate", "fy_diff", "serve", "run")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="icdcheck",
        description="Golden tests for ICD-10-CM / CPT coding engines. Run the cases with "
        "pytest (`pytest cases`); these commands help around them. Every command exits "
        "0 when all is good, 1 when it found failures or problems, 4 on a usage error, "
        "5 when there was nothing to run.",
    )
    parser.add_argument("--version", action="version", version=f"pytest-icdcheck {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    for name in COMMANDS:
        importlib.import_module(f"pytest_icdcheck.commands.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        result: int = handler(args)
        sys.stdout.flush()
    except BrokenPipeError:  # `icdcheck validate cases | head`: the reader stopped listening
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return result
