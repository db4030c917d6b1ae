"""How routes answer: JSON pages with a `Link` header, or the whole selection streamed as a
file when the client asks for CSV or NDJSON (app/api/negotiation.py chooses)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

from fastapi import Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response, StreamingResponse

from app.api.caching import cache_control
from app.api.head import is_head
from app.api.negotiation import ListRepresentation
from app.api.responses import JSONBytesResponse
from app.api.session import read_engine
from app.exports import geojson
from app.exports.files import file_chunks, started
from app.exports.writers import MEDIA_TYPES
from app.kit.etag import etag_for, matches
from app.queries.datasets import Criteria, described
from app.queries.facets import facet_counts, parse_facets
from app.queries.listing import Page, PageRequest, list_page
from app.queries.pages import json_page, shaped
from app.queries.selection import Selection
from app.queries.versions import data_version


def page_response(
    request: Request,
    page: Page,
    body: dict[str, Any] | None = None,
    media_type: str | None = None,
) -> JSONBytesResponse:
    """A list page (`body`, by default the JSON page) with a `Link` to the next one."""
    headers = {}
    if page.next_cursor:
        next_url = request.url.include_query_params(cursor=page.next_cursor)
        headers["Link"] = f'<{next_url}>; rel="next"'
    return JSONBytesResponse(
        page.body() if body is None else body, headers=headers, media_type=media_type
    )


def item_response(item: dict[str, Any]) -> JSONBytesResponse:
    return JSONBytesResponse(item)


def list_response(
    request: Request,
    session: Session,
    criteria: Criteria,
    page: PageRequest,
    representation: ListRepresentation,
    facets: str | None = None,
) -> Response:
    """One JSON page, or (negotiated: 'csv', 'ndjson') the whole selection as a file.

    `facets` adds counts per value of those filters to the page (a file holds rows only,
    but the names are checked all the same)."""
    faceted = parse_facets(criteria.dataset, facets)
    fmt = representation.fmt
    if fmt is None and not faceted and (resolved := criteria.bound(session)) is not None:
        return page_response(request, json_page(session, criteria.dataset, resolved, page))
    selection = criteria.resolve(session)
    if fmt is not None and fmt != "geojson":
        return export_response(request, criteria.dataset, selection, fmt, bom=representation.bom)
    declared = described(criteria.dataset)
    if fmt is None and shaped(selection):
        found = json_page(session, criteria.dataset, selection.values, page)
    else:
        total = declared.total(selection)
        spec = declared.geo_spec if fmt == "geojson" else declared.spec
        found = list_page(session, spec, selection.conditions, page, q=selection.q, total=total)
    body = geojson.page_collection(criteria.dataset, found) if fmt == "geojson" else found.body()
    if faceted:
        body = {**body, "facets": facet_counts(session, criteria.dataset, selection, faceted)}
    return page_response(request, found, body, geojson.MEDIA_TYPE if fmt == "geojson" else None)


async def _closing(chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
    """Pull chunks in a worker thread; close the source (and its cursor) however we stop."""
    try:
        while (chunk := await run_in_threadpool(next, chunks, None)) is not None:
            yield chunk
    finally:
        await run_in_threadpool(getattr(chunks, "close", lambda: None))


def file_etag(request: Request, name: str) -> str:
    """An ETag for a streamed file: what was asked, and the version of the data.

    `name` carries the format, so two Accept headers that choose the same file share its ETag.
    """
    query = "&".join(f"{k}={v}" for k, v in sorted(request.query_params.multi_items()))
    with read_engine(request).connect() as connection:
        version = data_version(connection).number
    return etag_for(f"{name}|{query}|{version}".encode())


def not_modified(request: Request, etag: str) -> Response | None:
    """A 304 when the client already holds this version of the file."""
    if_none_match = request.headers.get("if-none-match")
    if if_none_match and matches(if_none_match, etag):
        return Response(
            status_code=304, headers={"ETag": etag, "Cache-Control": cache_control(request)}
        )
    return None


def export_response(
    request: Request,
    dataset: str,
    selection: Selection,
    fmt: str,
    *,
    hxl: bool = False,
    bom: bool = False,
    given: Sequence[tuple[str, str]] = (),
) -> Response:
    """The file; `given` are the filter parameters as given, which an XLSX's cover lists."""
    etag = file_etag(request, f"{dataset}.{fmt}")
    cached = not_modified(request, etag)
    if cached is not None:
        return cached
    body = file_chunks(
        read_engine(request),
        dataset,
        selection,
        fmt,
        hxl=hxl,
        bom=bom,
        given=given,
        timeout_ms=request.app.state.settings.db_export_timeout_ms,
    )
    return file_response(request, body, fmt, f"crsv-{dataset}.{fmt}", etag)


def file_response(
    request: Request, body: Iterator[bytes], fmt: str, filename: str, etag: str
) -> StreamingResponse:
    if is_head(request):
        # the headers of the streamed GET without running its query: one empty chunk
        # still makes the response a stream (chunked, gzip-encoded when accepted)
        getattr(body, "close", lambda: None)()
        body = iter((b"",))
    return StreamingResponse(
        _closing(started(body)),
        media_type=MEDIA_TYPES.get(fmt, "application/zip"),
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "ETag": etag,
            "Cache-Control": cache_control(request),
        },
    )
