"""SQL for figures: one SELECT with every label a client needs, no per-row queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, RowMapping, and_, exists, func, select
from sqlalchemy.orm import aliased

from app.models import (
    Activity,
    ActivityType,
    Country,
    Figure,
    Location,
    Metric,
    Mission,
    Objective,
    Report,
    Story,
    activity_location,
    activity_partner,
)
from app.queries.keyset import SortField
from app.queries.listing import ListSpec
from app.queries.shapes import overlaps, period

LocationCountry = aliased(Country)
Whole = aliased(Figure)
"""The figure a part is a subset of (`part_of`)."""

effective_start = func.coalesce(Figure.date_start, Activity.date_start)
effective_end = func.coalesce(Figure.date_end, Activity.date_end)
effective_precision = func.coalesce(Figure.date_precision, Activity.date_precision)

figure_country = (
    select(Country.iso3)
    .where(Country.id == func.coalesce(Location.country_id, Mission.country_id))
    .scalar_subquery()
)
"""ISO3 of the figure's own place, else of the mission whose activity produced it."""

SELECT = (
    select(
        Figure.id,
        Figure.key,
        Figure.value,
        Figure.qualifier,
        Figure.women,
        Figure.men,
        Figure.children,
        Figure.subject,
        Figure.evidence,
        Figure.section,
        Figure.note,
        effective_start.label("date_start"),
        effective_end.label("date_end"),
        effective_precision.label("date_precision"),
        Metric.code.label("metric_code"),
        Metric.label.label("metric_label"),
        Metric.unit.label("metric_unit"),
        func.coalesce(Figure.unit, Metric.unit).label("unit"),
        Whole.key.label("part_of_key"),
        Story.key.label("story_key"),
        Story.number.label("story_number"),
        Story.title.label("story_title"),
        Activity.key.label("activity_key"),
        Activity.title.label("activity_title"),
        ActivityType.code.label("activity_type"),
        Mission.code.label("mission_code"),
        Objective.number.label("objective_number"),
        Location.key.label("location_key"),
        Location.name.label("location_name"),
        LocationCountry.iso3.label("location_country"),
        Report.key.label("report_key"),
        Report.edition_year,
    )
    .select_from(Figure)
    # LEFT joins throughout (even on NOT NULL keys): PostgreSQL drops the ones a query does not
    # use, so counts and aggregates over this FROM clause touch the figure table alone
    .outerjoin(Metric, Figure.metric_id == Metric.id)
    .outerjoin(Story, Figure.story_id == Story.id)
    .outerjoin(Report, Story.report_id == Report.id)
    .outerjoin(Objective, Figure.objective_id == Objective.id)
    .outerjoin(Activity, Figure.activity_id == Activity.id)
    .outerjoin(ActivityType, Activity.activity_type_id == ActivityType.id)
    .outerjoin(Mission, Figure.mission_id == Mission.id)
    .outerjoin(Location, Figure.location_id == Location.id)
    .outerjoin(LocationCountry, Location.country_id == LocationCountry.id)
    .outerjoin(Whole, Figure.part_of_id == Whole.id)
)

SORT_FIELDS = {
    "year": SortField((Figure.edition_year,)),
    "position": SortField((Figure.order_key,)),
    "value": SortField((Figure.value,)),
    "date": SortField((effective_start,), nullable=True),
    "metric": SortField((Metric.code,)),
    "mission": SortField((Mission.code,), nullable=True),
}
DEFAULT_SORT = "position"
"""Report order: newest edition first, then story, activity and figure (`order_key`)."""


