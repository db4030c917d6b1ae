"""JSON responses rendered by orjson: fast, and dates and enums serialise natively."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import Response


def dumps(content: Any) -> bytes:
    return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)


class JSONBytesResponse(Response):
    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return dumps(content)
