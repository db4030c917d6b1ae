"""Routes for stories, activities and figures."""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from starlette.responses import Response

from app.api.problems import NotFound
from app.api.v1 import params
from app.api.v1.responses import item_response, page_response
from app.db.session import SessionDep
from app.enums import Qualifier, StoryKind
from app.models import Activity, Figure, Story
from app.queries import activities, figures, stories
from app.queries.filters import FilterResolver
from app.queries.listing import PageRequest, list_all, list_page
from app.schemas.common import Page
from app.schemas.content import ActivityDetail, ActivityOut, FigureOut, StoryDetail, StoryOut

router = APIRouter()

NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No record has this id"}}
INVALID: dict[int | str, dict[str, Any]] = {
    422: {"description": "A parameter is invalid (problem+json naming each one)"}
}

StoryPath = Annotated[str, Path(description="Story id.", examples=["2023-story-17"])]
ActivityPath = Annotated[
    str, Path(description="Activity id.", examples=["2023-story-10-mobile-courts"])
]
FigurePath = Annotated[
    str, Path(description="Figure id.", examples=["2023-story-17-survivors-identified"])
]


@router.get("/stories", response_model=Page[StoryOut], responses=INVALID, tags=["stories"])
def list_stories(
    request: Request,
    session: SessionDep,
    mission: params.Mission = None,
    objective: params.ObjectiveNumber = None,
    country: params.Country = None,
    location: params.Location = None,
    partner: params.Partner = None,
    kind: params.StoryKindCode = None,
    year: params.Year = None,
    date_from: params.DateFrom = None,
    date_to: params.DateTo = None,
    q: params.SearchText = None,
    sort: Annotated[
        str | None, params.sort_param(list(stories.SORT_FIELDS), stories.DEFAULT_SORT)
    ] = None,
    limit: params.Limit = 50,
    cursor: params.Cursor = None,
) -> Response:
    """Stories, highlight boxes and overview sections of the reports."""
    resolve = FilterResolver(session)
    filters = stories.StoryFilters(
        mission=resolve.ids("mission", mission),
        objective=resolve.ids("objective", objective),
        country=resolve.ids("country", country),
        location=resolve.ids("location", location),
        partner=resolve.ids("partner", partner),
        kind=resolve.members("kind", kind, StoryKind),
        year=resolve.ids("year", year),
        date_from=date_from,
        date_to=date_to,
    )
    resolve.check()
    page = list_page(
        session,
        stories.SPEC,
        stories.conditions(filters),
        PageRequest(limit=limit, cursor=cursor, sort=sort, q=q),
    )
    return page_response(request, page)


@router.get(
    "/stories/{story_id}", response_model=StoryDetail, responses=NOT_FOUND, tags=["stories"]
)
def get_story(story_id: StoryPath, session: SessionDep) -> Response:
    """A story with its activities, each with its figures, and all the story's figures."""
    found = list_all(session, stories.SPEC, [Story.key == story_id.lower()])
    if not found:
        raise NotFound("story", story_id)
    story_figures = list_all(session, figures.SPEC, [Story.key == story_id.lower()])
    by_activity: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for figure in story_figures:
        if figure["activity"]:
            by_activity[figure["activity"]["id"]].append(figure)
    story_activities = [
        {**activity, "figures": by_activity[activity["id"]]}
        for activity in list_all(session, activities.SPEC, [Story.key == story_id.lower()])
    ]
    return item_response({**found[0], "activities": story_activities, "figures": story_figures})


