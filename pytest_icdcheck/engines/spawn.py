"""How a ``cmd:`` engine's process is started, and starting it early.

A vendor's engine often spends most of a second loading its tables before it reads its
first request. ``icdcheck run`` therefore starts the engine it was given as its first act
(``start_early``), before the harness imports and reads anything, so the two start-ups
overlap; the ``cmd:`` adapter then takes that process (``take_early``) instead of starting
another. Whatever was started early and never taken is stopped (``discard_early``).

Cheap to import: only the standard library.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import signal
import subprocess

CLOSE_GRACE = 2.0  # seconds an engine has to exit after its stdin closes, and after SIGTERM
KILL = getattr(signal, "SIGKILL", signal.SIGTERM)
KILL_WAIT = 5.0  # seconds to wait for the end of a process killed

_early: dict[tuple[str, ...], subprocess.Popen[bytes]] = {}


def spawn(argv: list[str]) -> subprocess.Popen[bytes]:
    """The engine's process, its three streams piped; raises OSError as Popen does."""
    kwargs: dict[str, object] = {}
    if os.name == "posix":
        kwargs["start_new_session"] = True  # its own process group: kill it whole
    return subprocess.Popen(  # type: ignore[call-overload, no-any-return]
        argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kwargs
    )


def start_early(spec: str | None) -> None:
    """Start the process of a ``cmd:`` spec now, once; anything else is left alone.

    Never fails: a command that cannot be split or run is reported, as usual, by the
    adapter when it starts the engine itself.
    """
    if not spec or not spec.strip().startswith("cmd:"):
        return
    try:
        argv = shlex.split(spec.strip()[len("cmd:") :])
    except ValueError:
        return
    if not argv or tuple(argv) in _early:
        return
    with contextlib.suppress(OSError):
        _early[tuple(argv)] = spawn(argv)


def take_early(argv: list[str]) -> subprocess.Popen[bytes] | None:
    """The process started early for exactly this command line, if one is still running."""
    popen = _early.pop(tuple(argv), None)
    if popen is not None and popen.poll() is not None:
        # It exited before its first request: start it again, so its exit is seen with
        # a request in flight and counted as a failed start, as without an early start.
        stop(popen)
        return None
    return popen


def discard_early() -> None:
    """Stop every process started early that no adapter took (a usage error, no cases)."""
    while _early:
        _, popen = _early.popitem()
        stop(popen)


def stop(popen: subprocess.Popen[bytes]) -> None:
    """Stop a process nobody reads: its output pipes closed, then ``end``."""
    for stream in (popen.stdout, popen.stderr):
        if stream is not None:
            with contextlib.suppress(OSError):
                stream.close()
    end(popen)


def end(popen: subprocess.Popen[bytes]) -> None:
    """Close stdin (a well-behaved engine exits), then SIGTERM, then SIGKILL, its group."""
    if popen.stdin is not None:
        with contextlib.suppress(OSError):
            popen.stdin.close()
    for sig in (signal.SIGTERM, KILL):
        try:
            popen.wait(CLOSE_GRACE)
            return
        except subprocess.TimeoutExpired:
            signal_group(popen, sig)
    with contextlib.suppress(subprocess.TimeoutExpired):
        popen.wait(KILL_WAIT)


def signal_group(popen: subprocess.Popen[bytes], sig: int) -> None:
    """Send ``sig`` to the engine and whatever it started (its process group on POSIX)."""
    if popen.poll() is not None and os.name != "posix":
        return
    with contextlib.suppress(OSError):
        if os.name == "posix":
            os.killpg(popen.pid, sig)
        else:
            popen.send_signal(sig)
