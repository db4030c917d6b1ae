"""Serialise streamed rows as JSON or XLSX (CSV and NDJSON come from COPY: exports/copy.py)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from enum import Enum
from typing import Any

import orjson

from app.queries.columns import ExportColumn

CHUNK_ROWS = 500


MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "ndjson": "application/x-ndjson",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "geojson": "application/geo+json",
}


def _cell(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return value


def json_chunks(columns: Sequence[ExportColumn], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """One JSON array, written piece by piece; nothing is yielded before the first rows are read,
    so a query that fails at once fails before the response starts (files.started)."""
    names = [column.name for column in columns]
    first = True
    chunk: list[bytes] = []
    for row in rows:
        chunk.append(orjson.dumps(dict(zip(names, row, strict=True))))
        if len(chunk) == CHUNK_ROWS:
            yield (b"[" if first else b",") + b",".join(chunk)
            first, chunk = False, []
    if chunk:
        yield (b"[" if first else b",") + b",".join(chunk) + b"]"
    else:
        yield b"[]" if first else b"]"


def xlsx_chunks(
    columns: Sequence[ExportColumn], rows: Iterable[Sequence[Any]], *, sheet: str
) -> Iterator[bytes]:
    """An XLSX workbook. The format is a zip, so it is built in a temporary file (xlsxwriter's
    constant-memory mode keeps one row in memory), then streamed."""
    import xlsxwriter  # only here: 3 MB that each server process need not hold until asked

    with tempfile.TemporaryFile() as spool:
        workbook = xlsxwriter.Workbook(spool, {"constant_memory": True, "in_memory": False})
        try:
            worksheet = workbook.add_worksheet(sheet[:31])
            bold = workbook.add_format({"bold": True})
            worksheet.write_row(0, 0, [column.name for column in columns], bold)
            for index, row in enumerate(rows, start=1):
                worksheet.write_row(index, 0, [_cell(v) for v in row])
        finally:
            workbook.close()  # also when the rows fail: it holds a temporary file per sheet
        spool.seek(0)
        while block := spool.read(1 << 16):
            yield block


def chunks(
    fmt: str, columns: Sequence[ExportColumn], rows: Iterable[Sequence[Any]], *, dataset: str
) -> Iterator[bytes]:
    """JSON or XLSX from rows (CSV and NDJSON are written by PostgreSQL: exports/copy.py)."""
    if fmt == "json":
        return json_chunks(columns, rows)
    return xlsx_chunks(columns, rows, sheet=dataset)
