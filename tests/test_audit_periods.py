"""Records with a period (figures, activities) can be changed and deleted: their audit
payloads hold the period as JSON instead of failing the write with a 500."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.auth.service import create_key
from app.enums import Scope

FIGURE = "/v1/figures/2023-story-10-soldiers-convicted"  # period: '2023'
PERIOD = {"start": "2023-01-01", "end": "2023-12-31", "precision": "year"}


def test_a_record_with_a_period_is_patched_and_deleted_with_its_period_audited(
    client: TestClient, db: Session
) -> None:
    write = {"Authorization": f"Bearer {create_key(db, 'editor', Scope.WRITE)}"}
    admin = {"Authorization": f"Bearer {create_key(db, 'auditor', Scope.ADMIN)}"}

    def if_match() -> dict[str, str]:
        return {**write, "If-Match": client.get(FIGURE).headers["etag"]}

    patched = client.patch(FIGURE, json={"note": "Checked."}, headers=if_match())
    assert patched.status_code == 200
    assert patched.json()["note"] == "Checked."
    assert client.delete(FIGURE, headers=if_match()).status_code == 204
    assert client.get(FIGURE).status_code == 404

    events = client.get(
        "/v1/audit?resource=figure&id=2023-story-10-soldiers-convicted", headers=admin
    ).json()["items"]
    assert [(e["action"], e["actor"]) for e in events][:2] == [
        ("delete", "editor"),
        ("update", "editor"),
    ]
    deleted, updated = events[:2]
    assert updated["before"]["period"] == updated["after"]["period"] == PERIOD
    assert (updated["before"]["note"], updated["after"]["note"]) == (None, "Checked.")
    assert deleted["before"]["period"] == PERIOD and deleted["after"] is None
