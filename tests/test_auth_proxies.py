"""X-Forwarded-For names the client only when a trusted proxy sends it (CRSV_TRUSTED_PROXIES)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.config import Settings
from app.enums import FailureSubject
from tests.auth import ClientFactory, bearer, client_factory, counts, wrong_key
from tests.live_server import CRSV, ServerProcess, free_port, serving


@pytest.fixture
def make_client(engine: Engine, db: Session) -> Iterator[ClientFactory]:
    with client_factory(engine, db) as make:
        yield make


def test_trusted_proxies_are_read_as_addresses_and_networks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert Settings().trusted_proxies == []
    monkeypatch.setenv("CRSV_TRUSTED_PROXIES", "127.0.0.1, 10.0.0.0/8,fd00::/8")
    assert [str(network) for network in Settings().trusted_proxies] == [
        "127.0.0.1/32",
        "10.0.0.0/8",
        "fd00::/8",
    ]
    monkeypatch.setenv("CRSV_TRUSTED_PROXIES", "10.0.0.1/8")
    with pytest.raises(ValidationError, match="trusted_proxies"):
        Settings()


def test_forwarded_for_from_an_untrusted_peer_is_ignored(
    make_client: ClientFactory, db: Session
) -> None:
    client = make_client("198.51.100.7", auth_max_failures=3, trusted_proxies=["10.0.0.0/8"])
    statuses = [
        client.get(
            "/v1/missions",
            headers={**bearer(wrong_key()), "X-Forwarded-For": f"192.0.2.{n}"},
        ).status_code
        for n in range(1, 5)
    ]
    assert statuses == [401, 401, 401, 429]
    seen = ["198.51.100.7", "192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4"]
    assert counts(db, FailureSubject.ADDRESS, seen) == {"198.51.100.7": 4}


def test_forwarded_for_from_a_trusted_proxy_names_the_client(
    make_client: ClientFactory, db: Session
) -> None:
    proxy = make_client("10.1.2.3", auth_max_failures=3, trusted_proxies=["10.0.0.0/8"])

    def fail(forwarded_for: str) -> int:
        headers = {**bearer(wrong_key()), "X-Forwarded-For": forwarded_for}
        status: int = proxy.get("/v1/missions", headers=headers).status_code
        return status

    assert [fail("192.0.2.10") for _ in range(4)] == [401, 401, 401, 429]
    assert fail("192.0.2.11") == 401
    # a client cannot hide behind entries it wrote itself: the last untrusted hop counts
    assert fail("192.0.2.11, 192.0.2.10") == 429
    assert fail("192.0.2.10, 10.9.9.9, 192.0.2.12") == 401
    seen = ["10.1.2.3", "10.9.9.9", "192.0.2.10", "192.0.2.11", "192.0.2.12"]
    assert counts(db, FailureSubject.ADDRESS, seen) == {
        "192.0.2.10": 5,
        "192.0.2.11": 1,
        "192.0.2.12": 1,
    }


def test_without_trusted_proxies_the_peer_is_the_client(
    make_client: ClientFactory, db: Session
) -> None:
    local = make_client("127.0.0.1", auth_max_failures=3)
    for n in range(4):
        headers = {**bearer(wrong_key()), "X-Forwarded-For": f"192.0.2.{n}"}
        local.get("/v1/missions", headers=headers)
    seen = ["127.0.0.1", "192.0.2.0", "192.0.2.1", "192.0.2.2", "192.0.2.3"]
    assert counts(db, FailureSubject.ADDRESS, seen) == {"127.0.0.1": 4}


def _not_a_setting(name: str) -> bool:
    """Leave out the developer's own CRSV_ settings and uvicorn's proxy list."""
    return not name.startswith("CRSV_") and name != "FORWARDED_ALLOW_IPS"


@contextmanager
def crsv_serve(database_url: str, **env: str) -> Iterator[str]:
    """`crsv serve` in its own process group on a free loopback port; always stopped."""
    port = free_port()
    server = ServerProcess(
        [CRSV, "serve", "--host", "127.0.0.1", "--port", str(port)],
        port=port,
        env={"CRSV_DATABASE_URL": database_url, "CRSV_LOG_LEVEL": "WARNING", **env},
        inherit=_not_a_setting,
    )
    with serving(server, ready="/healthz", seconds=60, timeout=20) as running:
        yield running.base_url


@pytest.mark.parametrize(
    ("trusted", "expected"),
    [
        ("", {"127.0.0.1": 3}),
        ("127.0.0.1", {"192.0.2.1": 1, "192.0.2.2": 1, "192.0.2.3": 1}),
    ],
)
def test_crsv_serve_believes_forwarded_for_only_from_trusted_proxies(
    scratch_engine: Engine, trusted: str, expected: dict[str, int]
) -> None:
    """uvicorn by itself believes any loopback peer; `crsv serve` follows the setting."""
    url = scratch_engine.url.render_as_string(hide_password=False)
    with crsv_serve(url, CRSV_AUTH_MAX_FAILURES="2", CRSV_TRUSTED_PROXIES=trusted) as base:
        statuses = [
            httpx.get(
                f"{base}/v1/missions",
                headers={**bearer(wrong_key()), "X-Forwarded-For": f"192.0.2.{n}"},
                timeout=30,
            ).status_code
            for n in (1, 2, 3)
        ]
    assert statuses == ([401, 401, 429] if not trusted else [401, 401, 401])
    with Session(scratch_engine) as session:
        assert counts(session, FailureSubject.ADDRESS) == expected
