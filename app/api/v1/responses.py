"""How routes answer: JSON pages with a `Link` header, or the whole selection streamed as a
file when the client asks for CSV or NDJSON."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

from fastapi import Request
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response, StreamingResponse

from app.api.responses import JSONBytesResponse
from app.exports.columns import COLUMNS
from app.exports.stream import export_statement, stream_rows
from app.exports.writers import MEDIA_TYPES, chunks
from app.queries.listing import Page, PageRequest, list_page
from app.queries.selection import DATASETS, Selection

NEGOTIABLE = {"application/json": None, "text/csv": "csv", "application/x-ndjson": "ndjson"}


def negotiated_format(request: Request) -> str | None:
    """'csv' or 'ndjson' when the Accept header prefers it to JSON, else None (JSON)."""
    accept = request.headers.get("accept", "")
    for part in accept.split(","):
        media_type = part.split(";")[0].strip().lower()
        if media_type in NEGOTIABLE:
            return NEGOTIABLE[media_type]
    return None


def page_response(request: Request, page: Page) -> JSONBytesResponse:
    headers = {}
    if page.next_cursor:
        next_url = request.url.include_query_params(cursor=page.next_cursor)
        headers["Link"] = f'<{next_url}>; rel="next"'
    return JSONBytesResponse(page.body(), headers=headers)


def item_response(item: dict[str, Any]) -> JSONBytesResponse:
    return JSONBytesResponse(item)


def list_response(
    request: Request, session: Session, dataset: str, selection: Selection, page: PageRequest
) -> Response:
    fmt = negotiated_format(request)
    if fmt is not None:
        return export_response(request.app.state.engine, dataset, selection, fmt)
    spec = DATASETS[dataset].spec
    return page_response(
        request, list_page(session, spec, selection.conditions, page, q=selection.q)
    )


async def _closing(chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
    """Pull chunks in a worker thread; close the source (and its cursor) however we stop."""
    try:
        while (chunk := await run_in_threadpool(next, chunks, None)) is not None:
            yield chunk
    finally:
        await run_in_threadpool(getattr(chunks, "close", lambda: None))


def export_response(
    engine: Engine, dataset: str, selection: Selection, fmt: str, *, hxl: bool = False
) -> StreamingResponse:
    rows = stream_rows(engine, export_statement(dataset, selection))

    def body() -> Iterator[bytes]:
        try:
            yield from chunks(fmt, COLUMNS[dataset], rows, dataset=dataset, hxl=hxl)
        finally:
            rows.close()  # ends the server-side cursor even if the client left early

    return file_response(body(), fmt, f"crsv-{dataset}.{fmt}")


def file_response(body: Iterator[bytes], fmt: str, filename: str) -> StreamingResponse:
    return StreamingResponse(
        _closing(body),
        media_type=MEDIA_TYPES.get(fmt, "application/zip"),
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
