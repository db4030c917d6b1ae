"""Serialise streamed rows as JSON (CSV and NDJSON come from COPY: exports/copy.py; XLSX from
exports/xlsx.py), and the media type of every format."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import orjson

from app.queries.columns import ExportColumn

CHUNK_ROWS = 500


MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "ndjson": "application/x-ndjson",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


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
