"""The version of the data: every write is audited (the seed loader's too), so the latest audit
event names the state of the data a client reads."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from app.models import AuditEvent


class DataVersion(NamedTuple):
    number: int
    """Id of the latest write: grows with every change, 0 for an empty database."""
    changed_at: datetime | None


def data_version(db: Session | Connection) -> DataVersion:
    """Read with the request's session, or on a connection of its own (a file's ETag)."""
    number, changed_at = db.execute(
        select(func.coalesce(func.max(AuditEvent.id), 0), func.max(AuditEvent.occurred_at))
    ).one()
    return DataVersion(int(number), changed_at)
