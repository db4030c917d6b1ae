"""The audit trail: every write, recorded in the same transaction as the write itself."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from app.enums import AuditAction
from app.models import AuditEvent

SEED_LOADER = "seed-loader"


def jsonable(value: Any) -> Any:
    """Audit payloads are JSON: dates as ISO text, enums as their values."""
    if isinstance(value, BaseModel):  # a period
        return jsonable(value.model_dump())
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def record(
    session: Session,
    *,
    actor: str,
    resource: str,
    resource_id: str,
    action: AuditAction,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str | None = None,
) -> None:
    session.add(
        AuditEvent(
            actor=actor,
            resource=resource,
            resource_id=resource_id,
            action=action,
            before=jsonable(before) if before is not None else None,
            after=jsonable(after) if after is not None else None,
            note=note,
        )
    )
