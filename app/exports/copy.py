"""CSV and NDJSON files written by PostgreSQL itself (`COPY ... TO STDOUT`), streamed as they come.

The server renders every value (as text for CSV, with `row_to_json` for NDJSON), so Python only
moves bytes: an export runs near the speed of COPY, in flat memory, whatever its size.
PostgreSQL sends each row of a COPY as one message, so a row's end is known without parsing it.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Engine, Select, Text, cast, func, select

from app.exports.stream import export_statement
from app.queries.columns import ExportColumn
from app.queries.datasets import described
from app.queries.listing import AnySelect
from app.queries.selection import Selection

COPY_FORMATS = frozenset({"csv", "ndjson"})
BLOCK_BYTES = 1 << 16
"""Rows are sent on in blocks of about this size."""
BOM = codecs.BOM_UTF8
"""Leads a CSV asked with `bom`: Excel on Windows reads a file as UTF-8 only when it starts so
(otherwise it guesses the ANSI code page, and ’ “ é become mojibake)."""

COPY_OPTIONS = {
    "csv": "FORMAT csv",
    # one JSON document per line, untouched: JSON text holds no raw control character, so
    # COPY never quotes a document with these two control characters as quote and delimiter
    "ndjson": "FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02'",
}


def csv_statement(dataset: str, selection: Selection) -> Select[Any]:
    """Every value as PostgreSQL's text (ISO dates, plain numbers); '' as NULL, so that both
    are an empty cell, unquoted, as Python's csv module writes them."""
    typed = export_statement(dataset, selection)
    return typed.with_only_columns(
        *(
            func.nullif(cast(column.expression, Text), "").label(column.name)
            for column in described(dataset).columns
        )
    )


def ndjson_statement(dataset: str, selection: Selection) -> Select[Any]:
    """One JSON object per row, keys in column order, compact, as `row_to_json` writes it."""
    row = export_statement(dataset, selection).subquery("row")
    return select(cast(func.row_to_json(row.table_valued()), Text))


def header(columns: Sequence[ExportColumn], *, hxl: bool) -> bytes:
    """The CSV header line, and with `hxl` the line of HXL hashtags under it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.name for column in columns])
    if hxl:
        writer.writerow([column.hxl or "" for column in columns])
    return buffer.getvalue().encode("utf-8")


def copy_file(
    engine: Engine,
    dataset: str,
    selection: Selection,
    fmt: str,
    *,
    hxl: bool = False,
    bom: bool = False,
    timeout_ms: int = 0,
) -> Iterator[bytes]:
    """The whole selection as a CSV (RFC 4180: CRLF, quotes doubled) or NDJSON file.

    `bom` starts a CSV with the UTF-8 byte-order mark, for spreadsheets that need it.
    Closing the iterator early (the client went away) cancels the COPY on the server.
    `timeout_ms` bounds the whole COPY (0: no bound); the API's per-statement timeout would
    cut a large file short.
    """
    if fmt == "csv":
        statement = csv_statement(dataset, selection)
        head = (BOM if bom else b"") + header(described(dataset).columns, hxl=hxl)
        yield from _copy(engine, statement, "csv", timeout_ms, b"\r\n", head)
    else:
        yield from _copy(engine, ndjson_statement(dataset, selection), "ndjson", timeout_ms, b"\n")


def copy_csv(
    engine: Engine,
    statement: AnySelect,
    columns: Sequence[ExportColumn],
    *,
    timeout_ms: int = 0,
) -> Iterator[bytes]:
    """Any SELECT as a CSV with `columns` as its header (the Data Package's link tables)."""
    yield from _copy(engine, statement, "csv", timeout_ms, b"\r\n", header(columns, hxl=False))


def _copy(
    engine: Engine,
    statement: Select[Any],
    fmt: str,
    timeout_ms: int,
    row_end: bytes,
    head: bytes = b"",
) -> Iterator[bytes]:
    """The COPY's rows in blocks, `head` leading the first: nothing is yielded before the COPY
    has started sending, so a query that fails at once fails before the response starts."""
    compiled = statement.compile(
        dialect=engine.dialect, compile_kwargs={"render_postcompile": True}
    )
    sql = f"COPY ({compiled}) TO STDOUT ({COPY_OPTIONS[fmt]})"
    pooled = engine.raw_connection()
    try:
        connection = pooled.driver_connection
        assert connection is not None
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('statement_timeout', %s, true)", [str(timeout_ms)])
            with cursor.copy(sql, compiled.params) as copy:
                rows: list[bytes] = []
                size = 0
                for row in copy:  # one row per message, ending in LF
                    rows.append(bytes(row[:-1]))
                    size += len(row)
                    if size >= BLOCK_BYTES:
                        yield head + row_end.join(rows) + row_end
                        rows.clear()
                        size, head = 0, b""
                if rows:
                    yield head + row_end.join(rows) + row_end
                elif head:
                    yield head
        connection.commit()
    except BaseException:
        pooled.invalidate()  # a cancelled or failed COPY: never hand this connection out again
        raise
    finally:
        pooled.close()
