"""JSON responses rendered by orjson: fast, and dates and enums serialise natively."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from app.kit.json import dumps


class JSONBytesResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return dumps(content)
