"""The curator write API: keys and scopes, validation, references, preconditions, audit."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from app.api.session import get_session
from app.auth.service import create_key, revoke_key
from app.config import Settings
from app.enums import Scope
from app.main import create_app
from app.models import AuditEvent

FIGURE = "/v1/figures/2023-story-17-survivors-identified"


@pytest.fixture
def tokens(db: Session) -> dict[str, str]:
    return {
        scope: create_key(db, f"{scope}-key", Scope(scope)) for scope in ("read", "write", "admin")
    }


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def writer(tokens: dict[str, str], client: TestClient, path: str = FIGURE) -> dict[str, str]:
    """Write headers with the current ETag of `path`."""
    return {**bearer(tokens["write"]), "If-Match": client.get(path).headers["etag"]}


NEW_FIGURE: dict[str, Any] = {
    "key": "2023-story-17-reparations-beneficiaries",
    "story": "2023-story-17",
    "activity": "2023-story-17-reparations-project-support",
    "metric": "participants",
    "value": 12,
    "women": 7,
    "subject": "curated test figure",
    "evidence": "604 CRSV survivors were identified",
}


def test_writes_need_a_key(client: TestClient) -> None:
    response = client.post("/v1/figures", json=NEW_FIGURE)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == 'Bearer realm="crsv-data"'
    assert response.json()["detail"] == "This requires an API key with the 'write' scope."


def test_unknown_and_revoked_keys_are_401(
    client: TestClient, tokens: dict[str, str], db: Session
) -> None:
    bad = client.post("/v1/figures", json=NEW_FIGURE, headers=bearer("crsv_aaaaaaaa_" + "x" * 43))
    assert bad.status_code == 401
    assert bad.headers["www-authenticate"] == 'Bearer realm="crsv-data", error="invalid_token"'
    assert revoke_key(db, "write-key")
    revoked = client.post("/v1/figures", json=NEW_FIGURE, headers=bearer(tokens["write"]))
    assert revoked.status_code == 401
    assert revoked.json()["detail"] == "The API key is unknown, revoked or malformed."


def test_wrong_scope_is_403(client: TestClient, tokens: dict[str, str]) -> None:
    response = client.post("/v1/figures", json=NEW_FIGURE, headers=bearer(tokens["read"]))
    assert response.status_code == 403
    assert response.json()["detail"] == (
        "The key 'read-key' has the 'read' scope; this requires 'write'."
    )
    audit = client.get("/v1/audit", headers=bearer(tokens["write"]))
    assert audit.status_code == 403


def test_create_then_read_back(client: TestClient, tokens: dict[str, str]) -> None:
    response = client.post("/v1/figures", json=NEW_FIGURE, headers=bearer(tokens["write"]))
    assert response.status_code == 201, response.text
    assert response.headers["location"] == "/v1/figures/2023-story-17-reparations-beneficiaries"
    created = client.get("/v1/figures/2023-story-17-reparations-beneficiaries")
    assert created.json() == response.json()
    assert created.headers["etag"] == response.headers["etag"]
    assert created.json()["mission"] == "MINUSCA"
    assert created.json()["source"]["section"] == (
        "Fulfilling our objectives › Objective 5 › Story 17"
    )


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        (
            {"women": 13},
            [
                {
                    "pointer": "",
                    "reason": "Value error, women + men + children (13) exceed the value (12)",
                }
            ],
        ),
        (
            {"survivor_name": "x"},
            [{"pointer": "/survivor_name", "reason": "Extra inputs are not permitted"}],
        ),
        (
            {"qualifier": "roughly", "value": -1},
            [
                {"pointer": "/value", "reason": "Input should be greater than or equal to 0"},
                {
                    "pointer": "/qualifier",
                    "reason": "Input should be 'exact', 'at_least', "
                    "'more_than', 'approximately', 'nearly' or 'up_to'",
                },
            ],
        ),
    ],
)
def test_invalid_bodies_are_422_with_json_pointers(
    client: TestClient,
    tokens: dict[str, str],
    change: dict[str, Any],
    errors: list[dict[str, str]],
) -> None:
    response = client.post(
        "/v1/figures", json={**NEW_FIGURE, **change}, headers=bearer(tokens["write"])
    )
    assert response.status_code == 422
    body = response.json()
    assert body["type"] == "/problems/invalid-body"
    assert [{"pointer": e["pointer"], "reason": e["reason"]} for e in body["errors"]] == errors


def test_missing_references_are_409(client: TestClient, tokens: dict[str, str]) -> None:
    headers = bearer(tokens["write"])
    no_story = client.post(
        "/v1/figures", json={**NEW_FIGURE, "story": "2023-story-99"}, headers=headers
    )
    assert no_story.status_code == 409
    assert no_story.json()["detail"] == "The story '2023-story-99' does not exist."
    other_story = client.post(
        "/v1/figures", json={**NEW_FIGURE, "story": "2023-story-16"}, headers=headers
    )
    assert other_story.status_code == 409
    assert other_story.json()["detail"] == (
        "The activity '2023-story-17-reparations-project-support' belongs to the story "
        "'2023-story-17', not to '2023-story-16'."
    )
    taken = client.post(
        "/v1/figures",
        json={**NEW_FIGURE, "key": "2023-story-17-survivors-identified"},
        headers=headers,
    )
    assert taken.status_code == 409
    assert taken.json()["detail"] == (
        "A figure with the id '2023-story-17-survivors-identified' already exists."
    )


def test_deleting_a_referenced_record_is_409_and_changes_nothing(
    client: TestClient, tokens: dict[str, str]
) -> None:
    response = client.delete(
        "/v1/stories/2023-story-17", headers=writer(tokens, client, "/v1/stories/2023-story-17")
    )
    assert response.status_code == 409
    assert response.json()["detail"] == (
        "The story '2023-story-17' is still referenced by other records; change or delete "
        "those first."
    )
    assert client.get("/v1/stories/2023-story-17").status_code == 200
    location = client.delete(
        "/v1/locations/goma", headers=writer(tokens, client, "/v1/locations/goma")
    )
    assert location.status_code == 409


def test_changes_need_if_match_and_a_fresh_etag(client: TestClient, tokens: dict[str, str]) -> None:
    without = client.patch(FIGURE, json={"note": "x"}, headers=bearer(tokens["write"]))
    assert without.status_code == 428
    stale_etag = client.get(FIGURE).headers["etag"]
    first = client.patch(
        FIGURE, json={"note": "first"}, headers={**bearer(tokens["write"]), "If-Match": stale_etag}
    )
    assert first.status_code == 200
    assert first.headers["etag"] == client.get(FIGURE).headers["etag"] != stale_etag
    second = client.patch(
        FIGURE, json={"note": "second"}, headers={**bearer(tokens["write"]), "If-Match": stale_etag}
    )
    assert second.status_code == 412
    assert client.get(FIGURE).json()["note"] == "first"


def test_put_replaces_and_patch_merges(client: TestClient, tokens: dict[str, str]) -> None:
    replaced = client.put(
        "/v1/locations/dekoa",
        json={
            "key": "dekoa",
            "name": "Dékoa",
            "kind": "town",
            "country": "CAF",
            "admin1": "Kémo",
            "latitude": 6.3175,
            "longitude": 19.0759,
            "precision": "point",
            "coordinate_source": "by hand: survey of 2023",
        },
        headers=writer(tokens, client, "/v1/locations/dekoa"),
    )
    assert replaced.status_code == 200, replaced.text
    assert (replaced.json()["name"], replaced.json()["latitude"]) == ("Dékoa", 6.3175)
    assert replaced.json()["precision"] == "point"
    undescribed = client.patch(
        "/v1/locations/dekoa",
        json={"latitude": None, "longitude": None},
        headers=writer(tokens, client, "/v1/locations/dekoa"),
    )
    assert undescribed.status_code == 422  # precision and source without coordinates
    patched = client.patch(
        "/v1/locations/dekoa",
        json={"latitude": None, "longitude": None, "precision": None, "coordinate_source": None},
        headers=writer(tokens, client, "/v1/locations/dekoa"),
    )
    assert patched.status_code == 200
    assert patched.json()["latitude"] is None
    assert patched.json()["precision"] is None
    assert patched.json()["name"] == "Dékoa"
    renamed = client.put(
        "/v1/locations/dekoa",
        json={"key": "dekoa-2", "name": "x", "kind": "town", "country": "CAF"},
        headers=writer(tokens, client, "/v1/locations/dekoa"),
    )
    assert renamed.status_code == 422


def test_audit_trail_records_create_update_delete(
    client: TestClient, tokens: dict[str, str]
) -> None:
    created = client.post("/v1/figures", json=NEW_FIGURE, headers=bearer(tokens["write"]))
    path = created.headers["location"]
    client.patch(
        path, json={"value": 14, "qualifier": "at_least"}, headers=writer(tokens, client, path)
    )
    client.delete(path, headers=writer(tokens, client, path))

    events = client.get(
        f"/v1/audit?resource=figure&id={NEW_FIGURE['key']}", headers=bearer(tokens["admin"])
    ).json()["items"]
    assert [(e["action"], e["actor"]) for e in events] == [
        ("delete", "write-key"),
        ("update", "write-key"),
        ("create", "write-key"),
    ]
    delete, update, create = events
    assert create["before"] is None
    assert create["after"]["value"] == 12 and create["after"]["women"] == 7
    assert create["after"]["story"] == "2023-story-17"
    assert (update["before"]["value"], update["after"]["value"]) == (12, 14)
    assert (update["before"]["qualifier"], update["after"]["qualifier"]) == ("exact", "at_least")
    assert delete["before"]["value"] == 14 and delete["after"] is None
    by_key = client.get("/v1/audit?key=write-key&limit=2", headers=bearer(tokens["admin"]))
    assert len(by_key.json()["items"]) == 2 and by_key.json()["next_cursor"]


def test_failed_write_leaves_no_audit_event(
    client: TestClient, tokens: dict[str, str], db: Session
) -> None:
    before = db.scalars(select(AuditEvent.id)).all()
    client.post(
        "/v1/figures", json={**NEW_FIGURE, "story": "nope"}, headers=bearer(tokens["write"])
    )
    assert db.scalars(select(AuditEvent.id)).all() == before


def test_large_bodies_are_refused(client: TestClient, tokens: dict[str, str]) -> None:
    response = client.post(
        "/v1/figures", json={**NEW_FIGURE, "note": "x" * 300_000}, headers=bearer(tokens["write"])
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "The request body is larger than 262144 bytes."
    chunked = client.post(
        "/v1/figures",
        content=iter([b"{" + b" " * 200_000, b" " * 200_000]),
        headers={**bearer(tokens["write"]), "Content-Type": "application/json"},
    )
    assert chunked.status_code == 413


def test_keys_never_reach_the_logs(
    client: TestClient, tokens: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG):
        client.post("/v1/figures", json=NEW_FIGURE, headers=bearer(tokens["write"]))
        client.get("/v1/figures", headers=bearer("crsv_zzzzzzzz_" + "y" * 43))
    text = "\n".join(record.getMessage() for record in caplog.records)
    assert tokens["write"] not in text
    assert "y" * 43 not in text


@pytest.fixture
def strict_client(engine: Engine, db: Session) -> Iterator[TestClient]:
    """Reads require a key; three failed authentications a minute are allowed."""
    settings = Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        require_read_key=True,
        auth_max_failures=3,
    )
    app = create_app(settings, engine=engine)

    def test_session() -> Iterator[Session]:
        yield db

    app.dependency_overrides[get_session] = test_session
    # an address of its own: failures other tests commit for "testclient" never count here
    with TestClient(app, client=("192.0.2.150", 50000)) as client:
        yield client


def test_reads_can_require_a_key(strict_client: TestClient, tokens: dict[str, str]) -> None:
    assert strict_client.get("/v1/missions").status_code == 401
    assert strict_client.get("/v1/missions", headers=bearer(tokens["read"])).status_code == 200
    assert strict_client.get("/healthz").status_code == 200


def test_repeated_failures_are_throttled_but_never_a_correct_key(
    strict_client: TestClient, tokens: dict[str, str]
) -> None:
    bad = bearer("crsv_aaaaaaaa_" + "b" * 43)
    statuses = [strict_client.get("/v1/missions", headers=bad).status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    blocked = strict_client.get("/v1/missions", headers=bad)
    assert blocked.status_code == 429
    assert blocked.headers["content-type"] == "application/problem+json"
    assert blocked.json() == {
        "type": "/problems/too-many-failures",
        "title": "Too Many Requests",
        "status": 429,
        "detail": "Too many failed authentications; try again later.",
        "instance": "/v1/missions",
    }
    assert 1 <= int(blocked.headers["retry-after"]) <= 60
    assert strict_client.get("/v1/missions", headers=bearer(tokens["read"])).status_code == 200


def test_responses_to_keyed_requests_stay_private(
    client: TestClient, tokens: dict[str, str]
) -> None:
    public = client.get("/v1/missions")
    assert public.headers["cache-control"].startswith("public")
    keyed = client.get("/v1/missions", headers=bearer(tokens["read"]))
    assert keyed.status_code == 200
    assert keyed.headers["cache-control"] == "private, no-cache"
    audit = client.get("/v1/audit", headers=bearer(tokens["admin"]))
    assert audit.headers["cache-control"] == "private, no-cache"
