"""Routes for dashboard aggregates."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from starlette.responses import Response

from app.api.read_route import ReadRoute
from app.api.session import SessionDep
from app.api.v1.list_queries import ActivityParams, FigureParams, StoryParams
from app.api.v1.responses import item_response
from app.queries import counts, grouping, stats
from app.queries.datasets import DatasetName
from app.schemas.stats import ActivityStats, FigureStats, Overview, StoryStats

router = APIRouter(prefix="/stats", tags=["stats"], route_class=ReadRoute)

GroupBy = Annotated[
    str | None,
    Query(
        description="Comma list of dimensions to group by: "
        f"{', '.join(stats.DIMENSIONS)}. `year` is the report edition; `month`, `quarter` and "
        "`period_year` are those of the figure's period, which lands in a bucket only when "
        "the whole period lies inside it (else in a bucket for its year, keyed `2023`). "
        "Figures of different metrics are never added up: "
        "when the selection holds several metrics, the groups are split by `metric` too "
        "(and `group_by` in the answer says so).",
        examples=["mission,metric"],
        max_length=200,
    ),
]
Fill = Annotated[
    Literal["zero", "none"],
    Query(
        description="`zero` (default): every value of each grouped dimension that the filters "
        "allow appears, an empty group with `sum` 0 and `figures` 0 (months: every month of "
        "the years present; locations are never filled). `none`: only groups holding rows. "
        "A filled answer of more than 10,000 groups is a 422 naming `fill`.",
        examples=["none"],
    ),
]
INCOMPATIBLE: dict[int | str, dict[str, Any]] = {422: {"description": "A parameter is invalid"}}


@router.get("/figures", name="get_figure_stats", response_model=FigureStats, responses=INCOMPATIBLE)
def figure_stats(
    session: SessionDep, *, group_by: GroupBy = None, fill: Fill = "zero", query: FigureParams
) -> Response:
    """Sums of figure values per group, with labels and the flags a chart needs ("at least",
    ~); without `metric` in the filters or `group_by`, one group per metric."""
    criteria = query.criteria(DatasetName.FIGURES)
    dimensions, groups = stats.figure_stats(
        session,
        criteria.resolve(session),
        stats.parse_group_by(group_by),
        criteria.raw,
        fill=fill == "zero",
    )
    return item_response({"group_by": dimensions, "groups": groups})


def _group_by(dimensions: tuple[str, ...], counted: str, example: str) -> Any:
    return Query(
        description=f"Comma list of dimensions to group by: {', '.join(dimensions)}. A "
        f"{counted} linked to several missions, countries or activity types is counted under "
        f"each; `total` counts each {counted} once.",
        examples=[example],
        max_length=200,
    )


@router.get(
    "/activities",
    name="get_activity_stats",
    response_model=ActivityStats,
    responses=INCOMPATIBLE,
)
def activity_stats(
    session: SessionDep,
    *,
    group_by: Annotated[
        str | None, _group_by(counts.ACTIVITY_DIMENSIONS, "activity", "mission,activity_type")
    ] = None,
    fill: Fill = "zero",
    query: ActivityParams,
) -> Response:
    """How many activities per group (mission, objective, country, type, year, month, ...),
    zero-filled and labelled like the figure stats; the filters of `/v1/activities` apply."""
    criteria = query.criteria(DatasetName.ACTIVITIES)
    selection = criteria.resolve(session)
    names = grouping.parse_group_by(group_by, counts.ACTIVITY_DIMENSIONS)
    return item_response(
        counts.count_stats(
            session, counts.ACTIVITIES, selection, names, criteria.raw, fill=fill == "zero"
        )
    )


@router.get("/stories", name="get_story_stats", response_model=StoryStats, responses=INCOMPATIBLE)
def story_stats(
    session: SessionDep,
    *,
    group_by: Annotated[
        str | None, _group_by(counts.STORY_DIMENSIONS, "story", "objective")
    ] = None,
    fill: Fill = "zero",
    query: StoryParams,
) -> Response:
    """How many stories per group (mission, objective, country, activity type, year),
    zero-filled and labelled like the figure stats; the filters of `/v1/stories` apply."""
    criteria = query.criteria(DatasetName.STORIES)
    selection = criteria.resolve(session)
    names = grouping.parse_group_by(group_by, counts.STORY_DIMENSIONS)
    return item_response(
        counts.count_stats(
            session, counts.STORIES, selection, names, criteria.raw, fill=fill == "zero"
        )
    )


@router.get("/overview", name="get_overview", response_model=Overview)
def overview(session: SessionDep) -> Response:
    """Per mission and per objective: counts and headline totals (trained, convicted,
    survivors identified)."""
    return item_response(stats.overview(session))
