"""Serialise streamed rows as CSV (optionally with an HXL row), NDJSON, JSON or XLSX."""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from enum import Enum
from itertools import islice
from typing import Any

import orjson
import xlsxwriter

from app.exports.columns import ExportColumn

CHUNK_ROWS = 500

TEXT_FORMATS = frozenset({"csv"})
"""Formats that take their rows as text (`export_statement(..., as_text=True)`)."""

MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "ndjson": "application/x-ndjson",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _cell(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return value


def csv_chunks(
    columns: Sequence[ExportColumn], rows: Iterable[Sequence[str | None]], *, hxl: bool = False
) -> Iterator[bytes]:
    """RFC 4180 CSV (CRLF, quotes doubled), UTF-8; with `hxl`, hashtags under the header.

    `rows` hold text or None (an empty cell), as `export_statement(..., as_text=True)` gives:
    the csv module then writes a chunk of rows in one call, without Python work per value.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([column.name for column in columns])
    if hxl:
        writer.writerow([column.hxl or "" for column in columns])
    rows = iter(rows)
    while True:
        chunk = list(islice(rows, CHUNK_ROWS))
        writer.writerows(chunk)
        yield buffer.getvalue().encode("utf-8")
        if len(chunk) < CHUNK_ROWS:
            return
        buffer.seek(0)
        buffer.truncate()


def ndjson_chunks(
    columns: Sequence[ExportColumn], rows: Iterable[Sequence[Any]]
) -> Iterator[bytes]:
    names = [column.name for column in columns]
    chunk: list[bytes] = []
    for row in rows:
        chunk.append(orjson.dumps(dict(zip(names, row, strict=True))))
        if len(chunk) == CHUNK_ROWS:
            yield b"\n".join(chunk) + b"\n"
            chunk = []
    if chunk:
        yield b"\n".join(chunk) + b"\n"


def json_chunks(columns: Sequence[ExportColumn], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """One JSON array, written piece by piece."""
    names = [column.name for column in columns]
    yield b"["
    first = True
    chunk: list[bytes] = []
    for row in rows:
        chunk.append(orjson.dumps(dict(zip(names, row, strict=True))))
        if len(chunk) == CHUNK_ROWS:
            yield (b"" if first else b",") + b",".join(chunk)
            first, chunk = False, []
    if chunk:
        yield (b"" if first else b",") + b",".join(chunk)
    yield b"]"


def xlsx_chunks(
    columns: Sequence[ExportColumn], rows: Iterable[Sequence[Any]], *, sheet: str
) -> Iterator[bytes]:
    """An XLSX workbook. The format is a zip, so it is built in a temporary file (xlsxwriter's
    constant-memory mode keeps one row in memory), then streamed."""
    with tempfile.TemporaryFile() as spool:
        workbook = xlsxwriter.Workbook(spool, {"constant_memory": True, "in_memory": False})
        worksheet = workbook.add_worksheet(sheet[:31])
        bold = workbook.add_format({"bold": True})
        worksheet.write_row(0, 0, [column.name for column in columns], bold)
        for index, row in enumerate(rows, start=1):
            worksheet.write_row(index, 0, [_cell(v) for v in row])
        workbook.close()
        spool.seek(0)
        while block := spool.read(1 << 16):
            yield block


def chunks(
    fmt: str,
    columns: Sequence[ExportColumn],
    rows: Iterable[Sequence[Any]],
    *,
    dataset: str,
    hxl: bool = False,
) -> Iterator[bytes]:
    if fmt == "csv":
        return csv_chunks(columns, rows, hxl=hxl)
    if fmt == "ndjson":
        return ndjson_chunks(columns, rows)
    if fmt == "json":
        return json_chunks(columns, rows)
    return xlsx_chunks(columns, rows, sheet=dataset)
