"""Version 1 of the public read API."""

from collections.abc import Iterator

from fastapi import APIRouter, Depends

from app.api.auth import read_gate
from app.api.read_route import ReadRoute, read_routes
from app.api.strict_query import known_query_parameters
from app.api.v1 import audit, exports, index, params, reads, stats, writes

router = APIRouter(
    prefix="/v1",
    dependencies=[
        Depends(params.no_nul_bytes),
        Depends(read_gate),
        Depends(known_query_parameters),
    ],
)
INCLUDED = (reads.router, stats.router, exports.router, writes.router, audit.router)
"""The routers /v1 holds, in the order their routes are matched."""

index.register(router)
for _included in INCLUDED:
    router.include_router(_included)


def hot_read_routes() -> Iterator[tuple[str, ReadRoute]]:
    """Every `ReadRoute` of /v1 with its full path, in the order FastAPI matches them."""
    for included in INCLUDED:
        yield from read_routes(included, router.prefix)
