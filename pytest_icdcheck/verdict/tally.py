"""The tally both drivers print at the end of a run: engines, cases by outcome, failures by
field. The plugin's terminal summary and `icdcheck run` fill and word it alike."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

OUTCOMES = ("passed", "failed", "error", "xfailed", "xpassed")

# pytest's exit statuses, which every `icdcheck` subcommand follows (CONTRACT §5a).
EXIT_OK = 0  # all good
EXIT_FAILED = 1  # failures or problems found
EXIT_USAGE = 4  # a usage error: bad option, missing path
EXIT_NO_CASES = 5  # nothing to run: no case file found


class Tally:
    def __init__(self) -> None:
        self.engines: set[str] = set()
        self.against: set[str] = set()
        self.counts: Counter[str] = Counter()
        self.fields: Counter[str] = Counter()  # of failed cases: which result fields differ

    def add(self, status: str, fields: Iterable[str] = ()) -> None:
        self.counts[status] += 1
        if status == "failed":
            self.fields.update(fields)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def exit_status(self) -> int:
        """A run's status as pytest gives it: no case, any failed or errored, or all good."""
        if not self.total:
            return EXIT_NO_CASES
        return EXIT_FAILED if self.counts["failed"] or self.counts["error"] else EXIT_OK

    def counts_text(self) -> str:
        """``3 passed, 1 failed``: the outcomes that occurred, in a fixed order."""
        return ", ".join(f"{self.counts[k]} {k}" for k in OUTCOMES if self.counts[k])

    def lines(self, after_engine: Iterable[str] = ()) -> list[str]:
        """``engine: …``, then ``after_engine``, ``cases: …`` and, if any case failed on a
        field, ``failures by field: …``."""
        engines = ", ".join(sorted(self.engines)) or "(not loaded)"
        if self.against:
            engines += f" (against {', '.join(sorted(self.against))})"
        out = [f"engine: {engines}", *after_engine, f"cases: {self.counts_text() or 'none'}"]
        if self.fields:
            from pytest_icdcheck.verdict.compare import FIELDS  # only a run with failures

            by_field = ", ".join(f"{f} {self.fields[f]}" for f in FIELDS if self.fields[f])
            out.append(f"failures by field: {by_field}")
        return out
