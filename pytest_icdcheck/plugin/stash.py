"""Keys under which the plugin keeps its per-session objects on pytest's config."""

from __future__ import annotations

import pytest

from pytest_icdcheck.plugin.runahead import RunAhead
from pytest_icdcheck.plugin.summary import Summary
from pytest_icdcheck.verdict.state import RunState

RUN_STATE = pytest.StashKey[RunState]()
SUMMARY = pytest.StashKey[Summary]()
RUN_AHEAD = pytest.StashKey[RunAhead]()
