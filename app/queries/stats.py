"""Aggregates for dashboards, computed by PostgreSQL (GROUP BY), never in Python loops."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, case, distinct, func, or_, select
from sqlalchemy.orm import Session

from app.api.problems import InvalidParameters, Problem, parameter_error
from app.enums import Qualifier
from app.models import (
    Activity,
    ActivityType,
    Figure,
    Location,
    Metric,
    Mission,
    Objective,
    Story,
    story_mission,
)
from app.queries import figures
from app.queries.figures import figure_country
from app.queries.keyset import Expression
from app.queries.listing import search_condition
from app.queries.selection import Selection


@dataclass(frozen=True)
class Dimension:
    """A way to group figures: the value it reports, plus labels shown beside it."""

    key: Expression
    labels: dict[str, Expression]


DIMENSIONS: dict[str, Dimension] = {
    "mission": Dimension(Mission.code, {}),
    "objective": Dimension(Objective.number, {}),
    "country": Dimension(figure_country, {}),
    "metric": Dimension(Metric.code, {"metric_label": Metric.label, "unit": Metric.unit}),
    "year": Dimension(Figure.edition_year, {}),
    "activity_type": Dimension(ActivityType.code, {}),
    "location": Dimension(Location.key, {"location_name": Location.name}),
}

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
) -> list[dict[str, Any]]:
    """Sums of figure values per group, refusing to add different metrics together."""
    conditions = list(selection.conditions)
    if selection.q:
        conditions.append(search_condition(figures.SPEC, selection.q))
    base = figures.SPEC.select.where(*conditions)
    if "metric" not in group_by:
        metric_count = session.scalar(
            base.with_only_columns(func.count(distinct(Figure.metric_id))).order_by(None)
        )
        if (metric_count or 0) > 1:
            raise Problem(
                422,
                f"The selected figures count {metric_count} different things (metrics); "
                "their values cannot be added up. Add `metric` to group_by, or filter one "
                "metric.",
                slug="incompatible-metrics",
                title="Different metrics cannot be summed",
            )
    keys: list[ColumnElement[Any]] = [DIMENSIONS[name].key.label(name) for name in group_by]
    labels: list[ColumnElement[Any]] = [
        expr.label(label) for name in group_by for label, expr in DIMENSIONS[name].labels.items()
    ]
    statement = (
        base.with_only_columns(*keys, *labels, *_measures())
        .group_by(*keys, *labels)
        .having(func.count(Figure.id) > 0)  # no phantom all-null group when nothing matched
        .order_by(*(key.asc().nulls_last() for key in keys))
    )
    return [dict(row) for row in session.execute(statement).mappings()]


HEADLINE_METRICS = ("trainees", "convictions", "survivors_identified")


def overview(session: Session) -> dict[str, list[dict[str, Any]]]:
    """Per mission and per objective: counts of stories, activities, figures, and headlines."""
    return {
        "missions": _overview_by(
            session,
            "mission",
            Mission.code,
            stories=select(Mission.code, func.count(distinct(story_mission.c.story_id)))
            .join(story_mission, story_mission.c.mission_id == Mission.id)
            .group_by(Mission.code),
            activities=select(Mission.code, func.count(Activity.id))
            .join(Activity, Activity.mission_id == Mission.id)
            .group_by(Mission.code),
            everyone=select(Mission.code),
        ),
        "objectives": _overview_by(
            session,
            "objective",
            Objective.number,
            stories=select(Objective.number, func.count(Story.id))
            .join(Story, Story.objective_id == Objective.id)
            .group_by(Objective.number),
            activities=select(Objective.number, func.count(Activity.id))
            .join(Activity, Activity.objective_id == Objective.id)
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
            figures.SPEC.select.with_only_columns(key, func.count(Figure.id))
            .where(key.is_not(None))
            .group_by(key)
        ).all()
    )
    headline_rows = session.execute(
        figures.SPEC.select.with_only_columns(
            key.label("k"), Metric.code.label("metric"), *_measures()
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
