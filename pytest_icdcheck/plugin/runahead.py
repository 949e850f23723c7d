"""Run-ahead in pytest mode (``--icd-concurrency N``, N > 1).

Before an item judges its case, the next cases this process will run are handed to the
engine (``RunState.prefetch``): up to N requests in flight for an out-of-process engine,
a ``run_many`` batch for an in-process one. Each item then waits for its own result only,
so reports stay one per case, in order. "The next cases" are ``session.items`` after this
one, or under xdist the ones queued for this worker (a case stolen by another worker
after it was sent ahead is run there again: one extra request, the same verdict).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import Any

import pytest

from pytest_icdcheck.verdict.state import RunState


class RunAhead:
    """Keeps between N and 2N cases sent ahead of the item being run."""

    def __init__(self, session: pytest.Session, state: RunState) -> None:
        self._session = session
        self._state = state
        self._window = 2 * state.limits.concurrency
        self._sent: set[int] = set()  # id() of items whose case was sent ahead, not yet run
        self._index: dict[int, int] | None = None  # id(item) -> position in session.items
        self._worker = _xdist_worker(session.config)

    def before(self, item: pytest.Item) -> None:
        """Call as ``item`` starts: top the window up when half of it has been used."""
        upcoming = list(itertools.islice(self._after(item), self._window))
        was_sent = id(item) in self._sent
        self._sent &= {id(later) for later in upcoming}  # forget run, skipped, stolen
        if len(self._sent) > self._state.limits.concurrency:
            return
        batch: list[tuple[str, Any]] = []
        for number, next_item in enumerate([item, *upcoming]):
            case = getattr(next_item, "case", None)
            if case is None or case.problems or id(next_item) in self._sent:
                continue
            if number == 0 and was_sent:
                continue
            if number:
                self._sent.add(id(next_item))
            batch.append((case.name, case.encounter))
        self._state.prefetch(batch)

    def _after(self, item: pytest.Item) -> Iterator[pytest.Item]:
        """The items this process runs after ``item``, in order."""
        items = self._session.items
        if self._worker is not None:
            yield from (items[i] for i in _queued(self._worker, self._window))
            return
        if self._index is None:
            self._index = {id(it): i for i, it in enumerate(items)}
        position = self._index.get(id(item))
        if position is not None:
            yield from items[position + 1 : position + 1 + self._window]


def _xdist_worker(config: pytest.Config) -> Any:
    """pytest-xdist's WorkerInteractor in a worker process, else None."""
    if not hasattr(config, "workerinput"):
        return None
    for plugin in config.pluginmanager.get_plugins():
        if hasattr(plugin, "torun") and hasattr(plugin, "nextitem_index"):
            return plugin
    return None


def _queued(worker: Any, count: int) -> Iterable[int]:
    """Indices of the items this worker runs next (its own queue, in order)."""
    upcoming: list[int] = []
    if isinstance(worker.nextitem_index, int):
        upcoming.append(worker.nextitem_index)
    try:
        with worker.torun.lock() as queue:
            upcoming += [i for i in itertools.islice(queue, count) if isinstance(i, int)]
    except Exception:  # another xdist: fall back to the next item alone
        pass
    return upcoming
