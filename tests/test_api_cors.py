"""CORS as a browser sees it: a dashboard on another origin reads the API with the defaults,
its preflights answer 204, and every response, errors included, carries the CORS headers."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.api.session import get_session
from app.config import Settings
from app.main import create_app

DASHBOARD = "http://dashboard.example"
FROM_DASHBOARD = {"Origin": DASHBOARD}
EXPOSED = "ETag, Link, Location, X-Request-ID, Retry-After, Content-Disposition"


@contextmanager
def app_client(engine: Engine, db: Session, **settings: Any) -> Iterator[TestClient]:
    """The real app over HTTP with these settings; the test's session stands in for the pool."""
    app = create_app(
        Settings(database_url=engine.url.render_as_string(hide_password=False), **settings),
        engine=engine,
    )

    def test_session() -> Iterator[Session]:
        yield db

    app.dependency_overrides[get_session] = test_session
    with TestClient(app) as client:
        yield client


def assert_open_to_any_page(response: httpx.Response) -> None:
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["access-control-expose-headers"] == EXPOSED
    assert "access-control-allow-credentials" not in response.headers


def test_a_dashboard_on_another_origin_reads_with_the_defaults(client: TestClient) -> None:
    response = client.get("/v1/figures?metric=convictions&limit=1", headers=FROM_DASHBOARD)
    assert response.status_code == 200
    assert_open_to_any_page(response)
    assert response.headers["link"].endswith('rel="next"')


def test_an_export_exposes_its_file_name(client: TestClient) -> None:
    response = client.get("/v1/exports/missions.csv", headers=FROM_DASHBOARD)
    assert response.status_code == 200
    assert_open_to_any_page(response)
    assert response.headers["content-disposition"] == 'attachment; filename="crsv-missions.csv"'


def test_a_preflight_answers_204_with_the_methods_and_headers_allowed(
    client: TestClient,
) -> None:
    response = client.options(
        "/v1/figures/2023-story-17-survivors-identified",
        headers={
            **FROM_DASHBOARD,
            "Access-Control-Request-Method": "PATCH",
            "Access-Control-Request-Headers": "authorization, content-type, if-match",
        },
    )
    assert response.status_code == 204
    assert response.content == b""
    assert "content-type" not in response.headers
    assert response.headers["access-control-allow-origin"] == "*"
    assert response.headers["access-control-allow-methods"] == (
        "GET, HEAD, OPTIONS, POST, PUT, PATCH, DELETE"
    )
    assert response.headers["access-control-allow-headers"] == (
        "Accept, Accept-Language, Authorization, Content-Language, Content-Type, If-Match, "
        "If-None-Match, X-Request-ID"
    )
    assert response.headers["access-control-max-age"] == "600"
    assert "access-control-allow-credentials" not in response.headers
    assert response.headers["x-request-id"]


def test_a_preflight_asking_for_an_unknown_header_is_a_problem(client: TestClient) -> None:
    response = client.options(
        "/v1/figures",
        headers={
            **FROM_DASHBOARD,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "x-session-cookie",
        },
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "/problems/cors-refused",
        "title": "CORS preflight refused",
        "status": 400,
        "detail": "Refused by the CORS policy: headers.",
    }


def test_a_422_carries_the_cors_headers(client: TestClient) -> None:
    response = client.get("/v1/figures?limit=0", headers=FROM_DASHBOARD)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert_open_to_any_page(response)


def test_a_413_from_the_body_limit_carries_the_cors_headers(client: TestClient) -> None:
    response = client.post(
        "/v1/figures",
        content=b"{" + b" " * (256 * 1024) + b"}",
        headers={**FROM_DASHBOARD, "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert_open_to_any_page(response)


def test_a_429_carries_the_cors_headers_and_exposes_retry_after(
    engine: Engine, db: Session
) -> None:
    bad_key = {**FROM_DASHBOARD, "Authorization": "Bearer crsv_aaaaaaaa_" + "x" * 43}
    with app_client(engine, db, auth_max_failures=1) as client:
        assert client.get("/v1/missions", headers=bad_key).status_code == 401
        response = client.get("/v1/missions", headers=bad_key)
    assert response.status_code == 429
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"]
    assert_open_to_any_page(response)


def test_a_503_carries_the_cors_headers_and_exposes_retry_after(client: TestClient) -> None:
    client.app.state.migration_head = "not-the-head"  # type: ignore[attr-defined]
    response = client.get("/readyz", headers=FROM_DASHBOARD)
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "5"
    assert_open_to_any_page(response)


def test_configured_origins_narrow_it(engine: Engine, db: Session) -> None:
    with app_client(engine, db, cors_origins=["https://news.example.org"]) as client:
        allowed = client.get("/v1/missions", headers={"Origin": "https://news.example.org"})
        refused = client.get("/v1/missions", headers=FROM_DASHBOARD)
        preflight = client.options(
            "/v1/missions",
            headers={**FROM_DASHBOARD, "Access-Control-Request-Method": "GET"},
        )
    assert allowed.headers["access-control-allow-origin"] == "https://news.example.org"
    assert allowed.headers["access-control-expose-headers"] == EXPOSED
    assert "access-control-allow-origin" not in refused.headers
    assert preflight.status_code == 400
    assert preflight.json()["detail"] == "Refused by the CORS policy: origin."


@pytest.mark.parametrize("value", ["", " , "])
def test_an_empty_setting_turns_cors_off(
    engine: Engine, db: Session, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("CRSV_CORS_ORIGINS", value)
    assert Settings(_env_file=None).cors_origins == []
    with app_client(engine, db, cors_origins=[]) as client:
        response = client.get("/v1/missions", headers=FROM_DASHBOARD)
        preflight = client.options(
            "/v1/missions", headers={**FROM_DASHBOARD, "Access-Control-Request-Method": "GET"}
        )
    assert "access-control-allow-origin" not in response.headers
    assert preflight.status_code == 405


def test_the_default_allows_any_origin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CRSV_CORS_ORIGINS", raising=False)
    assert Settings(_env_file=None).cors_origins == ["*"]
