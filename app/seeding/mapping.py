"""Each entity's seed fields and table columns, declared once, read in both directions.

The seed loader, the write API and `crsv seed dump` all map through these declarations, so a
new field is one edit here (plus the model and its migration).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from pydantic import BaseModel
from sqlalchemy import ColumnElement, Table, select
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

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
from app.seeding.schemas import Period


@dataclass(frozen=True)
class Same:
    """A field stored as is, in the column of its name."""

    field: str


@dataclass(frozen=True)
class Given:
    """A column no seed field holds (a position): the caller supplies it; never read back."""

    field: str


@dataclass(frozen=True)
class Ref:
    """A reference by public id (`country: COD`), stored as the target's internal id."""

    field: str
    column: str
    target: InstrumentedAttribute[Any]
    what: str  # as messages name it

    @property
    def model(self) -> type[Any]:
        """The table referred to."""
        return cast(type[Any], self.target.class_)


@dataclass(frozen=True)
class Dates:
    """A `Period` in start, end and precision columns; with no end column, the end follows
    from start and precision."""

    field: str
    start: str
    end: str | None
    precision: str


@dataclass(frozen=True)
class Links:
    """A list of public ids, stored as the rows of a many-to-many table."""

    field: str
    table: Table
    target: InstrumentedAttribute[Any]
    what: str

    @property
    def model(self) -> type[Any]:
        """The table referred to."""
        return cast(type[Any], self.target.class_)


Resolve = Callable[[Ref, Any], int | None]
"""The internal id of a (not None) public id; raises when there is none."""


