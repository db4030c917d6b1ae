"""The one way an export file is made, whatever the format and whoever asks (API, CLI, package).

CSV and NDJSON are written by PostgreSQL (app/exports/copy.py); JSON and XLSX from rows read on
a server-side cursor (app/exports/stream.py, app/exports/writers.py). Closing the iterator early
releases the connection and stops the query.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Sequence

from sqlalchemy import Engine

from app.exports.copy import COPY_FORMATS, copy_file
from app.exports.cover import read_cover
from app.exports.geojson import geojson_chunks
from app.exports.stream import export_statement, stream_rows
from app.exports.writers import json_chunks
from app.exports.xlsx import xlsx_chunks
from app.queries.datasets import described
from app.queries.selection import Selection


def file_chunks(
    engine: Engine,
    dataset: str,
    selection: Selection,
    fmt: str,
    *,
    hxl: bool = False,
    bom: bool = False,
    given: Sequence[tuple[str, str]] = (),
    timeout_ms: int = 0,
) -> Generator[bytes, None, None]:
    """The export of `selection` as `fmt` (csv, ndjson, json, xlsx, or geojson for a mappable
    dataset), in chunks of bytes.

    `hxl` adds the HXL hashtag row to a CSV, `bom` the UTF-8 byte-order mark before it;
    `given` are the filter parameters as the client gave them, which a workbook's first sheet
    lists; `timeout_ms` bounds a COPY (0: no bound).
    """
    if fmt in COPY_FORMATS:
        yield from copy_file(
            engine, dataset, selection, fmt, hxl=hxl, bom=bom, timeout_ms=timeout_ms
        )
        return
    if fmt == "geojson":
        yield from geojson_chunks(engine, dataset, selection)
        return
    columns = described(dataset).columns
    cover = read_cover(engine, dataset, given) if fmt == "xlsx" else None
    rows = stream_rows(engine, export_statement(dataset, selection))
    try:
        if cover is None:
            yield from json_chunks(columns, rows)
        else:
            yield from xlsx_chunks(columns, rows, cover)
    finally:
        rows.close()  # ends the server-side cursor even if the client left early


def started(chunks: Iterator[bytes]) -> Iterator[bytes]:
    """`chunks` with its query already running: the first chunk is made now, by the caller.

    A route calls this before it answers, so a query that fails (a timeout, a lock, a refused
    value) is an error response instead of a 200 cut off mid-file: every producer here yields
    nothing before its query has sent rows or ended. Closing the result closes `chunks`.
    """
    first = next(chunks, None)  # an exception here has already closed `chunks`
    return _resume(first, chunks)


def _resume(first: bytes | None, chunks: Iterator[bytes]) -> Generator[bytes, None, None]:
    try:
        if first is not None:
            yield first
            yield from chunks
    finally:
        getattr(chunks, "close", lambda: None)()
