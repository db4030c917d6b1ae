"""SQL for the reference resources: reports, missions, places, partners and vocabularies."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from app.models import (
    Activity,
    ActivityType,
    Country,
    Location,
    Metric,
    Mission,
    Objective,
    Partner,
    Report,
    Story,
    activity_partner,
    activity_rollup,
    figure_rollup,
    story_mission,
)
from app.models.columns import UNACCENT_FUNCTION
from app.queries import rollups
from app.queries.items import Computed, From, Shape
from app.queries.keyset import Expression, SortField
from app.queries.listing import AnySelect, ListSpec
from app.queries.shapes import last_day, period
from app.schemas.reference import (
    ActivityTypeOut,
    CountryOut,
    LocationOut,
    MetricOut,
    MissionOut,
    ObjectiveOut,
    PartnerOut,
    ReportOut,
)

_unaccent = getattr(func, UNACCENT_FUNCTION)


def name_matches(q: str, *columns: Expression) -> ColumnElement[bool]:
    """Case- and accent-insensitive substring match, for short names (`q` on places, partners)."""
    pattern = "%" + q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    needle = _unaccent(pattern)
    matches = [_unaccent(func.coalesce(column, "")).ilike(needle) for column in columns]
    return or_(*matches)


# --- reports ---------------------------------------------------------------------------------


def _published(start: date, precision: str) -> dict[str, Any] | None:
    return period(start, last_day(start, precision), precision)


REPORT = Shape(
    ReportOut,
    From(
        Report,
        id=Report.key,
        published=Computed(_published, Report.published_date, Report.published_precision),
    ),
)
REPORTS = ListSpec(
    select=select(*REPORT.columns),
    id_column=Report.id,
    sort_fields={"year": SortField((Report.edition_year,))},
    default_sort="-year",
    to_item=REPORT.to_item,
)


# --- missions --------------------------------------------------------------------------------

MISSION = Shape(MissionOut, From(Mission, id=Mission.code, country=From(Country)))
MISSIONS = ListSpec(
    select=select(*MISSION.columns).join(Country, Mission.country_id == Country.id),
    id_column=Mission.id,
    sort_fields={
        "code": SortField((Mission.code,)),
        "mandate_start": SortField((Mission.mandate_start,)),
    },
    default_sort="code",
    to_item=MISSION.to_item,
)


def mission_counts_statement(mission_id: int | ColumnElement[int]) -> AnySelect:
    """How much of the data a mission has: stories naming it, its activities and figures."""
    stories = select(func.count()).where(story_mission.c.mission_id == mission_id)
    activities = rollups.ACTIVITIES.total([activity_rollup.c.mission_id == mission_id])
    figures = rollups.FIGURES.total([figure_rollup.c.mission_id == mission_id])
    return select(
        stories.scalar_subquery(), activities.scalar_subquery(), figures.scalar_subquery()
    )


def counts(row: Sequence[int]) -> dict[str, int]:
    return {"stories": row[0], "activities": row[1], "figures": row[2]}


def mission_counts(session: Session, mission_id: int | ColumnElement[int]) -> dict[str, int]:
    return counts(session.execute(mission_counts_statement(mission_id)).one())


# --- objectives ------------------------------------------------------------------------------

OBJECTIVE = Shape(ObjectiveOut, From(Objective, id=Objective.number))
OBJECTIVES = ListSpec(
    select=select(*OBJECTIVE.columns),
    id_column=Objective.id,
    sort_fields={"number": SortField((Objective.number,))},
    default_sort="number",
    to_item=OBJECTIVE.to_item,
)


def objective_counts(session: Session, objective_id: int | ColumnElement[int]) -> dict[str, int]:
    # count(*), so that the index on objective_id answers alone
    stories = select(func.count()).select_from(Story).where(Story.objective_id == objective_id)
    activities = rollups.ACTIVITIES.total([activity_rollup.c.objective_id == objective_id])
    figures = rollups.FIGURES.total([figure_rollup.c.objective_id == objective_id])
    row = session.execute(
        select(stories.scalar_subquery(), activities.scalar_subquery(), figures.scalar_subquery())
    ).one()
    return counts(row)


# --- countries and locations -----------------------------------------------------------------

COUNTRY = Shape(CountryOut, From(Country, id=Country.iso3))
COUNTRIES = ListSpec(
    select=select(*COUNTRY.columns),
    id_column=Country.id,
    sort_fields={"iso3": SortField((Country.iso3,)), "name": SortField((Country.name,))},
    default_sort="name",
    to_item=COUNTRY.to_item,
)

LOCATION = Shape(LocationOut, From(Location, id=Location.key, country=From(Country)))
LOCATIONS = ListSpec(
    select=select(*LOCATION.columns).join(Country, Location.country_id == Country.id),
    id_column=Location.id,
    sort_fields={"name": SortField((Location.name,)), "country": SortField((Country.iso3,))},
    default_sort="name",
    to_item=LOCATION.to_item,
)


# --- partners --------------------------------------------------------------------------------

PartnerCountry = aliased(Country)

PARTNER = Shape(PartnerOut, From(Partner, id=Partner.key, country=PartnerCountry.iso3))
PARTNERS = ListSpec(
    select=select(*PARTNER.columns).outerjoin(
        PartnerCountry, Partner.country_id == PartnerCountry.id
    ),
    id_column=Partner.id,
    sort_fields={"name": SortField((Partner.name,)), "kind": SortField((Partner.kind,))},
    default_sort="name",
    to_item=PARTNER.to_item,
)


def partner_works_with(mission_ids: list[int]) -> ColumnElement[bool]:
    """Partners named in an activity of one of these missions."""
    return exists().where(
        activity_partner.c.partner_id == Partner.id,
        activity_partner.c.activity_id == Activity.id,
        Activity.mission_id.in_(mission_ids),
    )


# --- vocabularies ----------------------------------------------------------------------------

METRIC = Shape(MetricOut, From(Metric, id=Metric.code))
METRICS = ListSpec(
    select=select(*METRIC.columns),
    id_column=Metric.id,
    sort_fields={"code": SortField((Metric.code,))},
    default_sort="code",
    to_item=METRIC.to_item,
)

ACTIVITY_TYPE = Shape(ActivityTypeOut, From(ActivityType, id=ActivityType.code))
ACTIVITY_TYPES = ListSpec(
    select=select(*ACTIVITY_TYPE.columns),
    id_column=ActivityType.id,
    sort_fields={"code": SortField((ActivityType.code,))},
    default_sort="code",
    to_item=ACTIVITY_TYPE.to_item,
)
