"""Aggregates for dashboards, computed by PostgreSQL (GROUP BY), never in Python loops."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    and_,
    case,
    cast,
    distinct,
    exists,
    func,
    or_,
    select,
    tuple_,
)
from sqlalchemy.orm import Session, aliased

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
    rollup_labels: dict[str, Expression] | None = None
    """The labels over ROLLUP_FROM, when they differ from `labels`."""


FIGURE_UNIT = func.coalesce(Figure.unit, Metric.unit)
"""What one unit of a figure's value is: its own unit, else its metric's."""
ROLLUP_UNIT = func.coalesce(figure_rollup.c.unit, Metric.unit)

DIMENSIONS: dict[str, Dimension] = {
    "mission": Dimension(Mission.code, {}, Mission.code),
    "objective": Dimension(Objective.number, {}, Objective.number),
    "country": Dimension(figure_country, {}),
    # a metric's groups are split by unit too (labels are grouped): figures that count
    # different things (convictions of persons, convictions in cases) are never added up
    "metric": Dimension(
        Metric.code,
        {"metric_label": Metric.label, "unit": FIGURE_UNIT},
        Metric.code,
        {"metric_label": Metric.label, "unit": ROLLUP_UNIT},
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
    """`_measures` over rollup groups: the same names, types and NULLs.

    Parts are left out (`is_part`): the rollup is read only when every part lands in the same
    group as its whole (see `_parts_split`)."""
    r = figure_rollup.c
    counted = r.is_part.is_(False)

    def total(column: Expression) -> ColumnElement[Any]:
        return cast(func.coalesce(func.sum(case((counted, column))), 0), BigInteger)

    def sum_or_null(column: Expression, count: Expression) -> ColumnElement[Any]:
        return case((func.sum(case((counted, count))) > 0, total(column)))

    return [
        total(r.value_sum).label("sum"),
        total(r.figures).label("figures"),
        sum_or_null(r.women_sum, r.women_count).label("women"),
        sum_or_null(r.men_sum, r.men_count).label("men"),
        sum_or_null(r.children_sum, r.children_count).label("children"),
        total(r.with_breakdown).label("with_breakdown"),
        total(r.breakdown_base).label("breakdown_base"),
        _flag(counted, r.qualifier.in_(LOWER_BOUND)).label("lower_bound"),
        _flag(counted, r.qualifier.in_(APPROXIMATE)).label("approximate"),
        _flag(counted, r.qualifier == Qualifier.UP_TO).label("upper_bound"),
    ]


def _flag(counted: ColumnElement[bool], test: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.coalesce(func.bool_or(and_(counted, test)), False)


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
        cast(func.coalesce(func.sum(case((has_breakdown, Figure.value))), 0), BigInteger).label(
            "breakdown_base"
        ),
        func.bool_or(Figure.qualifier.in_(LOWER_BOUND)).label("lower_bound"),
        func.bool_or(Figure.qualifier.in_(APPROXIMATE)).label("approximate"),
        func.bool_or(Figure.qualifier == Qualifier.UP_TO).label("upper_bound"),
    ]


def _parts_split(session: Session) -> bool | None:
    """None when no figure is a part; True when some part differs from its whole in a column
    the rollup keeps apart (mission, qualifier), so that a rollup filter or group could hold
    the one without the other; else False (every part shares every rollup group with its
    whole, since they share story, hence year and objective, and metric and unit)."""
    whole = aliased(Figure)
    found = session.execute(
        select(
            func.count(),
            func.bool_or(
                or_(
                    Figure.mission_id.is_distinct_from(whole.mission_id),
                    Figure.qualifier != whole.qualifier,
                )
            ),
        )
        .select_from(Figure)
        .join(whole, whole.id == Figure.part_of_id)
        .where(Figure.part_of_id.is_not(None))  # the parts alone, through their index
    ).one()
    return None if not found[0] else bool(found[1])


def _without_parts_whose_whole_is_in(
    base: Select[Any], keys: list[Expression]
) -> ColumnElement[bool]:
    """The rule, on the rows: a figure is left out of a group when it is a part and its whole
    is selected too and falls in the same group. A part selected without its whole (a search
    that finds only it, another location) still counts."""
    grouped: list[ColumnElement[Any]] = [key.label(f"k{i}") for i, key in enumerate(keys)]
    columns: list[ColumnElement[Any]] = [
        Figure.id.label("id"),
        Figure.part_of_id.label("part_of_id"),
        *grouped,
    ]
    selected = base.with_only_columns(*columns).order_by(None).cte("selected")
    part, whole = selected.alias("part"), selected.alias("whole")
    # only the figure's id is correlated: the group keys (scalar subqueries among them) are
    # compared inside the selection, never against the outer query
    return ~exists(
        select(1)
        .select_from(part)
        .join(whole, whole.c.id == part.c.part_of_id)
        .where(
            part.c.id == Figure.id,
            *(whole.c[f"k{i}"].is_not_distinct_from(part.c[f"k{i}"]) for i in range(len(keys))),
        )
    )


def figure_stats(
    session: Session, selection: Selection, group_by: list[str]
) -> tuple[list[str], list[dict[str, Any]]]:
    """Sums of figure values per group, and the dimensions they were grouped by.

    Figures of different metrics, or of one metric in different units, count different things,
    so they are never added together: when the selection holds several (metric, unit) pairs
    and `metric` is not asked for, the groups are split by metric (and its unit) as well.
    A part is never added to its whole: it is left out of a group that holds its whole.
    Read from the figure rollup when the selection and every dimension allow it (thousands
    of groups instead of every figure) and no part could sit in another rollup group than
    its whole; otherwise from the figures themselves.
    """
    kinds: list[Expression]
    counted: ColumnElement[Any]
    split = _parts_split(session)
    from_rollup = (
        selection.rollup is not None
        and all(DIMENSIONS[name].rollup_key is not None for name in group_by)
        and not split
    )
    if from_rollup:
        base = ROLLUP_FROM.where(*(selection.rollup or ()))
        kinds = [figure_rollup.c.metric_id, ROLLUP_UNIT]
        measures = _rollup_measures()
        counted = func.sum(case((figure_rollup.c.is_part.is_(False), figure_rollup.c.figures)))
    else:
        conditions = list(selection.conditions)
        if selection.q:
            plan_for_the_words(session)
            conditions.append(search_condition(figures.SPEC, selection.q))
        base = figures.SPEC.select.where(*conditions)
        kinds = [Figure.metric_id, FIGURE_UNIT]
        measures = _measures()
        counted = func.count(Figure.id)
    if "metric" not in group_by:
        kind_count = session.scalar(
            base.with_only_columns(func.count(distinct(tuple_(*kinds)))).order_by(None)
        )
        if (kind_count or 0) > 1:
            group_by = [*group_by, "metric"]
    dimensions = [DIMENSIONS[name] for name in group_by]
    key_exprs = [
        d.rollup_key if from_rollup and d.rollup_key is not None else d.key for d in dimensions
    ]
    label_exprs = {
        label: expr
        for d in dimensions
        for label, expr in ((d.rollup_labels or d.labels) if from_rollup else d.labels).items()
    }
    keys: list[ColumnElement[Any]] = [
        expr.label(name) for name, expr in zip(group_by, key_exprs, strict=True)
    ]
    labels: list[ColumnElement[Any]] = [expr.label(name) for name, expr in label_exprs.items()]
    if "metric" not in group_by:  # one metric in one unit: say which unit the sums count
        measures = [func.min(kinds[1]).label("unit"), *measures]
    statement = base.with_only_columns(*keys, *labels, *measures)
    if not from_rollup and split is not None:
        statement = statement.where(
            _without_parts_whose_whole_is_in(base, [*key_exprs, *label_exprs.values()])
        )
    statement = (
        statement.group_by(*keys, *labels)
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
    headlines = _headlines(session, name)
    result = []
    for (value,) in session.execute(everyone.order_by(key)).all():
        found = headlines.get(value, {})
        result.append(
            {
                name: value,
                "stories": story_counts.get(value, 0),
                "activities": activity_counts.get(value, 0),
                "figures": figure_counts.get(value, 0),
                "headlines": {
                    **{metric: found.get(metric) for metric in HEADLINE_METRICS},
                    **{k: v for k, v in found.items() if k not in HEADLINE_METRICS},
                },
            }
        )
    return result


HEADLINE_MEASURES = (
    "unit",
    "sum",
    "figures",
    "women",
    "men",
    "children",
    "with_breakdown",
    "breakdown_base",
    "lower_bound",
    "approximate",
    "upper_bound",
)


def _headlines(session: Session, name: str) -> dict[Any, dict[str, dict[str, Any]]]:
    """Group value -> headline name -> the figure stats of that metric in that group, so the
    overview sums exactly as /v1/stats/figures does (parts left out, units apart, same flags).
    A headline in its metric's own unit is named by the metric (`convictions`); one in
    another unit by the metric and the unit (`convictions:case`)."""
    metric_ids = select(Metric.id).where(Metric.code.in_(HEADLINE_METRICS))
    own_units = {
        code: unit
        for code, unit in session.execute(
            select(Metric.code, Metric.unit).where(Metric.code.in_(HEADLINE_METRICS))
        )
    }
    selection = Selection(
        [Figure.metric_id.in_(metric_ids)], rollup=[figure_rollup.c.metric_id.in_(metric_ids)]
    )
    _, groups = figure_stats(session, selection, [name, "metric"])
    headlines: dict[Any, dict[str, dict[str, Any]]] = {}
    for group in groups:
        if group[name] is None:
            continue
        metric, unit = group["metric"], group["unit"]
        headline = metric if unit == own_units.get(metric) else f"{metric}:{unit}"
        headlines.setdefault(group[name], {})[headline] = {
            measure: group[measure] for measure in HEADLINE_MEASURES
        }
    return headlines
