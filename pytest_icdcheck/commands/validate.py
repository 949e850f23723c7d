"""`icdcheck validate PATHS`: check case files against the schema, no engine."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

SUFFIX = ".icd.yaml"


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


def case_files(paths: Sequence[Path]) -> Iterator[Path]:
    """The case files under ``paths``, in pytest's (sorted) order."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.rglob(f"*{SUFFIX}") if p.is_file())
        else:
            yield path


def missing_paths(paths: Sequence[Path]) -> str | None:
    """The usage error for paths that do not exist, or None when all do."""
    missing = [p for p in paths if not p.exists()]
    return f"no such file or folder: {', '.join(map(str, missing))}" if missing else None


def run(args: argparse.Namespace) -> int:
    from pytest_icdcheck.cases import CaseFileError, read_cases

    paths: list[Path] = args.paths
    problem = missing_paths(paths)
    if problem:
        print(f"icdcheck: {problem}", file=sys.stderr)
        return 2
    files = cases = bad = 0
    seen: dict[str, str] = {}
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
            where = f"{case.file}:{case.line}"
            if case.name in seen:
                first = seen[case.name]
                problems.append(f"{where}: case id {case.name!r} is already used at {first}")
            seen.setdefault(case.name, where)
            if problems:
                bad += 1
                print(f"case {case.name}:")
                print("\n".join(f"  {p}" for p in problems))
    print(f"{files} file(s), {cases} case(s), {bad} with problems")
    return 1 if bad or not files else 0
