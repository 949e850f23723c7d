"""Shared test configuration: the plugin tests run real pytest sessions through pytester.

The tests write nothing to the user's home or the tree: the reference engine's disk cache
(``ICDCHECK_CACHE_DIR``) and hypothesis's storage and example database point at one
temporary folder per session, which subprocesses and xdist workers inherit through the
environment, and which is removed at the end.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

# pytester's in-process runs drop every module a run imported once it ends. PyYAML's C
# extension cannot be imported twice (a second `import yaml` pairs new node classes with
# the old C parser), so the libraries the plugin loads lazily are imported here, once.
import jsonschema  # noqa: F401
import pytest
import yaml  # noqa: F401
from hypothesis import configuration, settings
from hypothesis.database import DirectoryBasedExampleDatabase

pytest_plugins = ["pytester"]

_SCRATCH_VARIABLE = "ICDCHECK_TEST_SCRATCH"  # set by the session that made the folder


def _scratch() -> tuple[Path, bool]:
    """This session's scratch folder, and whether this process made it (and removes it)."""
    inherited = os.environ.get(_SCRATCH_VARIABLE)
    if inherited and Path(inherited).is_dir():  # an xdist worker or a nested run
        return Path(inherited), False
    folder = Path(tempfile.mkdtemp(prefix="icdcheck-tests-"))
    os.environ[_SCRATCH_VARIABLE] = str(folder)
    return folder, True


SCRATCH, _OWNED = _scratch()
os.environ["ICDCHECK_CACHE_DIR"] = str(SCRATCH / "engine-cache")
configuration.set_hypothesis_home_dir(SCRATCH / "hypothesis")
settings.register_profile(
    "icdcheck-tests", database=DirectoryBasedExampleDatabase(SCRATCH / "hypothesis" / "examples")
)
settings.load_profile("icdcheck-tests")


def pytest_unconfigure(config: pytest.Config) -> None:
    if _OWNED:
        shutil.rmtree(SCRATCH, ignore_errors=True)
