"""Building result entries: one shape for every edit and CDI alert (CONTRACT §3)."""

from __future__ import annotations

import functools
from typing import Any

from pytest_icdcheck.reference.data import table

Edit = dict[str, Any]


@functools.cache
def _severity() -> dict[str, str]:
    """Each rule's severity (data/rule_severity.csv): advisory rules are warnings."""
    return {row["rule"]: row["severity"] for row in table("rule_severity.csv")}


def edit(rule: str, codes: list[str], message: str) -> Edit:
    severity = _severity()[rule]
    return {"rule": rule, "codes": list(codes), "severity": severity, "message": message}


def alert(rule: str, codes: list[str], message: str) -> Edit:
    return {"rule": rule, "codes": list(codes), "message": message}


def listing(codes: tuple[str, ...] | list[str], limit: int = 8) -> str:
    """'R25.0, R25.1, R25.2' — or the first ``limit`` and '…'."""
    shown = ", ".join(codes[:limit])
    return shown + (", …" if len(codes) > limit else "")