@router.get("/activities", response_model=Page[ActivityOut], responses=INVALID, tags=["activities"])
def list_activities(
    request: Request,
    session: SessionDep,
    mission: params.Mission = None,
    objective: params.ObjectiveNumber = None,
    country: params.Country = None,
    location: params.Location = None,
    partner: params.Partner = None,
    story: params.StoryId = None,
    type: params.ActivityTypeCode = None,
    year: params.Year = None,
    date_from: params.DateFrom = None,
    date_to: params.DateTo = None,
    q: params.SearchText = None,
    sort: Annotated[
        str | None, params.sort_param(list(activities.SORT_FIELDS), activities.DEFAULT_SORT)
    ] = None,
    limit: params.Limit = 50,
    cursor: params.Cursor = None,
) -> Response:
    """What the missions did: trainings, patrols, mobile courts, consultations, ..."""
    resolve = FilterResolver(session)
    filters = activities.ActivityFilters(
        mission=resolve.ids("mission", mission),
        objective=resolve.ids("objective", objective),
        country=resolve.ids("country", country),
        location=resolve.ids("location", location),
        partner=resolve.ids("partner", partner),
        story=resolve.ids("story", story),
        type=resolve.ids("type", type),
        year=resolve.ids("year", year),
        date_from=date_from,
        date_to=date_to,
    )
    resolve.check()
    page = list_page(
        session,
        activities.SPEC,
        activities.conditions(filters),
        PageRequest(limit=limit, cursor=cursor, sort=sort, q=q),
    )
    return page_response(request, page)


@router.get(
    "/activities/{activity_id}",
    response_model=ActivityDetail,
    responses=NOT_FOUND,
    tags=["activities"],
)
def get_activity(activity_id: ActivityPath, session: SessionDep) -> Response:
    """An activity with its figures, locations and partners."""
    found = list_all(session, activities.SPEC, [Activity.key == activity_id.lower()])
    if not found:
        raise NotFound("activity", activity_id)
    activity_figures = list_all(session, figures.SPEC, [Activity.key == activity_id.lower()])
    return item_response({**found[0], "figures": activity_figures})


@router.get("/figures", response_model=Page[FigureOut], responses=INVALID, tags=["figures"])
def list_figures(
    request: Request,
    session: SessionDep,
    mission: params.Mission = None,
    objective: params.ObjectiveNumber = None,
    country: params.Country = None,
    location: params.Location = None,
    partner: params.Partner = None,
    story: params.StoryId = None,
    activity: params.ActivityId = None,
    type: params.ActivityTypeCode = None,
    metric: params.MetricCode = None,
    qualifier: params.QualifierCode = None,
    year: params.Year = None,
    date_from: params.DateFrom = None,
    date_to: params.DateTo = None,
    q: params.SearchText = None,
    sort: Annotated[
        str | None, params.sort_param(list(figures.SORT_FIELDS), figures.DEFAULT_SORT)
    ] = None,
    limit: params.Limit = 50,
    cursor: params.Cursor = None,
) -> Response:
    """The numbers the report gives, each with its qualifier, breakdown and evidence."""
    resolve = FilterResolver(session)
    filters = figures.FigureFilters(
        mission=resolve.ids("mission", mission),
        objective=resolve.ids("objective", objective),
        country=resolve.ids("country", country),
        location=resolve.ids("location", location),
        partner=resolve.ids("partner", partner),
        story=resolve.ids("story", story),
        activity=resolve.ids("activity", activity),
        type=resolve.ids("type", type),
        metric=resolve.ids("metric", metric),
        qualifier=resolve.members("qualifier", qualifier, Qualifier),
        year=resolve.ids("year", year),
        date_from=date_from,
        date_to=date_to,
    )
    resolve.check()
    page = list_page(
        session,
        figures.SPEC,
        figures.conditions(filters),
        PageRequest(limit=limit, cursor=cursor, sort=sort, q=q),
    )
    return page_response(request, page)


@router.get("/figures/{figure_id}", response_model=FigureOut, responses=NOT_FOUND, tags=["figures"])
def get_figure(figure_id: FigurePath, session: SessionDep) -> Response:
    """One figure with its source."""
    found = list_all(session, figures.SPEC, [Figure.key == figure_id.lower()])
    if not found:
        raise NotFound("figure", figure_id)
    return item_response(found[0])
