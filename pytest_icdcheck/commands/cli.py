"""The `icdcheck` console script: case-file chores that need no pytest session.

Each subcommand lives in its own module under ``pytest_icdcheck.commands`` with
``register(subparsers)``, which adds its parser and sets ``run`` as the handler.
"""

from __future__ import annotations

import argparse
import importlib
from collections.abc import Sequence

from pytest_icdcheck import __version__

COMMANDS = ("validate", "schema", "generate", "fy_diff", "serve", "run")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="icdcheck",
        description="Golden tests for ICD-10-CM / CPT coding engines. Run the cases with "
        "pytest (`pytest cases`); these commands help around them.",
    )
    parser.add_argument("--version", action="version", version=f"pytest-icdcheck {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        importlib.import_module(f"pytest_icdcheck.commands.{name}").register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    result: int = handler(args)
    return result
