"""Where case files are: the finder of `icdcheck run`, `validate` and `fy-diff` finds what
pytest would collect, in pytest's order, and names what looks meant as a case file but is
not one — on an awkward tree, checked against sorted pathlib globbing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pytest_icdcheck.casefile.finder import (
    NEAR_SUFFIXES,
    SUFFIX,
    case_files,
    dangling_link,
    near_miss,
    skipped,
)

pytestmark = pytest.mark.skipif(os.name != "posix", reason="symbolic links")


def _tree(root: Path) -> None:
    for name in (
        "a.icd.yaml",
        "a b/c.icd.yaml",
        "a-b/c.icd.yaml",
        "a/z.icd.yaml",
        "a/deep/er/x.icd.yaml",
        "b.icd.yml",  # near miss: .yml
        "B.ICD.YAML",  # near miss: case
        "notes.yaml",
        "ordinary.txt",
        "dir.icd.yaml/inside.icd.yaml",  # a folder with a case file's name
    ):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("cases: []\n", encoding="utf-8")
    (root / "linked.icd.yaml").symlink_to(root / "a.icd.yaml")  # a link to a case file
    (root / "gone.icd.yaml").symlink_to(root / "nowhere.icd.yaml")  # leads nowhere
    (root / "a" / "gone.icd.yml").symlink_to(root / "nowhere.icd.yml")
    (root / "folder-link").symlink_to(root / "a", target_is_directory=True)  # not followed


def _by_globbing(root: Path) -> tuple[list[Path], list[str]]:
    files = sorted(p for p in root.rglob(f"*{SUFFIX}") if p.is_file())
    notes = []
    for found in sorted(root.rglob("*")):
        if found.name.lower().endswith(NEAR_SUFFIXES):
            reason = dangling_link(found) or (near_miss(found) if found.is_file() else None)
            if reason:
                notes.append(reason)
    return files, notes


def test_case_files_and_notes_are_those_of_sorted_globbing(tmp_path: Path) -> None:
    _tree(tmp_path)
    files, notes = _by_globbing(tmp_path)
    assert list(case_files([tmp_path])) == files
    assert skipped([tmp_path]) == notes
    shown = [p.relative_to(tmp_path).as_posix() for p in files]
    assert shown == [
        "a/deep/er/x.icd.yaml",
        "a/z.icd.yaml",
        "a b/c.icd.yaml",
        "a-b/c.icd.yaml",
        "a.icd.yaml",
        "dir.icd.yaml/inside.icd.yaml",
        "linked.icd.yaml",
    ]
    assert len(notes) == 4  # b.icd.yml, B.ICD.YAML and the two links to nothing
    assert any("gone.icd.yaml is a symbolic link" in n for n in notes)


def test_a_file_given_is_taken_as_it_is(tmp_path: Path) -> None:
    _tree(tmp_path)
    given = tmp_path / "b.icd.yml"
    assert list(case_files([given])) == [given]
    assert skipped([given]) == []
