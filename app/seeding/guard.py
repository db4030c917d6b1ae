"""What a seed load may overwrite: never an API edit made since the last load, unless forced.

Every load makes the database equal the seeds and records a mark (the audit trail's highest
id) in its own transaction, so the audit events above the last mark are exactly the API edits
the seed files may not hold yet. API writes and loads exclude each other through an advisory
lock (`audit.share_writes_lock`), so no write can straddle a mark.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.orm import Session

from app.models import (
    Activity,
    ActivityType,
    AuditEvent,
    Country,
    Figure,
    Location,
    Metric,
    Mission,
    Objective,
    Partner,
    Report,
    SeedLoad,
    Story,
)
from app.seeding.changes import Change

# A row in any of these means the database is in use: it is never seeded on start. Keys (and
# any other operational state) are not data: a key may be made before the first start.
_DATA: tuple[type[Any], ...] = (
    Metric,
    ActivityType,
    Objective,
    Country,
    Mission,
    Location,
    Partner,
    Report,
    Story,
    Activity,
    Figure,
    AuditEvent,
    SeedLoad,
)


@dataclass(frozen=True)
class Edit:
    """The latest API write to one record since the last seed load."""

    resource: str
    key: str
    action: str
    actor: str
    occurred_at: datetime


@dataclass(frozen=True)
class Conflict:
    """A change the load would make to a record edited through the API since the last load."""

    effect: str  # "delete" | "revert"
    edit: Edit

    def __str__(self) -> str:
        edit = self.edit
        made = {"create": "created", "update": "updated", "delete": "deleted"}[edit.action]
        return (
            f"{self.effect:<6} {edit.resource} {edit.key}  "
            f"({made} by {edit.actor} at {edit.occurred_at:%Y-%m-%d %H:%M:%S %Z})"
        )


class SeedsWouldDiscardEdits(Exception):
    """The load was refused, and rolled back, because it would lose API edits."""

    def __init__(self, conflicts: list[Conflict]) -> None:
        super().__init__(f"{len(conflicts)} records edited through the API")
        self.conflicts = conflicts


def has_data(session: Session) -> bool:
    """Whether anything was ever loaded or written: a row of data, an audit event or a load."""
    return any(session.scalar(select(exists().select_from(model))) for model in _DATA)


def last_mark(session: Session) -> int:
    """The audit mark of the last seed load; 0 if none (every event counts)."""
    mark = session.scalar(select(SeedLoad.audit_mark).order_by(SeedLoad.id.desc()).limit(1))
    return mark or 0


def edits_since_last_load(session: Session) -> dict[tuple[str, str], Edit]:
    """Each record written since the last seed load, with its latest write."""
    rows = session.execute(
        select(
            AuditEvent.resource,
            AuditEvent.resource_id,
            AuditEvent.action,
            AuditEvent.actor,
            AuditEvent.occurred_at,
        )
        .where(AuditEvent.id > last_mark(session))
        .order_by(AuditEvent.id)
    )
    return {(row[0], row[1]): Edit(row[0], row[1], str(row[2]), row[3], row[4]) for row in rows}


def conflicts(changes: Iterable[Change], edits: dict[tuple[str, str], Edit]) -> list[Conflict]:
    """The load's changes that would delete or revert an edit (a re-created record reverts
    its deletion)."""
    found = []
    seen: set[tuple[str, str]] = set()
    for change in changes:
        edit = edits.get((change.table, change.key))
        if edit is None or (change.table, change.key) in seen:
            continue
        seen.add((change.table, change.key))
        found.append(Conflict("delete" if change.action == "delete" else "revert", edit))
    return sorted(found, key=lambda c: (c.edit.resource, c.edit.key))


def record_load(session: Session, changes: int, discarded: int) -> None:
    """Mark the audit trail as it stands with this load's own events, in the load's
    transaction."""
    session.flush()  # the load's own audit events first: they sit below the mark
    session.add(
        SeedLoad(
            audit_mark=select(func.coalesce(func.max(AuditEvent.id), 0)).scalar_subquery(),
            changes=changes,
            discarded=discarded,
        )
    )
    session.flush()
