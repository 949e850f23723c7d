"""The hostile-input corpus through `icdcheck run`: the plugin's verdicts and messages.

The batch runner shares the plugin's loading, validation, engine protocol, comparison and
failure text. For every item of tests/hostile/manifest.yaml both are run on the same
files: the cases that fail and pass are the same, the failure texts are the same to the
character, and the messages the manifest asks for appear in the batch output too. The
one difference by design: a file that cannot be read stops pytest's collection (exit 2)
while the batch runner reports it as an error and goes on with the other files (exit 1).
"""

from __future__ import annotations

import fnmatch
import re
import subprocess
import sys
from typing import Any

import pytest
from test_batch_runner import batch_failures, pytest_failures
from test_hostile_corpus import (
    COMMON,
    INTERNAL_FRAME,
    ITEMS,
    _copy_files,
    _missing,
    _server,
    _spec,
)

# Options of the plugin that the batch runner spells differently.
BATCH_OPTION = {"--icd-timeout": "--timeout"}


def _batch_args(args: list[str]) -> list[str]:
    return [BATCH_OPTION.get(a, a) for a in args]


def _counts(batch_stdout: str) -> dict[str, int]:
    last = batch_stdout.rstrip().splitlines()[-1]
    return {word: int(n) for n, word in re.findall(r"(\d+) (passed|failed|error|xfailed)", last)}


@pytest.mark.parametrize(
    "item", [pytest.param(i, id=i["id"]) for i in ITEMS if not i.get("known_bug")]
)
def test_batch_gives_the_plugins_verdicts_and_messages(
    item: dict[str, Any], pytester: pytest.Pytester
) -> None:
    requirement = item.get("requires")
    if requirement and (reason := _missing(requirement)):
        pytest.skip(reason)
    if item.get("max_rss_mb"):
        pytest.skip("memory limits are checked through pytest by test_hostile_corpus")
    _copy_files(item, pytester.path)
    pytester.syspathinsert()
    with _server(item, pytester.path) as port:
        engine = _spec(item.get("engine", COMMON["engine"]), pytester.path, port)
        plugin = pytester.runpytest(
            "-rA",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:hypothesispytest",
            "--continue-on-collection-errors",
            "--icd-engine",
            engine,
            *item.get("args", []),
        )
        batch = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest_icdcheck",
                "run",
                ".",
                "--no-cache",
                "--engine",
                engine,
                *_batch_args(item.get("args", [])),
            ],
            cwd=pytester.path,
            capture_output=True,
            text=True,
            timeout=300,
        )
    out = batch.stdout + batch.stderr
    assert "Traceback" not in out and not INTERNAL_FRAME.search(out), out
    assert batch.returncode == (1 if item["exit"] else 0), out

    plugin_text = plugin.stdout.str()
    if "FAILURES" in plugin_text:
        assert pytest_failures(plugin_text) <= batch_failures(batch.stdout)
    outcomes = plugin.parseoutcomes()
    counts = _counts(batch.stdout)
    assert counts.get("passed", 0) == outcomes.get("passed", 0), out
    file_errors = outcomes.get("errors", outcomes.get("error", 0))
    assert counts.get("failed", 0) + counts.get("error", 0) == (
        outcomes.get("failed", 0) + file_errors
    ), out

    lines = [line.strip() for line in batch.stdout.splitlines()]
    for pattern in item["messages"]:
        assert any(fnmatch.fnmatchcase(line, pattern.strip()) for line in lines), (
            f"{item['id']}: no line of `icdcheck run` matches {pattern!r}:\n{batch.stdout}"
        )
