"""The exit statuses of every `icdcheck` subcommand: pytest's (CONTRACT v2 §5a)."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

EXIT_OK = 0  # all good
EXIT_FAILED = 1  # failures or problems found
EXIT_USAGE = 4  # a usage error: bad option, missing path
EXIT_NO_CASES = 5  # nothing to run: no case file found


def usage_error(command: str, message: str) -> int:
    """Print ``icdcheck COMMAND: message`` to stderr; the usage-error status."""
    print(f"icdcheck {command}: {message}", file=sys.stderr)
    return EXIT_USAGE


class Parser(argparse.ArgumentParser):
    """argparse exits 2 on a bad option; pytest, and so every subcommand, uses 4."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")
