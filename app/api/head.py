"""HEAD on every GET route (RFC 9110 §9.3.2): the GET's status and headers, without the body.

FastAPI routes answer only the methods they declare, so a HEAD is served here as the GET it
mirrors: every route, the conditional-GET and gzip layers, and the OpenAPI document (which
lists each operation once) stay as they are. A streamed file must not be produced just to be
dropped: its builder asks `is_head` and skips the query.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEAD_KEY = "crsv.head"
"""Set in the scope of a HEAD served as a GET."""


def is_head(request: Request) -> bool:
    """True when the client asked for HEAD: the body will be dropped, so don't make it."""
    return bool(request.scope.get(HEAD_KEY, False))


class HeadMiddleware:
    """Runs a HEAD as a GET and sends its start message with one empty body message."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        # a copy: the server still knows the request as a HEAD and expects no body
        as_get = {**scope, "method": "GET", HEAD_KEY: True}
        body_sent = False

        async def send_without_body(message: Message) -> None:
            nonlocal body_sent
            if message["type"] == "http.response.body":
                if body_sent:
                    return
                body_sent = True
                message = {"type": "http.response.body", "body": b"", "more_body": False}
            await send(message)

        await self.app(as_get, receive, send_without_body)
