"""Pure ASGI middleware: request ids and access logs, request bodies, concurrency limit."""

from __future__ import annotations

import logging
import re
import time
import uuid

import anyio
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.problems import problem_response
from app.errors import Problem
from app.logging import request_id_var

log = logging.getLogger("crsv.access")

_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")


class RequestContextMiddleware:
    """Accepts a well-formed incoming `X-Request-ID` or makes one, and logs each request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message)["X-Request-ID"] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            duration_ms = round((time.perf_counter() - started) * 1000, 2)
            log.info(
                "%s %s %s %.2fms",
                scope["method"],
                scope["path"],
                status,
                duration_ms,
                extra={
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": duration_ms,
                },
            )
            request_id_var.reset(token)


class RequestBodyMiddleware:
    """Read the whole request body up front, bounded in size (413) and in time (408).

    It runs before a request takes a concurrency slot, so a client that sends its body slowly,
    or never finishes it, holds a cheap waiting task and no slot. A declared Content-Length is
    checked before anything is read. Write bodies are small JSON documents, so buffering them is
    fine; the app then reads them from memory.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, timeout_seconds: float) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.timeout_seconds = timeout_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        problem = await self._read(scope, receive, messages)
        if problem is not None:
            await problem_response(problem, Request(scope))(scope, receive, send)
            return

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    async def _read(
        self, scope: Scope, receive: Receive, messages: list[Message]
    ) -> Problem | None:
        """Collect the body's messages into `messages`, or say why it is refused."""
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            return self._too_large()
        size = 0
        with anyio.move_on_after(self.timeout_seconds):
            while True:
                message = await receive()
                messages.append(message)
                size += len(message.get("body", b""))
                if size > self.max_bytes:
                    return self._too_large()
                if message["type"] != "http.request" or not message.get("more_body", False):
                    return None
        return self._too_slow()

    def _too_large(self) -> Problem:
        return Problem(
            413,
            f"The request body is larger than {self.max_bytes} bytes.",
            slug="body-too-large",
            title="Content Too Large",
            # the unread rest may be megabytes: close rather than drain it for a next request
            headers={"Connection": "close"},
        )

    def _too_slow(self) -> Problem:
        # the rest of the body may still be on its way: close rather than read it as a request
        return Problem(
            408,
            f"The request body did not arrive within {self.timeout_seconds:g} seconds.",
            slug="body-timeout",
            headers={"Connection": "close"},
        )


class ConcurrencyLimitMiddleware:
    """At most `limit` requests inside the app at once; the others wait their turn, in order.

    A request holds its pooled connection from its first query to its end, across the
    thread-pool hops of its sync route and of its session's end. Without a bound, a burst
    larger than the pool starts more requests than there are connections and some time out
    waiting for one (a 503 under a 50-connection load). Waiting here instead costs latency,
    not errors. Streamed responses (exports) hold their place until the last byte is sent.
    Paths in `exempt` (the liveness probe, which touches no dependency) never wait: a busy
    process is still alive.
    """

    def __init__(self, app: ASGIApp, limit: int, exempt: frozenset[str] = frozenset()) -> None:
        self.app = app
        self.limit = limit
        self.exempt = exempt
        self._slots: anyio.Semaphore | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.exempt:
            await self.app(scope, receive, send)
            return
        if self._slots is None:  # made on first use, inside the server's event loop
            self._slots = anyio.Semaphore(self.limit, fast_acquire=True)
        async with self._slots:
            await self.app(scope, receive, send)
