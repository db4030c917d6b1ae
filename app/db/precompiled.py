"""Read statements compiled once from their Core expression, run by psycopg as prepared
statements, rows read as tuples.

SQLAlchemy stays the single source of every statement: a `Precompiled` holds the Core
expression and the SQL SQLAlchemy compiles from it (tests/test_precompiled.py checks each one
against a fresh compile). What the hot read routes skip is the per-execution work around it:
building and keying the statement, the ORM's execution context, row objects. That work cost
the API most of its CPU per list page (see bench/RESULTS.md); the statement and the plan are
the same.

Writes keep the ORM and the session.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import psycopg
from psycopg import pq
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

DIALECT: Dialect = PGDialect_psycopg()  # type: ignore[no-untyped-call]
"""The engine's dialect (postgresql+psycopg), for compiling outside a connection."""

Row = tuple[Any, ...]
RowProcessor = Callable[[Any], Any]


class Precompiled:
    """One statement, compiled once; `rows()` binds parameters by name and runs it."""

    def __init__(self, statement: ClauseElement) -> None:
        compiled = statement.compile(dialect=DIALECT)
        assert isinstance(compiled, SQLCompiler)
        if compiled.literal_execute_params or compiled.post_compile_params:
            raise ValueError(
                "a precompiled statement takes each parameter whole: use "
                "app.queries.bound.one_of (= ANY(:array)) rather than IN with expanding values"
            )
        self.statement = statement
        self.sql: str = compiled.string
        self._defaults = {
            name: bind.value
            for bind, name in compiled.bind_names.items()
            if bind.value is not None and not bind.required
        }
        self._types = [column.type for column in compiled._result_columns]
        self._processors: list[tuple[int, RowProcessor]] | None = None
        """The columns that need a conversion (e.g. text to enum), by position, with it:
        known once the server has said what each column's type is, at the first run."""

    def rows(self, session: Session, parameters: Mapping[str, Any] | None = None) -> list[Row]:
        """All rows, as tuples in the statement's column order."""
        cursor = driver_connection(session).cursor()
        try:
            cursor.execute(
                self.sql, {**self._defaults, **(parameters or {})}, prepare=_prepare(cursor)
            )
            result = cursor.pgresult
            if result is None or result.status != pq.ExecStatus.TUPLES_OK:  # SET and the like
                return []
            # (not `cursor.description`, which builds a column object per column each time)
            rows: list[Row] = cursor.fetchall()
            if self._processors is None:
                self._processors = [
                    (i, processor)
                    for i, (type_, column) in enumerate(
                        zip(self._types, cursor.description or (), strict=True)
                    )
                    if (processor := type_._cached_result_processor(DIALECT, column.type_code))
                    is not None
                ]
        finally:
            cursor.close()
        if self._processors:
            rows = [self._processed(row) for row in rows]
        return rows

    def _processed(self, row: Row) -> Row:
        """The row with its few converted columns converted (a figure has 2 of 33)."""
        values = list(row)
        for i, processor in self._processors or ():
            values[i] = processor(values[i])
        return tuple(values)

    def scalar(self, session: Session, parameters: Mapping[str, Any] | None = None) -> Any:
        rows = self.rows(session, parameters)
        return rows[0][0] if rows else None


def driver_connection(session: Session) -> psycopg.Connection[Any]:
    """The psycopg connection under the session's transaction (begun if it was not): the
    statements run in the request's one transaction, on the server the session chose."""
    connection: psycopg.Connection[Any] = session.connection().connection.driver_connection  # type: ignore[assignment]
    return connection


def _prepare(cursor: psycopg.Cursor[Any]) -> bool:
    """Prepared on the server from the first run, unless prepared statements are off
    (behind a transaction pooler, app/db/engine.py)."""
    return cursor.connection.prepare_threshold is not None
