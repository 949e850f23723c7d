"""Parsed and validated case files, cached by content hash.

Parsing YAML and checking the schema cost far more than running a case, and case files
rarely change between runs. The result of `read_cases` is kept in a cache folder (pytest's
own, or the batch runner's), one entry per case file, keyed by a hash of everything it
depends on: the file's bytes, how messages name the file, the schemas and this package's
version. Any change to one of them is a miss. Entries are written to a temporary file and
renamed into place, so parallel workers (xdist) never read a torn entry; an unreadable
entry is a miss, never an error.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
from functools import cache
from pathlib import Path
from typing import Any

from pytest_icdcheck import __version__
from pytest_icdcheck.atomic import write_atomically
from pytest_icdcheck.casefile.cases import Case, read_cases

FORMAT = 2  # bump when the entry layout, or what a case is checked for, changes


@cache
def _salt() -> bytes:
    """What every entry depends on besides its file: the format, version and schemas."""
    from pytest_icdcheck.casefile import schema

    digest = hashlib.sha256(f"{FORMAT}|{__version__}".encode())
    for name in schema.SCHEMA_FILES:
        digest.update(schema.schema_text(name).encode())
    return digest.digest()


def read_cases_cached(path: Path, shown_as: str, folder: Path | None) -> list[Case]:
    """`read_cases`, served from ``folder`` when the file is unchanged (no folder: no cache)."""
    if folder is None:
        return read_cases(path, shown_as)
    raw = path.read_bytes()
    key = hashlib.sha256(_salt() + shown_as.encode() + b"\0" + raw).hexdigest()
    entry = folder / (hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:20] + ".marshal")
    cached = _load(entry, key)
    if cached is not None:
        return [_case(path, fields) for fields in cached]
    cases = read_cases(path, shown_as)  # a CaseFileError is not cached: it's re-read
    _store(entry, key, [_fields(c) for c in cases])
    return cases


def _fields(case: Case) -> tuple[Any, ...]:
    return (case.file, case.index, case.name, case.line, case.data, case.problems, case.recorded)


def _case(path: Path, fields: Any) -> Case:
    file, index, name, line, data, problems, recorded = fields
    return Case(path, file, index, name, line, data, list(problems), recorded)


def _load(entry: Path, key: str) -> Any:
    try:
        with entry.open("rb") as handle:
            stored_key, cases = marshal.load(handle)
    except (OSError, EOFError, ValueError, TypeError):
        return None
    return cases if stored_key == key else None


def _store(entry: Path, key: str, cases: list[tuple[Any, ...]]) -> None:
    try:
        data = marshal.dumps((key, cases))
    except ValueError:  # data marshal cannot keep (it never should): just don't cache
        return
    with contextlib.suppress(OSError):  # a read-only or full cache is only slower
        write_atomically(entry, data, durable=False)
