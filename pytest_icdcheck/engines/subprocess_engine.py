"""``--icd-engine "cmd:COMMAND LINE"``: an engine in any language, as a subprocess (CONTRACT §5).

One long-lived process per session (per xdist worker) speaks JSON Lines: one request per
line on its stdin, one reply per line on its stdout::

    {"op": "describe"}                                  -> {"describe": {...}}
    {"op": "run", "id": "CASE", "encounter": {...}}     -> {"id": "CASE", "result": {...}}
                                                        or {"id": "CASE", "error": "message"}

The command line is split like a POSIX shell would (``shlex``) but never run through one.
With ``--icd-concurrency N`` up to N requests are written before the first reply; a reader
thread hands each reply to the request with its ``id``, in whatever order they come (an
engine that handles one request at a time simply answers in order). A second thread
keeps the last few KB of stderr (and keeps the engine from blocking on a full pipe).

A case's timeout starts when its request is written to the pipe, not while it waits for
one of the N places. A crash, or a reply that breaks the protocol, fails the cases in
flight, each naming what happened (exit status, stderr tail); a hang fails the case that
timed out, and the others in flight are sent again to the fresh process that runs the
next cases.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import signal
import subprocess
import threading
from collections import deque
from collections.abc import Callable, Mapping
from typing import IO, Any

from pytest_icdcheck.engines.rate import RateLimiter, limiter
from pytest_icdcheck.engines.spawn import (
    CLOSE_GRACE,
    KILL,
    KILL_WAIT,
    end,
    signal_group,
    spawn,
    take_early,
)
from pytest_icdcheck.errors import EngineFailure, EngineSpecError

MAX_LINE = 16 * 1024 * 1024  # a reply line longer than this is refused
STDERR_KEEP = 64 * 1024  # bytes of stderr kept (the newest)
STDERR_SHOWN = 2000  # characters of stderr shown in a failure
MAX_FAILED_STARTS = 3  # processes in a row that die before any reply: stop restarting

_EOF = object()
DESCRIBE = "\x00describe"  # wire key of a describe request (its reply carries no id)
RESEND = object()  # a slot's outcome: the process was stopped for another case; send again


class _TooLong:
    pass


class _Process:
    """One running engine process and the threads that drain its pipes.

    Every stdout line goes to ``deliver(process, line)`` (bytes, ``_TooLong`` or ``_EOF``).
    """

    def __init__(self, argv: list[str], deliver: Callable[[_Process, object], None]) -> None:
        self.popen = take_early(argv) or spawn(argv)  # (icdcheck run starts it early)
        self._deliver = deliver
        self.pending: dict[str, _Slot] = {}  # requests in flight by wire id (engine's lock)
        self.killed_for: str | None = None  # the case whose timeout stopped this process
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
                self._deliver(self, line)
                if isinstance(line, _TooLong):
                    break
        except (OSError, ValueError):
            pass
        self._deliver(self, _EOF)

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
        signal_group(self.popen, KILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(KILL_WAIT)
        self._finish()

    def close(self) -> None:
        """Close stdin (a well-behaved engine exits), then SIGTERM, then SIGKILL."""
        end(self.popen)
        self._finish()

    def _finish(self) -> None:
        if self.popen.stdin is not None:
            with contextlib.suppress(OSError):
                self.popen.stdin.close()
        # The readers end at EOF. One still blocked (a grandchild in another session keeps
        # the pipe open) is a daemon thread; closing its stream under it would block.
        streams = (self.popen.stdout, self.popen.stderr)
        for thread, stream in zip(self._threads, streams, strict=True):
            if thread is threading.current_thread():  # stopped from its own reader
                continue
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


class _Slot:
    """One request in flight: the reply (a dict), an EngineFailure, or RESEND."""

    __slots__ = ("event", "outcome", "what")

    def __init__(self, what: str) -> None:
        self.event = threading.Event()
        self.outcome: object = None
        self.what = what

    def settle(self, outcome: object) -> None:
        if not self.event.is_set():
            self.outcome = outcome
            self.event.set()


class CommandEngine:
    """The ``cmd:`` adapter: describe(), run_case(case_id, encounter), close()."""

    concurrent_requests = True  # safe to call from N threads (--icd-concurrency)

    def __init__(
        self,
        command: str,
        *,
        timeout: float = 30.0,
        spec: str | None = None,
        concurrency: int = 1,
        rate: float | None = None,
    ) -> None:
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
        self.concurrency = max(1, concurrency)
        # _lock guards the process and its pending requests; _changed wakes a request
        # waiting for its id to be free. Writes to stdin have their own lock: a write may
        # block on a full pipe, and the reader must still be able to hand out replies.
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._write_lock = threading.Lock()
        self._places = threading.BoundedSemaphore(self.concurrency)
        self._rate: RateLimiter | None = limiter(rate)
        self._proc: _Process | None = None
        self._failed_starts = 0
        self._last_failure = ""
        self._proc = self._start(first=True)

    # --- process life -----------------------------------------------------------------

    def _start(self, *, first: bool = False) -> _Process:
        try:
            return _Process(self.argv, self._deliver)
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
        """The running process, started if need be (call with _lock held)."""
        if self._proc is None:
            if self._failed_starts >= MAX_FAILED_STARTS:
                raise EngineFailure(
                    f"not restarted: the engine process exited {self._failed_starts} times in a "
                    f"row before answering anything; the last time: {self._last_failure}"
                )
            self._proc = self._start()
        return self._proc

    def _detach(self, proc: _Process) -> dict[str, _Slot]:
        """Take ``proc`` out of service; its requests in flight (call with _lock held)."""
        if self._proc is proc:
            self._proc = None
        pending, proc.pending = proc.pending, {}
        self._changed.notify_all()
        return pending

    def _fail_all(self, proc: _Process, message: Callable[[str, list[str]], str]) -> None:
        """Stop ``proc``; every request in flight fails with ``message(what, all whats)``."""
        with self._lock:
            pending = self._detach(proc)
        proc.kill()
        whats = [slot.what for slot in pending.values()]
        for slot in pending.values():
            slot.settle(EngineFailure(message(slot.what, whats)))

    # --- replies: the reader thread hands each to its request -------------------------

    def _deliver(self, proc: _Process, line: object) -> None:
        if line is _EOF:
            self._ended(proc)
            return
        if isinstance(line, _TooLong):
            limit = MAX_LINE // (1024 * 1024)
            self._fail_all(
                proc,
                lambda what, whats: (
                    f"replied to {_named(what, whats)} with a line longer than "
                    f"{limit} MB (process restarted)"
                ),
            )
            return
        assert isinstance(line, bytes)
        try:
            obj = json.loads(line)
        except ValueError:
            tail = proc.stderr_tail()
            self._fail_all(
                proc,
                lambda what, whats: (
                    "wrote something that is not a JSON line to stdout for "
                    f"{_named(what, whats)} (stdout is for protocol replies only; log to stderr): "
                    f"{_start(line)} (process restarted){_tail(tail)}"
                ),
            )
            return
        if not isinstance(obj, dict):
            kind = type(obj).__name__
            self._fail_all(
                proc,
                lambda what, whats: (
                    f"replied to {_named(what, whats)} with a JSON {kind}, "
                    f"not an object: {_start(line)} (process restarted)"
                ),
            )
            return
        key = obj.get("id") if "id" in obj else DESCRIBE
        with self._lock:
            slot = proc.pending.pop(key, None) if isinstance(key, str) else None
            if slot is not None:
                proc.answered = True
                self._failed_starts = 0
                self._changed.notify_all()
        if slot is not None:
            slot.settle(obj)
            return
        self._fail_all(proc, lambda what, whats: _wrong_id(obj.get("id"), what, whats))

    def _ended(self, proc: _Process) -> None:
        """stdout closed: the process exited or was stopped; settle what was in flight."""
        with self._lock:
            pending = self._detach(proc)
            killed_for = proc.killed_for
        if not pending:
            return
        if killed_for is not None:  # stopped for another case's timeout: not these cases'
            for slot in pending.values():
                slot.settle(RESEND)
            return
        status = proc.exit_status(5.0)
        tail = proc.stderr_tail(wait=1.0)
        proc.kill()
        if status is None:
            how = "closed its stdout"
        elif status < 0:
            how = f"was killed by signal {_signal_name(-status)}"
        else:
            how = f"exited with status {status}"
        whats = [slot.what for slot in pending.values()]
        first = f"the engine process {how} while running {_named(whats[0], whats)}"
        if not proc.answered:
            with self._lock:
                self._failed_starts += 1
                self._last_failure = first + _tail(tail)
        for slot in pending.values():
            message = f"the engine process {how} while running {_named(slot.what, whats)}"
            slot.settle(EngineFailure(message + " (a new one runs the next case)" + _tail(tail)))

    # --- requests ---------------------------------------------------------------------

    def _exchange(self, request: dict[str, Any], what: str) -> dict[str, Any]:
        """Send one request line, return its reply object; EngineFailure on any breakage."""
        try:
            line = (json.dumps(request, ensure_ascii=False, allow_nan=False) + "\n").encode()
        except (TypeError, ValueError) as exc:
            raise EngineFailure(f"the encounter of {what} cannot be sent as JSON: {exc}") from None
        key = request.get("id", DESCRIBE)
        with self._places:
            outcome = self._send_and_wait(key, line, what)
            if outcome is RESEND:  # the process was stopped for another case: once more
                outcome = self._send_and_wait(key, line, what)
        if outcome is RESEND:
            raise EngineFailure(
                f"the engine process was stopped twice while {what} was in flight, each time "
                "because another case timed out (a new one runs the next case)"
            )
        if isinstance(outcome, EngineFailure):
            raise outcome
        assert isinstance(outcome, dict)
        return outcome

    def _send_and_wait(self, key: str, line: bytes, what: str) -> object:
        if self._rate is not None:
            self._rate.wait()
        slot = _Slot(what)
        with self._lock:
            while True:
                proc = self._process()
                if key not in proc.pending:
                    break
                self._changed.wait()  # the same id is in flight already: replies would mix
            proc.pending[key] = slot
        try:
            with self._write_lock:
                proc.send(line)
        except (OSError, ValueError):  # the process is gone: its reader settles the slot
            if not slot.event.wait(CLOSE_GRACE + 6.0):
                self._fail_all(proc, lambda w, ws: f"could not send {w} to the engine process")
        # The timeout counts from here (the request is in the pipe), not from the queue.
        if slot.event.wait(self.timeout):
            return slot.outcome
        with self._lock:
            if slot.event.is_set():  # settled just now
                return slot.outcome
            proc.killed_for = what
            pending = self._detach(proc)
        for other in pending.values():
            if other is not slot:
                other.settle(RESEND)
        tail = proc.stderr_tail()
        proc.kill()
        return EngineFailure(
            f"timed out after {self.timeout:g} s on {what} (process killed; a new one runs "
            f"the next case){_tail(tail)}"
        )

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
            proc, self._proc = self._proc, None
        if proc is not None:
            proc.close()


def _named(what: str, whats: list[str]) -> str:
    """``what``, and the other requests that were in flight with it, if any."""
    others = [w for w in whats if w != what]
    if not others:
        return what
    shown = ", ".join(others[:10]) + (f" and {len(others) - 10} more" if len(others) > 10 else "")
    return f"{what} (with {shown} in flight; each of them fails the same way)"


def _wrong_id(got: Any, what: str, whats: list[str]) -> str:
    if len(whats) == 1:
        return (
            f"replied with id {_show(got)} to the request for {what} (id "
            f"{what.removeprefix('case ')!r}); every reply must carry its request's id "
            "(process restarted)"
        )
    return (
        f"replied with id {_show(got)}, which no request in flight has, while running "
        f"{_named(what, whats)}; every reply must carry its request's id (process restarted)"
    )


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
