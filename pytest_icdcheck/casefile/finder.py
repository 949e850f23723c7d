"""Where case files are: the one suffix the project claims, and the files under given paths."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

SUFFIX = ".icd.yaml"


def is_case_file(path: Path) -> bool:
    return path.name.endswith(SUFFIX)


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
