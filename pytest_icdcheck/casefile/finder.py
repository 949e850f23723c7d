"""Where case files are: the one suffix the project claims, and the files under given paths."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from pathlib import Path

SUFFIX = ".icd.yaml"
# Spellings a user may mean as a case file but that are not collected (`.icd.yml`, `.ICD.yaml`).
NEAR_SUFFIXES = (".icd.yml", ".icd.yaml")


def near_miss(path: Path) -> str | None:
    """Why a file that looks meant as a case file is not one, or None."""
    name = path.name
    if name.endswith(SUFFIX) or not name.lower().endswith(NEAR_SUFFIXES):
        return None
    stem = name[: name.lower().rindex(".icd.")]
    return (
        f"{path} is not a case file and is not run: case files end in {SUFFIX} "
        f"(exactly); rename it to {stem}{SUFFIX}"
    )


def dangling_link(path: Path, shown: Path | None = None) -> str | None:
    """Why a case-file name that is a symbolic link to nothing is not run, or None."""
    if not (path.is_symlink() and not path.exists()):
        return None
    return (
        f"{shown or path} is a symbolic link to {path.readlink()}, which does not exist: "
        "it is not run; fix or remove the link"
    )


def case_files(paths: Sequence[Path]) -> Iterator[Path]:
    """The case files under ``paths``, in pytest's (sorted) order."""
    for path in paths:
        if path.is_dir():
            for entry in _named_like_case_files(str(path)):
                if entry.name.endswith(SUFFIX) and entry.is_file():  # (a link to one counts)
                    yield Path(entry.path)
        else:
            yield path


def skipped(paths: Sequence[Path]) -> list[str]:
    """What under ``paths`` looks like a case file but is not run, each with the reason."""
    notes: list[str] = []
    for path in paths:
        if not path.is_dir():
            continue
        for entry in _named_like_case_files(str(path)):
            if entry.name.endswith(SUFFIX) and not entry.is_symlink():
                continue  # a case file: nothing to say (and no system call to learn it)
            found = Path(entry.path)
            reason = dangling_link(found) or (near_miss(found) if entry.is_file() else None)
            if reason:
                notes.append(reason)
    return notes


def _named_like_case_files(folder: str) -> Iterator[os.DirEntry[str]]:
    """Entries below ``folder`` named like case files (any case, .yml too), depth first
    with names sorted: the order of sorted paths, pytest's. Only names are read (cheap on
    a corpus of 100,000 files); symbolic links to folders are not followed."""
    try:
        with os.scandir(folder) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError:  # unreadable or gone: nothing under it to run
        return
    for entry in entries:
        if entry.name.lower().endswith(NEAR_SUFFIXES):
            yield entry
        if entry.is_dir(follow_symlinks=False):
            yield from _named_like_case_files(entry.path)


def missing_paths(paths: Sequence[Path]) -> str | None:
    """The usage error for paths that do not exist, or None when all do."""
    missing = [p for p in paths if not p.exists()]
    if not missing:
        return None
    dangling = [p for p in missing if p.is_symlink()]
    if dangling:
        return f"{dangling[0]} is a symbolic link to {dangling[0].readlink()}, which does not exist"
    return f"no such file or folder: {', '.join(map(str, missing))}"


def nothing_found(paths: Sequence[Path]) -> str:
    """The message when ``paths`` hold no case file at all."""
    where = ", ".join(map(str, paths))
    return f"no case files (*{SUFFIX}) in {where}: nothing to run"
