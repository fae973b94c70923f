"""Every route's body is capped and read within the cap; idle, slow and excess
connections are closed while others are served; X-Forwarded-For is not trusted unless
configured. Against the real server, with its timeouts set small through settings."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support import seed
from tests.support.server import ServerProcess

BOUNDS = {
    "MMGATE_HEADER_TIMEOUT_SECONDS": "0.5",
    "MMGATE_BODY_TIMEOUT_SECONDS": "0.5",
    "MMGATE_MAX_CONNECTIONS": "40",
}
CAP = 64 * 1024
ROUTES = [
    "/meta/webhook",
    "/hub/login",
    "/manager/login",
    "/sandbox/phone/15550000001/unlock",
    "/sandbox/clock",
    "/graph/v23.0/" + seed.WABA_ID + "/message_templates",
    "/api/v2/partners/" + seed.PARTNER_ID + "/api_key/rotate",
    "/v1/configs/webhook",
    "/marketing_messages",
]


@pytest.fixture(scope="module")
def bounded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    tmp = tmp_path_factory.mktemp("bounds")
    server = ServerProcess(tmp / "data", seed.write_seed(tmp), env=BOUNDS)
    yield server
    server.stop()


def _connect(server: ServerProcess) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
    return sock


def _answer(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    data = b""
    while chunk := sock.recv(65536):
        data += chunk
    return data


@pytest.mark.parametrize("path", ROUTES)
def test_a_declared_oversized_body_is_refused_before_it_is_read(
    bounded: ServerProcess, path: str
) -> None:
    with _connect(bounded) as sock:
        sock.sendall(
            f"POST {path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            f"Content-Length: {300 * 1024 * 1024}\r\n\r\n".encode()
        )
        answer = _answer(sock)  # the server closes without waiting for 300 MB
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]


@pytest.mark.parametrize("path", ROUTES)
def test_a_chunked_body_past_the_cap_is_cut(bounded: ServerProcess, path: str) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(CAP // 4096 + 4):
            yield b"{" * 4096

    response = bounded.http.post(
        path,
        content=chunks(),
        headers={
            "D360-API-KEY": seed.CHANNEL_KEY,
            "X-Sandbox-Key": seed.SANDBOX_KEY,
            "X-API-Key": seed.PARTNER_KEY,
            "Authorization": f"Bearer {seed.GRAPH_TOKEN}",
        },
    )
    assert response.status_code == 413


def test_the_413_speaks_each_surfaces_shape(bounded: ServerProcess) -> None:
    big = b"x" * (CAP + 1)
    messaging = bounded.http.post("/v1/configs/webhook", content=big)
    assert messaging.json()["detail"]["error"]["code"] == 1360004
    partner = bounded.http.post(f"/api/v2/partners/{seed.PARTNER_ID}/api_key/rotate", content=big)
    assert partner.json()["meta"]["http_code"] == 413
    sandbox = bounded.http.post("/sandbox/clock", content=big)
    assert sandbox.json()["error"]["code"] == 413


def test_an_idle_connection_is_closed(bounded: ServerProcess) -> None:
    with _connect(bounded) as sock:
        assert _answer(sock) == b""


def test_slowloris_headers_are_closed_though_bytes_keep_coming(bounded: ServerProcess) -> None:
    with _connect(bounded) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        sock.settimeout(0.2)
        closed = False
        for _ in range(100):  # a header line every 0.2 s: each resets uvicorn's idle timer
            try:
                if sock.recv(1) == b"":
                    closed = True
                    break
            except TimeoutError:
                pass
            try:
                sock.sendall(b"X-Slow: 1\r\n")
            except OSError:
                closed = True
                break
    assert closed


def test_endless_headers_are_cut_at_the_bound(bounded: ServerProcess) -> None:
    # 66 KiB of header lines in one write, just past the 64 KiB bound: the server reads it
    # all, answers 431 and closes (no unread bytes, so a clean close, not a reset).
    filler = b"".join(b"X-Filler-%d: %s\r\n" % (n, b"a" * 1000) for n in range(66))
    with _connect(bounded) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n" + filler)
        answer = _answer(sock)
    assert answer.startswith(b"HTTP/1.1 431 "), answer[:200]


def test_a_body_answered_before_it_is_read_does_not_count_as_the_next_headers(
    bounded: ServerProcess,
) -> None:
    body = b"{" + b" " * 65_528 + b"}"  # just under the cap; refused (bad key) unread
    with _connect(bounded) as sock:
        sock.sendall(
            b"POST /marketing_messages HTTP/1.1\r\nHost: x\r\nD360-API-KEY: wrong\r\n"
            b"Content-Length: %d\r\n\r\n" % len(body)
        )
        first = sock.recv(65536)  # answered before the body was sent
        # The body and the start of the next request in one write, the rest in another:
        # the bytes of the body must not count as the next request's headers.
        sock.sendall(body + b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        sock.sendall(b"Connection: close\r\n\r\n")
        rest = _answer(sock)
    assert first.startswith(b"HTTP/1.1 401 ")
    assert b"HTTP/1.1 200 " in first + rest


def test_a_slow_body_gets_408_and_a_closed_connection(bounded: ServerProcess) -> None:
    with _connect(bounded) as sock:
        sock.sendall(b'POST /meta/webhook HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{"a":')
        answer = _answer(sock)
    assert answer.startswith(b"HTTP/1.1 408 "), answer[:200]


def test_an_idle_flood_past_the_bound_does_not_lock_new_clients_out(tmp_path: Path) -> None:
    # Idle connections would be closed only after 60 s here: room must come from eviction.
    env = {**BOUNDS, "MMGATE_HEADER_TIMEOUT_SECONDS": "60"}
    server = ServerProcess(tmp_path / "data", seed.write_seed(tmp_path), env=env)
    idle = [_connect(server) for _ in range(60)]  # the bound is 40
    try:
        # A new client is served at once: the idlest connections make room for it.
        assert httpx.get(server.base_url + "/healthz", timeout=5).status_code == 200
        closed = 0
        for sock in idle[:20]:  # the oldest were closed to admit the newer ones
            sock.settimeout(5)
            if sock.recv(1) == b"":
                closed += 1
        assert closed == 20
    finally:
        for sock in idle:
            sock.close()
        server.stop()


def _wrong_partner_keys(server: ServerProcess, count: int) -> list[int]:
    statuses = []
    for n in range(count):
        response = server.http.get(
            f"/api/v2/partners/{seed.PARTNER_ID}/clients",
            headers={"X-API-Key": "wrong", "X-Forwarded-For": f"203.0.113.{n}"},
        )
        statuses.append(response.status_code)
    return statuses


def test_x_forwarded_for_is_not_trusted_by_default(bounded: ServerProcess) -> None:
    assert 429 in _wrong_partner_keys(bounded, 40)


def test_x_forwarded_for_is_trusted_from_configured_proxies(tmp_path: Path) -> None:
    env = {"MMGATE_FORWARDED_ALLOW_IPS": "127.0.0.1"}
    server = ServerProcess(tmp_path / "data", seed.write_seed(tmp_path), env=env)
    try:
        assert 429 not in _wrong_partner_keys(server, 40)
    finally:
        server.stop()
