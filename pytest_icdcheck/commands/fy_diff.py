"""`icdcheck fy-diff` (being built)."""

from __future__ import annotations

from typing import Any


def register(subparsers: Any) -> None:
    """Not available yet: adds nothing."""
