"""HTTP behaviour: conditional GET, caching headers, gzip, methods, OpenAPI (CORS: elsewhere)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import anyio.to_thread
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.config import Settings
from app.main import create_app


def test_every_get_has_an_etag_and_304_revalidates(client: TestClient) -> None:
    first = client.get("/v1/figures?metric=convictions")
    etag = first.headers["etag"]
    assert etag.startswith('W/"')
    assert first.headers["cache-control"] == "public, max-age=300, stale-while-revalidate=60"
    again = client.get("/v1/figures?metric=convictions", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    other = client.get("/v1/figures?metric=trainees", headers={"If-None-Match": etag})
    assert other.status_code == 200
    assert other.headers["etag"] != etag


def test_etag_changes_when_the_data_changes(client: TestClient, db: Session) -> None:
    from sqlalchemy import update

    from app.models import Figure

    before = client.get("/v1/figures/2023-story-17-survivors-identified").headers["etag"]
    db.execute(
        update(Figure)
        .where(Figure.key == "2023-story-17-survivors-identified")
        .values(note="corrected")
    )
    db.flush()
    after = client.get(
        "/v1/figures/2023-story-17-survivors-identified", headers={"If-None-Match": before}
    )
    assert after.status_code == 200
    assert after.json()["note"] == "corrected"


def test_large_responses_are_gzipped(client: TestClient) -> None:
    response = client.get("/v1/figures?limit=500", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.json()["total"] == 49


def test_wrong_method_on_a_resource_is_405(client: TestClient) -> None:
    response = client.put("/v1/figures", json={})
    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "PUT is not allowed on /v1/figures."


def test_openapi_documents_every_parameter_with_an_example(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    assert "conflict-related sexual violence" in spec["info"]["description"]
    operations = [op for path in spec["paths"].values() for op in path.values()]
    # health, index, reads, stats, exports (3 of them also as GeoJSON), writes (6 resources x
    # 4 methods), audit
    assert len(operations) == 2 + 1 + 22 + 4 + 12 + 3 + 24 + 1
    for operation in operations:
        assert operation.get("description") or operation.get("summary")
        for parameter in operation.get("parameters", []):
            where = f"{operation['operationId']}:{parameter['name']}"
            assert parameter.get("description"), f"{where} has no description"
            assert parameter.get("examples") or parameter["schema"].get("examples"), (
                f"{where} has no example"
            )


def test_openapi_gives_every_response_model_an_example(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    files = []
    for route, path in spec["paths"].items():
        for operation in path.values():
            success = operation["responses"].get("200") or operation["responses"].get("201")
            if success is None:  # 204: no body
                continue
            content = success["content"]
            if route.startswith("/v1/exports/"):  # files: CSV, NDJSON, JSON, XLSX, GeoJSON, zip
                files.append(route)
                continue
            name = content["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
            assert schemas[name].get("examples"), f"{name} has no example"
    assert len(files) == 12 + 3  # the three GeoJSON exports


def test_interactive_docs_are_served(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    assert "swagger-ui" in response.text


def test_health_is_never_cached(client: TestClient) -> None:
    assert client.get("/healthz").headers["cache-control"] == "no-store"
    assert client.get("/readyz").headers["cache-control"] == "no-store"


def test_a_read_hops_to_a_worker_thread_once_for_its_route_and_session(
    engine: Engine, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under load every thread hop queues behind the others (the benchmark's latency): a plain
    read runs its route and ends its session in one hop (app/api/read_route.py); on the full
    path, dependencies that do no I/O run on the event loop, and a key is looked up in a
    thread."""
    hops: list[str] = []
    run_sync = anyio.to_thread.run_sync

    async def counting(func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        hops.append(getattr(func, "func", func).__qualname__)  # unwrap functools.partial
        return await run_sync(func, *args, **kwargs)

    monkeypatch.setattr(anyio.to_thread, "run_sync", counting)
    # its own address and key prefix: the failure below is committed in the shared database
    app = create_app(settings, engine=engine)
    with TestClient(app, client=("192.0.2.141", 50000)) as client:
        hops.clear()
        page = client.get("/v1/activities?mission=monusco&objective=2&limit=2")
        assert page.status_code == 200
        assert page.json()["total"] == 4
        assert hops == ["_Plan.run"]

        hops.clear()
        full = client.get("/v1/activities?mission=monusco&objective=2&limit=2&bom=1")
        assert full.json()["total"] == 4
        assert hops == ["_run_sync_endpoint", "end_transaction"]

        hops.clear()
        unknown_key = "Bearer crsv_hopcount_" + "b" * 43
        refused = client.get("/v1/missions", headers={"Authorization": unknown_key})
        assert refused.status_code == 401
        # the failure is counted and committed in the same hop as the key's look-up
        assert hops == ["check_credentials"]
