"""The authentication throttle's counts, shared by every worker and instance.

One row per client address or key prefix with recent failed authentications. UNLOGGED: the
counts need no WAL and may be forgotten by a crash, so recording a failure stays cheap.

Revision ID: 0006
Revises: 0005
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "auth_failure",
        sa.Column(
            "kind",
            sa.Enum(
                "address",
                "prefix",
                name="failure_subject",
                native_enum=False,
                create_constraint=True,
            ),
            nullable=False,
        ),
        sa.Column("subject", sa.String(length=64), nullable=False),
        sa.Column("window_started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.CheckConstraint("failures >= 1", name=op.f("ck_auth_failure_failures_positive")),
        sa.PrimaryKeyConstraint("kind", "subject", name=op.f("pk_auth_failure")),
        prefixes=["UNLOGGED"],
    )
    op.create_index(
        op.f("ix_auth_failure_window_started_at"), "auth_failure", ["window_started_at"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_auth_failure_window_started_at"), table_name="auth_failure")
    op.drop_table("auth_failure")
