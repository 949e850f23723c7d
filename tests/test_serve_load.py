"""`icdcheck serve` under load, as a service must hold: loopback only, bounded in count and
time. A burst of 200 clients at once while 20 connections sit idle: every request is
answered 200 (none reset by a full listen backlog), and the idle connections are closed by
the server after --idle-timeout, freeing their workers."""

from __future__ import annotations

import contextlib
import http.client
import json
import queue
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from serve_helpers import serve

CLIENTS = 200
IDLE = 20
IDLE_TIMEOUT = 2.0

ENCOUNTER = json.dumps(
    {
        "setting": "outpatient",
        "date_of_service": "2025-11-03",
        "patient": {"age": 59, "sex": "F"},
        "claim": {"diagnoses": ["R25.3", "G12.21"]},
    }
).encode()


def _post(host: str, port: int) -> int:
    conn = http.client.HTTPConnection(host, port, timeout=60)
    try:
        conn.request("POST", "/", body=ENCOUNTER, headers={"Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        return response.status
    except OSError as exc:  # a reset connection is what this test is about: count it
        return -1 if isinstance(exc, ConnectionResetError) else -2
    finally:
        conn.close()


def test_200_clients_at_once_and_20_idle_connections_all_answered() -> None:
    with serve("--idle-timeout", str(IDLE_TIMEOUT), "--workers", "32") as running:
        parts = urlsplit(running.url)
        host, port = parts.hostname or "127.0.0.1", parts.port or 0
        assert host == "127.0.0.1"
        idle = [socket.create_connection((host, port), timeout=30) for _ in range(IDLE)]
        try:
            started = time.monotonic()
            with ThreadPoolExecutor(CLIENTS) as pool:
                statuses = list(pool.map(lambda _: _post(host, port), range(CLIENTS)))
            assert statuses == [200] * CLIENTS, {s: statuses.count(s) for s in set(statuses)}
            assert time.monotonic() - started < 60
            # The idle connections are closed by the server (recv sees the end), in time.
            for sock in idle:
                sock.settimeout(IDLE_TIMEOUT + 20)
                assert sock.recv(1024) == b""
        finally:
            for sock in idle:
                sock.close()
        # The service still answers after the burst.
        assert _post(host, port) == 200


def test_a_client_stalled_mid_request_is_cut_off_and_others_are_served() -> None:
    with serve("--idle-timeout", str(IDLE_TIMEOUT), "--workers", "2") as running:
        parts = urlsplit(running.url)
        host, port = parts.hostname or "127.0.0.1", parts.port or 0
        stalled = []
        for _ in range(2):  # as many as there are workers: each holds one until cut off
            sock = socket.create_connection((host, port), timeout=30)
            sock.sendall(b"POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
            stalled.append(sock)
        try:
            started = time.monotonic()
            assert _post(host, port) == 200  # served once a worker is freed
            assert time.monotonic() - started < IDLE_TIMEOUT + 20
            for sock in stalled:
                sock.settimeout(IDLE_TIMEOUT + 20)
                assert sock.recv(1024) == b""  # closed by the server, no answer owed
        finally:
            for sock in stalled:
                sock.close()


def test_more_kept_alive_clients_than_workers_take_turns() -> None:
    """--icd-concurrency 8 against --workers 2: while connections wait for a worker, each
    reply closes its kept-alive connection (Connection: close), so every request is served
    long before the idle timeout (an hour here) would free a worker."""
    clients, requests_each = 8, 5
    with serve("--idle-timeout", "3600", "--workers", "2") as running:
        parts = urlsplit(running.url)
        host, port = parts.hostname or "127.0.0.1", parts.port or 0
        # Like the HTTP engine's pool: a request takes an idle kept-alive connection if
        # there is one, else opens one, and gives it back unless told to close; one the
        # server closed while idle is opened again, once.
        idle: queue.LifoQueue[http.client.HTTPConnection] = queue.LifoQueue()

        def post() -> tuple[http.client.HTTPConnection, http.client.HTTPResponse]:
            try:
                conn = idle.get_nowait()
                conn.request("POST", "/", body=ENCOUNTER)
                return conn, conn.getresponse()
            except queue.Empty:
                pass
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                conn.close()
            conn = http.client.HTTPConnection(host, port, timeout=120)
            conn.request("POST", "/", body=ENCOUNTER)
            return conn, conn.getresponse()

        def client(_: int) -> list[int]:
            statuses = []
            for _ in range(requests_each):
                conn, response = post()
                response.read()
                statuses.append(response.status)
                if response.will_close:
                    conn.close()
                else:
                    idle.put(conn)
            return statuses

        pool = ThreadPoolExecutor(clients)
        try:
            results = list(pool.map(client, range(clients), timeout=60))
        finally:
            pool.shutdown(wait=False, cancel_futures=True)
            while not idle.empty():
                idle.get_nowait().close()
        assert results == [[200] * requests_each] * clients


def test_a_connection_kept_idle_gives_its_worker_to_a_new_one() -> None:
    """--workers 2, both held by clients that keep their connection open after a reply:
    a third client is served at once (not after the hour of --idle-timeout), because one
    idle kept-alive connection is closed to make room; its client reconnects."""
    with serve("--idle-timeout", "3600", "--workers", "2") as running:
        parts = urlsplit(running.url)
        host, port = parts.hostname or "127.0.0.1", parts.port or 0
        kept = []
        for _ in range(2):
            conn = http.client.HTTPConnection(host, port, timeout=30)
            conn.request("POST", "/", body=ENCOUNTER)
            response = conn.getresponse()
            response.read()
            assert response.status == 200 and not response.will_close
            kept.append(conn)
        try:
            assert _post(host, port) == 200  # (60 s client timeout: far below the hour)
            closed = 0
            for conn in kept:
                assert conn.sock is not None
                conn.sock.settimeout(0.5)
                with contextlib.suppress(TimeoutError):  # still open: it kept its worker
                    closed += conn.sock.recv(1) == b""
            assert closed == 1
        finally:
            for conn in kept:
                conn.close()
        assert _post(host, port) == 200  # a reconnecting client is served as ever
