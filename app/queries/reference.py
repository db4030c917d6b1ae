"""SQL for the reference resources: reports, missions, places, partners and vocabularies."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from app.models import (
    Activity,
    ActivityType,
    Country,
    Figure,
    Location,
    Metric,
    Mission,
    Objective,
    Partner,
    Report,
    Story,
    activity_location,
    activity_partner,
    activity_rollup,
    figure_rollup,
    story_mission,
)
from app.models.columns import UNACCENT_FUNCTION
from app.queries import rollups
from app.queries.keyset import Expression, SortField
from app.queries.listing import ListSpec
from app.queries.shapes import last_day, period

_unaccent = getattr(func, UNACCENT_FUNCTION)


def name_matches(q: str, *columns: Expression) -> ColumnElement[bool]:
    """Case- and accent-insensitive substring match, for short names (`q` on places, partners)."""
    pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    needle = _unaccent(pattern)
    matches = [_unaccent(func.coalesce(column, "")).ilike(needle) for column in columns]
    return or_(*matches)


# --- reports ---------------------------------------------------------------------------------

REPORTS = ListSpec(
    select=select(Report),
    id_column=Report.id,
    sort_fields={"year": SortField((Report.edition_year,))},
    default_sort="-year",
    to_item=lambda row: report_item(row["Report"]),
)


def report_item(report: Report) -> dict[str, Any]:
    return {
        "id": report.key,
        "edition_year": report.edition_year,
        "title": report.title,
        "publisher": report.publisher,
        "published": period(
            report.published_date,
            last_day(report.published_date, report.published_precision),
            report.published_precision,
        ),
        "source_url": report.source_url,
        "licence_note": report.licence_note,
    }


# --- missions --------------------------------------------------------------------------------

MISSIONS = ListSpec(
    select=select(Mission, Country.iso3, Country.name.label("country_name")).join(
        Country, Mission.country_id == Country.id
    ),
    id_column=Mission.id,
    sort_fields={
        "code": SortField((Mission.code,)),
        "mandate_start": SortField((Mission.mandate_start,)),
    },
    default_sort="code",
    to_item=lambda row: mission_item(row["Mission"], row["iso3"], row["country_name"]),
)


def mission_item(mission: Mission, iso3: str, country_name: str) -> dict[str, Any]:
    return {
        "id": mission.code,
        "code": mission.code,
        "name": mission.name,
        "country": {"iso3": iso3, "name": country_name},
        "status": mission.status,
        "mandate_start": mission.mandate_start,
        "mandate_end": mission.mandate_end,
        "mandate_note": mission.mandate_note,
    }


def mission_counts(session: Session, mission_id: int | ColumnElement[int]) -> dict[str, int]:
    """How much of the data a mission has: stories naming it, its activities and figures."""
    stories = select(func.count()).where(story_mission.c.mission_id == mission_id)
    activities = rollups.ACTIVITIES.total([activity_rollup.c.mission_id == mission_id])
    figures = rollups.FIGURES.total([figure_rollup.c.mission_id == mission_id])
    row = session.execute(
        select(stories.scalar_subquery(), activities.scalar_subquery(), figures.scalar_subquery())
    ).one()
    return {"stories": row[0], "activities": row[1], "figures": row[2]}


# --- objectives ------------------------------------------------------------------------------

OBJECTIVES = ListSpec(
    select=select(Objective),
    id_column=Objective.id,
    sort_fields={"number": SortField((Objective.number,))},
    default_sort="number",
    to_item=lambda row: objective_item(row["Objective"]),
)


def objective_item(objective: Objective) -> dict[str, Any]:
    return {
        "id": objective.number,
        "number": objective.number,
        "title": objective.title,
        "description": objective.description,
    }


def objective_counts(session: Session, objective_id: int | ColumnElement[int]) -> dict[str, int]:
    # count(*), so that the index on objective_id answers alone
    stories = select(func.count()).select_from(Story).where(Story.objective_id == objective_id)
    activities = rollups.ACTIVITIES.total([activity_rollup.c.objective_id == objective_id])
    figures = rollups.FIGURES.total([figure_rollup.c.objective_id == objective_id])
    row = session.execute(
        select(stories.scalar_subquery(), activities.scalar_subquery(), figures.scalar_subquery())
    ).one()
    return {"stories": row[0], "activities": row[1], "figures": row[2]}


# --- countries and locations -----------------------------------------------------------------

COUNTRIES = ListSpec(
    select=select(Country),
    id_column=Country.id,
    sort_fields={"iso3": SortField((Country.iso3,)), "name": SortField((Country.name,))},
    default_sort="name",
    to_item=lambda row: {
        "id": row["Country"].iso3,
        "iso3": row["Country"].iso3,
        "name": row["Country"].name,
    },
)

LOCATIONS = ListSpec(
    select=select(Location, Country.iso3, Country.name.label("country_name")).join(
        Country, Location.country_id == Country.id
    ),
    id_column=Location.id,
    sort_fields={"name": SortField((Location.name,)), "country": SortField((Country.iso3,))},
    default_sort="name",
    to_item=lambda row: location_item(row["Location"], row["iso3"], row["country_name"]),
)


def location_item(location: Location, iso3: str, country_name: str) -> dict[str, Any]:
    return {
        "id": location.key,
        "name": location.name,
        "kind": location.kind,
        "country": {"iso3": iso3, "name": country_name},
        "admin1": location.admin1,
        "latitude": location.latitude,
        "longitude": location.longitude,
        "precision": location.precision,
        "coordinate_source": location.coordinate_source,
    }


def location_detail(session: Session, key: str) -> dict[str, Any] | None:
    """A location with how many activities and figures it has, and the lists of them.

    The links are paths (`/v1/activities?location=goma`), as the `Location` header of a write
    is: the same for every client, so the detail's ETag is what a write's `If-Match` compares.
    """
    rows = session.execute(LOCATIONS.select.where(Location.key == key)).mappings().all()
    if not rows:
        return None
    item = LOCATIONS.to_item(rows[0])
    own = rows[0]["Location"].id
    activities = select(func.count()).where(activity_location.c.location_id == own)
    figures = select(func.count()).select_from(Figure).where(Figure.location_id == own)
    counted = session.execute(select(activities.scalar_subquery(), figures.scalar_subquery()))
    n_activities, n_figures = counted.one()
    return {
        **item,
        "counts": {"activities": n_activities, "figures": n_figures},
        "links": {
            "activities": f"/v1/activities?location={item['id']}",
            "figures": f"/v1/figures?location={item['id']}",
        },
    }


# --- partners --------------------------------------------------------------------------------

PartnerCountry = aliased(Country)

PARTNERS = ListSpec(
    select=select(Partner, PartnerCountry.iso3).outerjoin(
        PartnerCountry, Partner.country_id == PartnerCountry.id
    ),
    id_column=Partner.id,
    sort_fields={"name": SortField((Partner.name,)), "kind": SortField((Partner.kind,))},
    default_sort="name",
    to_item=lambda row: partner_item(row["Partner"], row["iso3"]),
)


def partner_item(partner: Partner, iso3: str | None) -> dict[str, Any]:
    return {
        "id": partner.key,
        "name": partner.name,
        "acronym": partner.acronym,
        "kind": partner.kind,
        "country": iso3,
    }


def partner_works_with(mission_ids: list[int]) -> ColumnElement[bool]:
    """Partners named in an activity of one of these missions."""
    return exists().where(
        activity_partner.c.partner_id == Partner.id,
        activity_partner.c.activity_id == Activity.id,
        Activity.mission_id.in_(mission_ids),
    )


# --- vocabularies ----------------------------------------------------------------------------

METRICS = ListSpec(
    select=select(Metric),
    id_column=Metric.id,
    sort_fields={"code": SortField((Metric.code,))},
    default_sort="code",
    to_item=lambda row: {
        "id": row["Metric"].code,
        "code": row["Metric"].code,
        "label": row["Metric"].label,
        "unit": row["Metric"].unit,
        "definition": row["Metric"].definition,
    },
)

ACTIVITY_TYPES = ListSpec(
    select=select(ActivityType),
    id_column=ActivityType.id,
    sort_fields={"code": SortField((ActivityType.code,))},
    default_sort="code",
    to_item=lambda row: {
        "id": row["ActivityType"].code,
        "code": row["ActivityType"].code,
        "label": row["ActivityType"].label,
        "definition": row["ActivityType"].definition,
    },
)
