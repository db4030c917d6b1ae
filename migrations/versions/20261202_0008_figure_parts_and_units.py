"""Figures that are part of another figure (`part_of`), and figures with their own unit.

"Of the 14 cases, 4 related to sexual violence": the 4 are a part of the 14, so no total may
add them. `part_of_id` links a part to its whole (same story, metric and unit, never larger;
one level deep: a whole is never itself a part). `unit` is a figure's own unit when it counts
something else than its metric's unit (convictions of cases, not of persons); NULL means the
metric's unit.

The figure rollup gains both in its group key (`unit`, and `is_part`), so that sums read from
it can leave parts out and split units apart, and `breakdown_base`, the sum of the values of the
figures that have a breakdown (the base of the women/men/children sums); its triggers are
rebuilt on the new key.

The link is NO ACTION, not RESTRICT: a whole with parts cannot be deleted, but one statement may
delete a part and its whole together (a seed load pruning both).

Revision ID: 0008
Revises: 0007
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_KEYS = "edition_year, mission_id, objective_id, metric_id, qualifier"
NEW_KEYS = f"{OLD_KEYS}, unit, is_part"
KEY_EXPRESSIONS = {
    OLD_KEYS: OLD_KEYS,
    NEW_KEYS: f"{OLD_KEYS}, unit, (part_of_id IS NOT NULL) AS is_part",
}
MEASURES = {
    "figures": "1",
    "value_sum": "value",
    "women_sum": "coalesce(women, 0)",
    "women_count": "(women IS NOT NULL)::int",
    "men_sum": "coalesce(men, 0)",
    "men_count": "(men IS NOT NULL)::int",
    "children_sum": "coalesce(children, 0)",
    "children_count": "(children IS NOT NULL)::int",
    "with_breakdown": "(women IS NOT NULL OR men IS NOT NULL OR children IS NOT NULL)::int",
    "breakdown_base": "CASE WHEN women IS NOT NULL OR men IS NOT NULL OR children IS NOT NULL "
    "THEN value ELSE 0 END",
}
SOURCES = {
    "INSERT": "SELECT {keys}, {terms} FROM new_rows",
    "DELETE": "SELECT {keys}, {negated} FROM old_rows",
    "UPDATE": "SELECT {keys}, {terms} FROM new_rows UNION ALL SELECT {keys}, {negated} FROM old_rows",
}


def _measures(keys: str) -> dict[str, str]:
    return (
        MEASURES
        if keys == NEW_KEYS
        else {k: v for k, v in MEASURES.items() if k != "breakdown_base"}
    )


def rollup_function(keys: str, event: str) -> str:
    """As in 0004, with the group key's columns computed from the changed rows."""
    measures = _measures(keys)
    columns = list(measures)
    terms = ", ".join(f"{expr} AS {name}" for name, expr in measures.items())
    negated = ", ".join(f"-({expr}) AS {name}" for name, expr in measures.items())
    source = SOURCES[event].format(keys=KEY_EXPRESSIONS[keys], terms=terms, negated=negated)
    sums = ", ".join(f"sum({name})" for name in columns)
    changed = " OR ".join(f"sum({name}) <> 0" for name in columns)
    updates = ", ".join(f"{name} = r.{name} + EXCLUDED.{name}" for name in columns)
    cleanup = "" if event == "INSERT" else "DELETE FROM figure_rollup WHERE figures = 0;"
    return f"""
CREATE OR REPLACE FUNCTION crsv_figure_rollup_{event.lower()}() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO figure_rollup AS r ({keys}, {", ".join(columns)})
    SELECT {keys}, {sums} FROM ({source}) AS changed
     GROUP BY {keys} HAVING {changed} ORDER BY {keys}
        ON CONFLICT ({keys}) DO UPDATE SET {updates};
    {cleanup}
    RETURN NULL;
END $$
"""


def _rebuild(keys: str) -> None:
    """Recreate the rollup's key and triggers on `keys`, and sum the figures in again."""
    op.execute("DELETE FROM figure_rollup")
    op.create_unique_constraint(
        "uq_figure_rollup_group",
        "figure_rollup",
        keys.split(", "),
        postgresql_nulls_not_distinct=True,
    )
    for event in SOURCES:
        op.execute(rollup_function(keys, event))
    measures = _measures(keys)
    sums = ", ".join(f"sum({expr})" for expr in measures.values())
    op.execute(
        f"INSERT INTO figure_rollup ({keys}, {', '.join(measures)}) "
        f"SELECT {keys}, {sums} FROM (SELECT {KEY_EXPRESSIONS[keys]}, value, women, men, "
        f"children FROM figure) AS f GROUP BY {keys}"
    )


def upgrade() -> None:
    op.add_column("figure", sa.Column("unit", sa.String(60), nullable=True))
    op.add_column("figure", sa.Column("part_of_id", sa.Integer(), nullable=True))
    op.create_foreign_key(
        op.f("fk_figure_part_of_id_figure"),
        "figure",
        "figure",
        ["part_of_id"],
        ["id"],
    )
    op.create_index("ix_figure_part_of_id", "figure", ["part_of_id"])
    op.create_check_constraint(op.f("ck_figure_not_own_part"), "figure", "part_of_id <> id")
    op.add_column("figure_rollup", sa.Column("unit", sa.String(60), nullable=True))
    op.add_column(
        "figure_rollup",
        sa.Column("is_part", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.alter_column("figure_rollup", "is_part", server_default=None)
    op.add_column(
        "figure_rollup",
        sa.Column("breakdown_base", sa.BigInteger(), nullable=False, server_default="0"),
    )
    op.alter_column("figure_rollup", "breakdown_base", server_default=None)
    op.drop_constraint("uq_figure_rollup_group", "figure_rollup", type_="unique")
    _rebuild(NEW_KEYS)


def downgrade() -> None:
    op.drop_constraint("uq_figure_rollup_group", "figure_rollup", type_="unique")
    op.drop_column("figure_rollup", "is_part")
    op.drop_column("figure_rollup", "breakdown_base")
    op.drop_column("figure_rollup", "unit")
    _rebuild(OLD_KEYS)
    op.drop_constraint(op.f("ck_figure_not_own_part"), "figure", type_="check")
    op.drop_index("ix_figure_part_of_id", table_name="figure")
    op.drop_constraint(op.f("fk_figure_part_of_id_figure"), "figure", type_="foreignkey")
    op.drop_column("figure", "part_of_id")
    op.drop_column("figure", "unit")
