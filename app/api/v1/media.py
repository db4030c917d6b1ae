"""The media types a write body may have: JSON (and, for PATCH, JSON merge patch); else 415.

FastAPI reads a body of any other type as bytes and reports it as an invalid body (422), which
tells the client to fix fields when it should fix its Content-Type header.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import Request

from app.errors import Problem

JSON = "application/json"
MERGE_PATCH = "application/merge-patch+json"


def media_type(request: Request) -> str:
    """The Content-Type without its parameters (`; charset=utf-8`), lower-case; "" if none."""
    return request.headers.get("content-type", "").split(";", 1)[0].strip().lower()


def accepting(*media_types: str) -> Callable[[Request], Awaitable[None]]:
    """A dependency refusing a body of another media type with 415.

    Async because it does no I/O: a sync dependency would cost every write a thread hop.
    """
    listed = ", ".join(media_types)
    # RFC 5789 names the header that lists what a PATCH accepts; POST has its registered twin
    advertised = {"PATCH": "Accept-Patch", "POST": "Accept-Post"}

    async def dependency(request: Request) -> None:
        if media_type(request) not in media_types:
            header = advertised.get(request.method)
            raise Problem(
                415,
                f"Send the body as {listed} (Content-Type header).",
                slug="unsupported-media-type",
                headers={header: listed} if header else None,
            )

    return dependency


json_body = accepting(JSON)
patch_body = accepting(MERGE_PATCH, JSON)
