"""Shared test configuration: the plugin tests run real pytest sessions through pytester.

The tests write nothing to the user's home or the tree: the reference engine's disk cache
(``ICDCHECK_CACHE_DIR``) and hypothesis's storage and example database are kept in a
folder of the system's temporary directory, ``pytest-icdcheck-tests-USER``, which
subprocesses and xdist workers inherit through the environment. It outlives the session
(as pytest's own temporary folders do) so that the engine's tables are built once, not
once a session: a build is a few seconds, and the cache's keys name the package versions.
"""

from __future__ import annotations

import contextlib
import getpass
import os
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
from suite_helpers import SuiteRun, run_suite

with contextlib.suppress(ImportError):  # numpy (deepdiff's, hccpy's) refuses a second import
    import numpy  # noqa: F401

pytest_plugins = ["pytester"]


def _scratch() -> Path:
    """The tests' folder in the temporary directory; a fresh one if another user has it."""
    folder = Path(tempfile.gettempdir()) / f"pytest-icdcheck-tests-{getpass.getuser()}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        if not hasattr(os, "getuid") or folder.stat().st_uid == os.getuid():
            return folder
    except OSError:
        pass
    return Path(tempfile.mkdtemp(prefix="pytest-icdcheck-tests-"))


SCRATCH = _scratch()
os.environ["ICDCHECK_CACHE_DIR"] = str(SCRATCH / "engine-cache")
configuration.set_hypothesis_home_dir(SCRATCH / "hypothesis")
settings.register_profile(
    "icdcheck-tests", database=DirectoryBasedExampleDatabase(SCRATCH / "hypothesis" / "examples")
)
settings.load_profile("icdcheck-tests")


@pytest.fixture(scope="session")
def shipped_suite() -> SuiteRun:
    """The whole shipped suite on the reference engine, in process: run once a session,
    shared by every test that compares against it."""
    return run_suite(["cases"])
