"""Proactive content negotiation (RFC 9110 §12.5.1) for routes that offer several media types.

List routes answer a JSON page, or the whole selection as CSV or NDJSON. The `Accept` header
chooses, q-values included (`text/csv;q=0` is never chosen). Every response of such a route
says `Vary: Accept` so caches keep the representations apart.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.api.v1.params import Bom
from app.errors import Problem

LIST_MEDIA_TYPES = {"application/json": None, "text/csv": "csv", "application/x-ndjson": "ndjson"}
"""What a list route offers, and the export format of each; the first wins a tie."""

VARIES_BY_ACCEPT = "crsv.varies_by_accept"
"""Set in the scope once a route has looked at `Accept`."""

_QVALUE = re.compile(r"^(?:0(?:\.\d{0,3})?|1(?:\.0{0,3})?)$")
_TOKEN = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


@dataclass(frozen=True)
class MediaRange:
    type: str
    subtype: str
    q: float
    position: int

    def specificity(self, media_type: str) -> int | None:
        """How closely this range names `media_type`: 2 exactly, 1 `type/*`, 0 `*/*`; None if
        it does not match."""
        kind, _, sub = media_type.partition("/")
        if self.type == "*":
            return 0
        if self.type != kind:
            return None
        if self.subtype == "*":
            return 1
        return 2 if self.subtype == sub else None


def parse_accept(header: str) -> list[MediaRange]:
    """The media ranges of an Accept header; malformed ones are skipped, not fatal."""
    ranges = []
    for position, part in enumerate(header.split(",")):
        media_range, *parameters = (piece.strip() for piece in part.split(";"))
        kind, slash, sub = media_range.lower().partition("/")
        if not (slash and _TOKEN.match(kind) and _TOKEN.match(sub)) or (kind == "*" != sub):
            continue
        q = 1.0
        for parameter in parameters:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                q = float(value.strip()) if _QVALUE.match(value.strip()) else -1.0
        if q >= 0:
            ranges.append(MediaRange(kind, sub, q, position))
    return ranges


def preferred(header: str | None, offered: Sequence[str]) -> str | None:
    """The offered media type the client prefers, or None when it accepts none of them.

    Each offer takes the q of the most specific range naming it. The highest q wins; on a
    tie, an exact range beats a wildcard, then the range listed first, then `offered` order.
    No header, or one without any valid range, accepts anything.
    """
    ranges = parse_accept(header) if header else []
    if not ranges:
        return offered[0] if offered else None
    best: tuple[float, int, int, int] | None = None
    chosen = None
    for order, media_type in enumerate(offered):
        matching = [
            (specificity, -accepted.position, accepted)
            for accepted in ranges
            if (specificity := accepted.specificity(media_type)) is not None
        ]
        if not matching:
            continue
        specificity, first, accepted = max(matching, key=lambda match: match[:2])
        rank = (accepted.q, specificity, first, -order)
        if accepted.q > 0 and (best is None or rank > best):
            best, chosen = rank, media_type
    return chosen


class NotAcceptable(Problem):
    def __init__(self, offered: Sequence[str]) -> None:
        super().__init__(
            406,
            f"None of the media types this resource offers is acceptable: {', '.join(offered)}.",
            slug="not-acceptable",
            title="Not Acceptable",
            extensions={"available": list(offered)},
        )


async def list_format(request: Request) -> str | None:
    """The export format a list route answers in ('csv', 'ndjson'), or None for a JSON page.

    Async (no I/O): it runs on the event loop, before the route's other parameters are
    validated, so even their 422 says `Vary: Accept`.
    """
    request.scope[VARIES_BY_ACCEPT] = True
    media_type = preferred(request.headers.get("accept"), list(LIST_MEDIA_TYPES))
    if media_type is None:
        raise NotAcceptable(list(LIST_MEDIA_TYPES))
    return LIST_MEDIA_TYPES[media_type]


@dataclass(frozen=True)
class ListRepresentation:
    """What a list route answers in: `fmt` 'csv' or 'ndjson' (None: a JSON page), and for a
    CSV whether it starts with the UTF-8 byte-order mark."""

    fmt: str | None
    bom: bool = False


async def list_representation(
    fmt: Annotated[str | None, Depends(list_format)], bom: Bom = False
) -> ListRepresentation:
    """The negotiated format, and `bom`. A `bom` the client sent for the case the answer is CSV
    is no error when `Accept` chose JSON or NDJSON: it does not apply to them.

    `list_format` runs first, as a dependency of this one, so a bad `bom` (a 422) still says
    `Vary: Accept`."""
    return ListRepresentation(fmt, bom and fmt == "csv")


ListFormat = Annotated[ListRepresentation, Depends(list_representation)]


class VaryMiddleware:
    """Adds `Vary: Accept` to every response of a route that negotiated (200, 304, errors)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_vary(message: Message) -> None:
            if message["type"] == "http.response.start" and scope.get(VARIES_BY_ACCEPT):
                MutableHeaders(scope=message).add_vary_header("Accept")
            await send(message)

        await self.app(scope, receive, send_with_vary)
