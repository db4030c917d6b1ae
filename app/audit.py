"""The audit trail: every write, by the API or by a seed load, recorded in the same transaction
as the write itself. It sits below curation and seeding, so neither depends on the other."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.enums import AuditAction
from app.models import AuditEvent

SEED_LOADER = "seed-loader"

WRITES_LOCK = 0x63727376  # "crsv": a transaction-scoped PostgreSQL advisory lock


def share_writes_lock(session: Session) -> None:
    """Taken by every API write before it touches a row: writes run side by side, but never
    during a seed load, so a load's audit mark splits the trail into before and after."""
    session.execute(text("SELECT pg_advisory_xact_lock_shared(:key)"), {"key": WRITES_LOCK})


def hold_writes_lock(session: Session) -> None:
    """Taken by a seed load: waits for API writes in flight to end and holds new ones back
    until the load commits or rolls back."""
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITES_LOCK})


def jsonable(value: Any) -> Any:
    """Audit payloads are JSON: dates as ISO text, enums as their values, models (a period)
    as their JSON form."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
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
