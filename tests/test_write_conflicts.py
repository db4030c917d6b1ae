"""A write breaking a unique constraint is a 409 problem wherever the writer meets it."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.writing import BODIES, audit_events, with_etag, write_key_headers


@pytest.fixture
def write_key(db: Session) -> dict[str, str]:
    return write_key_headers(db)


def test_a_story_at_a_taken_position_is_409(
    client: TestClient, db: Session, write_key: dict[str, str]
) -> None:
    """The story writer flushes before linking missions: the clash surfaced there as a 500."""
    before = audit_events(db)
    created = client.post(
        "/v1/stories", json={**BODIES["stories"], "position": 1}, headers=write_key
    )
    assert created.status_code == 409, created.text
    assert created.headers["content-type"] == "application/problem+json"
    assert created.json()["type"] == "/problems/conflict"
    assert created.json()["detail"].startswith(
        'Another record already uses a unique value of this story: Key (report_id, "position")=('
    )
    assert client.get(f"/v1/stories/{BODIES['stories']['key']}").status_code == 404
    path = "/v1/stories/2023-story-17"
    moved = client.patch(path, json={"position": 1}, headers=with_etag(client, path, write_key))
    assert moved.status_code == 409, moved.text
    assert audit_events(db) == before
