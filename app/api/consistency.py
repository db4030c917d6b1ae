"""The `Consistency-Token` header on committed writes (only when replicas are configured).

The request's session (app/api/session.py) records the WAL position its commit reached in the
request's state, before the response starts; this middleware copies it into the response's
headers, whatever kind of response the route returned.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.session import CONSISTENCY_HEADER


class ConsistencyTokenMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return

        async def send_with_token(message: Message) -> None:
            if message["type"] == "http.response.start":
                token = scope.get("state", {}).get("consistency_token")
                if token:
                    MutableHeaders(scope=message)[CONSISTENCY_HEADER] = token
            await send(message)

        await self.app(scope, receive, send_with_token)
