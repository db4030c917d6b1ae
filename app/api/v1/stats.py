"""Routes for dashboard aggregates."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from starlette.responses import Response

from app.api.v1.list_queries import FigureParams
from app.api.v1.responses import item_response
from app.db.session import SessionDep
from app.queries import stats
from app.queries.datasets import DatasetName
from app.schemas.stats import FigureStats, Overview

router = APIRouter(prefix="/stats", tags=["stats"])

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
        "the years present; locations are never filled). `none`: only groups holding rows.",
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


@router.get("/overview", name="get_overview", response_model=Overview)
def overview(session: SessionDep) -> Response:
    """Per mission and per objective: counts and headline totals (trained, convicted,
    survivors identified)."""
    return item_response(stats.overview(session))
