"""Locations: what their coordinates stand for (`precision`) and where they come from.

`precision` is `point` (the place itself), `centroid` (the middle of an area) or `approximate`
(a nearby known point stands in); `coordinate_source` names the gazetteer entry or says why the
point was recorded by hand. Both are given exactly when the coordinates are. Coordinates that an
existing database already holds (written through the API) are kept, marked `approximate` with a
source that says they predate this migration, so no row is refused and none is silently dropped.

Revision ID: 0009
Revises: 0008
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PRECISIONS = ("point", "centroid", "approximate")


def upgrade() -> None:
    op.add_column(
        "location",
        sa.Column(
            "precision",
            sa.Enum(
                *PRECISIONS,
                name="coordinate_precision",
                native_enum=False,
                create_constraint=True,
                length=11,
            ),
            nullable=True,
        ),
    )
    op.add_column("location", sa.Column("coordinate_source", sa.String(500), nullable=True))
    op.execute(
        "UPDATE location SET precision = 'approximate', "
        "coordinate_source = 'recorded before migration 0009; source not known' "
        "WHERE latitude IS NOT NULL"
    )
    op.create_check_constraint(
        op.f("ck_location_coordinates_described"),
        "location",
        "(latitude IS NULL) = (precision IS NULL) AND (latitude IS NULL) = "
        "(coordinate_source IS NULL)",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("ck_location_coordinates_described"), "location", type_="check")
    op.drop_column("location", "coordinate_source")
    op.drop_column("location", "precision")
