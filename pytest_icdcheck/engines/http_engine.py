"""``--icd-engine http://HOST:PORT/PATH`` (or https): an engine behind HTTP (CONTRACT §5).

Each case is one ``POST`` of the encounter as JSON to the URL; the body of a ``200``
reply is the result. Keep-alive connections per session (per xdist worker): one for
each request in flight (``--icd-concurrency N``, so at most N), kept for the next case and
opened again once if the server dropped it between cases. A ``429`` or ``503`` with
``Retry-After`` is sent again after that delay, at most ``MAX_RETRIES`` times and only for
a delay up to ``MAX_RETRY_AFTER``; ``--icd-rate R`` spaces requests 1/R s apart. Anything
else — another status, a body that is not JSON, a refused connection, no reply within the
timeout — fails the case with the status and the start of the body. Redirects are
followed only to the same scheme, host and port, and only when they keep the method
(307, 308). ``describe()`` asks ``GET <base>/describe`` (``icdcheck serve`` answers it).
"""

from __future__ import annotations

import contextlib
import email.utils
import http.client
import json
import socket
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from pytest_icdcheck.engines.rate import RateLimiter, limiter
from pytest_icdcheck.errors import EngineFailure, EngineSpecError

MAX_BODY = 16 * 1024 * 1024
BODY_SHOWN = 200
MAX_REDIRECTS = 5
MAX_RETRIES = 3  # 429/503 with Retry-After: sent again at most this many times
MAX_RETRY_AFTER = 60.0  # seconds; a service asking to wait longer fails the case at once
RETRY_STATUSES = (429, 503)


