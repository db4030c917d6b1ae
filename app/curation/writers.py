"""Write one validated record into its tables, resolving references by public id.

A reference to a record that does not exist is a 409 (the request is valid, the state is
not); nothing is written then, because the request's transaction is rolled back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel
from sqlalchemy import ColumnElement, delete, func, insert, select
from sqlalchemy.orm import Session

from app.curation import parts
from app.curation.schemas import ActivityWrite, FigureWrite, StoryWrite
from app.errors import Problem
from app.models import Activity, Figure, Location, Partner, Report, Story
from app.seeding import mapping
from app.seeding.schemas import LocationSeed, PartnerSeed, ReportSeed


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


def _write(
    session: Session,
    entity: mapping.Entity,
    row: Any,
    data: BaseModel,
    given: Mapping[str, Any] | None = None,
    known: Mapping[str, int] | None = None,
) -> Any:
    """Write `data` into `row` (a new one when None) and its link tables; references not
    `known` already are looked up by public id, in the order of the entity's fields."""
    known = known or {}

    def resolve(reference: mapping.Ref, value: Any) -> int:
        if reference.field in known:
            return known[reference.field]
        return ref(session, reference.target, value, reference.what)

    row = row or entity.model(**{entity.identity: getattr(data, entity.identity)})
    for name, value in entity.columns(data, resolve, given).items():
        setattr(row, name, value)
    link_ids = [
        (link, [ref(session, link.target, v, link.what) for v in getattr(data, link.field)])
        for link in entity.links
    ]
    session.add(row)
    if link_ids:
        session.flush()
        for link, target_ids in link_ids:
            _set_links(session, link.table, row.id, target_ids)
    return row


def write_report(session: Session, row: Report | None, data: ReportSeed) -> Report:
    return _write(session, mapping.REPORT, row, data)  # type: ignore[no-any-return]


def write_location(session: Session, row: Location | None, data: LocationSeed) -> Location:
    return _write(session, mapping.LOCATION, row, data)  # type: ignore[no-any-return]


def write_partner(session: Session, row: Partner | None, data: PartnerSeed) -> Partner:
    return _write(session, mapping.PARTNER, row, data)  # type: ignore[no-any-return]


def write_story(session: Session, row: Story | None, data: StoryWrite) -> Story:
    return _write(session, mapping.STORY, row, data)  # type: ignore[no-any-return]


def write_activity(session: Session, row: Activity | None, data: ActivityWrite) -> Activity:
    story_id = ref(session, Story.key, data.story, "story")
    if row is None or row.story_id != story_id:
        position = _next_position(session, Activity.position, Activity.story_id == story_id)
    else:
        position = row.position
    return _write(  # type: ignore[no-any-return]
        session, mapping.ACTIVITY, row, data, {"position": position}, {"story": story_id}
    )


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
    given = {"position": position, "section": data.section or story.section}
    known = {"story": story.id}
    if activity_id is not None:
        known["activity"] = activity_id
    written: Figure = _write(session, mapping.FIGURE, row, data, given, known)
    parts.check(session, written)
    return written
