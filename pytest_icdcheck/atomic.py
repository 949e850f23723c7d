"""Replace a file whole or not at all: a temporary file beside it, renamed into place.

Every file the project writes goes through here (recorded goldens, generated cases,
JUnit XML, the parsed-case and engine caches), so that a writer killed mid-write leaves
the previous file intact and no reader ever sees half of one.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any


@contextmanager
def replacing(path: Path, mode: str = "w", *, durable: bool = True) -> Iterator[IO[Any]]:
    """A handle on a temporary file that replaces ``path`` when the block ends cleanly.

    ``durable`` flushes it to disk first (what a user wrote); caches skip that cost. The
    new file keeps the old one's permissions, else 0644. On any error the temporary file
    is removed and the error goes on.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        binary = "b" in mode
        encoding, newline = (None, None) if binary else ("utf-8", "\n")
        with os.fdopen(fd, mode, encoding=encoding, newline=newline) as handle:
            yield handle
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_atomically(path: Path, data: str | bytes, *, durable: bool = True) -> None:
    """Write ``data`` (text as UTF-8 with LF endings, or bytes) to ``path`` atomically."""
    with replacing(path, "wb" if isinstance(data, bytes) else "w", durable=durable) as handle:
        handle.write(data)
