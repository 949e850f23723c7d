"""One difference between what a case expects and what the engine returned."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Difference:
    field: str  # one of FIELDS
    kind: str  # missing | unexpected | changed
    text: str  # the line a coder reads, e.g. "diagnoses[0]: expected G12.21, got R25.3"
    # What the difference is about, for the scorecard: the rule id (edits, cdi), the code
    # (services, diagnoses; "principal" for the first diagnosis), the key (hcc, drg) or
    # the path (extensions).
    item: str = ""
