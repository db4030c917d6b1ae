"""CORS: the public API is readable from any web page by default.

Safe to open to every origin because the API uses no cookies: keys travel in `Authorization`,
which a page must add itself, so no credentials are ever allowed. `CRSV_CORS_ORIGINS` narrows
the origins; empty, it turns CORS off.
"""

from __future__ import annotations

from fastapi import FastAPI
from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import Response

from app.api.problems import PROBLEM_MEDIA_TYPE
from app.api.session import CONSISTENCY_HEADER
from app.kit.json import dumps

ALLOWED_METHODS = ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"]
ALLOWED_HEADERS = ["Authorization", "Content-Type", "If-Match", "If-None-Match", "X-Request-ID"]
EXPOSED_HEADERS = [
    "ETag",
    "Link",
    "Location",
    "X-Request-ID",
    "Retry-After",
    "Content-Disposition",
]


class PreflightMiddleware(CORSMiddleware):
    """Starlette's CORS, with preflights answered 204 and refusals as problem+json."""

    def preflight_response(self, request_headers: Headers) -> Response:
        answer = super().preflight_response(request_headers)
        headers = {
            name: value
            for name, value in answer.headers.items()
            if name not in ("content-length", "content-type")
        }
        if answer.status_code == 200:
            return Response(status_code=204, headers=headers)
        refused = bytes(answer.body).decode().removeprefix("Disallowed CORS ")
        body = {
            "type": "/problems/cors-refused",
            "title": "CORS preflight refused",
            "status": answer.status_code,
            "detail": f"Refused by the CORS policy: {refused}.",
        }
        return Response(
            dumps(body),
            status_code=answer.status_code,
            headers=headers,
            media_type=PROBLEM_MEDIA_TYPE,
        )


def add_cors(app: FastAPI, origins: list[str], *, consistency_token: bool = False) -> None:
    """Add CORS around everything added before, so every response carries its headers.

    With `consistency_token` (replicas configured), a page may also read a write's
    `Consistency-Token` and send it back on its next GET.
    """
    extra = [CONSISTENCY_HEADER] if consistency_token else []
    if origins:
        app.add_middleware(
            PreflightMiddleware,
            allow_origins=origins,
            allow_methods=ALLOWED_METHODS,
            allow_headers=ALLOWED_HEADERS + extra,
            allow_credentials=False,
            expose_headers=EXPOSED_HEADERS + extra,
        )
