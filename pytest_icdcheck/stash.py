"""Keys under which the plugin keeps its per-session objects on pytest's config."""

from __future__ import annotations

import pytest

from pytest_icdcheck.state import RunState
from pytest_icdcheck.summary import Summary

RUN_STATE = pytest.StashKey[RunState]()
SUMMARY = pytest.StashKey[Summary]()
