"""Response model of the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from app.enums import AuditAction
from app.schemas.common import Schema, example


class AuditEventOut(Schema):
    model_config = example(
        {
            "id": 412,
            "occurred_at": "2026-11-29T20:15:00+00:00",
            "actor": "data-team",
            "resource": "figure",
            "resource_id": "2023-story-17-survivors-identified",
            "action": "update",
            "before": {"note": None},
            "after": {"note": "Checked."},
            "note": None,
        }
    )
    id: int
    occurred_at: datetime
    actor: str
    resource: str
    resource_id: str
    action: AuditAction
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    note: str | None
