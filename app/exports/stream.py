"""Stream a dataset's rows from a server-side cursor, in the order of its list route."""

from __future__ import annotations

from collections.abc import Generator, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Engine, Select

from app.queries.datasets import described
from app.queries.keyset import parse_sort
from app.queries.listing import search_condition
from app.queries.selection import Selection

BATCH_ROWS = 2000


def export_statement(dataset: str, selection: Selection) -> Select[Any]:
    """The flat SELECT of `dataset` restricted to `selection`, in its default order."""
    declared = described(dataset)
    spec = declared.spec
    conditions: list[ColumnElement[bool]] = list(selection.conditions)
    if selection.q:
        conditions.append(search_condition(spec, selection.q))
    sort = parse_sort(spec.default_sort, spec.sort_fields, spec.id_column)
    columns: list[ColumnElement[Any]] = [
        column.expression.label(column.name) for column in declared.columns
    ]
    return spec.select.with_only_columns(*columns).where(*conditions).order_by(*sort.order_by())


def stream_rows(engine: Engine, statement: Select[Any]) -> Generator[Sequence[Any], None, None]:
    """Rows fetched BATCH_ROWS at a time from a named cursor: memory stays flat.

    Closing the iterator (the client went away) closes the cursor and ends the query.
    """
    with engine.connect() as connection:
        result = connection.execution_options(stream_results=True, yield_per=BATCH_ROWS).execute(
            statement
        )
        try:
            for partition in result.partitions():
                yield from partition
        finally:
            result.close()
