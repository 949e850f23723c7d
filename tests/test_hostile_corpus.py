"""The hostile-input corpus (tests/hostile/manifest.yaml), run item by item.

Each item is copied with the corpus's shared files into an empty project and run by
pytest. The test asserts what the manifest says the user must see: the exit status, the
message lines (naming file, line, case and what is wrong), which cases fail and which
still pass, and that no Python traceback or frame of the plugin's own code is shown.
The manifest is data, so other runners (the `icdcheck` batch runner) can use it too.
"""

from __future__ import annotations

import fnmatch
import functools
import re
import shlex
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from plugin_helpers import outcome_ids

CORPUS = Path(__file__).parent / "hostile"
MANIFEST = yaml.safe_load((CORPUS / "manifest.yaml").read_text(encoding="utf-8"))
COMMON: dict[str, Any] = MANIFEST["common"]
ITEMS: list[dict[str, Any]] = MANIFEST["items"]

# A frame of the plugin's own code (pytest_icdcheck/….py:12) in the output is an
# internal error shown to the user, even when the exit status is right.
INTERNAL_FRAME = re.compile(r"pytest_icdcheck[/\\][\w/\\]+\.py:\d+")

# Run pytest in a fresh interpreter and report its peak resident memory on the last line.
RSS_WRAPPER = """\
import resource, sys
import pytest
code = pytest.main(sys.argv[1:])
print(f"peak RSS MB: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")
sys.exit(int(code))
"""


def _adapter_refused(spec: str) -> bool:
    from pytest_icdcheck.engines.resolve import resolve_engine
    from pytest_icdcheck.errors import EngineSpecError

    try:
        engine = resolve_engine(spec, timeout=5)
    except EngineSpecError as exc:
        return "not available" in str(exc)
    close = getattr(engine, "close", None)
    if callable(close):
        close()
    return False


@functools.cache
def _missing(requirement: str) -> str | None:
    """Why an item that needs an out-of-process adapter cannot run yet, or None."""
    probes = {
        "cmd-adapter": f"cmd:{shlex.quote(sys.executable)} -c pass",
        "http-adapter": "http://127.0.0.1:9/",
    }
    if _adapter_refused(probes[requirement]):
        return f"{requirement}: --icd-engine {probes[requirement].split(':')[0]}:… is still refused"
    return None


def _params() -> Iterator[Any]:
    for item in ITEMS:
        marks = []
        if item.get("known_bug"):
            marks.append(pytest.mark.xfail(reason=item["known_bug"], strict=True))
        yield pytest.param(item, id=item["id"], marks=marks)


def test_manifest_is_complete() -> None:
    """Every folder under items/ is in the manifest and every item has its assertions."""
    ids = [item["id"] for item in ITEMS]
    assert len(ids) == len(set(ids))
    folders = {p.name for p in (CORPUS / "items").iterdir() if p.is_dir()}
    assert folders <= set(ids), f"folders missing from the manifest: {folders - set(ids)}"
    for item in ITEMS:
        assert item["what"] and item["messages"], item["id"]
        assert item["exit"] in (0, 1, 2), item["id"]
        assert (CORPUS / "items" / item["id"]).is_dir() or item.get("generate"), item["id"]


@pytest.mark.parametrize("item", list(_params()))
def test_hostile_item(item: dict[str, Any], pytester: pytest.Pytester) -> None:
    requirement = item.get("requires")
    if requirement and (reason := _missing(requirement)):
        pytest.skip(reason)
    _copy_files(item, pytester.path)
    pytester.syspathinsert()
    with _server(item, pytester.path) as port:
        engine = _spec(item.get("engine", COMMON["engine"]), pytester.path, port)
        args = [
            "-rA",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:hypothesispytest",
            "--icd-engine",
            engine,
            *item.get("args", []),
        ]
        ret, lines = _run(pytester, args, item)
        _check(item, ret, lines, expected_exit=item["exit"])
        if item.get("file_error"):
            # The file is refused as a whole; pytest stops before running anything unless
            # told to go on, and then every other file's cases run and pass.
            _check_lines(item, lines, ["*Interrupted: 1 error during collection*"])
            ret, lines = _run(pytester, [*args, "--continue-on-collection-errors"], item)
            _check(item, ret, lines, expected_exit=1)