class HttpEngine:
    """The ``http://`` adapter: describe(), run_case(case_id, encounter), close()."""

    concurrent_requests = True  # safe to call from N threads (--icd-concurrency)

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 30.0,
        concurrency: int = 1,
        rate: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise EngineSpecError(
                f"--icd-engine {url!r}: not an http(s) URL with a host, e.g. http://127.0.0.1:8765/"
            )
        try:
            parts.port  # noqa: B018 - raises on a port that is not a number
        except ValueError as exc:
            raise EngineSpecError(f"--icd-engine {url!r}: {exc}") from None
        self.url = url
        self.timeout = timeout
        self._origin = _origin(url)
        self._lock = threading.Lock()  # guards the idle list
        self._in_flight = threading.BoundedSemaphore(max(1, concurrency))
        self._idle: list[http.client.HTTPConnection] = []  # kept-alive, not in use
        self._rate: RateLimiter | None = limiter(rate)
        self._sleep = sleep

    # --- connections: one per request in flight, kept alive for the next -------------

    def _take(self, *, fresh: bool = False) -> http.client.HTTPConnection:
        """A kept-alive connection if one is idle (unless ``fresh``), else a new one."""
        with self._lock:
            if self._idle and not fresh:
                return self._idle.pop()
        scheme, host, port = self._origin
        if scheme == "https":
            return http.client.HTTPSConnection(host, port, timeout=self.timeout)
        return http.client.HTTPConnection(host, port, timeout=self.timeout)

    def _give_back(self, conn: http.client.HTTPConnection) -> None:
        with self._lock:
            self._idle.append(conn)

    @staticmethod
    def _drop(conn: http.client.HTTPConnection) -> None:
        with contextlib.suppress(Exception):
            conn.close()

    def _request(
        self, method: str, url: str, body: bytes | None, headers: dict[str, str], what: str
    ) -> tuple[int, http.client.HTTPMessage, bytes]:
        """One request on the kept-alive connection, reopened once if it went stale."""
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        for attempt in (1, 2):
            # Once more on a new connection: the other idle ones may be stale as well
            # (a server's idle timeout closes them all at once).
            conn = self._take(fresh=attempt == 2)
            reused = conn.sock is not None
            try:
                conn.request(method, target, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read(MAX_BODY + 1)
                if len(data) > MAX_BODY:
                    self._drop(conn)
                    raise EngineFailure(
                        f"HTTP {response.status} from {url} for {what}: the body is larger than "
                        f"{MAX_BODY // (1024 * 1024)} MB"
                    )
                if response.will_close:
                    self._drop(conn)
                else:
                    self._give_back(conn)
                return response.status, response.headers, data
            except EngineFailure:
                raise
            except TimeoutError:
                self._drop(conn)
                raise EngineFailure(
                    f"timed out after {self.timeout:g} s on {what} ({method} {url})"
                ) from None
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
                self._drop(conn)
                if reused and attempt == 1:
                    continue  # the server closed an idle keep-alive connection: once more
                raise EngineFailure(
                    f"the connection to {url} broke on {what}: {type(exc).__name__}: {exc}"
                ) from None
            except ConnectionRefusedError:
                self._drop(conn)
                raise EngineFailure(
                    f"cannot connect to {url} for {what}: connection refused (is the service "
                    "running?)"
                ) from None
            except (OSError, http.client.HTTPException) as exc:
                self._drop(conn)
                reason = _reason(exc)
                raise EngineFailure(f"cannot reach {url} for {what}: {reason}") from None
        raise AssertionError("unreachable")

    def _exchange(
        self, method: str, url: str, body: bytes | None, headers: dict[str, str], what: str
    ) -> tuple[int, str, bytes, http.client.HTTPMessage]:
        """The final status, URL, body and headers, after same-origin 307/308 redirects."""
        for _ in range(MAX_REDIRECTS + 1):
            if self._rate is not None:
                self._rate.wait()
            status, response_headers, data = self._request(method, url, body, headers, what)
            if status not in (301, 302, 303, 307, 308):
                return status, url, data, response_headers
            location = response_headers.get("Location")
            if not location:
                return status, url, data, response_headers
            target = urljoin(url, location)
            if _origin(target) != self._origin:
                raise EngineFailure(
                    f"HTTP {status} from {url} redirects {what} to another host ({target}); "
                    "redirects to another host are not followed — name that URL in "
                    "--icd-engine if it is the engine"
                )
            if status not in (307, 308):
                raise EngineFailure(
                    f"HTTP {status} from {url} redirects {what} to {target}; only 307/308 "
                    "(which keep the POST) are followed — name that URL in --icd-engine"
                )
            url = target
        raise EngineFailure(f"more than {MAX_REDIRECTS} redirects from {self.url} for {what}")

    # --- engine -----------------------------------------------------------------------

    def describe(self) -> dict[str, Any]:
        url = _describe_url(self.url)
        with self._in_flight:
            status, _, data, _ = self._exchange(
                "GET", url, None, {"Accept": "application/json"}, "describe"
            )
        if status == 200:
            with contextlib.suppress(ValueError):
                info = json.loads(data)
                if isinstance(info, dict):
                    return info
        return {"name": self.url}  # a service without /describe is still an engine

    def run_case(self, case_id: str, encounter: Mapping[str, Any]) -> Mapping[str, Any]:
        what = f"case {case_id}"
        try:
            body = json.dumps(encounter, ensure_ascii=False, allow_nan=False).encode("utf-8")
        except (TypeError, ValueError) as exc:
            raise EngineFailure(f"the encounter of {what} cannot be sent as JSON: {exc}") from None
        headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "X-Icdcheck-Case": _header_safe(case_id),
        }
        status, url, data = self._post(body, headers, what)
        if status != 200:
            raise EngineFailure(f"HTTP {status} from {url} for {what}: {_body_start(data)}")
        try:
            result = json.loads(data)
        except ValueError:
            raise EngineFailure(
                f"HTTP 200 from {url} for {what}, but the body is not JSON: {_body_start(data)}"
            ) from None
        if not isinstance(result, dict):
            raise EngineFailure(
                f"HTTP 200 from {url} for {what}, but the body is a JSON "
                f"{type(result).__name__}, not a result object: {_body_start(data)}"
            )
        return result

    def _post(self, body: bytes, headers: dict[str, str], what: str) -> tuple[int, str, bytes]:
        """POST, sent again after the delay a 429/503 asks for in Retry-After (bounded)."""
        waits: list[float] = []
        while True:
            with self._in_flight:  # waiting out a Retry-After frees the slot for others
                status, url, data, response_headers = self._exchange(
                    "POST", self.url, body, headers, what
                )
            if status not in RETRY_STATUSES:
                return status, url, data
            delay = retry_after(response_headers.get("Retry-After"))
            if delay is None:
                return status, url, data  # no Retry-After: the service did not ask for a retry
            if len(waits) >= MAX_RETRIES or delay > MAX_RETRY_AFTER:
                raise EngineFailure(_gave_up(status, url, what, waits, delay, data))
            waits.append(delay)
            self._sleep(delay)

    def run(self, encounter: Mapping[str, Any]) -> Mapping[str, Any]:
        return self.run_case("-", encounter)

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
        for conn in idle:
            self._drop(conn)


def retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (seconds or an HTTP date); None if absent."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _gave_up(
    status: int, url: str, what: str, waits: list[float], delay: float, data: bytes
) -> str:
    if delay > MAX_RETRY_AFTER:
        why = (
            f"it asked to wait {delay:g} s (Retry-After), more than the {MAX_RETRY_AFTER:g} s "
            "icdcheck waits"
        )
    else:
        shown = ", ".join(f"{w:g}" for w in waits)
        why = (
            f"gave up after {len(waits)} retries (waited {shown} s as Retry-After asked); "
            "lower --icd-concurrency or set --icd-rate below the service's limit"
        )
    if waits and delay > MAX_RETRY_AFTER:
        why += f", after {len(waits)} retries"
    return f"HTTP {status} from {url} for {what}: {why}: {_body_start(data)}"


def _origin(url: str) -> tuple[str, str, int]:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


def _describe_url(url: str) -> str:
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    if path.endswith("/run"):
        path = path[: -len("/run")]
    return parts._replace(path=path + "/describe", query="", fragment="").geturl()


def _body_start(data: bytes) -> str:
    if not data:
        return "(empty body)"
    text = data.decode("utf-8", errors="replace").strip()
    return text[:BODY_SHOWN] + ("…" if len(text) > BODY_SHOWN else "")


def _header_safe(text: str) -> str:
    return "".join(c if 32 <= ord(c) < 127 else "?" for c in text)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, socket.gaierror):
        return f"cannot resolve the host name ({exc})"
    return f"{type(exc).__name__}: {exc}"
