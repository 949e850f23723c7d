"""The reference engine's own data tables (``reference/data/*.csv``).

Each table is small, hand-checked against the source named in its ``source`` column, and
read through importlib.resources so that it works from an installed wheel.
"""

from __future__ import annotations

import csv
import functools
import io
from importlib.resources import files


@functools.cache
def table(name: str) -> tuple[dict[str, str], ...]:
    """The rows of ``data/<name>`` as dicts; every row must say where it comes from."""
    text = files(__package__ or "pytest_icdcheck.reference").joinpath("data").joinpath(name)
    rows = tuple(csv.DictReader(io.StringIO(text.read_text(encoding="utf-8"))))
    for number, row in enumerate(rows, start=2):
        if not (row.get("source") or "").strip():
            raise ValueError(f"{name}:{number}: row has no source")
    return rows