@dataclass(frozen=True)
class Entity:
    model: type[Any]
    identity: str
    fields: tuple[Same | Given | Ref | Dates | Links, ...]
    """In the order of the seed record; a row's columns follow the same order."""

    @property
    def table(self) -> str:
        return str(self.model.__tablename__)

    @property
    def links(self) -> tuple[Links, ...]:
        return tuple(f for f in self.fields if isinstance(f, Links))

    def columns(
        self, data: BaseModel, resolve: Resolve, given: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """A record's column values, its identity and links aside; `given` fields win over
        (or stand in for) the record's own."""
        given = given or {}
        values: dict[str, Any] = {}
        for f in self.fields:
            if isinstance(f, Links) or f.field == self.identity:
                continue
            value = given[f.field] if f.field in given else getattr(data, f.field)
            if isinstance(f, Ref):
                values[f.column] = None if value is None else resolve(f, value)
            elif isinstance(f, Dates):
                values[f.start] = None if value is None else value.start
                if f.end is not None:
                    values[f.end] = None if value is None else value.end
                values[f.precision] = None if value is None else value.precision
            else:
                values[f.field] = value
        return values

    def records(
        self,
        session: Session,
        where: Sequence[ColumnElement[bool]],
        order_by: Sequence[Any],
    ) -> list[dict[str, Any]]:
        """Rows read back as seed records, plus internal `_id` and `_<reference column>`s."""
        refs = [f for f in self.fields if isinstance(f, Ref)]
        # a reference to the entity's own table (a figure's `part_of`) joins another copy of
        # it; other targets keep their names, which `where` and `order_by` may use
        targets = [aliased(f.model) if f.model is self.model else f.model for f in refs]
        query = select(
            self.model, *(getattr(t, f.target.key) for f, t in zip(refs, targets, strict=True))
        )
        for f, t in zip(refs, targets, strict=True):
            query = query.outerjoin(t, getattr(self.model, f.column) == t.id)
        rows = session.execute(query.where(*where).order_by(*order_by)).all()
        ids = [row[0].id for row in rows]
        linked = {f.field: _linked(session, f, ids) for f in self.links}
        return [
            self._record(row[0], dict(zip((f.field for f in refs), row[1:], strict=True)), linked)
            for row in rows
        ]

    def _record(
        self, row: Any, codes: Mapping[str, Any], linked: Mapping[str, Mapping[int, list[Any]]]
    ) -> dict[str, Any]:
        record: dict[str, Any] = {"_id": row.id}
        for f in self.fields:
            if isinstance(f, Ref):
                record[f"_{f.column}"] = getattr(row, f.column)
                record[f.field] = codes[f.field]
            elif isinstance(f, Dates):
                record[f.field] = _period(row, f)
            elif isinstance(f, Links):
                record[f.field] = linked[f.field].get(row.id, [])
            elif isinstance(f, Same):
                record[f.field] = getattr(row, f.field)
        return record


def _period(row: Any, f: Dates) -> Period | None:
    start, precision = getattr(row, f.start), getattr(row, f.precision)
    if start is None:
        return None
    end = getattr(row, f.end) if f.end is not None else last_day(start, precision)
    return Period(start=start, end=end, precision=precision)


def _linked(session: Session, f: Links, owner_ids: list[int]) -> dict[int, list[Any]]:
    """Owner id -> the public ids it links to, sorted."""
    found: dict[int, list[Any]] = defaultdict(list)
    owner_column, target_column = list(f.table.columns)
    rows = session.execute(
        select(owner_column, f.target)
        .join(f.model, target_column == f.model.id)
        .where(owner_column.in_(owner_ids))
        .order_by(owner_column, f.target)
    )
    for owner_id, value in rows:
        found[owner_id].append(value)
    return found


def _same(*names: str) -> tuple[Same, ...]:
    return tuple(Same(name) for name in names)


def _period_of(field: str) -> Dates:
    return Dates(field, "date_start", "date_end", "date_precision")


METRIC = Entity(Metric, "code", _same("code", "label", "unit", "definition"))
ACTIVITY_TYPE = Entity(ActivityType, "code", _same("code", "label", "definition"))
OBJECTIVE = Entity(Objective, "number", _same("number", "title", "description"))
COUNTRY = Entity(Country, "iso3", _same("iso3", "name"))
MISSION = Entity(
    Mission,
    "code",
    (
        *_same("code", "name"),
        Ref("country", "country_id", Country.iso3, "country"),
        *_same("status", "mandate_start", "mandate_end", "mandate_note"),
    ),
)
LOCATION = Entity(
    Location,
    "key",
    (
        *_same("key", "name", "kind"),
        Ref("country", "country_id", Country.iso3, "country"),
        *_same("admin1", "latitude", "longitude", "precision", "coordinate_source"),
    ),
)
PARTNER = Entity(
    Partner,
    "key",
    (
        *_same("key", "name", "acronym", "kind"),
        Ref("country", "country_id", Country.iso3, "country"),
    ),
)
REPORT = Entity(
    Report,
    "key",
    (
        *_same("key", "edition_year", "title", "publisher"),
        Dates("published", "published_date", None, "published_precision"),
        *_same("source_url", "licence_note"),
    ),
)
STORY = Entity(
    Story,
    "key",
    (
        Ref("report", "report_id", Report.key, "report"),
        *_same("key", "number", "kind", "position", "title", "section"),
        Ref("objective", "objective_id", Objective.number, "objective"),
        Links("missions", story_mission, Mission.code, "mission"),
        Links("countries", story_country, Country.iso3, "country"),
        *_same("summary", "editorial_note"),
    ),
)
ACTIVITY = Entity(
    Activity,
    "key",
    (
        Ref("story", "story_id", Story.key, "story"),
        Same("key"),
        Given("position"),
        Ref("mission", "mission_id", Mission.code, "mission"),
        Ref("type", "activity_type_id", ActivityType.code, "activity type"),
        *_same("title", "description"),
        _period_of("period"),
        Links("locations", activity_location, Location.key, "location"),
        Links("partners", activity_partner, Partner.key, "partner"),
    ),
)
FIGURE = Entity(
    Figure,
    "key",
    (
        Ref("story", "story_id", Story.key, "story"),
        Ref("activity", "activity_id", Activity.key, "activity"),
        Same("key"),
        Given("position"),
        Ref("metric", "metric_id", Metric.code, "metric"),
        *_same("unit", "value"),
        Ref("part_of", "part_of_id", Figure.key, "figure"),
        *_same("qualifier", "women", "men", "children", "subject"),
        Ref("location", "location_id", Location.key, "location"),
        _period_of("period"),
        *_same("evidence", "section", "note"),
    ),
)
"""`section` of a figure: the loader and the write API store the story's when it has none."""
