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
from sqlalchemy.dialects.postgresql.psycopg import PGDialect_psycopg
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement
from sqlalchemy.sql.compiler import SQLCompiler

DIALECT: Dialect = PGDialect_psycopg()  # type: ignore[no-untyped-call]
"""The engine's dialect (postgresql+psycopg), for compiling outside a connection."""

Row = tuple[Any, ...]
RowProcessor = Callable[[Any], Any] | None


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
        self._processors: list[RowProcessor] | None = None
        """Each column's conversion (e.g. text to enum), known once the server has said
        what each column's type is: at the first run."""

    def rows(self, session: Session, parameters: Mapping[str, Any] | None = None) -> list[Row]:
        """All rows, as tuples in the statement's column order."""
        cursor = driver_connection(session).cursor()
        try:
            cursor.execute(
                self.sql, {**self._defaults, **(parameters or {})}, prepare=_prepare(cursor)
            )
            if cursor.description is None:  # SET and the like
                return []
            rows: list[Row] = cursor.fetchall()
            if self._processors is None:
                self._processors = [
                    type_._cached_result_processor(DIALECT, column.type_code)
                    for type_, column in zip(self._types, cursor.description, strict=True)
                ]
        finally:
            cursor.close()
        processors = self._processors
        if any(p is not None for p in processors):
            rows = [
                tuple(p(v) if p is not None else v for p, v in zip(processors, row, strict=True))
                for row in rows
            ]
        return rows

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
