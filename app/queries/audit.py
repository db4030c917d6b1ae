"""SQL for the audit trail, newest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, select

from app.models import AuditEvent
from app.queries.items import From, Shape
from app.queries.keyset import SortField
from app.queries.listing import ListSpec
from app.schemas.audit import AuditEventOut

ITEM = Shape(AuditEventOut, From(AuditEvent))
"""Each audit event as the API shows it (`AuditEventOut`): the event's columns of those names."""

SPEC = ListSpec(
    select=select(*ITEM.columns),
    id_column=AuditEvent.id,
    sort_fields={"id": SortField((AuditEvent.id,))},
    default_sort="-id",
    to_item=ITEM.to_item,
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
