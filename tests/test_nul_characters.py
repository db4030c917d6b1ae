"""No NUL character reaches PostgreSQL (text cannot hold one): a NUL in any string of a write
body or of a cursor is a 422 naming where it is, and nothing is written."""

from __future__ import annotations

import base64
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.writing import (
    BODIES,
    EXISTING,
    TEXT_FIELD,
    audit_events,
    body_errors,
    with_etag,
    write_key_headers,
)


@pytest.fixture
def write_key(db: Session) -> dict[str, str]:
    return write_key_headers(db)


NUL_REASON = "Value error, must not contain NUL characters"


@pytest.mark.parametrize("plural", list(BODIES))
def test_a_nul_in_a_created_record_is_422_and_nothing_is_written(
    client: TestClient, db: Session, write_key: dict[str, str], plural: str
) -> None:
    field = TEXT_FIELD[plural]
    body = {**BODIES[plural], field: "before\u0000after"}
    before = audit_events(db)
    response = client.post(f"/v1/{plural}", json=body, headers=write_key)
    assert response.status_code == 422, response.text
    assert body_errors(response) == [(f"/{field}", NUL_REASON)]
    assert client.get(f"/v1/{plural}/{body['key']}").status_code == 404
    assert audit_events(db) == before
    # the same record without the NUL is fine: the NUL alone was refused
    assert client.post(f"/v1/{plural}", json=BODIES[plural], headers=write_key).status_code == 201


@pytest.mark.parametrize("plural", list(BODIES))
def test_a_nul_in_a_patch_or_put_is_422_and_the_record_is_unchanged(
    client: TestClient, db: Session, write_key: dict[str, str], plural: str
) -> None:
    path = f"/v1/{plural}/{EXISTING[plural]}"
    field = TEXT_FIELD[plural]
    shown = client.get(path)
    before = audit_events(db)
    patched = client.patch(
        path, json={field: "x\u0000"}, headers=with_etag(client, path, write_key)
    )
    assert patched.status_code == 422
    assert body_errors(patched) == [(f"/{field}", NUL_REASON)]
    replaced = client.put(
        path,
        json={**BODIES[plural], "key": EXISTING[plural], field: "\u0000"},
        headers=with_etag(client, path, write_key),
    )
    assert replaced.status_code == 422
    assert (f"/{field}", NUL_REASON) in body_errors(replaced)
    assert client.get(path).json() == shown.json()
    assert audit_events(db) == before


def test_a_nul_in_a_note_nested_optional_field_is_named(
    client: TestClient, write_key: dict[str, str]
) -> None:
    body = {**BODIES["figures"], "note": "\u0000", "section": "a\u0000b"}
    response = client.post("/v1/figures", json=body, headers=write_key)
    assert response.status_code == 422
    assert body_errors(response) == [("/section", NUL_REASON), ("/note", NUL_REASON)]


def cursor(payload: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(payload)).rstrip(b"=").decode("ascii")


@pytest.mark.parametrize(
    ("path", "values"),
    [
        ("/v1/locations?sort=name", ["Goma\u0000", 1]),
        ("/v1/countries?sort=iso3", ["\u0000", 1]),
        ("/v1/missions", ["MONUSCO\u0000", 1]),
    ],
)
def test_a_nul_in_a_cursor_string_is_422(client: TestClient, path: str, values: list[Any]) -> None:
    spec = path.partition("sort=")[2] or "code"
    response = client.get(
        f"{path}{'&' if '?' in path else '?'}cursor=" + cursor({"s": spec, "v": values})
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"] == [
        {"name": "cursor", "in": "query", "reason": "malformed cursor"}
    ]
