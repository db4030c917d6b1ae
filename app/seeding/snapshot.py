"""Read the database back as seed models: for `crsv seed dump`, PATCH bases and the audit trail.

The inverse of the loader: what the loader writes from a seed record, this reads back into an
equal record.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import ColumnElement, select
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
    story_country,
    story_mission,
)
from app.queries.shapes import last_day
from app.seeding.schemas import (
    ActivityTypeSeed,
    CountrySeed,
    FigureSeed,
    LocationSeed,
    MetricSeed,
    MissionSeed,
    ObjectiveSeed,
    PartnerSeed,
    Period,
    ReportSeed,
)


def _period(start: Any, end: Any, precision: Any) -> Period | None:
    return None if start is None else Period(start=start, end=end, precision=precision)


def metrics(session: Session) -> list[MetricSeed]:
    return [
        MetricSeed(code=m.code, label=m.label, unit=m.unit, definition=m.definition)
        for m in session.scalars(select(Metric).order_by(Metric.id))
    ]


def activity_types(session: Session) -> list[ActivityTypeSeed]:
    return [
        ActivityTypeSeed(code=t.code, label=t.label, definition=t.definition)
        for t in session.scalars(select(ActivityType).order_by(ActivityType.id))
    ]


def objectives(session: Session) -> list[ObjectiveSeed]:
    return [
        ObjectiveSeed(number=o.number, title=o.title, description=o.description)
        for o in session.scalars(select(Objective).order_by(Objective.number))
    ]


def countries(session: Session) -> list[CountrySeed]:
    return [
        CountrySeed(iso3=c.iso3, name=c.name)
        for c in session.scalars(select(Country).order_by(Country.id))
    ]


def missions(session: Session) -> list[MissionSeed]:
    rows = session.execute(select(Mission, Country.iso3).join(Country).order_by(Mission.id))
    return [
        MissionSeed(
            code=m.code,
            name=m.name,
            country=iso3,
            status=m.status,
            mandate_start=m.mandate_start,
            mandate_end=m.mandate_end,
            mandate_note=m.mandate_note,
        )
        for m, iso3 in rows
    ]


def locations(session: Session, *where: ColumnElement[bool]) -> list[LocationSeed]:
    rows = session.execute(
        select(Location, Country.iso3).join(Country).where(*where).order_by(Location.id)
    )
    return [
        LocationSeed(
            key=x.key,
            name=x.name,
            kind=x.kind,
            country=iso3,
            admin1=x.admin1,
            latitude=x.latitude,
            longitude=x.longitude,
        )
        for x, iso3 in rows
    ]


def partners(session: Session, *where: ColumnElement[bool]) -> list[PartnerSeed]:
    rows = session.execute(
        select(Partner, Country.iso3).outerjoin(Country).where(*where).order_by(Partner.id)
    )
    return [
        PartnerSeed(key=p.key, name=p.name, acronym=p.acronym, kind=p.kind, country=iso3)
        for p, iso3 in rows
    ]


def reports(session: Session, *where: ColumnElement[bool]) -> list[ReportSeed]:
    return [
        ReportSeed(
            key=r.key,
            edition_year=r.edition_year,
            title=r.title,
            publisher=r.publisher,
            published=Period(
                start=r.published_date,
                end=last_day(r.published_date, r.published_precision),
                precision=r.published_precision,
            ),
            source_url=r.source_url,
            licence_note=r.licence_note,
        )
        for r in session.scalars(select(Report).where(*where).order_by(Report.edition_year))
    ]


def _links(
    session: Session, link: Any, owner: Any, code: Any, target: Any, owner_ids: list[int]
) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    owner_column, target_column = list(link.columns)
    rows = session.execute(
        select(owner_column, code)
        .join(target, target_column == target.id)
        .where(owner_column.in_(owner_ids))
        .order_by(owner_column, code)
    )
    for owner_id, value in rows:
        found[owner_id].append(value)
    return found


def story_records(session: Session, *where: ColumnElement[bool]) -> list[dict[str, Any]]:
    """Stories as dicts of StoryFields plus `report` and `_id`, in report order."""
    rows = session.execute(
        select(Story, Report.key, Objective.number)
        .join(Report, Story.report_id == Report.id)
        .outerjoin(Objective, Story.objective_id == Objective.id)
        .where(*where)
        .order_by(Report.edition_year, Story.position)
    ).all()
    ids = [story.id for story, _, _ in rows]
    mission_codes = _links(session, story_mission, Story, Mission.code, Mission, ids)
    country_codes = _links(session, story_country, Story, Country.iso3, Country, ids)
    return [
        {
            "_id": s.id,
            "report": report_key,
            "key": s.key,
            "number": s.number,
            "kind": s.kind,
            "position": s.position,
            "title": s.title,
            "section": s.section,
            "objective": objective,
            "missions": mission_codes[s.id],
            "countries": country_codes[s.id],
            "summary": s.summary,
            "editorial_note": s.editorial_note,
        }
        for s, report_key, objective in rows
    ]


def activity_records(session: Session, *where: ColumnElement[bool]) -> list[dict[str, Any]]:
    """Activities as dicts of ActivityFields plus `story`, `_id` and `_story_id`."""
    rows = session.execute(
        select(Activity, Story.key, Mission.code, ActivityType.code)
        .join(Story, Activity.story_id == Story.id)
        .join(ActivityType, Activity.activity_type_id == ActivityType.id)
        .outerjoin(Mission, Activity.mission_id == Mission.id)
        .where(*where)
        .order_by(Activity.story_id, Activity.position)
    ).all()
    ids = [activity.id for activity, *_ in rows]
    location_keys = _links(session, activity_location, Activity, Location.key, Location, ids)
    partner_keys = _links(session, activity_partner, Activity, Partner.key, Partner, ids)
    return [
        {
            "_id": a.id,
            "_story_id": a.story_id,
            "story": story_key,
            "key": a.key,
            "mission": mission_code,
            "type": type_code,
            "title": a.title,
            "description": a.description,
            "period": _period(a.date_start, a.date_end, a.date_precision),
            "locations": location_keys[a.id],
            "partners": partner_keys[a.id],
        }
        for a, story_key, mission_code, type_code in rows
    ]


FigureActivity = aliased(Activity)


def figure_records(session: Session, *where: ColumnElement[bool]) -> list[dict[str, Any]]:
    """Figures as dicts of FigureSeed plus `story`, `activity`, `_story_id`, `_activity_id`."""
    rows = session.execute(
        select(Figure, Story.key, FigureActivity.key, Metric.code, Location.key)
        .join(Story, Figure.story_id == Story.id)
        .join(Metric, Figure.metric_id == Metric.id)
        .outerjoin(FigureActivity, Figure.activity_id == FigureActivity.id)
        .outerjoin(Location, Figure.location_id == Location.id)
        .where(*where)
        .order_by(Figure.story_id, Figure.activity_id, Figure.position)
    ).all()
    return [
        {
            "_story_id": f.story_id,
            "_activity_id": f.activity_id,
            "story": story_key,
            "activity": activity_key,
            "key": f.key,
            "metric": metric,
            "value": f.value,
            "qualifier": f.qualifier,
            "women": f.women,
            "men": f.men,
            "children": f.children,
            "subject": f.subject,
            "location": location,
            "period": _period(f.date_start, f.date_end, f.date_precision),
            "evidence": f.evidence,
            "section": f.section,
            "note": f.note,
        }
        for f, story_key, activity_key, metric, location in rows
    ]


def public(record: dict[str, Any]) -> dict[str, Any]:
    """A record without its internal (underscored) fields."""
    return {k: v for k, v in record.items() if not k.startswith("_")}


def figure_seed(record: dict[str, Any], story_section: str) -> FigureSeed:
    """A figure as it is written in a story file (section left out when inherited)."""
    fields = {k: v for k, v in public(record).items() if k not in ("story", "activity")}
    if fields["section"] == story_section:
        fields["section"] = None
    return FigureSeed(**fields)
