"""SQL for the audit trail, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, RowMapping, select

from app.models import AuditEvent
from app.queries.keyset import SortField
from app.queries.listing import ListSpec


def to_item(row: RowMapping) -> dict[str, Any]:
    event: AuditEvent = row["AuditEvent"]
    return {
        "id": event.id,
        "occurred_at": event.occurred_at,
        "actor": event.actor,
        "resource": event.resource,
        "resource_id": event.resource_id,
        "action": event.action,
        "before": event.before,
        "after": event.after,
        "note": event.note,
    }


SPEC = ListSpec(
    select=select(AuditEvent),
    id_column=AuditEvent.id,
    sort_fields={"id": SortField((AuditEvent.id,))},
    default_sort="-id",
    to_item=to_item,
)


@dataclass(frozen=True)
class AuditFilters:
    resource: list[str] | None = None
    resource_id: list[str] | None = None
    actor: list[str] | None = None
    since: datetime | None = None
    until: datetime | None = None


def conditions(f: AuditFilters) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if f.resource:
        where.append(AuditEvent.resource.in_(f.resource))
    if f.resource_id:
        where.append(AuditEvent.resource_id.in_(f.resource_id))
    if f.actor:
        where.append(AuditEvent.actor.in_(f.actor))
    if f.since is not None:
        where.append(AuditEvent.occurred_at >= f.since)
    if f.until is not None:
        where.append(AuditEvent.occurred_at < f.until)
    return where
