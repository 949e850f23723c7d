"""`icdcheck schema`: where the installed JSON Schemas are (for editors)."""

from __future__ import annotations

import argparse
from importlib import resources
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "schema", help="print the folder of the installed JSON Schemas (for editors)"
    )
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    print(resources.files("pytest_icdcheck") / "schemas")
    return 0
