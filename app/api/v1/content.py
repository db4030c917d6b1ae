"""Routes for stories, activities and figures."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from starlette.responses import Response

from app.api.negotiation import ListFormat, MapListFormat
from app.api.read_route import ReadRoute
from app.api.session import SessionDep
from app.api.v1 import params
from app.api.v1.list_queries import ActivityParams, FigureParams, StoryParams, facets_param, tags
from app.api.v1.responses import item_response, list_response
from app.errors import NotFound
from app.queries import activities, details, figures, stories
from app.queries.datasets import DatasetName, described
from app.queries.listing import PageRequest
from app.schemas.common import Page
from app.schemas.content import ActivityDetail, ActivityOut, FigureOut, StoryDetail, StoryOut

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

StoryPath = Annotated[
    str, Path(description="Story id.", examples=[described(DatasetName.STORIES).record.example])
]
ActivityPath = Annotated[
    str,
    Path(description="Activity id.", examples=[described(DatasetName.ACTIVITIES).record.example]),
]
FigurePath = Annotated[
    str, Path(description="Figure id.", examples=[described(DatasetName.FIGURES).record.example])
]


@router.get(
    "/stories",
    response_model=Page[StoryOut],
    responses=LIST_RESPONSES,
    tags=tags(DatasetName.STORIES),
)
def list_stories(
    request: Request,
    fmt: ListFormat,
    session: SessionDep,
    *,
    sort: Annotated[str | None, params.sort_param(stories.SPEC)] = None,
    limit: params.Limit = 50,
    cursor: Annotated[str | None, params.cursor_param(stories.SPEC)] = None,
    facets: Annotated[str | None, facets_param(DatasetName.STORIES)] = None,
    query: StoryParams,
) -> Response:
    """Stories, highlight boxes and overview sections of the reports."""
    return list_response(
        request,
        session,
        query.criteria(DatasetName.STORIES),
        PageRequest(limit, cursor, sort),
        fmt,
        facets,
    )


@router.get(
    "/stories/{story_id}",
    response_model=StoryDetail,
    responses=NOT_FOUND,
    tags=tags(DatasetName.STORIES),
)
def get_story(story_id: StoryPath, session: SessionDep) -> Response:
    """A story with its activities, each with its figures, and all the story's figures."""
    detail = details.story_detail(session, story_id.lower())
    if detail is None:
        raise NotFound("story", story_id)
    return item_response(detail)


@router.get(
    "/activities",
    response_model=Page[ActivityOut],
    responses=MAP_LIST_RESPONSES,
    tags=tags(DatasetName.ACTIVITIES),
)
def list_activities(
    request: Request,
    fmt: MapListFormat,
    session: SessionDep,
    *,
    sort: Annotated[str | None, params.sort_param(activities.SPEC)] = None,
    limit: params.Limit = 50,
    cursor: Annotated[str | None, params.cursor_param(activities.SPEC)] = None,
    facets: Annotated[str | None, facets_param(DatasetName.ACTIVITIES)] = None,
    query: ActivityParams,
) -> Response:
    """What the missions did: trainings, patrols, mobile courts, consultations, ..."""
    return list_response(
        request,
        session,
        query.criteria(DatasetName.ACTIVITIES),
        PageRequest(limit, cursor, sort),
        fmt,
        facets,
    )


@router.get(
    "/activities/{activity_id}",
    response_model=ActivityDetail,
    responses=NOT_FOUND,
    tags=tags(DatasetName.ACTIVITIES),
)
def get_activity(activity_id: ActivityPath, session: SessionDep) -> Response:
    """An activity with its figures, locations and partners."""
    detail = details.activity_detail(session, activity_id.lower())
    if detail is None:
        raise NotFound("activity", activity_id)
    return item_response(detail)


@router.get(
    "/figures",
    response_model=Page[FigureOut],
    responses=MAP_LIST_RESPONSES,
    tags=tags(DatasetName.FIGURES),
)
def list_figures(
    request: Request,
    fmt: MapListFormat,
    session: SessionDep,
    *,
    sort: Annotated[str | None, params.sort_param(figures.SPEC)] = None,
    limit: params.Limit = 50,
    cursor: Annotated[str | None, params.cursor_param(figures.SPEC)] = None,
    facets: Annotated[str | None, facets_param(DatasetName.FIGURES)] = None,
    query: FigureParams,
) -> Response:
    """The numbers the report gives, each with its qualifier, breakdown and evidence."""
    return list_response(
        request,
        session,
        query.criteria(DatasetName.FIGURES),
        PageRequest(limit, cursor, sort),
        fmt,
        facets,
    )


@router.get(
    "/figures/{figure_id}",
    response_model=FigureOut,
    responses=NOT_FOUND,
    tags=tags(DatasetName.FIGURES),
)
def get_figure(figure_id: FigurePath, session: SessionDep) -> Response:
    """One figure with its source."""
    detail = details.figure_detail(session, figure_id.lower())
    if detail is None:
        raise NotFound("figure", figure_id)
    return item_response(detail)
