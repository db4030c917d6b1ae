"""Each entity's mapping (app/seeding/mapping.py) covers all of its table and its seed record.

The loader, the write API and `crsv seed dump` only move what the mapping names: a column or
field it leaves out would silently stay empty, or be dropped from a dump.
"""

from __future__ import annotations

import pytest
from pydantic import BaseModel
from sqlalchemy import FetchedValue

from app.curation.schemas import ActivityWrite, FigureWrite, StoryWrite
from app.seeding import mapping
from app.seeding.schemas import (
    ActivityTypeSeed,
    CountrySeed,
    LocationSeed,
    MetricSeed,
    MissionSeed,
    ObjectiveSeed,
    PartnerSeed,
    ReportSeed,
)

ENTITIES: list[tuple[mapping.Entity, type[BaseModel]]] = [
    (mapping.METRIC, MetricSeed),
    (mapping.ACTIVITY_TYPE, ActivityTypeSeed),
    (mapping.OBJECTIVE, ObjectiveSeed),
    (mapping.COUNTRY, CountrySeed),
    (mapping.MISSION, MissionSeed),
    (mapping.LOCATION, LocationSeed),
    (mapping.PARTNER, PartnerSeed),
    (mapping.REPORT, ReportSeed),
    (mapping.STORY, StoryWrite),
    (mapping.ACTIVITY, ActivityWrite),
    (mapping.FIGURE, FigureWrite),
]


def _mapped_columns(entity: mapping.Entity) -> set[str]:
    columns: set[str] = set()
    for f in entity.fields:
        if isinstance(f, mapping.Ref):
            columns.add(f.column)
        elif isinstance(f, mapping.Dates):
            columns |= {f.start, f.precision} | ({f.end} if f.end else set())
        elif not isinstance(f, mapping.Links):
            columns.add(f.field)
    return columns


def _stored_columns(entity: mapping.Entity) -> set[str]:
    """The columns a write sets: not the id, nor what the database computes or fills."""
    return {
        c.key
        for c in entity.model.__table__.columns
        if c.key != "id" and c.computed is None and type(c.server_default) is not FetchedValue
    }


@pytest.mark.parametrize(("entity", "record"), ENTITIES, ids=[e.table for e, _ in ENTITIES])
def test_every_column_and_field_is_mapped(entity: mapping.Entity, record: type[BaseModel]) -> None:
    assert _mapped_columns(entity) == _stored_columns(entity)
    fields = [f.field for f in entity.fields if not isinstance(f, mapping.Given)]
    assert sorted(fields) == sorted(record.model_fields)
    assert entity.identity in fields


def test_link_tables_are_mapped_once() -> None:
    tables = [link.table.name for entity, _ in ENTITIES for link in entity.links]
    assert tables == ["story_mission", "story_country", "activity_location", "activity_partner"]