def _copy_files(item: dict[str, Any], dest: Path) -> None:
    for name in COMMON["files"]:
        shutil.copy(CORPUS / name, dest / name)
    folder = CORPUS / "items" / item["id"]
    if folder.is_dir():
        for path in folder.iterdir():
            shutil.copy(path, dest / path.name)
    for spec in item.get("generate", []):
        _generate(dest / spec["file"], spec)


def _generate(path: Path, spec: dict[str, Any]) -> None:
    """A large input built at run time: head, then `repeat` until `bytes` or `times`, tail."""
    with path.open("w", encoding="utf-8") as out:
        out.write(spec.get("head", ""))
        repeat = spec["repeat"]
        if "times" in spec:
            out.write(repeat * spec["times"])
        else:
            count = spec["bytes"] // len(repeat) + 1
            chunk = 10_000
            for start in range(0, count, chunk):
                out.write(repeat * min(chunk, count - start))
        out.write(spec.get("tail", ""))


def _server(item: dict[str, Any], where: Path) -> Any:
    """Start the item's server (`server: [script, args…]`): yields the port it prints."""
    import contextlib

    @contextlib.contextmanager
    def run() -> Iterator[int | None]:
        server = item.get("server")
        if not server:
            yield None
            return
        proc = subprocess.Popen(
            [sys.executable, *server], cwd=where, stdout=subprocess.PIPE, text=True
        )
        try:
            assert proc.stdout is not None
            yield int(proc.stdout.readline())
        finally:
            proc.kill()
            proc.wait(10)
            if proc.stdout is not None:
                proc.stdout.close()

    return run()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _spec(spec: str, where: Path, port: int | None) -> str:
    values = {"python": shlex.quote(sys.executable), "dir": shlex.quote(str(where))}
    if "{port}" in spec:
        assert port is not None, "the item needs a `server` for {port}"
        values["port"] = str(port)
    if "{closed_port}" in spec:
        values["closed_port"] = str(_closed_port())
    return spec.format(**values)


def _run(pytester: pytest.Pytester, args: list[str], item: dict[str, Any]) -> tuple[int, list[str]]:
    limit = item.get("max_rss_mb")
    if limit is None:
        result = pytester.runpytest(*args)
        return int(result.ret), result.outlines + result.errlines
    # Memory is measured in a fresh interpreter, where it is the run's own.
    result = pytester.run(sys.executable, "-c", RSS_WRAPPER, *args, timeout=120)
    lines = result.outlines + result.errlines
    peak = [float(line.split(":")[1]) for line in lines if line.startswith("peak RSS MB:")]
    assert peak, "\n".join(lines)
    assert peak[-1] < limit, f"{item['id']}: peak RSS {peak[-1]:.0f} MB, over {limit} MB"
    return int(result.ret), lines


def _check(item: dict[str, Any], ret: int, lines: list[str], expected_exit: int) -> None:
    text = "\n".join(lines)
    shown = f"--- output of {item['id']} ---\n{text}"
    assert ret == expected_exit, f"exit status {ret}, expected {expected_exit}\n{shown}"
    assert "Traceback" not in text, shown
    assert "INTERNALERROR" not in text, shown
    assert not INTERNAL_FRAME.search(text), shown
    _check_lines(item, lines, item["messages"])
    outcomes = outcome_ids(_Lines(lines))
    neighbours = COMMON["neighbours"] if item.get("neighbours", True) else []
    must_pass = [*item.get("passed", []), *neighbours]
    if item.get("file_error") and expected_exit == 2:
        must_pass = []  # nothing runs after a collection error
    for node in must_pass:
        assert node in outcomes.get("PASSED", set()), f"{node} did not pass\n{shown}"
    for node in item.get("failed", []):
        assert node in outcomes.get("FAILED", set()), f"{node} did not fail\n{shown}"


def _check_lines(item: dict[str, Any], lines: list[str], patterns: list[str]) -> None:
    """Each pattern matches a whole output line (stripped), in the manifest's order."""
    stripped = [line.strip() for line in lines]
    position = 0
    for pattern in patterns:
        for i in range(position, len(stripped)):
            if fnmatch.fnmatchcase(stripped[i], pattern):
                position = i + 1
                break
        else:
            shown = "\n".join(lines)
            pytest.fail(f"{item['id']}: no line matches {pattern!r} (in order)\n{shown}")


class _Lines:
    """The slice of RunResult that outcome_ids reads."""

    def __init__(self, lines: list[str]) -> None:
        self.outlines = lines
