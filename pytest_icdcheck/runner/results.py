"""One case's result as `icdcheck run` carries it: what the batch driver and the JUnit
writer both read, in a module of its own so that neither imports the other."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class CaseResult:
    """What the driver needs of one case; small and picklable (it crosses processes)."""

    file: str
    case_id: str
    line: int
    status: str  # passed failed error xfailed xpassed
    text: str = ""
    fields: list[str] = field(default_factory=list)
    engine: str | None = None
    source: str = ""
    fiscal_year: str = ""
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    index: int = 0  # position in its file
    differences: list[dict[str, str]] = field(default_factory=list)  # as data (scorecard)
    engine_info: dict[str, Any] | None = None  # describe(), on a process's first case
    against: str | None = None
