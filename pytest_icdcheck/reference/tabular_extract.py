"""What the engine needs of the tabular list, extracted once and kept on disk.

Importing simple_icd_10_cm costs about two seconds a process (it parses the whole XML
tabular). The engine needs only a few facts per code: its parent, whether it is a leaf,
its Excludes1 notes, its description and inclusion terms. Those are extracted once per
installed simple-icd-10-cm version into a user cache folder (marshal, a fraction of a
second to load) and read from there by every later process. The extract is written to a
temporary file and renamed into place, so concurrent processes never read half of one;
an unreadable or missing extract is simply rebuilt, and a read-only cache only costs time.

Cache folder: ``$ICDCHECK_CACHE_DIR``, else ``$XDG_CACHE_HOME/pytest-icdcheck``, else
``~/.cache/pytest-icdcheck``.
"""

from __future__ import annotations

import contextlib
import functools
import marshal
import os
import tempfile
import warnings
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

FORMAT = 2  # bump when the layout below changes


@dataclass(frozen=True)
class Extract:
    # Every tabular item (chapters, blocks, codes) -> what is above it, nearest first, as
    # simple_icd_10_cm reports it (a block and a category may share a name: B10).
    ancestors: dict[str, list[str]]
    leaves: frozenset[str]  # billable codes
    excludes1: dict[str, list[str]]  # item -> its Excludes1 notes (only items that have some)
    text: Path | None  # where descriptions and inclusion terms are, loaded on demand


def cache_folder() -> Path:
    explicit = os.environ.get("ICDCHECK_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "pytest-icdcheck"


def _paths() -> tuple[Path, Path]:
    stem = f"tabular-{version('simple-icd-10-cm')}-f{FORMAT}"
    folder = cache_folder()
    return folder / f"{stem}.core.marshal", folder / f"{stem}.text.marshal"


@functools.cache
def extract() -> Extract:
    core_path, text_file = _paths()
    text_path: Path | None = text_file
    core = _read(core_path)
    if core is None or not text_file.exists():
        core, text = _build()
        written = _write(core_path, core) and _write(text_file, text)
        if written:  # extracts of other versions or formats are never read again
            for old in core_path.parent.glob("tabular-*.marshal"):
                if old not in (core_path, text_file):
                    with contextlib.suppress(OSError):
                        old.unlink()
        if not written:  # no usable cache: keep the text in memory for this process
            _TEXT_IN_MEMORY.update(text)
            text_path = None
    ancestors, leaves, excludes1 = core
    return Extract(ancestors, frozenset(leaves), excludes1, text_path)


_TEXT_IN_MEMORY: dict[str, tuple[str, list[str]]] = {}


@functools.cache
def text() -> dict[str, tuple[str, list[str]]]:
    """code -> (description, inclusion terms), for the term index and messages."""
    source = extract().text
    if source is None:
        return _TEXT_IN_MEMORY
    loaded = _read(source)
    if loaded is None:  # vanished or torn since: rebuild
        return _build()[1]
    result: dict[str, tuple[str, list[str]]] = loaded
    return result


def _build() -> tuple[Any, dict[str, tuple[str, list[str]]]]:
    with warnings.catch_warnings():  # its data loading uses deprecated importlib.resources
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm as icd

    ancestors: dict[str, list[str]] = {}
    leaves: list[str] = []
    excludes1: dict[str, list[str]] = {}
    text: dict[str, tuple[str, list[str]]] = {}
    for code in icd.get_all_codes(True):
        ancestors[code] = [str(a) for a in icd.get_ancestors(code)]
        if icd.is_leaf(code):
            leaves.append(code)
        notes = list(icd.get_excludes1(code))
        if notes:
            excludes1[code] = notes
        text[code] = (str(icd.get_description(code)), list(icd.get_inclusion_term(code)))
    return (ancestors, leaves, excludes1), text


def _read(path: Path) -> Any:
    try:
        with path.open("rb") as handle:
            return marshal.load(handle)
    except (OSError, EOFError, ValueError, TypeError):
        return None


def _write(path: Path, data: Any) -> bool:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError:
        return False
    try:
        with os.fdopen(fd, "wb") as handle:
            marshal.dump(data, handle)
        os.replace(tmp, path)
        return True
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        return False
