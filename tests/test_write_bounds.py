"""Write bodies are strict and bounded: numbers are JSON numbers within their column, dates
are ISO text, and OpenAPI states the bounds; anything else is a 422 naming the field."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.config import Settings
from app.main import create_app
from app.models import AuditEvent
from tests.writing import (
    BODIES,
    EXISTING,
    audit_events,
    body_errors,
    with_etag,
    write_key_headers,
)


@pytest.fixture
def write_key(db: Session) -> dict[str, str]:
    return write_key_headers(db)


@pytest.mark.parametrize(
    ("plural", "change", "pointer", "reason"),
    [
        ("figures", {"value": 2**31}, "/value", "less than or equal to 2147483647"),
        ("figures", {"value": 2**31, "women": 2**31}, "/value", "less than or equal to 2147483647"),
        ("figures", {"value": 5, "men": 2**31}, "/men", "less than or equal to 2147483647"),
        (
            "figures",
            {"value": 5, "children": 2**40},
            "/children",
            "less than or equal to 2147483647",
        ),
        ("stories", {"position": 32768}, "/position", "less than or equal to 32767"),
        (
            "stories",
            {"kind": "numbered_story", "number": 32768},
            "/number",
            "less than or equal to 32767",
        ),
        ("reports", {"edition_year": 32768}, "/edition_year", "less than or equal to 2100"),
    ],
)
def test_integers_beyond_their_column_are_422(
    client: TestClient,
    db: Session,
    write_key: dict[str, str],
    plural: str,
    change: dict[str, Any],
    pointer: str,
    reason: str,
) -> None:
    before = audit_events(db)
    response = client.post(f"/v1/{plural}", json={**BODIES[plural], **change}, headers=write_key)
    assert response.status_code == 422, response.text
    assert body_errors(response)[0] == (pointer, f"Input should be {reason}")
    assert audit_events(db) == before
    path = f"/v1/{plural}/{EXISTING[plural]}"
    patched = client.patch(path, json=change, headers=with_etag(client, path, write_key))
    assert patched.status_code == 422
    assert body_errors(patched)[0] == (pointer, f"Input should be {reason}")


def test_the_largest_values_a_column_holds_are_accepted(
    client: TestClient, write_key: dict[str, str]
) -> None:
    figure = {**BODIES["figures"], "value": 2**31 - 1, "women": 2**31 - 1}
    created = client.post("/v1/figures", json=figure, headers=write_key)
    assert created.status_code == 201, created.text
    assert (created.json()["value"], created.json()["women"]) == (2**31 - 1, 2**31 - 1)
    story = {**BODIES["stories"], "kind": "numbered_story", "number": 32767, "position": 32767}
    created = client.post("/v1/stories", json=story, headers=write_key)
    assert created.status_code == 201, created.text
    assert (created.json()["number"], created.json()["position"]) == (32767, 32767)


def test_openapi_states_every_integer_bound() -> None:
    schemas = create_app(
        Settings(database_url="postgresql://schema-only@localhost/none")
    ).openapi()["components"]["schemas"]
    figure = schemas["FigureWrite"]["properties"]
    assert (figure["value"]["minimum"], figure["value"]["maximum"]) == (0, 2**31 - 1)
    for part in ("women", "men", "children"):
        assert figure[part]["anyOf"][0] == {"type": "integer", "minimum": 0, "maximum": 2**31 - 1}
    story = schemas["StoryWrite"]["properties"]
    assert (story["position"]["minimum"], story["position"]["maximum"]) == (1, 32767)
    assert story["number"]["anyOf"][0] == {"type": "integer", "minimum": 1, "maximum": 32767}
    assert story["objective"]["anyOf"][0] == {"type": "integer", "minimum": 1, "maximum": 5}
    report = schemas["ReportSeed"]["properties"]["edition_year"]
    assert (report["minimum"], report["maximum"]) == (2000, 2100)


@pytest.mark.parametrize(
    ("plural", "change", "errors"),
    [
        ("figures", {"value": True}, [("/value", "Input should be a valid integer")]),
        ("figures", {"value": "12"}, [("/value", "Input should be a valid integer")]),
        ("figures", {"value": 12.0}, [("/value", "Input should be a valid integer")]),
        ("figures", {"women": False}, [("/women", "Input should be a valid integer")]),
        ("stories", {"position": "5"}, [("/position", "Input should be a valid integer")]),
        (
            "locations",
            {"latitude": True, "longitude": 1},
            [("/latitude", "Input should be a valid number")],
        ),
        (
            "locations",
            {"latitude": "1.5", "longitude": 1},
            [("/latitude", "Input should be a valid number")],
        ),
        (
            "reports",
            {"edition_year": "2099"},
            [("/edition_year", "Input should be a valid integer")],
        ),
        (
            "reports",
            {"published": {"start": 0}},
            [
                ("/published/start", "Input should be a valid date"),
                ("/published/end", "Field required"),
                ("/published/precision", "Field required"),
            ],
        ),
        (
            "reports",
            {"published": {"start": 0, "end": 86400, "precision": "day"}},
            [
                ("/published/start", "Input should be a valid date"),
                ("/published/end", "Input should be a valid date"),
            ],
        ),
        (
            "figures",
            {"period": {"start": "0", "end": "2023-01-01T00:00:00", "precision": "day"}},
            [
                ("/period/start", "Input should be a valid date"),
                ("/period/end", "Input should be a valid date"),
            ],
        ),
    ],
)
def test_bodies_are_strict(
    client: TestClient,
    write_key: dict[str, str],
    plural: str,
    change: dict[str, Any],
    errors: list[tuple[str, str]],
) -> None:
    response = client.post(f"/v1/{plural}", json={**BODIES[plural], **change}, headers=write_key)
    assert response.status_code == 422, response.text
    assert body_errors(response) == errors


def test_iso_dates_in_json_still_work(client: TestClient, write_key: dict[str, str]) -> None:
    published = {"start": "2099-06-01", "end": "2099-06-30", "precision": "month"}
    created = client.post(
        "/v1/reports", json={**BODIES["reports"], "published": published}, headers=write_key
    )
    assert created.status_code == 201, created.text
    assert created.json()["published"] == published
    figure = {**BODIES["figures"], "period": "2023-07/2023-09"}
    assert client.post("/v1/figures", json=figure, headers=write_key).status_code == 201
    shown = client.get(f"/v1/figures/{figure['key']}").json()
    assert (shown["date"]["start"], shown["date"]["end"]) == ("2023-07-01", "2023-09-30")


@pytest.mark.parametrize(
    "path",
    [
        "/v1/figures/2023-story-06-people-repatriated",
        "/v1/activities/2023-story-06-lra-repatriation-support",
    ],
)
def test_records_with_a_period_can_be_changed_and_are_audited(
    client: TestClient, db: Session, write_key: dict[str, str], path: str
) -> None:
    """A period used to reach the audit trail as a model, which JSON cannot hold: a 500."""
    patched = client.patch(
        path,
        json={"period": {"end": "2023-10-31"}},
        headers={
            **with_etag(client, path, write_key),
            "Content-Type": "application/merge-patch+json",
        },
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["date"] == {
        "start": "2023-07-01",
        "end": "2023-10-31",
        "precision": "month",
    }
    event = db.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).one()
    assert event.before is not None and event.after is not None
    assert event.before["period"] == {
        "start": "2023-07-01",
        "end": "2023-09-30",
        "precision": "month",
    }
    assert event.after["period"] == {
        "start": "2023-07-01",
        "end": "2023-10-31",
        "precision": "month",
    }


def test_pointers_escape_slash_and_tilde(client: TestClient, write_key: dict[str, str]) -> None:
    body = {**BODIES["partners"], "a/b~c": 1}
    response = client.post("/v1/partners", json=body, headers=write_key)
    assert response.status_code == 422
    assert body_errors(response) == [("/a~1b~0c", "Extra inputs are not permitted")]
