"""SQL for activities: labels joined in, locations and partners aggregated in the same query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, exists, func, select

from app.models import (
    Activity,
    ActivityType,
    Country,
    Figure,
    Location,
    Mission,
    Objective,
    Partner,
    Report,
    Story,
    activity_location,
    activity_partner,
)
from app.queries.bound import one_of
from app.queries.items import From, Shape, object_pairs
from app.queries.keyset import SortField
from app.queries.listing import ListSpec
from app.queries.shapes import json_objects, overlaps
from app.schemas.content import ActivityLocation, ActivityOut, ActivityPartner

locations_json = (
    select(
        json_objects(
            *object_pairs(ActivityLocation, From(Location, id=Location.key, country=Country.iso3)),
            order_by=Location.key,
        )
    )
    .select_from(activity_location)
    .join(Location, activity_location.c.location_id == Location.id)
    .join(Country, Location.country_id == Country.id)
    .where(activity_location.c.activity_id == Activity.id)
    .scalar_subquery()
)
partners_json = (
    select(
        json_objects(
            *object_pairs(ActivityPartner, From(Partner, id=Partner.key)), order_by=Partner.key
        )
    )
    .select_from(activity_partner)
    .join(Partner, activity_partner.c.partner_id == Partner.id)
    .where(activity_partner.c.activity_id == Activity.id)
    .scalar_subquery()
)
figure_count = (
    select(func.count(Figure.id)).where(Figure.activity_id == Activity.id).scalar_subquery()
)

ITEM = Shape(
    ActivityOut,
    From(
        Activity,
        id=Activity.key,
        type=From(ActivityType),
        mission=Mission.code,
        objective=Objective.number,
        story=From(Story, id=Story.key),
        year=Report.edition_year,
        date=From(
            start=Activity.date_start, end=Activity.date_end, precision=Activity.date_precision
        ),
        locations=locations_json,
        partners=partners_json,
        figure_count=figure_count,
    ),
)
"""Each activity as the API shows it (`ActivityOut`), and the columns it is read from."""

SELECT = (
    select(*ITEM.columns)
    .select_from(Activity)
    # LEFT joins, so that PostgreSQL can drop the unused ones (see queries/figures.py)
    .outerjoin(ActivityType, Activity.activity_type_id == ActivityType.id)
    .outerjoin(Story, Activity.story_id == Story.id)
    .outerjoin(Report, Story.report_id == Report.id)
    .outerjoin(Objective, Activity.objective_id == Objective.id)
    .outerjoin(Mission, Activity.mission_id == Mission.id)
)

SORT_FIELDS = {
    "year": SortField((Activity.edition_year,)),
    "position": SortField((Activity.order_key,)),
    "date": SortField((Activity.date_start,), nullable=True),
    "title": SortField((Activity.title,)),
    "mission": SortField((Mission.code,), nullable=True),
    "type": SortField((ActivityType.code,)),
}
DEFAULT_SORT = "position"
"""Report order: newest edition first, then story and activity (`order_key`)."""


SPEC = ListSpec(
    select=SELECT,
    id_column=Activity.id,
    sort_fields=SORT_FIELDS,
    default_sort=DEFAULT_SORT,
    to_item=ITEM.to_item,
    search_vector=Activity.search_vector,
)


@dataclass(frozen=True)
class ActivityFilters:
    mission: list[int] | None = None
    objective: list[int] | None = None
    country: list[int] | None = None
    location: list[int] | None = None
    partner: list[int] | None = None
    story: list[int] | None = None
    type: list[int] | None = None
    year: list[int] | None = None
    date_from: date | None = None
    date_to: date | None = None


def in_country(country_ids: list[int]) -> ColumnElement[bool]:
    """An activity is in a country when one of its places is, or its mission is based there."""
    return Activity.mission_id.in_(
        select(Mission.id).where(one_of(Mission.country_id, country_ids))
    ) | exists().where(
        activity_location.c.activity_id == Activity.id,
        activity_location.c.location_id == Location.id,
        one_of(Location.country_id, country_ids),
    )


def conditions(f: ActivityFilters) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if f.mission is not None:
        where.append(one_of(Activity.mission_id, f.mission))
    if f.objective is not None:
        where.append(one_of(Activity.objective_id, f.objective))
    if f.country is not None:
        where.append(in_country(f.country))
    if f.location is not None:
        where.append(
            exists().where(
                activity_location.c.activity_id == Activity.id,
                one_of(activity_location.c.location_id, f.location),
            )
        )
    if f.partner is not None:
        where.append(
            exists().where(
                activity_partner.c.activity_id == Activity.id,
                one_of(activity_partner.c.partner_id, f.partner),
            )
        )
    if f.story is not None:
        where.append(one_of(Activity.story_id, f.story))
    if f.type is not None:
        where.append(one_of(Activity.activity_type_id, f.type))
    if f.year is not None:
        where.append(one_of(Activity.edition_year, f.year))
    where.extend(overlaps(Activity.date_start, Activity.date_end, f.date_from, f.date_to))
    return where
