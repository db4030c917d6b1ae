"""The many-to-many links as tables of their own, for the Data Package.

The flat CSVs join them into one cell (`"goma; bunia"`), which people read easily and tools
cannot join on. Here each link is a row of two keys, each a foreign key to a dataset's export,
so Frictionless tools (or a spreadsheet's lookup) can join activities to their locations and
partners, and stories to their missions and countries.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Table, select

from app.models import (
    Activity,
    Country,
    Location,
    Mission,
    Partner,
    Story,
    activity_location,
    activity_partner,
    story_country,
    story_mission,
)
from app.queries.columns import ExportColumn
from app.queries.datasets import DatasetName as D
from app.queries.datasets import ForeignKey
from app.queries.keyset import Expression
from app.queries.listing import AnySelect


@dataclass(frozen=True)
class LinkTable:
    """One many-to-many relation: a row per pair, keyed by both columns."""

    name: str
    """The resource name (and `data/<name>.csv`)."""
    description: str
    columns: tuple[ExportColumn, ExportColumn]
    foreign_keys: tuple[ForeignKey, ForeignKey]
    statement: AnySelect
    """The pairs as the export keys of both ends, ordered by them."""


def _link(
    name: str,
    description: str,
    table: Table,
    owner: tuple[str, Expression, D],
    target: tuple[str, Expression, D],
) -> LinkTable:
    """The link `table` (owner id, target id) read as the two ends' export keys."""
    (owner_name, owner_key, owner_dataset), (target_name, target_key, target_dataset) = (
        owner,
        target,
    )
    owner_id, target_id = list(table.columns)
    (owner_fk,) = owner_id.foreign_keys
    (target_fk,) = target_id.foreign_keys
    statement: AnySelect = (
        select(owner_key.label(owner_name), target_key.label(target_name))
        .select_from(table)
        .join(owner_fk.column.table, owner_id == owner_fk.column)
        .join(target_fk.column.table, target_id == target_fk.column)
        .order_by(owner_key, target_key)
    )
    return LinkTable(
        name,
        description,
        (ExportColumn(owner_name, owner_key), ExportColumn(target_name, target_key)),
        (ForeignKey(owner_name, owner_dataset), ForeignKey(target_name, target_dataset)),
        statement,
    )


LINKS: tuple[LinkTable, ...] = (
    _link(
        "activity_locations",
        "Where each activity took place: one row per activity and location.",
        activity_location,
        ("activity_id", Activity.key, D.ACTIVITIES),
        ("location_id", Location.key, D.LOCATIONS),
    ),
    _link(
        "activity_partners",
        "Who each activity worked with: one row per activity and partner.",
        activity_partner,
        ("activity_id", Activity.key, D.ACTIVITIES),
        ("partner_id", Partner.key, D.PARTNERS),
    ),
    _link(
        "story_missions",
        "The missions each story is about: one row per story and mission.",
        story_mission,
        ("story_id", Story.key, D.STORIES),
        ("mission", Mission.code, D.MISSIONS),
    ),
    _link(
        "story_countries",
        "The countries each story is about: one row per story and country.",
        story_country,
        ("story_id", Story.key, D.STORIES),
        ("country", Country.iso3, D.COUNTRIES),
    ),
)
"""Every link table of the Data Package, in its order."""
