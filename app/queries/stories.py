"""SQL for stories, with their missions, countries and counts aggregated in the same query."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, exists, func, select

from app.enums import StoryKind
from app.models import (
    Activity,
    Country,
    Figure,
    Mission,
    Objective,
    Report,
    Story,
    activity_location,
    activity_partner,
    story_country,
    story_mission,
)
from app.queries.bound import one_of
from app.queries.items import From, Shape
from app.queries.keyset import SortField
from app.queries.listing import ListSpec
from app.queries.shapes import json_values, linked, overlaps
from app.schemas.content import StoryOut

mission_codes = linked(json_values(Mission.code), story_mission, Story.id)
country_codes = linked(json_values(Country.iso3), story_country, Story.id)
activity_count = (
    select(func.count(Activity.id)).where(Activity.story_id == Story.id).scalar_subquery()
)
figure_count = select(func.count(Figure.id)).where(Figure.story_id == Story.id).scalar_subquery()

ITEM = Shape(
    StoryOut,
    From(
        Story,
        id=Story.key,
        objective=From(Objective),
        missions=mission_codes,
        countries=country_codes,
        year=Report.edition_year,
        report=Report.key,
        activity_count=activity_count,
        figure_count=figure_count,
    ),
)
"""Each story as the API shows it (`StoryOut`), and the columns it is read from."""

SELECT = (
    select(*ITEM.columns)
    .select_from(Story)
    .join(Report, Story.report_id == Report.id)
    .outerjoin(Objective, Story.objective_id == Objective.id)
)

SORT_FIELDS = {
    "year": SortField((Report.edition_year,)),
    "position": SortField((Story.order_key,)),
    "number": SortField((Story.number,), nullable=True),
    "title": SortField((Story.title,)),
}
DEFAULT_SORT = "position"
"""Report order: newest edition first, then reading order (`order_key`)."""


SPEC = ListSpec(
    select=SELECT,
    id_column=Story.id,
    sort_fields=SORT_FIELDS,
    default_sort=DEFAULT_SORT,
    to_item=ITEM.to_item,
    search_vector=Story.search_vector,
)


@dataclass(frozen=True)
class StoryFilters:
    mission: list[int] | None = None
    objective: list[int] | None = None
    country: list[int] | None = None
    location: list[int] | None = None
    partner: list[int] | None = None
    kind: list[StoryKind] | None = None
    year: list[int] | None = None
    date_from: date | None = None
    date_to: date | None = None


def conditions(f: StoryFilters) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if f.mission is not None:
        where.append(
            exists().where(
                story_mission.c.story_id == Story.id, one_of(story_mission.c.mission_id, f.mission)
            )
        )
    if f.objective is not None:
        where.append(one_of(Story.objective_id, f.objective))
    if f.country is not None:
        where.append(
            exists().where(
                story_country.c.story_id == Story.id, one_of(story_country.c.country_id, f.country)
            )
        )
    if f.location is not None:
        where.append(
            exists().where(
                Activity.story_id == Story.id,
                activity_location.c.activity_id == Activity.id,
                one_of(activity_location.c.location_id, f.location),
            )
        )
    if f.partner is not None:
        where.append(
            exists().where(
                Activity.story_id == Story.id,
                activity_partner.c.activity_id == Activity.id,
                one_of(activity_partner.c.partner_id, f.partner),
            )
        )
    if f.kind is not None:
        where.append(one_of(Story.kind, f.kind))
    if f.year is not None:
        where.append(
            Story.report_id.in_(select(Report.id).where(one_of(Report.edition_year, f.year)))
        )
    window = overlaps(Activity.date_start, Activity.date_end, f.date_from, f.date_to)
    if window:
        where.append(exists().where(Activity.story_id == Story.id, *window))
    return where
