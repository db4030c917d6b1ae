"""JSON as the API sends it: orjson bytes (dates and enums serialise natively), and RFC 6901
pointers into a JSON document."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson


def dumps(content: Any) -> bytes:
    return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)


def json_pointer(path: Sequence[object]) -> str:
    """RFC 6901: '/'-joined parts, with '~' and '/' inside a part escaped; "" is the whole body."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)
