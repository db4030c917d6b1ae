"""The front door: `/v1` lists where everything is and which version of the data is served;
`/` leads there (or, for a browser, to the explorer's pages).

The links come from the OpenAPI document, so a new route appears here without editing this.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from starlette.responses import RedirectResponse, Response

from app.api.session import SessionDep
from app.api.v1.responses import item_response
from app.queries.versions import data_version
from app.schemas.index import ApiIndex

root_router = APIRouter()

EXPORTS = "/v1/exports/"
STATS = "/v1/stats/"
DATAPACKAGE = "/v1/exports/datapackage.zip"


def _public_reads(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """GET operations under /v1/ that need no key (those needing one document a 401)."""
    return {
        path: operations["get"]
        for path, operations in spec["paths"].items()
        if path.startswith("/v1/") and "get" in operations
        if "401" not in operations["get"].get("responses", {})
    }


def _formats(operation: dict[str, Any]) -> list[str]:
    [fmt] = [p for p in operation.get("parameters", []) if p["in"] == "path"]
    return list(fmt["schema"]["enum"])


def links(spec: dict[str, Any], base: str) -> dict[str, Any]:
    """Every collection, aggregate and export of the API, as absolute URLs under `base`."""
    reads = _public_reads(spec)
    collections = {
        path.removeprefix("/v1/"): base + path
        for path in reads
        if "{" not in path and not path.startswith((STATS, EXPORTS))
    }
    stats = {path.removeprefix(STATS): base + path for path in reads if path.startswith(STATS)}
    exports = {
        path.removeprefix(EXPORTS).split(".")[0]: {
            fmt: base + path.replace("{fmt}", fmt) for fmt in _formats(operation)
        }
        for path, operation in reads.items()
        if path.startswith(EXPORTS) and path.endswith(".{fmt}")
    }
    for path in reads:  # the mappable datasets also export GeoJSON
        if path.startswith(EXPORTS) and path.endswith(".geojson"):
            exports[path.removeprefix(EXPORTS).removesuffix(".geojson")]["geojson"] = base + path
    return {
        "links": {
            "self": base + "/v1",
            "openapi": base + "/openapi.json",
            "docs": base + "/docs",
            "redoc": base + "/redoc",
            "datapackage": base + DATAPACKAGE,
        },
        "collections": dict(sorted(collections.items())),
        "stats": dict(sorted(stats.items())),
        "exports": dict(sorted(exports.items())),
    }


def index(request: Request, session: SessionDep) -> Response:
    """Links to every collection, aggregate, export and the docs, and the data's version."""
    version = data_version(session)
    app = request.app
    return item_response(
        {
            "title": app.title,
            "api_version": app.version,
            "data_version": version.number,
            "data_changed_at": version.changed_at,
            **links(app.openapi(), str(request.base_url).rstrip("/")),
        }
    )


def register(router: APIRouter) -> None:
    """Serve the index at the router's own prefix (an included router cannot have an empty
    path), with the router's dependencies."""
    router.add_api_route(
        "",
        index,
        methods=["GET"],
        name="get_index",
        response_model=ApiIndex,
        summary="Index",
        tags=["index"],
    )


@root_router.get("/", include_in_schema=False)
async def root(request: Request) -> RedirectResponse:
    """Programs go to the index; a browser (it asks for HTML) goes to the explorer."""
    wants_html = "text/html" in request.headers.get("accept", "")
    target = "/explore" if wants_html else "/v1"
    # the target depends on Accept: caches must keep the two apart
    return RedirectResponse(
        str(request.base_url).rstrip("/") + target, status_code=307, headers={"Vary": "Accept"}
    )
