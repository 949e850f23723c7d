"""Keys under which the plugin keeps its per-session objects on pytest's config."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from pytest_icdcheck.plugin.summary import Summary
from pytest_icdcheck.verdict.state import RunState

if TYPE_CHECKING:  # the run-ahead window loads with the first case file, not the plugin
    from pytest_icdcheck.plugin.runahead import RunAhead

RUN_STATE = pytest.StashKey[RunState]()
SUMMARY = pytest.StashKey[Summary]()
RUN_AHEAD: pytest.StashKey[RunAhead] = pytest.StashKey()
