"""`icdcheck fy-diff --from 2026 --to 2027 PATHS`: what the reference engine says differently
when the cases' encounters move into another fiscal year (the logic is in fydiff.py)."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from pytest_icdcheck.commands.paths import add_paths_argument, open_paths


def _year(text: str) -> int:
    m = re.fullmatch(r"(?:FY)?(\d{4})", text.strip(), flags=re.IGNORECASE)
    if m is None:
        raise argparse.ArgumentTypeError(f"{text!r} is not a fiscal year; write it as 2026")
    return int(m.group(1))


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "fy-diff",
        help="show which cases' reference results change when moved into another fiscal year",
        description="Run each valid case dated in the --from fiscal year through the reference "
        "engine as written and with its date of service moved into the --to year (same day "
        "and month; 29 Feb becomes 28 Feb), and list the cases whose result changes, field "
        "by field: codes that became invalid or non-billable, HCC mappings and coefficients, "
        "DRGs. The payment year and MS-DRG version always follow the date and are shown once "
        "in the header. Cases in other years are skipped and counted. Exit 0 with the report; "
        "4 on a usage error; 5 when there is no case file.",
    )
    parser.add_argument(
        "--from",
        dest="from_year",
        type=_year,
        required=True,
        metavar="YEAR",
        help="the fiscal year the cases are dated in (e.g. 2026)",
    )
    parser.add_argument(
        "--to",
        dest="to_year",
        type=_year,
        required=True,
        metavar="YEAR",
        help="the fiscal year to move them into (e.g. 2027)",
    )
    parser.add_argument(
        "--format",
        choices=("table", "json"),
        default="table",
        help="a readable table (default) or a JSON document",
    )
    add_paths_argument(parser)
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from pytest_icdcheck.casefile.finder import case_files, nothing_found
    from pytest_icdcheck.commands.status import EXIT_NO_CASES, usage_error
    from pytest_icdcheck.reference import ReferenceEngine
    from pytest_icdcheck.runner import fydiff

    paths: list[Path] = args.paths
    status, _ = open_paths("fy-diff", paths, notes=sys.stderr)  # stdout holds the report
    if status is not None:
        return status
    if not any(True for _ in case_files(paths)):
        print(f"icdcheck fy-diff: {nothing_found(paths)}", file=sys.stderr)
        return EXIT_NO_CASES
    engine = ReferenceEngine()
    try:
        supported: list[int] = list(engine.describe()["fiscal_years"])
        unsupported = [y for y in (args.from_year, args.to_year) if y not in supported]
        if unsupported:
            return usage_error(
                "fy-diff",
                f"the reference engine supports fiscal years "
                f"{', '.join(map(str, supported))}, not {', '.join(map(str, unsupported))}",
            )
        if args.from_year == args.to_year:
            return usage_error("fy-diff", "--from and --to are the same year")
        report = fydiff.fy_diff(paths, args.from_year, args.to_year, engine)
    finally:
        engine.close()
    if args.format == "json":
        print(json.dumps(fydiff.as_json(report), indent=2, ensure_ascii=False))
    else:
        print(fydiff.as_table(report))
    return 0
