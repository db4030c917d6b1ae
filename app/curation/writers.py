"""Write one validated record into its tables, resolving references by public id.

A reference to a record that does not exist is a 409 (the request is valid, the state is
not); nothing is written then, because the request's transaction is rolled back.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, delete, func, insert, select
from sqlalchemy.orm import Session

from app.curation.schemas import ActivityWrite, FigureWrite, StoryWrite
from app.errors import Problem
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
    story_country,
    story_mission,
)
from app.seeding.schemas import LocationSeed, PartnerSeed, Period, ReportSeed


def missing(what: str, value: object) -> Problem:
    return Problem(
        409,
        f"The {what} '{value}' does not exist.",
        slug="missing-reference",
        title="Reference to a missing record",
    )


def ref(session: Session, column: Any, value: object, what: str) -> int:
    found = session.scalar(select(column.class_.id).where(column == value))
    if found is None:
        raise missing(what, value)
    return int(found)


def _optional_ref(session: Session, column: Any, value: object, what: str) -> int | None:
    return None if value is None else ref(session, column, value, what)


def _period(period: Period | None) -> dict[str, Any]:
    if period is None:
        return {"date_start": None, "date_end": None, "date_precision": None}
    return {"date_start": period.start, "date_end": period.end, "date_precision": period.precision}


def _next_position(session: Session, column: Any, *where: ColumnElement[bool]) -> int:
    return int(session.scalar(select(func.coalesce(func.max(column), 0) + 1).where(*where)) or 1)


def _set_links(session: Session, link: Any, owner_id: int, target_ids: list[int]) -> None:
    owner_column, target_column = list(link.columns)
    session.execute(delete(link).where(owner_column == owner_id))
    if target_ids:
        session.execute(
            insert(link),
            [
                {owner_column.name: owner_id, target_column.name: t}
                for t in dict.fromkeys(target_ids)
            ],
        )


def write_report(session: Session, row: Report | None, data: ReportSeed) -> Report:
    row = row or Report(key=data.key)
    row.edition_year = data.edition_year
    row.title, row.publisher = data.title, data.publisher
    row.published_date, row.published_precision = data.published.start, data.published.precision
    row.source_url, row.licence_note = data.source_url, data.licence_note
    session.add(row)
    return row


def write_location(session: Session, row: Location | None, data: LocationSeed) -> Location:
    row = row or Location(key=data.key)
    row.name, row.kind, row.admin1 = data.name, data.kind, data.admin1
    row.country_id = ref(session, Country.iso3, data.country, "country")
    row.latitude, row.longitude = data.latitude, data.longitude
    session.add(row)
    return row


def write_partner(session: Session, row: Partner | None, data: PartnerSeed) -> Partner:
    row = row or Partner(key=data.key)
    row.name, row.acronym, row.kind = data.name, data.acronym, data.kind
    row.country_id = _optional_ref(session, Country.iso3, data.country, "country")
    session.add(row)
    return row


def write_story(session: Session, row: Story | None, data: StoryWrite) -> Story:
    row = row or Story(key=data.key)
    row.report_id = ref(session, Report.key, data.report, "report")
    row.number, row.kind, row.position = data.number, data.kind, data.position
    row.title, row.section, row.summary = data.title, data.section, data.summary
    row.editorial_note = data.editorial_note
    row.objective_id = _optional_ref(session, Objective.number, data.objective, "objective")
    mission_ids = [ref(session, Mission.code, code, "mission") for code in data.missions]
    country_ids = [ref(session, Country.iso3, iso3, "country") for iso3 in data.countries]
    session.add(row)
    session.flush()
    _set_links(session, story_mission, row.id, mission_ids)
    _set_links(session, story_country, row.id, country_ids)
    return row


def write_activity(session: Session, row: Activity | None, data: ActivityWrite) -> Activity:
    story_id = ref(session, Story.key, data.story, "story")
    if row is None or row.story_id != story_id:
        position = _next_position(session, Activity.position, Activity.story_id == story_id)
    else:
        position = row.position
    row = row or Activity(key=data.key)
    row.story_id, row.position = story_id, position
    row.mission_id = _optional_ref(session, Mission.code, data.mission, "mission")
    row.activity_type_id = ref(session, ActivityType.code, data.type, "activity type")
    row.title, row.description = data.title, data.description
    for name, value in _period(data.period).items():
        setattr(row, name, value)
    location_ids = [ref(session, Location.key, key, "location") for key in data.locations]
    partner_ids = [ref(session, Partner.key, key, "partner") for key in data.partners]
    session.add(row)
    session.flush()
    _set_links(session, activity_location, row.id, location_ids)
    _set_links(session, activity_partner, row.id, partner_ids)
    return row


def write_figure(session: Session, row: Figure | None, data: FigureWrite) -> Figure:
    story = session.execute(
        select(Story.id, Story.section).where(Story.key == data.story)
    ).one_or_none()
    if story is None:
        raise missing("story", data.story)
    activity_id = None
    if data.activity is not None:
        activity = session.execute(
            select(Activity.id, Activity.story_id, Story.key)
            .join(Story, Activity.story_id == Story.id)
            .where(Activity.key == data.activity)
        ).one_or_none()
        if activity is None:
            raise missing("activity", data.activity)
        if activity.story_id != story.id:
            raise Problem(
                409,
                f"The activity '{data.activity}' belongs to the story "
                f"'{activity.key}', not to '{data.story}'.",
                slug="wrong-story",
                title="Activity of another story",
            )
        activity_id = activity.id
    if row is None or (row.story_id, row.activity_id) != (story.id, activity_id):
        position = _next_position(
            session,
            Figure.position,
            Figure.story_id == story.id,
            Figure.activity_id.is_(None)
            if activity_id is None
            else Figure.activity_id == activity_id,
        )
    else:
        position = row.position
    row = row or Figure(key=data.key)
    row.story_id, row.activity_id, row.position = story.id, activity_id, position
    row.metric_id = ref(session, Metric.code, data.metric, "metric")
    row.value, row.qualifier = data.value, data.qualifier
    row.women, row.men, row.children = data.women, data.men, data.children
    row.subject, row.evidence, row.note = data.subject, data.evidence, data.note
    row.section = data.section or story.section
    row.location_id = _optional_ref(session, Location.key, data.location, "location")
    for name, value in _period(data.period).items():
        setattr(row, name, value)
    session.add(row)
    return row
