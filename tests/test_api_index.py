"""The front door: `/v1` indexes the API and names the data's version; `/` leads there."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.service import create_key
from app.enums import Scope
from app.models import AuditEvent

BASE = "http://testserver"
DATASETS = [
    "activities",
    "activity-types",
    "countries",
    "figures",
    "locations",
    "metrics",
    "missions",
    "objectives",
    "partners",
    "reports",
    "stories",
]
FORMATS = ["csv", "ndjson", "json", "xlsx"]


def urls(tree: Any) -> list[str]:
    if isinstance(tree, str):
        return [tree]
    return [url for value in tree.values() for url in urls(value)]


def test_the_index_links_every_collection_aggregate_export_and_doc(
    client: TestClient, db: Session
) -> None:
    response = client.get("/v1")
    assert response.status_code == 200
    body = response.json()
    latest = db.scalar(select(func.max(AuditEvent.id)))
    changed_at = db.scalar(select(func.max(AuditEvent.occurred_at)))
    assert latest is not None and changed_at is not None
    assert body["title"] == "crsv-data"
    assert body["api_version"] == "1.0.0"
    assert body["data_version"] == latest
    assert body["data_changed_at"] == changed_at.isoformat()
    assert body["links"] == {
        "self": f"{BASE}/v1",
        "openapi": f"{BASE}/openapi.json",
        "docs": f"{BASE}/docs",
        "redoc": f"{BASE}/redoc",
        "datapackage": f"{BASE}/v1/exports/datapackage.zip",
    }
    assert body["collections"] == {name: f"{BASE}/v1/{name}" for name in DATASETS}
    assert body["stats"] == {
        "activities": f"{BASE}/v1/stats/activities",
        "figures": f"{BASE}/v1/stats/figures",
        "overview": f"{BASE}/v1/stats/overview",
        "stories": f"{BASE}/v1/stats/stories",
    }
    assert body["exports"] == {
        name: {fmt: f"{BASE}/v1/exports/{name}.{fmt}" for fmt in FORMATS} for name in DATASETS
    }


def test_every_link_of_the_index_answers(client: TestClient) -> None:
    body = client.get("/v1").json()
    links = urls({key: body[key] for key in ("links", "collections", "stats", "exports")})
    assert len(links) == 5 + 11 + 4 + 44
    for url in links:
        response = client.get(url)
        assert 200 <= response.status_code < 300, (url, response.status_code)


def test_the_data_version_grows_with_a_write(client: TestClient, db: Session) -> None:
    before = client.get("/v1")
    token = create_key(db, "index-test", Scope.WRITE)
    path = "/v1/figures/2023-story-17-survivors-identified"
    written = client.patch(
        path,
        json={"note": "checked again"},
        headers={"Authorization": f"Bearer {token}", "If-Match": client.get(path).headers["etag"]},
    )
    assert written.status_code == 200, written.text
    after = client.get("/v1", headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200
    assert after.json()["data_version"] > before.json()["data_version"]


def test_the_root_leads_programs_to_the_index(client: TestClient) -> None:
    response = client.get("/", follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == f"{BASE}/v1"


def test_the_root_leads_browsers_to_the_explorer(client: TestClient) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    response = client.get("/", headers={"Accept": browser}, follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == f"{BASE}/explore"
    assert "Accept" in response.headers["vary"]
