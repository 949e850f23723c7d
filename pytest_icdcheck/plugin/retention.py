"""Large sessions: keep the reports pytest holds out of the garbage collector's way.

pytest keeps every test report until the session ends. With 100,000 cases each full
collection walks all of them again, so a run grows faster than its number of cases.
Reports pytest keeps are not garbage, so moving what is alive into the permanent
generation (``gc.freeze``) every ``FREEZE_EVERY`` cases changes nothing but the time; a
session with fewer cases is left alone.
"""

from __future__ import annotations

import gc
from typing import Any

FREEZE_EVERY = 20_000


class ReportRetention:
    def __init__(self) -> None:
        self.cases = 0

    def pytest_runtest_logreport(self, report: Any) -> None:
        if getattr(report, "icdcheck", None) is None:
            return  # only our cases count: other tests are left as pytest runs them
        self.cases += 1
        if self.cases % FREEZE_EVERY == 0:
            gc.freeze()
