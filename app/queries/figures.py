"""SQL for figures: one SELECT with every label a client needs, no per-row queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, and_, exists, func, select
from sqlalchemy.orm import aliased

from app.enums import Qualifier
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
from app.queries.bound import one_of
from app.queries.items import From, Shape
from app.queries.keyset import SortField
from app.queries.listing import ListSpec
from app.queries.shapes import overlaps
from app.schemas.content import FigureOut

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

ITEM = Shape(
    FigureOut,
    From(
        Figure,
        id=Figure.key,
        metric=From(Metric),
        unit=func.coalesce(Figure.unit, Metric.unit),
        part_of=Whole.key,
        mission=Mission.code,
        objective=Objective.number,
        story=From(Story, id=Story.key),
        activity=From(Activity, id=Activity.key, type=ActivityType.code),
        location=From(Location, id=Location.key, country=LocationCountry.iso3),
        date=From(start=effective_start, end=effective_end, precision=effective_precision),
        source=From(Figure, report=Report.key, edition=Report.edition_year),
    ),
)
"""Each figure as the API shows it (`FigureOut`), and the columns it is read from."""

SELECT = (
    select(*ITEM.columns)
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


SPEC = ListSpec(
    select=SELECT,
    id_column=Figure.id,
    sort_fields=SORT_FIELDS,
    default_sort=DEFAULT_SORT,
    to_item=ITEM.to_item,
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
    qualifier: list[Qualifier] | None = None
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
        where.append(one_of(Figure.mission_id, f.mission))
    if f.objective is not None:
        where.append(one_of(Figure.objective_id, f.objective))
    if f.country is not None:
        # the figure's own place, else the country of the mission that produced it
        where.append(
            Figure.location_id.in_(
                select(Location.id).where(one_of(Location.country_id, f.country))
            )
            | (
                Figure.location_id.is_(None)
                & Figure.mission_id.in_(
                    select(Mission.id).where(one_of(Mission.country_id, f.country))
                )
            )
        )
    if f.location is not None:
        where.append(
            one_of(Figure.location_id, f.location)
            | exists().where(
                activity_location.c.activity_id == Figure.activity_id,
                one_of(activity_location.c.location_id, f.location),
            )
        )
    if f.partner is not None:
        where.append(
            exists().where(
                activity_partner.c.activity_id == Figure.activity_id,
                one_of(activity_partner.c.partner_id, f.partner),
            )
        )
    if f.story is not None:
        where.append(one_of(Figure.story_id, f.story))
    if f.activity is not None:
        where.append(one_of(Figure.activity_id, f.activity))
    if f.type is not None:
        where.append(
            Figure.activity_id.in_(
                select(Activity.id).where(one_of(Activity.activity_type_id, f.type))
            )
        )
    if f.metric is not None:
        where.append(one_of(Figure.metric_id, f.metric))
    if f.qualifier is not None:
        where.append(one_of(Figure.qualifier, f.qualifier))
    if f.year is not None:
        where.append(one_of(Figure.edition_year, f.year))
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
