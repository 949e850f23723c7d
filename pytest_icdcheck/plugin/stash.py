"""Keys under which the plugin keeps its per-session objects on pytest's config.

The run state (engines, case ids, recorded files) is made on first use, by the first
case file collected: a session without case files never loads it (the plugin is in
every pytest run of an environment it is installed in).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from pytest_icdcheck.plugin.summary import Summary

if TYPE_CHECKING:  # the run-ahead window and the run state load with the first case file
    from pytest_icdcheck.plugin.runahead import RunAhead
    from pytest_icdcheck.verdict.state import RunState


class StateOptions:
    """The checked options a run state is made from (pytest_configure reads them)."""

    __slots__ = ("against", "concurrency", "rate", "registered", "spec", "timeout", "update")

    def __init__(
        self,
        *,
        spec: str,
        registered: Any,  # the engines of the plugin hook, asked for when an engine loads
        against: str | None,
        update: bool,
        timeout: float,
        concurrency: object,
        rate: object,
    ) -> None:
        self.spec = spec
        self.registered = registered
        self.against = against
        self.update = update
        self.timeout = timeout
        self.concurrency = concurrency
        self.rate = rate


STATE_OPTIONS = pytest.StashKey[StateOptions]()
RUN_STATE: pytest.StashKey[RunState] = pytest.StashKey()
SUMMARY = pytest.StashKey[Summary]()
RUN_AHEAD: pytest.StashKey[RunAhead] = pytest.StashKey()


def run_state(config: pytest.Config) -> RunState:
    """This session's run state, made on first use."""
    state = config.stash.get(RUN_STATE, None)
    if state is None:
        from pytest_icdcheck.verdict.state import Limits, RunState

        options = config.stash[STATE_OPTIONS]
        state = config.stash[RUN_STATE] = RunState(
            options.spec,
            options.registered,
            against=options.against,
            update=options.update,
            timeout=options.timeout,
            limits=Limits.read(options.concurrency, options.rate),
        )
    return state
