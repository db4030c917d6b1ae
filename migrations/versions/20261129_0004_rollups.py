"""Rollups: per-group counts and sums of figures and activities, kept by triggers.

See app/models/rollups.py for why. One statement-level trigger per event and table applies the
net change of the whole statement (its transition tables, grouped), so a COPY of a million rows
costs one grouped upsert, and an UPDATE that moves nothing between groups writes nothing.
A group whose count falls to zero is deleted (found through a partial index of empty groups,
so the clean-up costs nothing when there are none). TRUNCATE empties the rollup with its table.
Existing rows are summed in at upgrade.

Revision ID: 0004
Revises: 0003
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app.enums import Qualifier
from app.models.columns import enum_type

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FIGURE_KEYS = "edition_year, mission_id, objective_id, metric_id, qualifier"
FIGURE_MEASURES = {
    # rollup column: what one changed row adds to it (times +1 when added, -1 when removed)
    "figures": "1",
    "value_sum": "value",
    "women_sum": "coalesce(women, 0)",
    "women_count": "(women IS NOT NULL)::int",
    "men_sum": "coalesce(men, 0)",
    "men_count": "(men IS NOT NULL)::int",
    "children_sum": "coalesce(children, 0)",
    "children_count": "(children IS NOT NULL)::int",
    "with_breakdown": "(women IS NOT NULL OR men IS NOT NULL OR children IS NOT NULL)::int",
}
ACTIVITY_KEYS = "edition_year, mission_id, objective_id, activity_type_id"
ACTIVITY_MEASURES = {"activities": "1"}

SOURCES = {
    "INSERT": "SELECT {keys}, {terms} FROM new_rows",
    "DELETE": "SELECT {keys}, {negated} FROM old_rows",
    "UPDATE": "SELECT {keys}, {terms} FROM new_rows UNION ALL SELECT {keys}, {negated} FROM old_rows",
}


def rollup_function(table: str, keys: str, measures: dict[str, str], event: str) -> str:
    """The trigger function that adds one statement's net change (for `event`) to the rollup."""
    columns = list(measures)
    terms = ", ".join(f"{expr} AS {name}" for name, expr in measures.items())
    negated = ", ".join(f"-({expr}) AS {name}" for name, expr in measures.items())
    source = SOURCES[event].format(keys=keys, terms=terms, negated=negated)
    sums = ", ".join(f"sum({name})" for name in columns)
    changed = " OR ".join(f"sum({name}) <> 0" for name in columns)
    updates = ", ".join(f"{name} = r.{name} + EXCLUDED.{name}" for name in columns)
    cleanup = "" if event == "INSERT" else f"DELETE FROM {table}_rollup WHERE {columns[0]} = 0;"
    return f"""
CREATE FUNCTION crsv_{table}_rollup_{event.lower()}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO {table}_rollup AS r ({keys}, {", ".join(columns)})
    SELECT {keys}, {sums} FROM ({source}) AS changed
     GROUP BY {keys} HAVING {changed} ORDER BY {keys}
        ON CONFLICT ({keys}) DO UPDATE SET {updates};
    {cleanup}
    RETURN NULL;
END $$
"""


def truncate_function(table: str) -> str:
    return f"""
CREATE FUNCTION crsv_{table}_rollup_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM {table}_rollup;
    RETURN NULL;
END $$
"""


ROLLUPS = [("figure", FIGURE_KEYS, FIGURE_MEASURES), ("activity", ACTIVITY_KEYS, ACTIVITY_MEASURES)]


def upgrade() -> None:
    op.create_table(
        "figure_rollup",
        sa.Column("edition_year", sa.SmallInteger(), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=True),
        sa.Column("objective_id", sa.Integer(), nullable=True),
        sa.Column("metric_id", sa.Integer(), nullable=False),
        sa.Column("qualifier", enum_type(Qualifier, "qualifier"), nullable=False),
        *(
            sa.Column(name, sa.BigInteger() if name.endswith("_sum") else sa.Integer(),
                      nullable=False)
            for name in FIGURE_MEASURES
        ),
        sa.UniqueConstraint(*FIGURE_KEYS.split(", "), name="uq_figure_rollup_group",
                            postgresql_nulls_not_distinct=True),
    )
    op.create_index("ix_figure_rollup_empty", "figure_rollup", ["figures"],
                    postgresql_where=sa.text("figures = 0"))
    op.create_table(
        "activity_rollup",
        sa.Column("edition_year", sa.SmallInteger(), nullable=False),
        sa.Column("mission_id", sa.Integer(), nullable=True),
        sa.Column("objective_id", sa.Integer(), nullable=True),
        sa.Column("activity_type_id", sa.Integer(), nullable=False),
        sa.Column("activities", sa.Integer(), nullable=False),
        sa.UniqueConstraint(*ACTIVITY_KEYS.split(", "), name="uq_activity_rollup_group",
                            postgresql_nulls_not_distinct=True),
    )
    op.create_index("ix_activity_rollup_empty", "activity_rollup", ["activities"],
                    postgresql_where=sa.text("activities = 0"))
    for table, keys, measures in ROLLUPS:
        sums = ", ".join(f"sum({expr})" for expr in measures.values())
        op.execute(f"INSERT INTO {table}_rollup ({keys}, {', '.join(measures)}) "
                   f"SELECT {keys}, {sums} FROM {table} GROUP BY {keys}")
        for event in SOURCES:
            op.execute(rollup_function(table, keys, measures, event))
            referencing = {"INSERT": "NEW TABLE AS new_rows", "DELETE": "OLD TABLE AS old_rows",
                           "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows"}[event]
            op.execute(f"CREATE TRIGGER {table}_rollup_{event.lower()} AFTER {event} ON {table} "
                       f"REFERENCING {referencing} FOR EACH STATEMENT "
                       f"EXECUTE FUNCTION crsv_{table}_rollup_{event.lower()}()")
        op.execute(truncate_function(table))
        op.execute(f"CREATE TRIGGER {table}_rollup_truncate AFTER TRUNCATE ON {table} "
                   f"FOR EACH STATEMENT EXECUTE FUNCTION crsv_{table}_rollup_truncate()")


def downgrade() -> None:
    for table, _, _ in reversed(ROLLUPS):
        for event in (*SOURCES, "TRUNCATE"):
            op.execute(f"DROP TRIGGER {table}_rollup_{event.lower()} ON {table}")
            op.execute(f"DROP FUNCTION crsv_{table}_rollup_{event.lower()}()")
        op.drop_table(f"{table}_rollup")
