"""`icdcheck generate --fy 2026 --out DIR`: write the generated edge cases.

One module per rule family under ``pytest_icdcheck.generate``; each states its rule as a
table with its source and yields cases from it. The output is deterministic: the same
package versions give the same bytes, so the committed files can be checked against a
fresh generation.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

DEFAULT_OUT = "cases/fy{fy}/generated"


def register(subparsers: Any) -> None:
    from pytest_icdcheck.generate import FAMILIES, SUPPORTED_YEARS

    years = ", ".join(map(str, SUPPORTED_YEARS))
    parser = subparsers.add_parser(
        "generate",
        help="write the generated edge-case files (one set per rule family)",
        description="Write deterministic *.icd.yaml case files, one or more per rule family, "
        "with expectations from each family's own statement of its rule (never from running "
        "an engine). Files are written atomically; running twice gives identical bytes.",
        epilog=f"families: {', '.join(FAMILIES)}. Example: icdcheck generate --fy 2026 "
        f"--out cases/fy2026/generated",
    )
    parser.add_argument(
        "--fy",
        type=int,
        required=True,
        metavar="YEAR",
        help=f"fiscal year of the code set the cases are written for (supported: {years})",
    )
    parser.add_argument(
        "--out",
        type=Path,
        metavar="DIR",
        help=f"folder to write into (default: {DEFAULT_OUT.format(fy='YEAR')})",
    )
    parser.add_argument(
        "--family",
        action="append",
        choices=list(FAMILIES),
        metavar="NAME",
        help="generate only this family (repeatable; default: all)",
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from pytest_icdcheck.casefile.finder import SUFFIX
    from pytest_icdcheck.commands.status import usage_error
    from pytest_icdcheck.generate import SUPPORTED_YEARS, codes, generate
    from pytest_icdcheck.generate.codes import GeneratorError
    from pytest_icdcheck.generate.writer import render, write_atomic

    fy: int = args.fy
    if fy not in SUPPORTED_YEARS:
        years = ", ".join(map(str, SUPPORTED_YEARS))
        return usage_error(
            "generate",
            f"--fy {fy} is not supported; the generator writes cases for "
            f"FY {years} (the code set its package tables describe)",
        )
    out: Path = args.out or Path(DEFAULT_OUT.format(fy=fy))
    try:
        families = generate(fy, args.family)
    except GeneratorError as exc:
        print(f"icdcheck generate: {exc}", file=sys.stderr)
        return 1
    finally:
        codes.close()
    total = 0
    written: set[Path] = set()
    width = max(map(len, families), default=0)
    for name, files in families.items():
        count = 0
        for file in files:
            path = out / f"{file.name}{SUFFIX}"
            write_atomic(path, render(file, fy))
            written.add(path)
            count += len(file.cases)
        total += count
        print(f"{name:<{width}}  {count:>5} cases in {len(files)} file(s)")
    if not args.family:
        for stale in sorted(set(out.glob(f"*{SUFFIX}")) - written):
            if _is_generated(stale):
                stale.unlink()
                print(f"removed {stale} (no longer generated)")
    print(f"{'total':<{width}}  {total:>5} cases -> {out}")
    return 0


def _is_generated(path: Path) -> bool:
    """A file this command wrote (its first line is the generator's header)."""
    from pytest_icdcheck.generate.writer import HEADER_PREFIX

    with path.open(encoding="utf-8") as fh:
        return fh.readline().startswith(HEADER_PREFIX)
