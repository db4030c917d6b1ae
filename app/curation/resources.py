"""The writable resources: their tables, write models, current state and API representation."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy import ColumnElement
from sqlalchemy.orm import InstrumentedAttribute, Session

from app.curation import writers
from app.curation.schemas import (
    ActivityWrite,
    FigureWrite,
    LocationWrite,
    PartnerWrite,
    ReportWrite,
    StoryWrite,
)
from app.db.base import Base
from app.models import Activity, Figure, Location, Partner, Report, Story
from app.queries import details, reference
from app.queries.datasets import DatasetName
from app.queries.listing import ListSpec, list_all
from app.schemas.content import ActivityDetail, FigureOut, StoryOut
from app.schemas.reference import LocationDetail, PartnerOut, ReportOut
from app.seeding import snapshot

RowT = TypeVar("RowT", bound=Base)
BodyT = TypeVar("BodyT", bound=BaseModel)
State = Callable[[Session, ColumnElement[bool]], list[dict[str, Any]]]


@dataclass(frozen=True)
class Writable(Generic[RowT, BodyT]):
    """One editable resource: generic over its row class and its write body, so that a
    writer taking another resource's body or row is a type error."""

    name: str  # singular, as in the audit trail and messages
    model: type[RowT]
    key: InstrumentedAttribute[str]
    """The column of the public id, e.g. `Report.key`."""
    body: type[BodyT]
    write: Callable[[Session, RowT | None, BodyT], RowT]
    """Insert (no row yet) or update the row from a validated body."""
    state: State
    """The record as a write body (for PATCH and the audit trail)."""
    shown: Callable[[Session, str], dict[str, Any] | None]
    """What GET shows for it (for ETags and responses)."""
    shape: type[BaseModel]
    """The response model a write documents for it (the OpenAPI document's schema)."""

    def key_is(self, key: str) -> ColumnElement[bool]:
        return self.key == key

    def current(self, session: Session, key: str) -> dict[str, Any] | None:
        found = self.state(session, self.key_is(key))
        return found[0] if found else None

    def representation(self, session: Session, key: str) -> dict[str, Any] | None:
        return self.shown(session, key)


def _models(read: Callable[[Session, ColumnElement[bool]], Sequence[BaseModel]]) -> State:
    return lambda session, where: [m.model_dump() for m in read(session, where)]


def _records(read: State) -> State:
    return lambda session, where: [snapshot.public(r) for r in read(session, where)]


def _one(
    spec: ListSpec, key_column: InstrumentedAttribute[str]
) -> Callable[[Session, str], dict[str, Any] | None]:
    def shown(session: Session, key: str) -> dict[str, Any] | None:
        found = list_all(session, spec, [key_column == key])
        return found[0] if found else None

    return shown


REPORTS: Writable[Report, ReportWrite] = Writable(
    "report",
    Report,
    Report.key,
    ReportWrite,
    writers.write_report,
    _models(snapshot.reports),
    _one(reference.REPORTS, Report.key),  # by key only: GET's report_detail takes a year too
    ReportOut,
)

LOCATIONS: Writable[Location, LocationWrite] = Writable(
    "location",
    Location,
    Location.key,
    LocationWrite,
    writers.write_location,
    _models(snapshot.locations),
    details.location_detail,
    LocationDetail,
)

PARTNERS: Writable[Partner, PartnerWrite] = Writable(
    "partner",
    Partner,
    Partner.key,
    PartnerWrite,
    writers.write_partner,
    _models(snapshot.partners),
    details.partner_detail,
    PartnerOut,
)

STORIES: Writable[Story, StoryWrite] = Writable(
    "story",
    Story,
    Story.key,
    StoryWrite,
    writers.write_story,
    _records(snapshot.story_records),
    details.story_detail,
    StoryOut,
)

ACTIVITIES: Writable[Activity, ActivityWrite] = Writable(
    "activity",
    Activity,
    Activity.key,
    ActivityWrite,
    writers.write_activity,
    _records(snapshot.activity_records),
    details.activity_detail,
    ActivityDetail,
)

FIGURES: Writable[Figure, FigureWrite] = Writable(
    "figure",
    Figure,
    Figure.key,
    FigureWrite,
    writers.write_figure,
    _records(snapshot.figure_records),
    details.figure_detail,
    FigureOut,
)

AnyWritable = (
    Writable[Report, ReportWrite]
    | Writable[Location, LocationWrite]
    | Writable[Partner, PartnerWrite]
    | Writable[Story, StoryWrite]
    | Writable[Activity, ActivityWrite]
    | Writable[Figure, FigureWrite]
)
WRITABLE: dict[DatasetName, AnyWritable] = {
    DatasetName.REPORTS: REPORTS,
    DatasetName.LOCATIONS: LOCATIONS,
    DatasetName.PARTNERS: PARTNERS,
    DatasetName.STORIES: STORIES,
    DatasetName.ACTIVITIES: ACTIVITIES,
    DatasetName.FIGURES: FIGURES,
}
"""By dataset (its URL plural), in the order of the API documentation."""
