"""Aggregates for dashboards, computed by PostgreSQL (GROUP BY), never in Python loops."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Text,
    and_,
    case,
    cast,
    distinct,
    false,
    func,
    or_,
    select,
)
from sqlalchemy.orm import Session

from app.enums import Qualifier
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
from app.queries import figures, grouping
from app.queries.axes import TIME_AXES, arrange
from app.queries.figures import effective_end, effective_precision, effective_start, figure_country
from app.queries.grouping import Grouping, GroupKey
from app.queries.keyset import Expression
from app.queries.selection import Selection

ROLLUP_FROM = (
    select(figure_rollup)
    .outerjoin(Mission, Mission.id == figure_rollup.c.mission_id)
    .outerjoin(Objective, Objective.id == figure_rollup.c.objective_id)
    .outerjoin(Metric, Metric.id == figure_rollup.c.metric_id)
)
"""The figure rollup with the codes its dimensions report (stats read it when they can)."""


def _period(axis: str) -> GroupKey:
    return GroupKey(TIME_AXES[axis].key(effective_start, effective_end, effective_precision))


FIGURES = Grouping(
    figures.SPEC,
    {
        "mission": GroupKey(Mission.code, rollup=Mission.code),
        "objective": GroupKey(Objective.number, rollup=Objective.number),
        "country": GroupKey(figure_country),
        "metric": GroupKey(Metric.code, rollup=Metric.code),
        "year": GroupKey(Figure.edition_year, rollup=figure_rollup.c.edition_year),
        "activity_type": GroupKey(ActivityType.code),
        "location": GroupKey(Location.key),
        "month": _period("month"),
        "quarter": _period("quarter"),
        "period_year": _period("period_year"),
        "qualifier": GroupKey(Figure.qualifier, rollup=figure_rollup.c.qualifier),
    },
    "figures",
    func.count(Figure.id),
    ROLLUP_FROM,
    func.sum(figure_rollup.c.figures),
)
"""Figures grouped by any dimension (and by qualifier, for facets)."""

DIMENSIONS = (
    "mission",
    "objective",
    "country",
    "metric",
    "year",
    "activity_type",
    "location",
    "month",
    "quarter",
    "period_year",
)
"""What `group_by` takes on figure stats."""

LOWER_BOUND = (Qualifier.AT_LEAST, Qualifier.MORE_THAN)
APPROXIMATE = (Qualifier.APPROXIMATELY, Qualifier.NEARLY)


def parse_group_by(text: str | None) -> list[str]:
    return grouping.parse_group_by(text, DIMENSIONS)


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
    session: Session,
    selection: Selection,
    group_by: list[str],
    raw: Mapping[str, Any] | None = None,
    *,
    fill: bool = True,
) -> tuple[list[str], list[dict[str, Any]]]:
    """Sums of figure values per group, and the dimensions they were grouped by.

    Figures of different metrics count different things, so they are never added together:
    when the selection holds several metrics and `metric` is not asked for, the groups are
    split by metric as well (by the metrics present only). Read from the figure rollup when
    the selection and every dimension allow it (thousands of groups instead of every figure);
    otherwise from the figures themselves. With `fill`, every value the filters `raw` allow
    on each asked dimension appears, an empty group holding zero figures.
    """
    split: list[str] = []
    if "metric" not in group_by:
        metric_id = (
            figure_rollup.c.metric_id
            if FIGURES.uses_rollup(selection, group_by)
            else Figure.metric_id
        )
        metric_count = session.scalar(
            FIGURES.base(selection, group_by, session)
            .with_only_columns(func.count(distinct(metric_id)))
            .order_by(None)
        )
        if (metric_count or 0) > 1:
            split = ["metric"]
    names = [*group_by, *split]
    rows = FIGURES.rows(session, selection, names, _measures(), _rollup_measures())
    groups = arrange(
        session,
        names,
        rows,
        raw or {},
        lambda: empty_measures(session),
        fill=fill,
        present_only=split,
    )
    return names, groups


def empty_measures(session: Session) -> dict[str, Any]:
    """The measures of a group holding no figure: what the aggregates give over no row, with
    `sum` 0 and every flag (a boolean, by PostgreSQL's own types) false, so that a chart
    draws a zero, not a gap."""
    measures = _measures()
    types = [cast(func.pg_typeof(m), Text).label(f"_type{i}") for i, m in enumerate(measures)]
    statement = figures.SPEC.select.with_only_columns(*measures, *types).where(false())
    # an aggregate without GROUP BY gives one row even over no row
    found = session.execute(statement).mappings().one()
    row = {m.name: found[m.name] for m in measures}
    for i, measure in enumerate(measures):
        if row[measure.name] is None and found[f"_type{i}"] == "boolean":
            row[measure.name] = False
    return {**row, "sum": row["sum"] or 0}


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
