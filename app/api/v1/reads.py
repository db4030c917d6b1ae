"""The list and record routes of every dataset, made from its declarations.

Each dataset gets `GET /v1/{dataset}` (one page; or, by `Accept`, a file or a GeoJSON page)
and `GET /v1/{dataset}/{key}`. What varies is declared, not written here: sort, cursor,
filters, tag and record path in app/queries/datasets.py, text, response models and lookup in
app/api/v1/readable.py. Both routes are `ReadRoute`s, so plain GETs take the short path.

No `from __future__ import annotations` here: the routes are built in a loop and FastAPI must
see each one's parameter objects, not strings it cannot resolve.
"""

import inspect
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.api.negotiation import ListRepresentation, list_representation, map_list_representation
from app.api.read_route import ReadRoute
from app.api.session import SessionDep
from app.api.v1 import params
from app.api.v1.list_queries import QUERY_MODELS, ListQuery, facets_param, tags
from app.api.v1.readable import READABLE, Readable
from app.api.v1.responses import item_response, list_response
from app.errors import NotFound
from app.queries.datasets import MAPPABLE, Criteria, DatasetName, described
from app.queries.listing import PageRequest
from app.schemas.common import Page

router = APIRouter(route_class=ReadRoute)

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No record has this id"}}
LIST_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "One page as JSON; or, with `Accept: text/csv` or "
        "`Accept: application/x-ndjson`, every matching row as a file. q-values count "
        "(`text/csv;q=0` is never chosen) and every response says `Vary: Accept`.",
        "content": {"text/csv": {}, "application/x-ndjson": {}},
    },
    406: {"description": "The Accept header allows none of JSON, CSV and NDJSON"},
    422: {"description": "A parameter is invalid (problem+json naming each one)"},
}

MAP_LIST_RESPONSES: dict[int | str, dict[str, Any]] = {
    **LIST_RESPONSES,
    200: {
        "description": "One page as JSON; with `Accept: application/geo+json`, the same page "
        "(same filters, `limit` and `cursor`, `Link` to the next page) as an RFC 7946 "
        "FeatureCollection of Point features ([longitude, latitude], WGS84), with the foreign "
        "members `total`, `total_qualifier`, `next_cursor` and `without_coordinates` (count "
        "and ids of the page's rows left out for want of coordinates); with `Accept: text/csv` or "
        "`Accept: application/x-ndjson`, every matching row as a file. q-values count and every "
        "response says `Vary: Accept`.",
        "content": {
            "application/geo+json": {
                "schema": {
                    "type": "object",
                    "required": ["type", "features", "total", "next_cursor"],
                    "properties": {
                        "type": {"const": "FeatureCollection"},
                        "features": {"type": "array", "items": {"type": "object"}},
                        "total": {"type": "integer"},
                        "total_qualifier": {"enum": ["exact", "more_than"]},
                        "next_cursor": {"type": ["string", "null"]},
                        "without_coordinates": {"type": "object"},
                    },
                }
            },
            "text/csv": {},
            "application/x-ndjson": {},
        },
    },
    406: {"description": "The Accept header allows none of JSON, GeoJSON, CSV and NDJSON"},
}

Endpoint = Callable[..., Response]


def _representation(dataset: DatasetName) -> Callable[..., Awaitable[ListRepresentation]]:
    """A mappable dataset's list also answers as GeoJSON."""
    return map_list_representation if dataset in MAPPABLE else list_representation


def _plain_list(dataset: DatasetName) -> Endpoint:
    """The list of a dataset that takes no filters: sort and page only."""
    spec = described(dataset).spec

    def list_records(
        request: Request,
        fmt: Annotated[ListRepresentation, Depends(_representation(dataset))],
        session: SessionDep,
        sort: Annotated[str | None, params.sort_param(spec)] = None,
        limit: params.Limit = 50,
        cursor: Annotated[str | None, params.cursor_param(spec)] = None,
    ) -> Response:
        page = PageRequest(limit, cursor, sort)
        return list_response(request, session, Criteria(dataset), page, fmt)

    return list_records


def _filtered_list(dataset: DatasetName, model: type[ListQuery]) -> Endpoint:
    """The list of a dataset with filters: its query model (last, so FastAPI lists its fields
    after `limit` and `cursor`) and facets."""
    spec = described(dataset).spec

    def list_records(
        request: Request,
        fmt: Annotated[ListRepresentation, Depends(_representation(dataset))],
        session: SessionDep,
        *,
        sort: Annotated[str | None, params.sort_param(spec)] = None,
        limit: params.Limit = 50,
        cursor: Annotated[str | None, params.cursor_param(spec)] = None,
        facets: Annotated[str | None, facets_param(dataset)] = None,
        query: Annotated[model, Query()],  # type: ignore[valid-type]
    ) -> Response:
        criteria = ListQuery.criteria(query, dataset)
        page = PageRequest(limit, cursor, sort)
        return list_response(request, session, criteria, page, fmt, facets)

    return list_records


def _record(dataset: DatasetName, readable: Readable) -> Endpoint:
    """The record route: one record by the path parameter the registry names.

    That name differs by dataset (`code`, `report_id`, ...) and FastAPI reads path parameters
    by their Python name, so the function takes the key by keyword and states its real
    parameters in `__signature__`, which FastAPI and `ReadRoute` both read.
    """
    lookup = readable.lookup
    path = described(dataset).record
    low, high = lookup.bounds or (None, None)
    key = Path(description=lookup.description, examples=[path.example], ge=low, le=high)

    def get_record(session: Session, **given: Any) -> Response:
        identifier = given[path.parameter]
        detail = lookup.find(session, identifier.lower() if lookup.lowercase else identifier)
        if detail is None:
            raise NotFound(lookup.noun, identifier)
        return item_response(detail)

    get_record.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [
            inspect.Parameter(
                path.parameter,
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
                annotation=Annotated[lookup.key, key],
            ),
            inspect.Parameter(
                "session", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=SessionDep
            ),
        ],
        return_annotation=Response,
    )
    return get_record


def _register(dataset: DatasetName, readable: Readable) -> None:
    model = QUERY_MODELS.get(dataset)
    name = dataset.replace("-", "_")
    router.add_api_route(
        f"/{dataset}",
        _filtered_list(dataset, model) if model else _plain_list(dataset),
        methods=["GET"],
        name=f"list_{name}",
        description=readable.listed,
        response_model=Page[readable.item],  # type: ignore[name-defined]
        responses=MAP_LIST_RESPONSES if dataset in MAPPABLE else LIST_RESPONSES,
        tags=tags(dataset),
    )
    router.add_api_route(
        f"/{dataset}/{{{described(dataset).record.parameter}}}",
        _record(dataset, readable),
        methods=["GET"],
        name=f"get_{readable.lookup.noun.replace(' ', '_')}",
        description=readable.found,
        response_model=readable.record,
        responses=NOT_FOUND,
        tags=tags(dataset),
    )


for _dataset, _readable in READABLE.items():
    _register(_dataset, _readable)
