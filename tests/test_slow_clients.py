"""No client can freeze the server: slow bodies get 408 without holding a slot, slow heads are cut.

A real `crsv serve` process, because the head deadline lives in the HTTP protocol and the
freeze came from sockets, not from anything a test client can imitate.
"""

from __future__ import annotations

import json
import select
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from tests.live_server import CRSV, ServerProcess, free_port, serving

BODY_TIMEOUT = 6  # long enough for the reads below on a busy machine, short for a test
HEADER_TIMEOUT = 6


@pytest.fixture
def live_server(engine: Engine, tmp_path: Path) -> Iterator[ServerProcess]:
    """`crsv serve` on a free port over the session's seeded database, stopped afterwards."""
    port = free_port()
    env = {
        "CRSV_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "CRSV_HOST": "127.0.0.1",
        "CRSV_PORT": str(port),
        "CRSV_WORKERS": "1",
        "CRSV_BODY_TIMEOUT_SECONDS": str(BODY_TIMEOUT),
        "CRSV_HEADER_TIMEOUT_SECONDS": str(HEADER_TIMEOUT),
        "CRSV_LOG_LEVEL": "WARNING",
    }
    server = ServerProcess(
        [CRSV, "serve"],
        port=port,
        env=env,
        cwd=tmp_path,  # no stray .env
        log_path=tmp_path / "server.log",
    )
    with serving(server, seconds=60, timeout=15) as running:
        yield running


def connect(port: int, data: bytes) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=5)
    sock.sendall(data)
    return sock


def slow_body(port: int, chunked: bool) -> socket.socket:
    """A write whose headers are complete and whose body never is (no key either)."""
    framing = (
        b"Transfer-Encoding: chunked\r\n\r\n20\r\n" if chunked else b"Content-Length: 32\r\n\r\n"
    )
    return connect(
        port,
        b"POST /v1/figures HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        + framing
        + b'{"value": 1',
    )


def slow_heads(port: int) -> list[socket.socket]:
    """Silent, half a first head, half a second head after a served request."""
    kept_alive = connect(port, b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
    assert read_response(kept_alive, time.monotonic() + 5, until_close=False)[0] == 200
    kept_alive.sendall(b"GET /v1/missions HTTP/1.1\r\nHost: te")
    return [
        connect(port, b""),
        connect(port, b"GET /v1/missions HTTP/1.1\r\nHost: test\r\n"),
        connect(port, b"POST /v1/fig"),
        kept_alive,
    ]


def read_response(
    sock: socket.socket, deadline: float, *, until_close: bool = True
) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body; with `until_close`, also require the server to close."""
    data = b""
    while True:
        sock.settimeout(max(deadline - time.monotonic(), 0.01))
        chunk = sock.recv(65536)
        data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {
            name.lower(): value.strip() for name, _, value in (h.partition(":") for h in lines[1:])
        }
        complete = b"\r\n\r\n" in data and len(body) >= int(headers.get("content-length", -1))
        if not chunk or (complete and not until_close):
            assert complete, data
            return int(lines[0].split()[1]), headers, body


def closed_by_server(sock: socket.socket, deadline: float) -> bool:
    sock.settimeout(max(deadline - time.monotonic(), 0.01))
    try:
        return sock.recv(1) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def test_slow_clients_hold_no_slot_and_are_cut_off(live_server: ServerProcess) -> None:
    opened = time.monotonic()
    bodies = [slow_body(live_server.port, chunked=n % 2 == 1) for n in range(100)]
    heads = slow_heads(live_server.port)
    try:
        time.sleep(0.5)  # let the server take every slow request in
        with httpx.Client(base_url=live_server.base_url, timeout=5) as client:
            for path in ["/v1/missions", "/readyz"] * 5:
                started = time.monotonic()
                response = client.get(path)
                assert response.status_code == 200, path
                assert time.monotonic() - started < 2, path
        # meanwhile every slow client was still waiting: none answered or closed yet
        assert select.select(bodies + heads, [], [], 0)[0] == []
        # a body finished in time reaches the app, which asks for a key
        bodies[0].sendall(b"}" + b" " * 20)
        status, _, body = read_response(bodies[0], opened + BODY_TIMEOUT, until_close=False)
        assert (status, json.loads(body)["status"]) == (401, 401)

        deadline = opened + BODY_TIMEOUT + 10
        for sock in bodies[1:]:
            status, headers, body = read_response(sock, deadline)
            assert status == 408
            assert headers["content-type"] == "application/problem+json"
            assert headers["connection"] == "close"
            assert json.loads(body) == {
                "type": "/problems/body-timeout",
                "title": "Request Timeout",
                "status": 408,
                "detail": f"The request body did not arrive within {BODY_TIMEOUT} seconds.",
                "instance": "/v1/figures",
            }
        assert time.monotonic() - opened >= BODY_TIMEOUT - 0.5
        deadline = opened + HEADER_TIMEOUT + 10
        assert [closed_by_server(sock, deadline) for sock in heads] == [True] * len(heads)
        assert httpx.get(live_server.base_url + "/readyz", timeout=5).status_code == 200
        spec = httpx.get(live_server.base_url + "/openapi.json", timeout=5).json()
        assert "408" in spec["paths"]["/v1/figures"]["post"]["responses"]
    finally:
        for sock in bodies + heads:
            sock.close()


def test_a_declared_oversized_body_is_refused_at_once_and_the_connection_closed(
    live_server: ServerProcess,
) -> None:
    """The server answers 413 from the header alone and closes, never reading 50 MB."""
    sock = connect(
        live_server.port,
        b"POST /v1/figures HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        b"Content-Length: 50000000\r\n\r\n" + b" " * 1000,
    )
    try:
        opened = time.monotonic()
        status, headers, body = read_response(sock, opened + BODY_TIMEOUT - 1)
        assert status == 413
        assert headers["connection"] == "close"
        assert json.loads(body)["type"] == "/problems/body-too-large"
        assert time.monotonic() - opened < BODY_TIMEOUT - 1  # closed, not waiting for the rest
    finally:
        sock.close()
