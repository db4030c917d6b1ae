"""Bulk COPY into the schema's tables, and the indexes and foreign keys set aside meanwhile.

Secondary indexes and foreign keys of the content tables are dropped for the load and re-created
after it, which builds them in bulk and re-validates every foreign key against the loaded rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

TABLES = [
    "metric",
    "activity_type",
    "objective",
    "country",
    "mission",
    "location",
    "partner",
    "report",
    "story",
    "story_mission",
    "story_country",
    "activity",
    "activity_location",
    "activity_partner",
    "figure",
]
CONTENT_TABLES = [
    "story",
    "story_mission",
    "story_country",
    "activity",
    "activity_location",
    "activity_partner",
    "figure",
]
COLUMNS = {
    "metric": "id, code, label, unit, definition",
    "activity_type": "id, code, label, definition",
    "objective": "id, number, title, description",
    "country": "id, iso3, name",
    "mission": "id, code, name, country_id, status, mandate_start, mandate_end, mandate_note",
    "location": "id, key, name, kind, country_id, admin1, latitude, longitude, precision, "
    "coordinate_source",
    "partner": "id, key, name, acronym, kind, country_id",
    "report": "id, key, edition_year, title, publisher, published_date, published_precision, "
    "source_url, licence_note",
    "story": "id, key, report_id, number, kind, position, title, section, objective_id, summary, "
    "editorial_note",
    "story_mission": "story_id, mission_id",
    "story_country": "story_id, country_id",
    "activity": "id, key, story_id, position, mission_id, activity_type_id, title, description, "
    "date_start, date_end, date_precision",
    "activity_location": "activity_id, location_id",
    "activity_partner": "activity_id, partner_id",
    "figure": "id, key, story_id, activity_id, position, metric_id, value, qualifier, women, men, "
    "children, subject, location_id, date_start, date_end, date_precision, evidence, section, "
    "note",
}
BATCH = 1 << 20  # characters per COPY write


class Loader:
    """Writes text rows to a table through COPY FREEZE, in batches of `BATCH` characters."""

    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor

    def copy(self, table: str, lines: Iterable[str]) -> None:
        with self.cursor.copy(f"COPY {table} ({COLUMNS[table]}) FROM STDIN (FREEZE)") as copy:
            chunk: list[str] = []
            size = 0
            for line in lines:
                chunk.append(line)
                size += len(line)
                if size >= BATCH:
                    copy.write("".join(chunk))
                    chunk, size = [], 0
            if chunk:
                copy.write("".join(chunk))


def drop_secondary(cur: Any) -> list[str]:
    """Drop the content tables' FKs and non-constraint indexes; return the SQL re-creating them."""
    cur.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) ORDER BY conrelid, conname",
        (CONTENT_TABLES,),
    )
    fks = cur.fetchall()
    cur.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT EXISTS "
        "(SELECT FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1",
        (CONTENT_TABLES,),
    )
    indexes = cur.fetchall()
    for table, name, _ in fks:
        cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        cur.execute(f"DROP INDEX {name}")
    return [definition for _, definition in indexes] + [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
        for table, name, definition in fks
    ]
