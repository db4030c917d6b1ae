"""uvicorn's HTTP protocol with a deadline on each request's head.

uvicorn bounds idle keep-alive connections but not a request line and headers that arrive
slowly, or a connection that opens and sends nothing: each such client holds a connection
forever. Here the head of every request must be complete within `header_timeout_seconds` of
the connection opening (first request) or of its first byte (later requests), or the
connection is closed. Bodies have their own deadline (`RequestBodyMiddleware`).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from uvicorn.config import Config
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
from uvicorn.server import ServerState

from app.config import get_settings

log = logging.getLogger("crsv.http")


class HeaderTimeoutProtocol(HttpToolsProtocol):
    """`HttpToolsProtocol` (uvicorn's default with `uvicorn[standard]`) plus a head deadline."""

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self.header_timeout = get_settings().header_timeout_seconds
        self.header_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._arm()

    def on_headers_complete(self) -> None:
        self._disarm()
        super().on_headers_complete()

    def _arm(self) -> None:
        """Start the clock unless it runs already (the first request's runs from connecting)."""
        if self.header_deadline is None:
            self.header_deadline = self.loop.call_later(self.header_timeout, self._expire)

    def _disarm(self) -> None:
        if self.header_deadline is not None:
            self.header_deadline.cancel()
            self.header_deadline = None

    def _expire(self) -> None:
        self.header_deadline = None
        if not self.transport.is_closing():
            log.info("closed a connection whose request head took over %gs", self.header_timeout)
            self.transport.close()
