"""How list and detail routes answer: JSON bytes, a `Link` header for the next page."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from app.api.responses import JSONBytesResponse
from app.queries.listing import Page


def page_response(request: Request, page: Page) -> JSONBytesResponse:
    headers = {}
    if page.next_cursor:
        next_url = request.url.include_query_params(cursor=page.next_cursor)
        headers["Link"] = f'<{next_url}>; rel="next"'
    return JSONBytesResponse(page.body(), headers=headers)


def item_response(item: dict[str, Any]) -> JSONBytesResponse:
    return JSONBytesResponse(item)
