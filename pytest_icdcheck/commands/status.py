"""The exit statuses of every `icdcheck` subcommand: pytest's (CONTRACT v2 §5a)."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

from pytest_icdcheck.verdict.tally import EXIT_FAILED, EXIT_NO_CASES, EXIT_OK, EXIT_USAGE

__all__ = ["EXIT_FAILED", "EXIT_NO_CASES", "EXIT_OK", "EXIT_USAGE", "Parser", "usage_error"]


def usage_error(command: str, message: str) -> int:
    """Print ``icdcheck COMMAND: message`` to stderr; the usage-error status."""
    print(f"icdcheck {command}: {message}", file=sys.stderr)
    return EXIT_USAGE


class Parser(argparse.ArgumentParser):
    """argparse exits 2 on a bad option; pytest, and so every subcommand, uses 4."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")
