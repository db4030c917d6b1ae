"""The writable resources: their tables, write models, current state and API representation."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from app.curation import writers
from app.curation.schemas import (
    ActivityWrite,
    FigureWrite,
    LocationWrite,
    PartnerWrite,
    ReportWrite,
    StoryWrite,
)
from app.models import Activity, Figure, Location, Partner, Report, Story
from app.queries import details, reference
from app.queries.listing import ListSpec, list_all
from app.seeding import snapshot


@dataclass(frozen=True)
class Writable:
    name: str  # singular, as in the audit trail and messages
    model: type[Any]
    body: type[BaseModel]
    write: Callable[[Session, Any, Any], Any]
    state: Callable[[Session, ColumnElement[bool]], list[dict[str, Any]]]
    """The record as a write body (for PATCH and the audit trail)."""
    shown: Callable[[Session, str], dict[str, Any] | None]
    """What GET shows for it (for ETags and responses)."""

    def key_is(self, key: str) -> ColumnElement[bool]:
        return self.model.key == key  # type: ignore[no-any-return]

    def current(self, session: Session, key: str) -> dict[str, Any] | None:
        found = self.state(session, self.key_is(key))
        return found[0] if found else None

    def representation(self, session: Session, key: str) -> dict[str, Any] | None:
        return self.shown(session, key)


def _models(read: Callable[..., Sequence[BaseModel]]) -> Callable[..., list[dict[str, Any]]]:
    return lambda session, where: [m.model_dump() for m in read(session, where)]


def _records(read: Callable[..., list[dict[str, Any]]]) -> Callable[..., list[dict[str, Any]]]:
    return lambda session, where: [snapshot.public(r) for r in read(session, where)]


def _one(spec: ListSpec, key_column: Any) -> Callable[[Session, str], dict[str, Any] | None]:
    def shown(session: Session, key: str) -> dict[str, Any] | None:
        found = list_all(session, spec, [key_column == key])
        return found[0] if found else None

    return shown


WRITABLE: dict[str, Writable] = {
    "reports": Writable(
        "report",
        Report,
        ReportWrite,
        writers.write_report,
        _models(snapshot.reports),
        _one(reference.REPORTS, Report.key),
    ),
    "locations": Writable(
        "location",
        Location,
        LocationWrite,
        writers.write_location,
        _models(snapshot.locations),
        _one(reference.LOCATIONS, Location.key),
    ),
    "partners": Writable(
        "partner",
        Partner,
        PartnerWrite,
        writers.write_partner,
        _models(snapshot.partners),
        _one(reference.PARTNERS, Partner.key),
    ),
    "stories": Writable(
        "story",
        Story,
        StoryWrite,
        writers.write_story,
        _records(snapshot.story_records),
        details.story_detail,
    ),
    "activities": Writable(
        "activity",
        Activity,
        ActivityWrite,
        writers.write_activity,
        _records(snapshot.activity_records),
        details.activity_detail,
    ),
    "figures": Writable(
        "figure",
        Figure,
        FigureWrite,
        writers.write_figure,
        _records(snapshot.figure_records),
        details.figure_detail,
    ),
}
