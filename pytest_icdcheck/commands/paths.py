"""The PATH... argument of the subcommands over case files (validate, fy-diff, run), and
the check they all open with."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from pytest_icdcheck.casefile.finder import missing_paths, skipped
from pytest_icdcheck.commands.status import usage_error


def add_paths_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="+",
        type=Path,
        metavar="PATH",
        help="case files, or folders to search for *.icd.yaml",
    )


def open_paths(
    command: str, paths: Sequence[Path], *, notes: TextIO | None = None, prefix: bool = True
) -> tuple[int | None, list[str]]:
    """A missing path is a usage error: its exit status, else None. Every file that looks
    meant as a case file but is not one (NAME.icd.yml, a dangling link) is named on
    ``notes`` (stdout by default), never skipped in silence; the notes are returned."""
    problem = missing_paths(paths)
    if problem:
        return usage_error(command, problem), []
    found = skipped(paths)
    for note in found:
        print(f"icdcheck {command}: {note}" if prefix else note, file=notes or sys.stdout)
    return None, found
