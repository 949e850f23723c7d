"""``--icd-engine http://HOST:PORT/PATH`` (or https): an engine behind HTTP (CONTRACT §5).

Each case is one ``POST`` of the encounter as JSON to the URL; the body of a ``200``
reply is the result. One keep-alive connection per session (per xdist worker), opened
again once if the server dropped it between cases. Anything else — another status, a
body that is not JSON, a refused connection, no reply within the timeout — fails the
case with the status and the start of the body. Redirects are followed only to the same
scheme, host and port, and only when they keep the method (307, 308).
``describe()`` asks ``GET <base>/describe`` (``icdcheck serve`` answers it).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import urljoin, urlsplit

from pytest_icdcheck.errors import EngineFailure, EngineSpecError

MAX_BODY = 16 * 1024 * 1024
BODY_SHOWN = 200
MAX_REDIRECTS = 5


class HttpEngine:
    """The ``http://`` adapter: describe(), run_case(case_id, encounter), close()."""

    def __init__(self, url: str, *, timeout: float = 30.0) -> None:
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
        self._lock = threading.Lock()
        self._conn: http.client.HTTPConnection | None = None

    # --- connection -------------------------------------------------------------------

    def _connection(self) -> http.client.HTTPConnection:
        if self._conn is None:
            scheme, host, port = self._origin
            if scheme == "https":
                self._conn = http.client.HTTPSConnection(host, port, timeout=self.timeout)
            else:
                self._conn = http.client.HTTPConnection(host, port, timeout=self.timeout)
        return self._conn

    def _drop(self) -> None:
        if self._conn is not None:
            with contextlib.suppress(Exception):
                self._conn.close()
            self._conn = None

    def _request(
        self, method: str, url: str, body: bytes | None, headers: dict[str, str], what: str
    ) -> tuple[int, http.client.HTTPMessage, bytes]:
        """One request on the kept-alive connection, reopened once if it went stale."""
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        for attempt in (1, 2):
            conn = self._connection()
            reused = conn.sock is not None
            try:
                conn.request(method, target, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read(MAX_BODY + 1)
                if len(data) > MAX_BODY:
                    self._drop()
                    raise EngineFailure(
                        f"HTTP {response.status} from {url} for {what}: the body is larger than "
                        f"{MAX_BODY // (1024 * 1024)} MB"
                    )
                if response.will_close:
                    self._drop()
                return response.status, response.headers, data
            except EngineFailure:
                raise
            except TimeoutError:
                self._drop()
                raise EngineFailure(
                    f"timed out after {self.timeout:g} s on {what} ({method} {url})"
                ) from None
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
                self._drop()
                if reused and attempt == 1:
                    continue  # the server closed an idle keep-alive connection: once more
                raise EngineFailure(
                    f"the connection to {url} broke on {what}: {type(exc).__name__}: {exc}"
                ) from None
            except ConnectionRefusedError:
                self._drop()
                raise EngineFailure(
                    f"cannot connect to {url}: connection refused (is the service running?)"
                ) from None
            except (OSError, http.client.HTTPException) as exc:
                self._drop()
                reason = _reason(exc)
                raise EngineFailure(f"cannot reach {url} for {what}: {reason}") from None
        raise AssertionError("unreachable")

    def _exchange(
        self, method: str, url: str, body: bytes | None, headers: dict[str, str], what: str
    ) -> tuple[int, str, bytes]:
        """The final status, URL and body, after same-origin 307/308 redirects."""
        for _ in range(MAX_REDIRECTS + 1):
            status, response_headers, data = self._request(method, url, body, headers, what)
            if status not in (301, 302, 303, 307, 308):
                return status, url, data
            location = response_headers.get("Location")
            if not location:
                return status, url, data
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
        with self._lock:
            status, _, data = self._exchange(
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
        with self._lock:
            status, url, data = self._exchange("POST", self.url, body, headers, what)
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

    def run(self, encounter: Mapping[str, Any]) -> Mapping[str, Any]:
        return self.run_case("-", encounter)

    def close(self) -> None:
        with self._lock:
            self._drop()


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
