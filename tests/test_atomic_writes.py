"""Nothing lost: a writer killed mid-write leaves the previous file intact, byte for byte.

Recorded goldens (``pytest --icd-update``) and generated case files are written to a
temporary file beside the target and renamed into place. Here a real writer runs in a
subprocess whose file object stops after the first chunk and says so; the test then
SIGKILLs it, so the kill lands mid-write every time (no sleeps, no races).
"""

from __future__ import annotations

import importlib
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from plugin_helpers import TOY, write_cases, write_engine

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")

WRITERS = [
    "pytest_icdcheck.verdict.golden:write_atomically",  # --icd-update's recorded files
    "pytest_icdcheck.generate.writer:write_atomic",  # icdcheck generate's case files
]

# The child: every file opened through os.fdopen writes its first chunk, flushes it to
# disk, prints READY and the path, then waits to be killed.
CHILD = """\
import importlib, os, sys, time
from pathlib import Path

module_name, _, attr = sys.argv[1].partition(":")
target, text = Path(sys.argv[2]), Path(sys.argv[3]).read_text(encoding="utf-8")
real_fdopen = os.fdopen


class Stalling:
    def __init__(self, handle):
        self.handle = handle

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return self.handle.__exit__(*exc)

    def write(self, data):
        self.handle.write(data[:4096])
        self.handle.flush()
        os.fsync(self.handle.fileno())
        print("READY", flush=True)
        time.sleep(600)

    def __getattr__(self, name):
        return getattr(self.handle, name)


def stalling_fdopen(fd, *args, **kwargs):
    return Stalling(real_fdopen(fd, *args, **kwargs))


os.fdopen = stalling_fdopen
writer = getattr(importlib.import_module(module_name), attr)
writer(target, text)
print("FINISHED", flush=True)
"""

OLD = textwrap.dedent(
    """\
    # Results recorded by `pytest --icd-update` for the cases of cases.icd.yaml.
    "als-claim":
      diagnoses: ["G12.21"]
      edits: []
    """
)

CASES = textwrap.dedent(
    """\
    golden: recorded
    defaults:
      encounter: {setting: outpatient, date_of_service: "2025-11-03", patient: {age: 59, sex: F}}
    cases:
      - id: als-claim
        title: a recorded case
        encounter: {claim: {diagnoses: [G12.21]}}
    """
)


def _new_text() -> str:
    """Far longer than the first chunk, so the kill is mid-file."""
    entries = [f'"case-{i:05d}":\n  diagnoses: ["R25.3"]\n  edits: []\n' for i in range(5000)]
    return "# rewritten\n" + "".join(entries)


def _kill_mid_write(writer: str, target: Path, tmp_path: Path) -> list[Path]:
    """Run ``writer`` on ``target`` in a child, SIGKILL it after its first chunk;
    return the files the child left beside ``target``."""
    new = tmp_path / "new-text.txt"
    new.write_text(_new_text(), encoding="utf-8")
    before = set(target.parent.iterdir())
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, writer, str(target), str(new)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline().strip() == "READY"
        partial = [p for p in set(target.parent.iterdir()) - before if p.name.endswith(".tmp")]
        assert partial and partial[0].stat().st_size == 4096  # the write really was under way
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.kill()  # no-op once killed; never leave it sleeping
        child.wait(30)
        if child.stdout is not None:
            child.stdout.close()
    assert child.returncode == -signal.SIGKILL
    return sorted(set(target.parent.iterdir()) - before)


@pytest.mark.parametrize("writer", WRITERS)
def test_killed_writer_leaves_the_old_file_intact(
    writer: str, pytester: pytest.Pytester, tmp_path: Path
) -> None:
    module_name, _, attr = writer.partition(":")
    module = pytest.importorskip(module_name)
    assert callable(getattr(module, attr))
    pytester.path.joinpath("cases.icd.yaml").write_text(CASES, encoding="utf-8")
    target = pytester.path / "cases.recorded.yaml"
    target.write_bytes(OLD.encode("utf-8"))

    leftovers = _kill_mid_write(writer, target, tmp_path)

    assert target.read_bytes() == OLD.encode("utf-8")
    # A leftover may only be the hidden temporary file, and pytest must not collect it.
    for path in leftovers:
        assert path.name.startswith(f".{target.name}.") and path.name.endswith(".tmp"), path
    result = pytester.runpytest("--collect-only", "-q", "-p", "no:cacheprovider")
    result.stdout.fnmatch_lines(["cases.icd.yaml::als-claim", "*1 test collected*"])
    assert ".tmp" not in result.stdout.str()
    # The recorded file still reads as before: the case is judged against the old entry.
    from pytest_icdcheck.verdict.golden import RecordedFile

    assert RecordedFile.read(target).entries == {
        "als-claim": {"diagnoses": ["G12.21"], "edits": []}
    }

    # The next (unhindered) write replaces the file whole despite the leftover.
    getattr(module, attr)(target, _new_text())
    assert target.read_text(encoding="utf-8") == _new_text()


def test_icd_update_writes_through_the_atomic_writer(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real --icd-update session writes its recorded file with golden.write_atomically."""
    golden = importlib.import_module("pytest_icdcheck.verdict.golden")
    original, written = golden.write_atomically, []

    def spy(path: Path, text: str) -> None:
        written.append(path.name)
        original(path, text)

    monkeypatch.setattr(golden, "write_atomically", spy)
    write_engine(pytester)
    write_cases(
        pytester,
        "g.icd.yaml",
        "golden: recorded\ncases:\n  - id: one\n    title: t\n"
        "    encounter: {claim: {diagnoses: [R25.3]}}\n",
        defaults=True,
    )
    pytester.runpytest("--icd-engine", TOY, "--icd-update").assert_outcomes(passed=1)
    assert written == ["g.recorded.yaml"]
    assert (pytester.path / "g.recorded.yaml").exists()
