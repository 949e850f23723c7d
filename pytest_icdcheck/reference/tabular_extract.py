"""What the engine needs of the tabular list, extracted once and kept on disk.

Importing simple_icd_10_cm costs about two seconds a process (it parses the whole XML
tabular). The engine needs only a few facts per code: what is above it, whether it is a
leaf, its Excludes1 notes; and, for the term index and messages, its description and
inclusion terms. Those are extracted once per installed simple-icd-10-cm version into the
engine's disk cache (diskcache.py). The structural part is split by the first character
of the item (``R25.3`` → shard ``R``, chapter ``18`` → shard ``1``): a run reads only the
shards of the codes it meets. The text part (descriptions and inclusion terms) is split
the same way and read only when a question needs wording: a message naming a code reads
that code's text shard, the term index reads them all.
"""

from __future__ import annotations

import functools
import string
import warnings
from dataclasses import dataclass
from importlib.metadata import version
from typing import Any

from pytest_icdcheck.reference.diskcache import cache_folder, cached, write

FORMAT = 4  # bump when the layout below changes
FIRSTS = string.ascii_uppercase + string.digits  # first characters of tabular items


@dataclass(frozen=True)
class Shard:
    # Every tabular item (chapters, blocks, codes) of this first character -> what is
    # above it, nearest first, as simple_icd_10_cm reports it (a block and a category
    # may share a name: B10).
    ancestors: dict[str, list[str]]
    leaves: frozenset[str]  # billable codes
    excludes1: dict[str, list[str]]  # item -> its Excludes1 notes (only items with some)


def _key() -> str:
    return f"{version('simple-icd-10-cm')}-f{FORMAT}"


@functools.cache
def shard(first: str) -> Shard:
    """The structural facts of every item whose name starts with ``first``."""
    ancestors, leaves, excludes1 = cached(
        f"tabular-core-{first}", _key(), lambda: _build()[0].get(first, EMPTY)
    )
    return Shard(ancestors, frozenset(leaves), excludes1)


EMPTY: tuple[dict[str, list[str]], list[str], dict[str, list[str]]] = ({}, [], {})


@functools.cache
def text(first: str) -> dict[str, tuple[str, list[str], bool]]:
    """code -> (description, inclusion terms, is a leaf) of the codes starting with
    ``first``, for wording and the term index."""
    found: dict[str, tuple[str, list[str], bool]] = cached(
        f"tabular-text-{first}", _key(), lambda: _build()[1].get(first, {})
    )
    return found


@functools.cache
def _build() -> tuple[dict[str, Any], dict[str, dict[str, tuple[str, list[str], bool]]]]:
    """Extract everything, and keep every part on disk: a later process that meets
    another first character must find its shard there, not pay for another build."""
    shards, text = _extract()
    for first in sorted(set(shards) | set(FIRSTS)):
        # Empty shards too: a code-shaped string that no item starts like (X12.3) must
        # not send every later process back to the slow build.
        write(cache_folder() / f"tabular-core-{first}-{_key()}.marshal", shards.get(first, EMPTY))
        write(cache_folder() / f"tabular-text-{first}-{_key()}.marshal", text.get(first, {}))
    return shards, text


def _extract() -> tuple[dict[str, Any], dict[str, dict[str, tuple[str, list[str], bool]]]]:
    with warnings.catch_warnings():  # its data loading uses deprecated importlib.resources
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm as icd

    shards: dict[str, tuple[dict[str, list[str]], list[str], dict[str, list[str]]]] = {}
    text: dict[str, dict[str, tuple[str, list[str], bool]]] = {}
    for code in icd.get_all_codes(True):
        ancestors, leaves, excludes1 = shards.setdefault(code[0], ({}, [], {}))
        ancestors[code] = [str(a) for a in icd.get_ancestors(code)]
        leaf = bool(icd.is_leaf(code))
        if leaf:
            leaves.append(code)
        notes = list(icd.get_excludes1(code))
        if notes:
            excludes1[code] = notes
        wording = (str(icd.get_description(code)), list(icd.get_inclusion_term(code)), leaf)
        text.setdefault(code[0], {})[code] = wording
    return shards, text
