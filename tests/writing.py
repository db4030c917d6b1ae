"""Valid write bodies for every writable resource, and helpers to read write problems."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.service import create_key
from app.enums import Scope
from app.models import AuditEvent

BODIES: dict[str, dict[str, Any]] = {
    "reports": {
        "key": "crsv-2099",
        "edition_year": 2099,
        "title": "Test edition",
        "publisher": "Test publisher",
        "published": "2099-06",
        "source_url": "https://example.org/report",
        "licence_note": "Quoted for testing.",
    },
    "locations": {"key": "test-town", "name": "Test town", "kind": "town", "country": "COD"},
    "partners": {"key": "test-partner", "name": "Test partner", "kind": "ngo"},
    "stories": {
        "key": "2023-test-box",
        "report": "crsv-2023",
        "kind": "highlight_box",
        "position": 30000,
        "title": "Test box",
        "section": "Test section",
        "summary": "A box for testing.",
    },
    "activities": {
        "key": "2023-story-17-test-training",
        "story": "2023-story-17",
        "type": "training",
        "title": "Test training",
        "description": "A training for testing.",
    },
    "figures": {
        "key": "2023-story-17-test-figure",
        "story": "2023-story-17",
        "metric": "trainees",
        "value": 12,
        "subject": "people trained in a test",
        "evidence": "12 people were trained",
    },
}
TEXT_FIELD = {
    "reports": "title",
    "locations": "name",
    "partners": "name",
    "stories": "summary",
    "activities": "description",
    "figures": "evidence",
}
EXISTING = {
    "reports": "crsv-2023",
    "locations": "goma",
    "partners": "unfpa",
    "stories": "2023-story-17",
    "activities": "2023-story-10-mobile-courts-support",
    "figures": "2023-story-17-survivors-identified",
}


def write_key_headers(db: Session) -> dict[str, str]:
    """Authorization for a new key with the write scope."""
    return {"Authorization": f"Bearer {create_key(db, 'inputs-key', Scope.WRITE)}"}


def audit_events(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(AuditEvent)) or 0


def body_errors(response: Any) -> list[tuple[str, str]]:
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "/problems/invalid-body"
    return [(error["pointer"], error["reason"]) for error in body["errors"]]


def with_etag(client: TestClient, path: str, headers: dict[str, str]) -> dict[str, str]:
    return {**headers, "If-Match": client.get(path).headers["etag"]}
