"""Small helpers that shape SQL rows into the API's JSON objects."""

from __future__ import annotations

import calendar
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, Table, func, literal_column, select
from sqlalchemy.dialects.postgresql import aggregate_order_by

from app.queries.keyset import Expression

EMPTY_JSON_ARRAY: ColumnElement[Any] = literal_column("'[]'::jsonb")


def period(start: date | None, end: date | None, precision: str | None) -> dict[str, Any] | None:
    if start is None:
        return None
    return {"start": start, "end": end, "precision": precision}


def last_day(start: date, precision: str) -> date:
    """The last day a date of the given precision covers (June 2024 -> 2024-06-30)."""
    if precision == "year":
        return date(start.year, 12, 31)
    if precision == "month":
        return date(start.year, start.month, calendar.monthrange(start.year, start.month)[1])
    return start


def overlaps(
    start: Expression, end: Expression, date_from: date | None, date_to: date | None
) -> list[ColumnElement[bool]]:
    """Conditions for a period [start, end] to overlap the requested window."""
    conditions: list[ColumnElement[bool]] = []
    if date_from is not None:
        conditions.append(end >= date_from)
    if date_to is not None:
        conditions.append(start <= date_to)
    return conditions


def json_objects(*pairs: Any, order_by: Expression) -> ColumnElement[Any]:
    """A jsonb array of objects built from alternating name/column arguments ('[]' if none)."""
    return func.coalesce(
        func.jsonb_agg(aggregate_order_by(func.jsonb_build_object(*pairs), order_by)),
        EMPTY_JSON_ARRAY,
    )


def json_values(column: Expression) -> ColumnElement[Any]:
    """A sorted jsonb array of a column's values ('[]' if none)."""
    return func.coalesce(func.jsonb_agg(aggregate_order_by(column, column)), EMPTY_JSON_ARRAY)


def linked(aggregate: ColumnElement[Any], link: Table, owner: Expression) -> ScalarSelect[Any]:
    """`aggregate` over the records linked to each `owner` row through a many-to-many table.

    The link table's columns are (owner id, target id); the target table is the one the second
    column's foreign key points at.
    """
    owner_column, target_column = list(link.columns)
    (foreign_key,) = target_column.foreign_keys
    return (
        select(aggregate)
        .join(link, target_column == foreign_key.column)
        .where(owner_column == owner)
        .scalar_subquery()
    )