def to_item(row: RowMapping) -> dict[str, Any]:
    return {
        "id": row["key"],
        "metric": {
            "code": row["metric_code"],
            "label": row["metric_label"],
            "unit": row["metric_unit"],
        },
        "unit": row["unit"],
        "value": row["value"],
        "part_of": row["part_of_key"],
        "qualifier": row["qualifier"],
        "women": row["women"],
        "men": row["men"],
        "children": row["children"],
        "subject": row["subject"],
        "mission": row["mission_code"],
        "objective": row["objective_number"],
        "story": {
            "id": row["story_key"],
            "number": row["story_number"],
            "title": row["story_title"],
        },
        "activity": (
            {
                "id": row["activity_key"],
                "title": row["activity_title"],
                "type": row["activity_type"],
            }
            if row["activity_key"]
            else None
        ),
        "location": (
            {
                "id": row["location_key"],
                "name": row["location_name"],
                "country": row["location_country"],
            }
            if row["location_key"]
            else None
        ),
        "date": period(row["date_start"], row["date_end"], row["date_precision"]),
        "note": row["note"],
        "source": {
            "report": row["report_key"],
            "edition": row["edition_year"],
            "section": row["section"],
            "evidence": row["evidence"],
        },
    }


SPEC = ListSpec(
    select=SELECT,
    id_column=Figure.id,
    sort_fields=SORT_FIELDS,
    default_sort=DEFAULT_SORT,
    to_item=to_item,
    search_vector=Figure.search_vector,
)


@dataclass(frozen=True)
class FigureFilters:
    mission: list[int] | None = None
    objective: list[int] | None = None
    country: list[int] | None = None
    location: list[int] | None = None
    partner: list[int] | None = None
    story: list[int] | None = None
    activity: list[int] | None = None
    type: list[int] | None = None
    metric: list[int] | None = None
    qualifier: list[str] | None = None
    year: list[int] | None = None
    date_from: date | None = None
    date_to: date | None = None


def conditions(f: FigureFilters) -> list[ColumnElement[bool]]:
    """AND across filters, OR (IN) within one.

    Every condition reads the figure row alone (other tables only in subqueries), so a count
    can run on the figure table without joins, often from an index alone.
    """
    where: list[ColumnElement[bool]] = []
    if f.mission is not None:
        where.append(Figure.mission_id.in_(f.mission))
    if f.objective is not None:
        where.append(Figure.objective_id.in_(f.objective))
    if f.country is not None:
        # the figure's own place, else the country of the mission that produced it
        where.append(
            Figure.location_id.in_(select(Location.id).where(Location.country_id.in_(f.country)))
            | (
                Figure.location_id.is_(None)
                & Figure.mission_id.in_(select(Mission.id).where(Mission.country_id.in_(f.country)))
            )
        )
    if f.location is not None:
        where.append(
            Figure.location_id.in_(f.location)
            | exists().where(
                activity_location.c.activity_id == Figure.activity_id,
                activity_location.c.location_id.in_(f.location),
            )
        )
    if f.partner is not None:
        where.append(
            exists().where(
                activity_partner.c.activity_id == Figure.activity_id,
                activity_partner.c.partner_id.in_(f.partner),
            )
        )
    if f.story is not None:
        where.append(Figure.story_id.in_(f.story))
    if f.activity is not None:
        where.append(Figure.activity_id.in_(f.activity))
    if f.type is not None:
        where.append(
            Figure.activity_id.in_(select(Activity.id).where(Activity.activity_type_id.in_(f.type)))
        )
    if f.metric is not None:
        where.append(Figure.metric_id.in_(f.metric))
    if f.qualifier is not None:
        where.append(Figure.qualifier.in_(f.qualifier))
    if f.year is not None:
        where.append(Figure.edition_year.in_(f.year))
    if f.date_from is not None or f.date_to is not None:
        # the figure's own period, else its activity's
        dated_activities = select(Activity.id).where(
            *overlaps(Activity.date_start, Activity.date_end, f.date_from, f.date_to)
        )
        where.append(
            and_(
                Figure.date_start.is_not(None),
                *overlaps(Figure.date_start, Figure.date_end, f.date_from, f.date_to),
            )
            | (Figure.date_start.is_(None) & Figure.activity_id.in_(dated_activities))
        )
    return where
