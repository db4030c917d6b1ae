"""Read the database back as seed models: for `crsv seed dump`, PATCH bases and the audit trail.

The inverse of the loader: what the loader writes from a seed record, this reads back into an
equal record.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

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
)
from app.seeding import mapping
from app.seeding.schemas import (
    ActivityTypeSeed,
    CountrySeed,
    FigureSeed,
    LocationSeed,
    MetricSeed,
    MissionSeed,
    ObjectiveSeed,
    PartnerSeed,
    ReportSeed,
)


def metrics(session: Session) -> list[MetricSeed]:
    return [MetricSeed(**public(r)) for r in mapping.METRIC.records(session, (), (Metric.id,))]


def activity_types(session: Session) -> list[ActivityTypeSeed]:
    records = mapping.ACTIVITY_TYPE.records(session, (), (ActivityType.id,))
    return [ActivityTypeSeed(**public(r)) for r in records]


def objectives(session: Session) -> list[ObjectiveSeed]:
    records = mapping.OBJECTIVE.records(session, (), (Objective.number,))
    return [ObjectiveSeed(**public(r)) for r in records]


def countries(session: Session) -> list[CountrySeed]:
    return [CountrySeed(**public(r)) for r in mapping.COUNTRY.records(session, (), (Country.id,))]


def missions(session: Session) -> list[MissionSeed]:
    return [MissionSeed(**public(r)) for r in mapping.MISSION.records(session, (), (Mission.id,))]


def locations(session: Session, *where: ColumnElement[bool]) -> list[LocationSeed]:
    records = mapping.LOCATION.records(session, where, (Location.id,))
    return [LocationSeed(**public(r)) for r in records]


def partners(session: Session, *where: ColumnElement[bool]) -> list[PartnerSeed]:
    records = mapping.PARTNER.records(session, where, (Partner.id,))
    return [PartnerSeed(**public(r)) for r in records]


def reports(session: Session, *where: ColumnElement[bool]) -> list[ReportSeed]:
    records = mapping.REPORT.records(session, where, (Report.edition_year,))
    return [ReportSeed(**public(r)) for r in records]


def story_records(session: Session, *where: ColumnElement[bool]) -> list[dict[str, Any]]:
    """Stories as dicts of StoryFields plus `report`, `_id` and `_report_id`, in report order."""
    return mapping.STORY.records(session, where, (Report.edition_year, Story.position))


def activity_records(session: Session, *where: ColumnElement[bool]) -> list[dict[str, Any]]:
    """Activities as dicts of ActivityFields plus `story`, `_id` and `_story_id`."""
    return mapping.ACTIVITY.records(session, where, (Activity.story_id, Activity.position))


def figure_records(session: Session, *where: ColumnElement[bool]) -> list[dict[str, Any]]:
    """Figures as dicts of FigureSeed plus `story`, `activity`, `_story_id`, `_activity_id`."""
    order = (Figure.story_id, Figure.activity_id, Figure.position)
    return mapping.FIGURE.records(session, where, order)


def public(record: dict[str, Any]) -> dict[str, Any]:
    """A record without its internal (underscored) fields."""
    return {k: v for k, v in record.items() if not k.startswith("_")}


def figure_seed(record: dict[str, Any], story_section: str) -> FigureSeed:
    """A figure as it is written in a story file (section left out when inherited)."""
    fields = {k: v for k, v in public(record).items() if k not in ("story", "activity")}
    if fields["section"] == story_section:
        fields["section"] = None
    return FigureSeed(**fields)
