"""Aggregates for dashboards, computed by PostgreSQL (GROUP BY), never in Python loops."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, and_, case, cast, distinct, func, or_, select
from sqlalchemy.orm import Session

from app.enums import Qualifier
from app.errors import InvalidParameters, parameter_error
from app.models import (
    ActivityType,
    Figure,
    Location,
    Metric,
    Mission,
    Objective,
    Story,
    activity_rollup,
    figure_rollup,
    story_mission,
)
from app.queries import figures
from app.queries.figures import figure_country
from app.queries.keyset import Expression
from app.queries.listing import plan_for_the_words, search_condition
from app.queries.selection import Selection


@dataclass(frozen=True)
class Dimension:
    """A way to group figures: the value it reports, plus labels shown beside it."""

    key: Expression
    labels: dict[str, Expression]
    rollup_key: Expression | None = None
    """The key over ROLLUP_FROM, for a dimension the figure rollup keeps."""


DIMENSIONS: dict[str, Dimension] = {
    "mission": Dimension(Mission.code, {}, Mission.code),
    "objective": Dimension(Objective.number, {}, Objective.number),
    "country": Dimension(figure_country, {}),
    "metric": Dimension(
        Metric.code, {"metric_label": Metric.label, "unit": Metric.unit}, Metric.code
    ),
    "year": Dimension(Figure.edition_year, {}, figure_rollup.c.edition_year),
    "activity_type": Dimension(ActivityType.code, {}),
    "location": Dimension(Location.key, {"location_name": Location.name}),
}

ROLLUP_FROM = (
    select(figure_rollup)
    .outerjoin(Mission, Mission.id == figure_rollup.c.mission_id)
    .outerjoin(Objective, Objective.id == figure_rollup.c.objective_id)
    .outerjoin(Metric, Metric.id == figure_rollup.c.metric_id)
)
"""The figure rollup with the labels its dimensions report (stats read it when they can)."""

LOWER_BOUND = (Qualifier.AT_LEAST, Qualifier.MORE_THAN)
APPROXIMATE = (Qualifier.APPROXIMATELY, Qualifier.NEARLY)


def parse_group_by(text: str | None) -> list[str]:
    names = [part.strip() for part in (text or "").split(",") if part.strip()]
    unknown = [name for name in names if name not in DIMENSIONS]
    if unknown:
        raise InvalidParameters(
            [
                parameter_error(
                    "group_by",
                    f"unknown dimension(s): {', '.join(unknown)}; allowed: {', '.join(DIMENSIONS)}",
                )
            ]
        )
    if len(set(names)) != len(names):
        raise InvalidParameters([parameter_error("group_by", "a dimension is given twice")])
    return names


def _rollup_measures() -> list[ColumnElement[Any]]:
    """`_measures` over rollup groups: the same names, types and NULLs."""
    r = figure_rollup.c

    def total(column: Expression) -> ColumnElement[Any]:
        return cast(func.sum(column), BigInteger)

    def sum_or_null(column: Expression, count: Expression) -> ColumnElement[Any]:
        return case((func.sum(count) > 0, total(column)))

    return [
        total(r.value_sum).label("sum"),
        total(r.figures).label("figures"),
        sum_or_null(r.women_sum, r.women_count).label("women"),
        sum_or_null(r.men_sum, r.men_count).label("men"),
        sum_or_null(r.children_sum, r.children_count).label("children"),
        total(r.with_breakdown).label("with_breakdown"),
        func.bool_or(r.qualifier.in_(LOWER_BOUND)).label("lower_bound"),
        func.bool_or(r.qualifier.in_(APPROXIMATE)).label("approximate"),
        func.bool_or(r.qualifier == Qualifier.UP_TO).label("upper_bound"),
    ]


def _measures() -> list[ColumnElement[Any]]:
    has_breakdown = or_(
        Figure.women.is_not(None), Figure.men.is_not(None), Figure.children.is_not(None)
    )
    return [
        func.sum(Figure.value).label("sum"),
        func.count(Figure.id).label("figures"),
        func.sum(Figure.women).label("women"),
        func.sum(Figure.men).label("men"),
        func.sum(Figure.children).label("children"),
        func.count(case((has_breakdown, 1))).label("with_breakdown"),
        func.bool_or(Figure.qualifier.in_(LOWER_BOUND)).label("lower_bound"),
        func.bool_or(Figure.qualifier.in_(APPROXIMATE)).label("approximate"),
        func.bool_or(Figure.qualifier == Qualifier.UP_TO).label("upper_bound"),
    ]


def figure_stats(
    session: Session, selection: Selection, group_by: list[str]
) -> tuple[list[str], list[dict[str, Any]]]:
    """Sums of figure values per group, and the dimensions they were grouped by.

    Figures of different metrics count different things, so they are never added together:
    when the selection holds several metrics and `metric` is not asked for, the groups are
    split by metric as well. Read from the figure rollup when the selection and every
    dimension allow it (thousands of groups instead of every figure); otherwise from the
    figures themselves.
    """
    metric_id: Expression
    counted: ColumnElement[Any]
    from_rollup = selection.rollup is not None and all(
        DIMENSIONS[name].rollup_key is not None for name in group_by
    )
    if from_rollup:
        base = ROLLUP_FROM.where(*(selection.rollup or ()))
        metric_id = figure_rollup.c.metric_id
        measures = _rollup_measures()
        counted = func.sum(figure_rollup.c.figures)
    else:
        conditions = list(selection.conditions)
        if selection.q:
            plan_for_the_words(session)
            conditions.append(search_condition(figures.SPEC, selection.q))
        base = figures.SPEC.select.where(*conditions)
        metric_id = Figure.metric_id
        measures = _measures()
        counted = func.count(Figure.id)
    if "metric" not in group_by:
        metric_count = session.scalar(
            base.with_only_columns(func.count(distinct(metric_id))).order_by(None)
        )
        if (metric_count or 0) > 1:
            group_by = [*group_by, "metric"]
    dimensions = [DIMENSIONS[name] for name in group_by]
    keys: list[ColumnElement[Any]] = [
        (d.rollup_key if from_rollup and d.rollup_key is not None else d.key).label(name)
        for name, d in zip(group_by, dimensions, strict=True)
    ]
    labels: list[ColumnElement[Any]] = [
        expr.label(label) for d in dimensions for label, expr in d.labels.items()
    ]
    statement = (
        base.with_only_columns(*keys, *labels, *measures)
        .group_by(*keys, *labels)
        .having(counted > 0)  # no phantom all-null group when nothing matched
        .order_by(*(key.asc().nulls_last() for key in keys))
    )
    return group_by, [dict(row) for row in session.execute(statement).mappings()]


HEADLINE_METRICS = ("trainees", "convictions", "survivors_identified")
ACTIVITY_COUNT = cast(func.sum(activity_rollup.c.activities), BigInteger)


def overview(session: Session) -> dict[str, list[dict[str, Any]]]:
    """Per mission and per objective: counts of stories, activities, figures, and headlines
    (activities and figures from the rollups)."""
    return {
        "missions": _overview_by(
            session,
            "mission",
            Mission.code,
            # (story, mission) is story_mission's primary key, so each row is a distinct story
            # of its mission: count(*) is the count, without DISTINCT's sort (419 -> 68 ms at
            # 1,000,000 figures)
            stories=select(Mission.code, func.count())
            .join(story_mission, story_mission.c.mission_id == Mission.id)
            .group_by(Mission.code),
            activities=select(Mission.code, ACTIVITY_COUNT)
            .join(activity_rollup, activity_rollup.c.mission_id == Mission.id)
            .group_by(Mission.code),
            everyone=select(Mission.code),
        ),
        "objectives": _overview_by(
            session,
            "objective",
            Objective.number,
            # count(*), not count(story.id) (never NULL in this join): then the index on
            # objective_id answers alone (150 -> 41 ms at 1,000,000 figures)
            stories=select(Objective.number, func.count())
            .join(Story, Story.objective_id == Objective.id)
            .group_by(Objective.number),
            activities=select(Objective.number, ACTIVITY_COUNT)
            .join(activity_rollup, activity_rollup.c.objective_id == Objective.id)
            .group_by(Objective.number),
            everyone=select(Objective.number),
        ),
    }


def _overview_by(
    session: Session, name: str, key: Expression, *, stories: Any, activities: Any, everyone: Any
) -> list[dict[str, Any]]:
    story_counts = dict(session.execute(stories).all())
    activity_counts = dict(session.execute(activities).all())
    figure_counts: dict[Any, int] = dict(
        session.execute(
            ROLLUP_FROM.with_only_columns(key, cast(func.sum(figure_rollup.c.figures), BigInteger))
            .where(key.is_not(None))
            .group_by(key)
        ).all()
    )
    headline_rows = session.execute(
        ROLLUP_FROM.with_only_columns(
            key.label("k"), Metric.code.label("metric"), *_rollup_measures()
        )
        .where(and_(key.is_not(None), Metric.code.in_(HEADLINE_METRICS)))
        .group_by(key, Metric.code)
    ).mappings()
    headlines: dict[Any, dict[str, Any]] = {}
    for row in headline_rows:
        headlines.setdefault(row["k"], {})[row["metric"]] = {
            "sum": row["sum"],
            "figures": row["figures"],
            "women": row["women"],
            "men": row["men"],
            "lower_bound": row["lower_bound"],
            "approximate": row["approximate"],
        }
    result = []
    for (value,) in session.execute(everyone.order_by(key)).all():
        found = headlines.get(value, {})
        result.append(
            {
                name: value,
                "stories": story_counts.get(value, 0),
                "activities": activity_counts.get(value, 0),
                "figures": figure_counts.get(value, 0),
                "headlines": {metric: found.get(metric) for metric in HEADLINE_METRICS},
            }
        )
    return result
