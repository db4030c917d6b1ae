from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from app.config import Settings
from app.main import create_app
from tests.database import TestServer


def test_healthz_answers_ok(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_reports_database_at_head(client: TestClient) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "database": "ok", "migration": "0010"}


@pytest.fixture
def unmigrated_client(pg_server: TestServer) -> Iterator[TestClient]:
    with pg_server.database("unmigrated") as url:
        engine = create_engine(url)
        app = create_app(
            Settings(database_url=url.render_as_string(hide_password=False)), engine=engine
        )
        with TestClient(app) as client:
            yield client
        engine.dispose()


def test_readyz_is_503_problem_when_schema_not_migrated(unmigrated_client: TestClient) -> None:
    response = unmigrated_client.get("/readyz")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "/problems/not-ready"
    assert body["status"] == 503
    assert body["detail"] == (
        "The database schema is at migration None, not at head '0010'; run `crsv db upgrade`."
    )


def test_readyz_is_503_problem_when_database_unreachable() -> None:
    url = "postgresql+psycopg://nobody@127.0.0.1:1/nowhere?connect_timeout=1"
    engine = create_engine(url)
    app = create_app(Settings(database_url=url), engine=engine)
    with TestClient(app) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.headers["retry-after"] == "5"
    assert response.json()["detail"] == "The database is unreachable: OperationalError."


def test_every_response_carries_a_request_id(client: TestClient) -> None:
    generated = client.get("/healthz").headers["x-request-id"]
    assert len(generated) == 32
    echoed = client.get("/healthz", headers={"X-Request-ID": "dash-board.42"})
    assert echoed.headers["x-request-id"] == "dash-board.42"
    unsafe = client.get("/healthz", headers={"X-Request-ID": "bad id\twith spaces"})
    assert unsafe.headers["x-request-id"] != "bad id\twith spaces"


def test_unknown_route_is_404_problem(client: TestClient) -> None:
    response = client.get("/no/such/thing")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "/problems/not-found",
        "title": "Not Found",
        "status": 404,
        "detail": "There is no resource at /no/such/thing.",
        "instance": "/no/such/thing",
    }


def test_wrong_method_is_405_problem(client: TestClient) -> None:
    response = client.delete("/healthz")
    assert response.status_code == 405
    assert response.json()["detail"] == "DELETE is not allowed on /healthz."
    assert response.headers["allow"] == "GET, HEAD"
