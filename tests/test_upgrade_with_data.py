"""A database that already holds the seeds survives the migrations after the first one: a real
deployment upgrades with its data in it, not an empty schema.

The seeds are loaded at head (the loader writes today's models), the schema is taken down to
0001 (which drops the derived columns, the rollups and the tables added since) and upgraded
again, so every later migration runs over real rows: 0003 fills the derived placement columns
and 0004 sums the rollups from them. Afterwards each row must be as the loader's triggers left
it.
"""

from __future__ import annotations

import json

from sqlalchemy import Engine, inspect, text
from sqlalchemy.orm import Session

from app.db import migrations
from app.seeding.loader import apply_seeds
from app.seeding.reader import SeedSet
from tests.test_rollups import drift

FIRST = "0001"
DERIVED = {"figure_rollup", "activity_rollup"}
"""Tables that later migrations rebuild from the rows, so they must come back the same."""
SEEDED = {"story": 33, "activity": 85, "figure": 49}
"""How many of each the seeds hold (one story per file in seeds/reports/2023/stories/)."""


def rows(engine: Engine, tables: set[str]) -> dict[str, list[str]]:
    """Every row of `tables` as JSON text, in a stable order."""
    with engine.connect() as connection:
        return {
            table: sorted(connection.scalars(text(f'SELECT to_jsonb(t)::text FROM "{table}" AS t')))
            for table in sorted(tables)
        }


def _without_0009(location_rows: list[str]) -> list[str]:
    """Location rows without the columns migration 0009 added (a downgrade drops them)."""
    dropped = ("precision", "coordinate_source")
    return sorted(
        json.dumps({k: v for k, v in json.loads(row).items() if k not in dropped}, sort_keys=True)
        for row in location_rows
    )


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table: int(connection.scalar(text(f"SELECT count(*) FROM {table}")) or 0)
            for table in ("story", "activity", "figure")
        }


def test_upgrading_a_seeded_database_from_the_first_revision(
    scratch_engine: Engine, seeds: SeedSet
) -> None:
    apply_seeds(scratch_engine, seeds)
    # a figure's own unit and part_of (0008) are data no downgrade below 0008 can keep
    with scratch_engine.begin() as connection:
        connection.execute(text("UPDATE figure SET unit = NULL, part_of_id = NULL"))
    loaded = rows(scratch_engine, set(inspect(scratch_engine).get_table_names()))
    assert counts(scratch_engine) == SEEDED

    migrations.downgrade(scratch_engine, FIRST)
    with scratch_engine.connect() as connection:
        assert migrations.current_revision(connection) == FIRST
    first_tables = set(inspect(scratch_engine).get_table_names()) - {"alembic_version"}
    assert "figure" in first_tables and not DERIVED & first_tables
    assert counts(scratch_engine) == SEEDED

    migrations.upgrade(scratch_engine)
    with scratch_engine.connect() as connection:
        assert migrations.current_revision(connection) == migrations.head_revision()
    kept = first_tables | DERIVED
    upgraded = rows(scratch_engine, kept)
    # 0009's columns went with the downgrade: coordinates found by the upgrade are kept and
    # marked as of unknown source, never dropped or refused
    for row in map(json.loads, upgraded["location"]):
        assert row["precision"] == "approximate"
        assert row["coordinate_source"] == "recorded before migration 0009; source not known"
    upgraded["location"] = _without_0009(upgraded["location"])
    loaded["location"] = _without_0009(loaded["location"])
    # every row, derived columns included, as the loader's triggers wrote it at head
    assert upgraded == {table: loaded[table] for table in kept}
    with Session(scratch_engine) as session:
        assert drift(session) == []
        assert session.scalar(text("SELECT sum(figures) FROM figure_rollup")) == 49
        assert session.scalar(text("SELECT sum(activities) FROM activity_rollup")) == 85
