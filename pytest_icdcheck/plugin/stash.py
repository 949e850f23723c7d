"""Keys under which the plugin keeps its per-session objects on pytest's config.

The run state (engines, case ids, recorded files) is made on first use, by the first
case file collected: a session without case files never loads it (the plugin is in
every pytest run of an environment it is installed in).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest

from pytest_icdcheck.plugin.summary import Summary

if TYPE_CHECKING:  # the run-ahead window and the run state load with the first case file
    from pytest_icdcheck.plugin.runahead import RunAhead
    from pytest_icdcheck.verdict.state import RunState


MAKE_STATE = pytest.StashKey[Callable[[], "RunState"]]()  # set by pytest_configure
RUN_STATE: pytest.StashKey[RunState] = pytest.StashKey()
SUMMARY = pytest.StashKey[Summary]()
RUN_AHEAD: pytest.StashKey[RunAhead] = pytest.StashKey()


def run_state(config: pytest.Config) -> RunState:
    """This session's run state, made on first use."""
    state = config.stash.get(RUN_STATE, None)
    if state is None:
        state = config.stash[RUN_STATE] = config.stash[MAKE_STATE]()
    return state
