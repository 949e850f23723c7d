"""Engines: how a spec on the command line becomes something that codes encounters."""

from pytest_icdcheck.engines.adapter import EngineAdapter
from pytest_icdcheck.engines.resolve import DEFAULT_ENGINE, resolve_engine

__all__ = ["DEFAULT_ENGINE", "EngineAdapter", "resolve_engine"]
