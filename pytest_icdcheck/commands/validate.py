"""`icdcheck validate PATHS`: check case files against the schema, no engine."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from pytest_icdcheck.casefile.finder import case_files, missing_paths


def add_paths_argument(parser: argparse.ArgumentParser) -> None:
    """The PATH... argument the commands over case files share."""
    parser.add_argument(
        "paths",
        nargs="+",
        type=Path,
        metavar="PATH",
        help="case files, or folders to search for *.icd.yaml",
    )


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="check case files against the schema without running any engine",
        description="Check *.icd.yaml files against schemas/case-file.schema.json. Exit 0 "
        "when every case is valid, 1 otherwise; each problem names file, line and case.",
    )
    add_paths_argument(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from pytest_icdcheck.casefile.cases import CaseFileError, read_cases
    from pytest_icdcheck.casefile.ids import CaseIds

    paths: list[Path] = args.paths
    problem = missing_paths(paths)
    if problem:
        print(f"icdcheck: {problem}", file=sys.stderr)
        return 2
    files = cases = bad = 0
    ids = CaseIds()
    for path in case_files(paths):
        files += 1
        try:
            found = read_cases(path, str(path))
        except CaseFileError as exc:
            print(exc)
            bad += 1
            continue
        for case in found:
            cases += 1
            problems = list(case.problems)
            repeat = ids.repeat(case.name, case.file, case.line)
            if repeat is not None:
                problems.append(repeat[0])
            if problems:
                bad += 1
                print(f"case {case.name}:")
                print("\n".join(f"  {p}" for p in problems))
    print(f"{files} file(s), {cases} case(s), {bad} with problems")
    return 1 if bad or not files else 0
