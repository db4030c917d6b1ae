"""Seed loads: a mark in the audit trail per load, so `crsv seed` can see API edits since.

An existing database gets one mark at its last seed-loader event: every load so far made the
database equal the seeds, so only later events can be API edits the seeds do not hold. (A
load that changed nothing left no event, so the mark may be earlier than the true last load;
that errs towards asking before a load, never towards losing an edit.)

Revision ID: 0007
Revises: 0006
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "seed_load",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "loaded_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("audit_mark", sa.BigInteger(), nullable=False),
        sa.Column("changes", sa.Integer(), nullable=False),
        sa.Column("discarded", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seed_load")),
    )
    op.execute(
        "INSERT INTO seed_load (audit_mark, changes, discarded) "
        "SELECT max(id), 0, 0 FROM audit_event WHERE actor = 'seed-loader' HAVING count(*) > 0"
    )


def downgrade() -> None:
    op.drop_table("seed_load")
