"""``--icd-rate R``: at most R requests a second to a metered engine (CONTRACT §5).

Requests are spaced evenly, 1/R s apart, across every thread of the session: no burst
above the rate, whatever ``--icd-concurrency`` allows in flight. The clock and the sleep
are parameters so a test can check the spacing without waiting for it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class RateLimiter:
    def __init__(
        self,
        rate: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not rate > 0:
            raise ValueError(f"a rate must be more than 0 requests a second, not {rate}")
        self.interval = 1.0 / rate
        self._clock = clock
        self._sleep = sleep
        self._next: float | None = None  # the earliest time the next request may start
        self._lock = threading.Lock()

    def wait(self) -> None:
        """Return when one more request may be sent (each caller gets its own slot)."""
        with self._lock:
            now = self._clock()
            at = now if self._next is None else max(now, self._next)
            self._next = at + self.interval
        if at > now:
            self._sleep(at - now)


def limiter(rate: float | None) -> RateLimiter | None:
    return RateLimiter(rate) if rate else None
