"""``--icd-engine "cmd:COMMAND LINE"``: an engine in any language, as a subprocess (CONTRACT §5).

One long-lived process per session (per xdist worker) speaks JSON Lines: one request per
line on its stdin, one reply per line on its stdout::

    {"op": "describe"}                                  -> {"describe": {...}}
    {"op": "run", "id": "CASE", "encounter": {...}}     -> {"id": "CASE", "result": {...}}
                                                        or {"id": "CASE", "error": "message"}

The command line is split like a POSIX shell would (``shlex``) but never run through one.
A reader thread turns stdout into lines, so a hang is caught by the per-case timeout; a
second thread keeps the last few KB of stderr (and keeps the engine from blocking on a
full pipe). A crash, a hang, or a reply that breaks the protocol fails the case in flight
with a message saying what happened (exit status, stderr tail); the process is then
stopped and a fresh one started for the next case.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import shlex
import signal
import subprocess
import threading
from collections import deque
from collections.abc import Mapping
from typing import IO, Any

from pytest_icdcheck.errors import EngineFailure, EngineSpecError

MAX_LINE = 16 * 1024 * 1024  # a reply line longer than this is refused
STDERR_KEEP = 64 * 1024  # bytes of stderr kept (the newest)
STDERR_SHOWN = 2000  # characters of stderr shown in a failure
MAX_FAILED_STARTS = 3  # processes in a row that die before any reply: stop restarting
CLOSE_GRACE = 2.0  # seconds close() waits after closing stdin, and again after SIGTERM

_EOF = object()


class _TooLong:
    pass


class _Process:
    """One running engine process and the threads that drain its pipes."""

    def __init__(self, argv: list[str]) -> None:
        kwargs: dict[str, Any] = {}
        if os.name == "posix":
            kwargs["start_new_session"] = True  # its own process group: kill it whole
        self.popen = subprocess.Popen(
            argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            **kwargs,
        )
        self.lines: queue.Queue[object] = queue.Queue()
        self._stderr: deque[bytes] = deque()
        self._stderr_size = 0
        self._stderr_lock = threading.Lock()
        self.answered = False
        assert self.popen.stdout is not None and self.popen.stderr is not None
        self._threads = [
            threading.Thread(target=self._read_stdout, args=(self.popen.stdout,), daemon=True),
            threading.Thread(target=self._read_stderr, args=(self.popen.stderr,), daemon=True),
        ]
        for thread in self._threads:
            thread.start()

    def _read_stdout(self, stream: IO[bytes]) -> None:
        reader = _LineReader(stream)
        try:
            while True:
                line = reader.readline()
                if line is None:
                    break
                self.lines.put(line)
                if isinstance(line, _TooLong):
                    break
        except (OSError, ValueError):
            pass
        self.lines.put(_EOF)

    def _read_stderr(self, stream: IO[bytes]) -> None:
        with contextlib.suppress(OSError, ValueError):
            while True:
                chunk = stream.read1(65536)  # type: ignore[attr-defined]
                if not chunk:
                    break
                with self._stderr_lock:
                    self._stderr.append(chunk)
                    self._stderr_size += len(chunk)
                    while self._stderr_size > STDERR_KEEP and len(self._stderr) > 1:
                        self._stderr_size -= len(self._stderr.popleft())

    def stderr_tail(self, wait: float = 0.0) -> str:
        """The end of what the engine wrote to stderr (after its pipe closes, if ``wait``)."""
        if wait:
            self._threads[1].join(wait)
        with self._stderr_lock:
            data = b"".join(self._stderr)
        text = data.decode("utf-8", errors="replace").strip()
        if len(text) > STDERR_SHOWN:
            text = "…" + text[-STDERR_SHOWN:]
        return text

    def send(self, request: bytes) -> None:
        stdin = self.popen.stdin
        assert stdin is not None
        stdin.write(request)
        stdin.flush()

    def exit_status(self, wait: float) -> int | None:
        try:
            return self.popen.wait(wait)
        except subprocess.TimeoutExpired:
            return None

    def kill(self) -> None:
        self._signal(signal.SIGKILL if hasattr(signal, "SIGKILL") else signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(5)
        self._finish()

    def close(self) -> None:
        """Close stdin (a well-behaved engine exits), then SIGTERM, then SIGKILL."""
        if self.popen.stdin is not None:
            with contextlib.suppress(OSError):
                self.popen.stdin.close()
        if self.exit_status(CLOSE_GRACE) is None:
            self._signal(signal.SIGTERM)
            if self.exit_status(CLOSE_GRACE) is None:
                self.kill()
                return
        self._finish()

    def _signal(self, sig: int) -> None:
        if self.popen.poll() is not None and os.name != "posix":
            return
        with contextlib.suppress(OSError):
            if os.name == "posix":
                os.killpg(self.popen.pid, sig)  # the engine and whatever it started
            else:
                self.popen.send_signal(sig)

    def _finish(self) -> None:
        if self.popen.stdin is not None:
            with contextlib.suppress(OSError):
                self.popen.stdin.close()
        # The readers end at EOF. One still blocked (a grandchild in another session keeps
        # the pipe open) is a daemon thread; closing its stream under it would block.
        streams = (self.popen.stdout, self.popen.stderr)
        for thread, stream in zip(self._threads, streams, strict=True):
            thread.join(1.0)
            if stream is not None and not thread.is_alive():
                with contextlib.suppress(OSError):
                    stream.close()


class _LineReader:
    """``readline`` with a bound: a line over MAX_LINE is reported, not buffered forever."""

    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream

    def readline(self) -> bytes | _TooLong | None:
        parts: list[bytes] = []
        size = 0
        while True:
            chunk = self._stream.readline(min(65536, MAX_LINE + 1 - size))
            if not chunk:
                return b"".join(parts) if parts else None  # a last line without newline
            parts.append(chunk)
            size += len(chunk)
            if chunk.endswith(b"\n"):
                return b"".join(parts)
            if size > MAX_LINE:
                return _TooLong()


class CommandEngine:
    """The ``cmd:`` adapter: describe(), run_case(case_id, encounter), close()."""

    def __init__(self, command: str, *, timeout: float = 30.0, spec: str | None = None) -> None:
        self.spec = spec or f"cmd:{command}"
        try:
            self.argv = shlex.split(command)
        except ValueError as exc:
            raise EngineSpecError(
                f"--icd-engine {self.spec!r}: cannot split the command line ({exc})"
            ) from None
        if not self.argv:
            raise EngineSpecError(
                f"--icd-engine {self.spec!r}: no command after 'cmd:'; "
                'e.g. --icd-engine "cmd:node my-engine.js"'
            )
        self.timeout = timeout
        self._lock = threading.Lock()
        self._proc: _Process | None = None
        self._failed_starts = 0
        self._last_failure = ""
        self._proc = self._start(first=True)

    # --- process life -----------------------------------------------------------------

    def _start(self, *, first: bool = False) -> _Process:
        try:
            return _Process(self.argv)
        except FileNotFoundError:
            message = self._not_found()
        except PermissionError:
            message = f"cannot run {self.argv[0]!r}: permission denied (is it executable?)"
        except OSError as exc:
            message = f"cannot run {self.argv[0]!r}: {exc}"
        if first:
            raise EngineSpecError(f"--icd-engine {self.spec!r}: {message}")
        raise EngineFailure(message)

    def _not_found(self) -> str:
        program = self.argv[0]
        if os.sep in program or (os.altsep and os.altsep in program):
            return f"cannot run {program!r}: no such file (relative to {os.getcwd()})"
        path = os.environ.get("PATH", "")
        return f"cannot run {program!r}: command not found on PATH ({path})"

    def _process(self) -> _Process:
        if self._proc is None:
            if self._failed_starts >= MAX_FAILED_STARTS:
                raise EngineFailure(
                    f"not restarted: the engine process exited {self._failed_starts} times in a "
                    f"row before answering anything; the last time: {self._last_failure}"
                )
            self._proc = self._start()
        return self._proc

    def _discard(self, proc: _Process, *, kill: bool = True) -> None:
        if kill:
            proc.kill()
        else:
            proc.close()
        if self._proc is proc:
            self._proc = None

    # --- requests ---------------------------------------------------------------------

    def _exchange(self, request: dict[str, Any], what: str) -> dict[str, Any]:
        """Send one request line, return the reply object; EngineFailure on any breakage."""
        try:
            line = json.dumps(request, ensure_ascii=False, allow_nan=False) + "\n"
        except (TypeError, ValueError) as exc:
            raise EngineFailure(f"the encounter of {what} cannot be sent as JSON: {exc}") from None
        with self._lock:
            proc = self._process()
            try:
                proc.send(line.encode("utf-8"))
            except (BrokenPipeError, OSError, ValueError):
                raise self._died(proc, what) from None
            try:
                reply = proc.lines.get(timeout=self.timeout)
            except queue.Empty:
                tail = proc.stderr_tail()
                self._discard(proc)
                raise EngineFailure(
                    f"timed out after {self.timeout:g} s on {what} (process killed; a new "
                    f"one runs the next case){_tail(tail)}"
                ) from None
            if reply is _EOF:
                raise self._died(proc, what)
            if isinstance(reply, _TooLong):
                self._discard(proc)
                raise EngineFailure(
                    f"replied to {what} with a line longer than {MAX_LINE // (1024 * 1024)} MB "
                    "(process restarted)"
                )
            assert isinstance(reply, bytes)
            try:
                obj = json.loads(reply)
            except ValueError:
                self._discard(proc)
                raise EngineFailure(
                    f"wrote something that is not a JSON line to stdout for {what} "
                    f"(stdout is for protocol replies only; log to stderr): {_start(reply)}"
                    f" (process restarted){_tail(proc.stderr_tail())}"
                ) from None
            if not isinstance(obj, dict):
                self._discard(proc)
                raise EngineFailure(
                    f"replied to {what} with a JSON {type(obj).__name__}, not an object: "
                    f"{_start(reply)} (process restarted)"
                )
            proc.answered = True
            self._failed_starts = 0
            return obj

    def _died(self, proc: _Process, what: str) -> EngineFailure:
        status = proc.exit_status(5.0)
        tail = proc.stderr_tail(wait=1.0)
        self._discard(proc)
        if status is None:
            how = "closed its stdout"
        elif status < 0:
            how = f"was killed by signal {_signal_name(-status)}"
        else:
            how = f"exited with status {status}"
        message = f"the engine process {how} while running {what}"
        if not proc.answered:
            self._failed_starts += 1
            self._last_failure = message + _tail(tail)
        return EngineFailure(message + " (a new one runs the next case)" + _tail(tail))

    def describe(self) -> dict[str, Any]:
        reply = self._exchange({"op": "describe"}, "describe")
        info = reply.get("describe")
        if not isinstance(info, dict):
            raise EngineFailure(
                f'replied to {{"op": "describe"}} without a "describe" object: {_show(reply)}'
            )
        return info

    def run_case(self, case_id: str, encounter: Mapping[str, Any]) -> Mapping[str, Any]:
        what = f"case {case_id}"
        reply = self._exchange({"op": "run", "id": case_id, "encounter": encounter}, what)
        if reply.get("id") != case_id:
            with self._lock:
                if self._proc is not None:
                    self._discard(self._proc)  # out of step: the next reply would be stale
            raise EngineFailure(
                f"replied with id {_show(reply.get('id'))} to the request for {what} "
                f"(id {case_id!r}); every reply must carry its request's id (process restarted)"
            )
        if "error" in reply:
            return _raise_error(reply["error"], what)
        result = reply.get("result")
        if not isinstance(result, dict):
            raise EngineFailure(
                f'replied to {what} without a "result" object or an "error": {_show(reply)}'
            )
        return result

    def run(self, encounter: Mapping[str, Any]) -> Mapping[str, Any]:
        return self.run_case("-", encounter)

    def close(self) -> None:
        with self._lock:
            if self._proc is not None:
                self._discard(self._proc, kill=False)


def _raise_error(error: Any, what: str) -> Mapping[str, Any]:
    message = error if isinstance(error, str) else json.dumps(error)
    raise EngineFailure(f"reported an error for {what}: {message}")


def _tail(text: str) -> str:
    return f"\nstderr tail:\n{text}" if text else "; stderr was empty"


def _start(line: bytes, size: int = 200) -> str:
    text = line.decode("utf-8", errors="replace").rstrip("\n")
    return repr(text[:size] + ("…" if len(text) > size else ""))


def _show(value: Any, size: int = 200) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text[:size] + ("…" if len(text) > size else "")


def _signal_name(number: int) -> str:
    try:
        return f"{signal.Signals(number).name} ({number})"
    except ValueError:
        return str(number)
