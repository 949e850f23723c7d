"""The scorecard by rule: which rules an engine misses and which it fires wrongly.

Built from the differences of failing cases, as plain data (so it is the same whether
the differences came from this process, an xdist worker or an `icdcheck run` worker):
edits and CDI alerts count missing / unexpected per rule id; diagnoses count a wrong
principal, missing and unexpected codes; HCC and DRG count changes. Each row counts
cases (a case missing NCCI_PTP twice counts once; its ``cases`` counts a case with
several kinds of difference on the rule once too), most frequent first.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pytest_icdcheck.verdict.compare import FIELDS, Difference

SHOWN_ROWS = 15  # the terminal shows the most frequent; the JSON report has them all
KINDS = ("wrong principal", "wrong sequence", "missing", "unexpected", "changed")


def difference_data(difference: Difference, section: str) -> dict[str, str]:
    """One difference as plain data (it travels on the report; the JSON report keeps it)."""
    return {
        "section": section,  # "expected" (the case's own) or "against" (--icd-against)
        "field": difference.field,
        "kind": difference.kind,
        "item": difference.item,
        "text": difference.text,
    }


def signature(difference: Mapping[str, Any]) -> tuple[str, str, str]:
    """(field, rule, kind) of one difference; rule is "" where the field has none."""
    field, kind, item = difference["field"], difference["kind"], difference.get("item", "")
    if field == "extensions":
        return (field, str(item).removeprefix("extensions.").removeprefix("extensions"), kind)
    if field in ("edits", "cdi", "services"):
        return (field, str(item), kind)
    if field == "diagnoses":
        if item == "principal":
            return (field, "", "wrong principal")
        if kind == "changed":  # a later position (compare: {ordered: true}) or the order
            return (field, "", "wrong sequence")
        return (field, "", kind)
    return (field, "", "changed")  # hcc, drg: any difference is a change


class Scorecard:
    def __init__(self) -> None:
        self.counts: Counter[tuple[str, str, str]] = Counter()  # cases by (field, rule, kind)
        self.cases: Counter[tuple[str, str]] = Counter()  # cases by (field, rule), any kind

    def add_case(self, differences: Iterable[Mapping[str, Any]]) -> None:
        signatures = {signature(d) for d in differences}
        self.counts.update(signatures)
        # A case both missing and unexpected on one rule is one case of that rule.
        self.cases.update({(field, rule) for field, rule, _ in signatures})

    def rows(self) -> list[dict[str, Any]]:
        """One row per rule (or per field where there is no rule), most frequent first."""
        grouped: dict[tuple[str, str], Counter[str]] = {}
        for (field, rule, kind), n in self.counts.items():
            grouped.setdefault((field, rule), Counter())[kind] += n
        rank = {f: i for i, f in enumerate(FIELDS)}
        ordered = sorted(
            grouped.items(),
            key=lambda kv: (-self.cases[kv[0]], rank.get(kv[0][0], 99), kv[0][1]),
        )
        return [
            {
                "field": field,
                "rule": rule or None,
                "counts": {k: kinds[k] for k in _order(kinds)},
                "cases": self.cases[(field, rule)],
            }
            for (field, rule), kinds in ordered
        ]

    def lines(self, limit: int = SHOWN_ROWS) -> list[str]:
        rows = self.rows()
        if not rows:
            return []
        out = ["scorecard by rule (failing cases, most frequent first):"]
        out += [f"  {row_text(row)}" for row in rows[:limit]]
        if len(rows) > limit:
            out.append(f"  ... and {len(rows) - limit} more (the JSON report has them all)")
        return out


def row_text(row: Mapping[str, Any]) -> str:
    """``edits NCCI_PTP: missing 3, unexpected 1``."""
    name = row["field"] + (f" {row['rule']}" if row["rule"] else "")
    return f"{name}: " + ", ".join(f"{k} {n}" for k, n in row["counts"].items())


def _order(kinds: Mapping[str, int]) -> Sequence[str]:
    return sorted(kinds, key=lambda k: KINDS.index(k) if k in KINDS else 99)
