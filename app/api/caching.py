"""Conditional GET for every JSON response: an ETag from the body, 304 on `If-None-Match`.

Implemented as pure ASGI middleware so each route stays free of caching code. Responses sent in
one piece get an ETag; streamed ones (exports) pass through untouched.
"""

from __future__ import annotations

from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.kit.etag import etag_for, matches

READ_CACHE_CONTROL = "public, max-age=300, stale-while-revalidate=60"
PRIVATE_CACHE_CONTROL = "private, no-cache"
"""For requests made with a key: what one client may see must not sit in a shared cache."""


def cache_control(request: Request) -> str:
    return PRIVATE_CACHE_CONTROL if "authorization" in request.headers else READ_CACHE_CONTROL


class ConditionalGetMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        request_headers = Headers(scope=scope)
        if_none_match = request_headers.get("if-none-match")
        cache_control = (
            PRIVATE_CACHE_CONTROL if "authorization" in request_headers else READ_CACHE_CONTROL
        )
        start: Message | None = None
        passthrough = False

        async def send_with_etag(message: Message) -> None:
            nonlocal start, passthrough
            if passthrough:
                await send(message)
                return
            if message["type"] == "http.response.start":
                start = message
                return
            assert start is not None
            if message.get("more_body", False) or start["status"] != 200:
                passthrough = True  # streamed or not a success: nothing to validate
                await send(start)
                await send(message)
                return
            body: bytes = message.get("body", b"")
            headers = MutableHeaders(scope=start)
            etag = headers.get("etag") or etag_for(body)
            headers["ETag"] = etag
            if "cache-control" not in headers:
                headers["Cache-Control"] = cache_control
            if if_none_match and matches(if_none_match, etag):
                not_modified = {
                    "type": "http.response.start",
                    "status": 304,
                    "headers": _not_modified_headers(headers),
                }
                await send(not_modified)
                await send({"type": "http.response.body", "body": b""})
                return
            await send(start)
            await send(message)

        await self.app(scope, receive, send_with_etag)


def _not_modified_headers(headers: MutableHeaders) -> list[tuple[bytes, bytes]]:
    keep = {"etag", "cache-control", "vary", "x-request-id", "link", "content-location"}
    return [(k, v) for k, v in headers.raw if k.decode("latin-1").lower() in keep]
