"""Building result entries: one shape for every edit and CDI alert (CONTRACT §3)."""

from __future__ import annotations

from typing import Any

Edit = dict[str, Any]

# Advisory rules; every other rule is an error (CONTRACT §3).
WARNINGS = frozenset({"ETIOLOGY_SEQUENCING", "MISSED_DX"})


def edit(rule: str, codes: list[str], message: str) -> Edit:
    severity = "warning" if rule in WARNINGS else "error"
    return {"rule": rule, "codes": list(codes), "severity": severity, "message": message}


def alert(rule: str, codes: list[str], message: str) -> Edit:
    return {"rule": rule, "codes": list(codes), "message": message}


def listing(codes: tuple[str, ...] | list[str], limit: int = 8) -> str:
    """'R25.0, R25.1, R25.2' — or the first ``limit`` and '…'."""
    shown = ", ".join(codes[:limit])
    return shown + (", …" if len(codes) > limit else "")
