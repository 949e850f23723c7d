"""Code references as the ICD-10-CM tabular writes them, and the set of codes each one names.

The tabular (and our data tables, which follow its notation) refers to codes as:

* a single code, ``F98.4`` (the code and anything beneath it);
* a category or subcategory with a dash, ``F95.-`` / ``M51.1-`` (everything beneath it);
* a range, ``G20-G26`` or ``B27.0-B27.9`` (inclusive, compared at each end's length);
* any of these followed by a qualifier the tabular uses in Excludes notes:
  ``E08-E13 with .42``, ``E08-E13 with .51-.52``, ``S02.- with 7th character B``,
  ``F11-F19 with fifth to sixth characters 51``, ``I69. with final characters -23``.

A reference whose qualifier we cannot read is skipped rather than guessed at: an Excludes1
edit we cannot justify from the note is worse than none. The same notation serves CPT code
ranges in our tables (``95860-95864``).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

_CODE = r"[A-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{0,4})?"
_REFERENCE = re.compile(
    rf"\b(?P<low>{_CODE})(?:\s*-\s*(?P<high>{_CODE}))?(?P<dash>\.?-)?"
    r"(?:\s*with\s+(?P<qualifier>[^,;()]*))?"
)
_CPT = re.compile(r"^\d{4}[0-9A-Z](?:-\d{4}[0-9A-Z])?$")
_ORDINALS = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "fifth": 5,
    "5th": 5,
    "sixth": 6,
    "6th": 6,
    "seventh": 7,
    "7th": 7,
}


@dataclass(frozen=True)
class Qualifier:
    """``kind`` is ``after-dot`` (characters after the dot start with / lie between ``args``),
    ``position`` (undotted characters from position ``args[0]`` equal ``args[1]``) or
    ``ending`` (undotted code ends with ``args[0]``)."""

    kind: str
    args: tuple[str, ...]

    def admits(self, code: str) -> bool:
        undotted = code.replace(".", "")
        if self.kind == "ending":
            return undotted.endswith(self.args[0])
        if self.kind == "position":
            start = int(self.args[0]) - 1
            return undotted[start : start + len(self.args[1])] == self.args[1]
        after = code.partition(".")[2]
        low, high = self.args
        return after[: len(low)] >= low and after[: len(high)] <= high


@dataclass(frozen=True)
class CodeSet:
    """The codes a reference names: those whose leading characters lie in ``low``..``high``."""

    low: str
    high: str
    qualifier: Qualifier | None = None

    def __contains__(self, code: object) -> bool:
        if not isinstance(code, str):
            return False
        if not (code[: len(self.low)] >= self.low and code[: len(self.high)] <= self.high):
            return False
        return self.qualifier is None or self.qualifier.admits(code)

    def __str__(self) -> str:
        return self.low if self.low == self.high else f"{self.low}-{self.high}"


def _qualifier(text: str) -> Qualifier | None:
    """Read the tabular's ``with …`` qualifier; None when it is not one we understand."""
    text = text.strip().lower().replace("-character", " character")
    if m := re.fullmatch(r"\.([0-9a-z]+)-?", text):
        part = m.group(1).upper()
        return Qualifier("after-dot", (part, part))
    if m := re.fullmatch(r"\.([0-9a-z]+)-\.([0-9a-z]+)", text):
        return Qualifier("after-dot", (m.group(1).upper(), m.group(2).upper()))
    if m := re.fullmatch(r"final characters -([0-9a-z]+)", text):
        return Qualifier("ending", (m.group(1).upper(),))
    m = re.fullmatch(r"(\w+) character \.?([0-9a-z])", text)
    if m and m.group(1) in _ORDINALS:
        return Qualifier("position", (str(_ORDINALS[m.group(1)]), m.group(2).upper()))
    if m := re.fullmatch(r"(\w+) to (\w+) characters ([0-9a-z]+)", text):
        first, last = _ORDINALS.get(m.group(1)), _ORDINALS.get(m.group(2))
        if first and last and last - first + 1 == len(m.group(3)):
            return Qualifier("position", (str(first), m.group(3).upper()))
    return None


def find_references(note: str) -> list[CodeSet]:
    """Every code reference in a tabular note ('tic disorders (F95.-)' → [F95])."""
    found: list[CodeSet] = []
    for m in _REFERENCE.finditer(note):
        qualifier = None
        if m.group("qualifier") is not None:
            qualifier = _qualifier(m.group("qualifier"))
            if qualifier is None:
                continue
        low = m.group("low").rstrip(".")
        high = (m.group("high") or m.group("low")).rstrip(".")
        found.append(CodeSet(low, high, qualifier))
    return found


def parse_code_sets(text: str) -> tuple[CodeSet, ...]:
    """A ``;``-separated list of references, as written in our data tables.

    Raises ValueError on anything that is not a reference (a typo in a table must not
    silently match nothing).
    """
    sets: list[CodeSet] = []
    for part in (p.strip() for p in text.split(";")):
        if _CPT.match(part):
            low, _, high = part.partition("-")
            sets.append(CodeSet(low, high or low))
            continue
        refs = find_references(part)
        if len(refs) != 1:
            raise ValueError(f"not a code reference: {part!r}")
        sets.append(refs[0])
    return tuple(sets)


@functools.cache  # few codes and few sets, asked about case after case
def matches(code: str, sets: tuple[CodeSet, ...]) -> bool:
    """True when ``code`` is in any of ``sets``."""
    return any(code in s for s in sets)
