"""What the engine needs of the tabular list, extracted once and kept on disk.

Importing simple_icd_10_cm costs about two seconds a process (it parses the whole XML
tabular). The engine needs only a few facts per code: what is above it, whether it is a
leaf, its Excludes1 notes; and, for the term index and messages, its description and
inclusion terms. Those are extracted once per installed simple-icd-10-cm version into the
engine's disk cache (diskcache.py), in two files so that the larger text part is loaded
only when a question needs it.
"""

from __future__ import annotations

import functools
import warnings
from dataclasses import dataclass
from importlib.metadata import version
from typing import Any

from pytest_icdcheck.reference.diskcache import cached

FORMAT = 2  # bump when the layout below changes


@dataclass(frozen=True)
class Extract:
    # Every tabular item (chapters, blocks, codes) -> what is above it, nearest first, as
    # simple_icd_10_cm reports it (a block and a category may share a name: B10).
    ancestors: dict[str, list[str]]
    leaves: frozenset[str]  # billable codes
    excludes1: dict[str, list[str]]  # item -> its Excludes1 notes (only items with some)


def _key() -> str:
    return f"{version('simple-icd-10-cm')}-f{FORMAT}"


@functools.cache
def extract() -> Extract:
    ancestors, leaves, excludes1 = cached("tabular-core", _key(), lambda: _build()[0])
    return Extract(ancestors, frozenset(leaves), excludes1)


@functools.cache
def text() -> dict[str, tuple[str, list[str]]]:
    """code -> (description, inclusion terms), for the term index and messages."""
    found: dict[str, tuple[str, list[str]]] = cached("tabular-text", _key(), lambda: _build()[1])
    return found


@functools.cache
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
