"""Limits, and up-front checks of option values, that the plugin and the `icdcheck`
commands share.

Each check returns the message for a value that would only fail later (every case, deep
in an engine adapter), or None. Cheap, no imports: the plugin calls them at start-up and
`icdcheck --help` shows the limits.
"""

from __future__ import annotations

import math
import re

MAX_TIMEOUT = 86_400.0  # a day: far beyond any one case, and within what sockets accept

# `icdcheck serve` (engines/serving.py), documented in its --help and the README
SERVE_MAX_REQUEST = 16 * 1024 * 1024  # bytes of one request body
SERVE_BACKLOG = 1024  # connections the kernel holds while every worker is busy (<= somaxconn)
SERVE_WORKERS = 32
SERVE_IDLE_TIMEOUT = 15.0
SERVE_REQUEST_DEADLINE = 60.0  # a slow client sending a byte at a time is cut off here
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")


def timeout_problem(option: str, value: object) -> str | None:
    """``value`` must be a finite number of seconds in (0, MAX_TIMEOUT]."""
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return f"{option} = {value!r} is not a number of seconds; e.g. {option} 30"
    if math.isnan(seconds) or not 0 < seconds <= MAX_TIMEOUT:
        return (
            f"{option} must be a number of seconds more than 0 and at most "
            f"{MAX_TIMEOUT:.0f} (a day), not {value}; e.g. {option} 30"
        )
    return None


def engine_spec_problem(option: str, spec: str) -> str | None:
    """A spec no engine can answer to, known before any is loaded (empty, a URL scheme
    other than http/https)."""
    if not spec.strip():
        return f"{option} is empty; name an engine, e.g. {option} reference"
    scheme = _SCHEME.match(spec.strip())
    if scheme and scheme.group(1).lower() not in ("http", "https"):
        return (
            f"{option} {spec!r}: {scheme.group(1)}:// engines are not supported; an engine "
            "is served over http:// or https://, runs as cmd:<command line>, or is "
            "package.module:attr or an installed name"
        )
    return None


def concurrency_problem(option: str, value: object) -> str | None:
    """``value`` must be a whole number of requests in flight, 1 or more."""
    try:
        count = int(str(value).strip())
    except ValueError:
        return f"{option} = {value!r} is not a whole number; e.g. {option} 8 (1: one at a time)"
    if count < 1:
        return f"{option} must be 1 or more, not {value}; e.g. {option} 8 (1: one at a time)"
    return None


def rate_problem(option: str, value: object) -> str | None:
    """``value`` (when given) must be a finite number of requests a second, more than 0."""
    if value is None or not str(value).strip():
        return None
    try:
        rate = float(str(value))
    except ValueError:
        return f"{option} = {value!r} is not a number of requests a second; e.g. {option} 10"
    if not (math.isfinite(rate) and rate > 0):
        return f"{option} must be more than 0 requests a second, not {value}; e.g. {option} 10"
    return None
