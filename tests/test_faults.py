"""Database faults: an outage fails fast with 503 and heals by itself; runaway queries stop."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from app.config import Settings
from app.db import embedded, migrations
from app.db.engine import build_engine
from app.main import create_app
from app.seeding.loader import apply_seeds
from app.seeding.reader import SeedSet


@pytest.fixture
def own_server(tmp_path: Path) -> Iterator[tuple[Path, Any]]:
    """A PostgreSQL server this test may stop and start (never the shared one)."""
    data = tmp_path / "pg"
    server = embedded.start_server(data)
    yield data, server
    embedded.start_server(data).cleanup()  # make sure it is stopped at the end


def test_outage_gives_fast_503_and_service_resumes_without_restart(
    own_server: tuple[Path, Any], seeds: SeedSet
) -> None:
    data, server = own_server
    url = embedded.server_url(server, "crsv")
    embedded.ensure_database(url)
    settings = Settings(
        database_url=url.render_as_string(hide_password=False), db_connect_timeout=2
    )
    setup = build_engine(url, settings)
    migrations.upgrade(setup)
    apply_seeds(setup, seeds)
    setup.dispose()

    with TestClient(create_app(settings)) as client:
        assert client.get("/v1/missions").status_code == 200

        server.cleanup()  # PostgreSQL stops under the running API
        started = time.monotonic()
        outage = client.get("/v1/missions")
        assert time.monotonic() - started < settings.db_connect_timeout + 1
        assert outage.status_code == 503
        assert outage.headers["content-type"] == "application/problem+json"
        assert outage.json()["type"] == "/problems/database-unavailable"
        assert outage.headers["retry-after"] == "5"
        assert client.get("/readyz").status_code == 503
        assert client.get("/healthz").status_code == 200

        embedded.start_server(data)  # PostgreSQL comes back
        assert client.get("/v1/missions").status_code == 200
        assert client.get("/readyz").status_code == 200


def test_statement_timeout_stops_a_stuck_query(engine: Engine) -> None:
    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False), db_statement_timeout_ms=300
    )
    with TestClient(create_app(settings)) as client, engine.connect() as locker:
        locker.execute(text("LOCK TABLE figure IN ACCESS EXCLUSIVE MODE"))
        started = time.monotonic()
        response = client.get("/v1/figures")
        elapsed = time.monotonic() - started
        locker.rollback()
    assert response.status_code == 503
    assert response.json()["type"] == "/problems/query-timeout"
    assert 0.3 <= elapsed < 3


def test_engine_connections_carry_the_statement_timeout_and_generic_plans(
    engine: Engine,
) -> None:
    settings = Settings(db_statement_timeout_ms=1234)
    bounded = build_engine(engine.url, settings)
    with bounded.connect() as connection:
        assert connection.scalar(text("SHOW statement_timeout")) == "1234ms"
        assert connection.scalar(text("SHOW plan_cache_mode")) == "force_generic_plan"
    bounded.dispose()


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("q=" + "mobile court " * 20, "q"),
        ("mission=" + "monusco," * 300, "mission"),
    ],
)
def test_huge_parameters_are_refused_before_reaching_the_database(
    client: TestClient, query: str, name: str
) -> None:
    response = client.get(f"/v1/figures?{query}")
    assert response.status_code == 422
    assert response.json()["errors"][0]["name"] == name


def test_more_concurrent_requests_than_pooled_connections_all_succeed(
    settings: Settings,
) -> None:
    """Requests beyond what the connection pool holds queue for their turn instead of timing
    out on a pool checkout (which used to answer 503 under a 50-connection load)."""
    import anyio
    import httpx

    tight = settings.model_copy(update={"db_pool_size": 1, "db_connect_timeout": 1})
    app = create_app(tight)
    statuses: list[int] = []

    async def main() -> None:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:

                async def one(i: int) -> None:
                    url = "/v1/figures?mission=MONUSCO" if i % 2 else "/v1/activities?objective=2"
                    statuses.append((await client.get(url)).status_code)

                async with anyio.create_task_group() as group:
                    for i in range(24):
                        group.start_soon(one, i)

    anyio.run(main)
    assert statuses == [200] * 24


def test_pool_exhausted_by_others_is_a_503_busy_problem(settings: Settings) -> None:
    tight = settings.model_copy(update={"db_pool_size": 1, "db_connect_timeout": 1})
    with TestClient(create_app(tight)) as client:
        engine: Engine = client.app.state.engine  # type: ignore[attr-defined]
        held = [engine.connect(), engine.connect()]  # the whole pool (size 1 + overflow 1)
        try:
            response = client.get("/v1/missions")
        finally:
            for connection in held:
                connection.close()
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        assert response.headers["retry-after"] == "1"
        assert response.json()["type"] == "/problems/busy"
        assert response.json()["detail"] == "The service is busy; retry shortly."
        assert client.get("/v1/missions").status_code == 200


def test_liveness_never_waits_behind_busy_requests() -> None:
    """With every slot taken by requests that are stuck, /healthz still answers at once."""
    import anyio
    import httpx

    from app.api.middleware import ConcurrencyLimitMiddleware

    release = anyio.Event()
    answered: list[str] = []

    async def app(scope: Any, receive: Any, send: Any) -> None:
        if scope["path"] != "/healthz":
            await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": scope["path"].encode()})

    limited = ConcurrencyLimitMiddleware(app, limit=1, exempt=frozenset({"/healthz"}))

    async def main() -> None:
        transport = httpx.ASGITransport(app=limited)
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:

            async def get(path: str) -> None:
                answered.append((await client.get(path)).text)

            async with anyio.create_task_group() as group:
                group.start_soon(get, "/v1/missions")  # takes the only slot and waits
                group.start_soon(get, "/v1/figures")  # queues behind it
                await anyio.sleep(0.05)
                with anyio.fail_after(1):
                    await get("/healthz")
                assert answered == ["/healthz"]
                release.set()

    anyio.run(main)
    assert sorted(answered) == ["/healthz", "/v1/figures", "/v1/missions"]
