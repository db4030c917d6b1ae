"""Write bodies are JSON (PATCH: JSON merge patch too): any other Content-Type is a 415 problem
saying what to send, not a 422 about fields, and nothing is written."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.config import Settings
from app.main import create_app
from tests.writing import BODIES, EXISTING, audit_events, with_etag, write_key_headers

FIGURE = f"/v1/figures/{EXISTING['figures']}"


@pytest.fixture
def write_key(db: Session) -> dict[str, str]:
    return write_key_headers(db)


@pytest.mark.parametrize(
    "content_type",
    [
        "text/plain",
        "application/x-www-form-urlencoded",
        "application/merge-patch+json",
        "application/problem+json",
        "multipart/form-data; boundary=x",
        None,
    ],
)
def test_a_create_that_is_not_json_is_415(
    client: TestClient, db: Session, write_key: dict[str, str], content_type: str | None
) -> None:
    before = audit_events(db)
    headers = {**write_key, **({"Content-Type": content_type} if content_type else {})}
    body = json.dumps(BODIES["figures"]).encode()
    response = client.post("/v1/figures", content=body, headers=headers)
    assert response.status_code == 415, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["accept-post"] == "application/json"
    assert response.json() == {
        "type": "/problems/unsupported-media-type",
        "title": "Unsupported Media Type",
        "status": 415,
        "detail": "Send the body as application/json (Content-Type header).",
        "instance": "/v1/figures",
    }
    assert client.get(f"/v1/figures/{BODIES['figures']['key']}").status_code == 404
    assert audit_events(db) == before


def test_a_replace_that_is_not_json_is_415(client: TestClient, write_key: dict[str, str]) -> None:
    shown = client.get(FIGURE).json()
    response = client.put(
        FIGURE,
        content=b"value=1",
        headers={
            **with_etag(client, FIGURE, write_key),
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert response.status_code == 415
    assert "accept-post" not in response.headers and "accept-patch" not in response.headers
    assert client.get(FIGURE).json() == shown


def test_a_patch_takes_merge_patch_or_json_and_nothing_else(
    client: TestClient, write_key: dict[str, str]
) -> None:
    refused = client.patch(
        FIGURE,
        content=b'{"note": "x"}',
        headers={**with_etag(client, FIGURE, write_key), "Content-Type": "text/plain"},
    )
    assert refused.status_code == 415
    assert refused.headers["accept-patch"] == "application/merge-patch+json, application/json"
    assert refused.json()["detail"] == (
        "Send the body as application/merge-patch+json, application/json (Content-Type header)."
    )
    for content_type, note in [
        ("application/merge-patch+json", "merge"),
        ("application/json; charset=utf-8", "json"),
        ("Application/Merge-Patch+JSON", "cased"),
    ]:
        response = client.patch(
            FIGURE,
            content=json.dumps({"note": note}).encode(),
            headers={**with_etag(client, FIGURE, write_key), "Content-Type": content_type},
        )
        assert response.status_code == 200, response.text
        assert response.json()["note"] == note


def test_authentication_comes_before_the_media_type(client: TestClient) -> None:
    response = client.post("/v1/figures", content=b"x", headers={"Content-Type": "text/plain"})
    assert response.status_code == 401


def test_openapi_documents_415_on_writes() -> None:
    paths = create_app(Settings(database_url="postgresql://schema-only@localhost/none")).openapi()[
        "paths"
    ]
    for operation in (paths["/v1/figures"]["post"], paths["/v1/figures/{figure_id}"]["patch"]):
        assert operation["responses"]["415"]["content"] == {
            "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
        }
    assert "415" not in paths["/v1/figures/{figure_id}"]["delete"]["responses"]
