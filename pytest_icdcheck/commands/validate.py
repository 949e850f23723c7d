"""`icdcheck validate PATHS`: check case files against the schema, no engine."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from pytest_icdcheck.casefile.finder import case_files, nothing_found
from pytest_icdcheck.commands.paths import add_paths_argument, open_paths
from pytest_icdcheck.commands.status import (
    EXIT_FAILED,
    EXIT_NO_CASES,
    EXIT_OK,
)


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="check case files against the schema without running any engine",
        description="Check *.icd.yaml files against schemas/case-file.schema.json. Each "
        "problem names file, line and case; a file that looks meant as a case file but is "
        "not one (NAME.icd.yml, a dangling link) is a problem too. Exit 0 when every case "
        "is valid, 1 when any problem was found, 4 on a usage error (a missing path), "
        "5 when there is no case file.",
    )
    add_paths_argument(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from pytest_icdcheck.casefile.cases import CaseFileError, read_cases
    from pytest_icdcheck.casefile.ids import CaseIds

    paths: list[Path] = args.paths
    status, notes = open_paths("validate", paths, prefix=False)  # each note is a problem
    if status is not None:
        return status
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
    if notes:
        print(f"{len(notes)} file(s) not run (see above)")
    if bad or notes:
        return EXIT_FAILED
    if not files:
        print(f"icdcheck validate: {nothing_found(paths)}", file=sys.stderr)
        return EXIT_NO_CASES
    return EXIT_OK
