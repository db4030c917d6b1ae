"""If-Match: documented as required on PUT, PATCH and DELETE, and a missing one is a 428."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.auth.service import create_key
from app.enums import Scope

LOCATION = "/v1/locations/dekoa"
DEKOA = {"key": "dekoa", "name": "Dékoa (renamed)", "kind": "town", "country": "CAF"}


def test_openapi_requires_if_match_on_every_conditional_write(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    conditional = 0
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            headers = [p for p in operation.get("parameters", []) if p["in"] == "header"]
            if method in ("put", "patch", "delete"):
                conditional += 1
                assert headers == [
                    {
                        "name": "If-Match",
                        "in": "header",
                        "required": True,
                        "description": "ETag from a GET of the record; without it the answer "
                        "is 428.",
                        "schema": {"type": "string", "examples": ['W/"3f2a..."']},
                    }
                ], f"{method} {path}"
                assert "428" in operation["responses"]
            else:
                assert not any(p["name"].lower() == "if-match" for p in headers)
    assert conditional == 6 * 3


@pytest.mark.parametrize(
    ("method", "body"),
    [("PUT", DEKOA), ("PATCH", {"name": "Dékoa (renamed)"}), ("DELETE", None)],
)
def test_a_write_without_if_match_is_still_428(
    client: TestClient, db: Session, method: str, body: dict[str, Any] | None
) -> None:
    token = create_key(db, "if-match-key", Scope.WRITE)
    before = client.get(LOCATION).json()
    response = client.request(
        method, LOCATION, json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 428
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem == {
        "type": "/problems/precondition-required",
        "title": "Precondition Required",
        "status": 428,
        "detail": "Send If-Match with the ETag from a GET of this record, so that a "
        "concurrent change is never overwritten.",
        "instance": LOCATION,
    }
    assert client.get(LOCATION).json() == before
