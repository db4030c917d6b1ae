"""Derived placement columns: filters and the default order without joins.

Figures and activities carry copies of where they sit (edition year, objective, mission) and
an `order_key` that encodes report order (newest edition first, then story, activity and own
position), so that `WHERE metric_id = ? AND mission_id = ? ORDER BY order_key, id` is one
index range scan at any depth. Triggers keep the copies right whatever writes the rows (the
seed loader, the write API, COPY): the database, not the application, owns the invariant.

Revision ID: 0003
Revises: 0002
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# order keys: (3000 - edition year) first, so that ascending order is newest edition first
STORY_PLACEMENT = """
CREATE FUNCTION crsv_story_placement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT (3000 - r.edition_year)::bigint * 100000 + NEW.position
      INTO NEW.order_key
      FROM report r WHERE r.id = NEW.report_id;
    RETURN NEW;
END $$
"""
ACTIVITY_PLACEMENT = """
CREATE FUNCTION crsv_activity_placement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT r.edition_year, s.objective_id,
           (3000 - r.edition_year)::bigint * 10000000000 + s.position::bigint * 100000
           + NEW.position
      INTO NEW.edition_year, NEW.objective_id, NEW.order_key
      FROM story s JOIN report r ON r.id = s.report_id
     WHERE s.id = NEW.story_id;
    RETURN NEW;
END $$
"""
FIGURE_PLACEMENT = """
CREATE FUNCTION crsv_figure_placement() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    SELECT r.edition_year, s.objective_id, a.mission_id,
           (3000 - r.edition_year)::bigint * 1000000000000000
           + s.position::bigint * 10000000000
           + coalesce(a.position, 99999)::bigint * 100000 + NEW.position
      INTO NEW.edition_year, NEW.objective_id, NEW.mission_id, NEW.order_key
      FROM story s JOIN report r ON r.id = s.report_id
      LEFT JOIN activity a ON a.id = NEW.activity_id
     WHERE s.id = NEW.story_id;
    RETURN NEW;
END $$
"""
# a change upstream is pushed down by touching the children, whose BEFORE triggers recompute
REPORT_PROPAGATE = """
CREATE FUNCTION crsv_report_propagate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE story SET position = position WHERE report_id = NEW.id;
    RETURN NULL;
END $$
"""
STORY_PROPAGATE = """
CREATE FUNCTION crsv_story_propagate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE activity SET position = position WHERE story_id = NEW.id;
    UPDATE figure SET position = position WHERE story_id = NEW.id AND activity_id IS NULL;
    RETURN NULL;
END $$
"""
ACTIVITY_PROPAGATE = """
CREATE FUNCTION crsv_activity_propagate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE figure SET position = position WHERE activity_id = NEW.id;
    RETURN NULL;
END $$
"""
BEFORE_TRIGGERS = [
    ("story_placement", "story", "report_id, position", "crsv_story_placement"),
    ("activity_placement", "activity", "story_id, position", "crsv_activity_placement"),
    ("figure_placement", "figure", "story_id, activity_id, position", "crsv_figure_placement"),
]
AFTER_TRIGGERS = [
    ("report_propagate", "report", "OLD.edition_year IS DISTINCT FROM NEW.edition_year",
     "crsv_report_propagate"),
    ("story_propagate", "story",
     "OLD.order_key IS DISTINCT FROM NEW.order_key"
     " OR OLD.objective_id IS DISTINCT FROM NEW.objective_id", "crsv_story_propagate"),
    ("activity_propagate", "activity",
     "OLD.order_key IS DISTINCT FROM NEW.order_key"
     " OR OLD.mission_id IS DISTINCT FROM NEW.mission_id"
     " OR OLD.objective_id IS DISTINCT FROM NEW.objective_id", "crsv_activity_propagate"),
]
FUNCTIONS = [STORY_PLACEMENT, ACTIVITY_PLACEMENT, FIGURE_PLACEMENT, REPORT_PROPAGATE,
             STORY_PROPAGATE, ACTIVITY_PROPAGATE]


def upgrade() -> None:
    op.add_column("story", sa.Column("order_key", sa.BigInteger(), nullable=True))
    for name, kind in (("edition_year", sa.SmallInteger()), ("objective_id", sa.Integer()),
                       ("order_key", sa.BigInteger())):
        op.add_column("activity", sa.Column(name, kind, nullable=True))
    for name, kind in (("edition_year", sa.SmallInteger()), ("mission_id", sa.Integer()),
                       ("objective_id", sa.Integer()), ("order_key", sa.BigInteger())):
        op.add_column("figure", sa.Column(name, kind, nullable=True))
    for function in FUNCTIONS:
        op.execute(function)
    for name, table, columns, function in BEFORE_TRIGGERS:
        op.execute(f"CREATE TRIGGER {name} BEFORE INSERT OR UPDATE OF {columns} ON {table} "
                   f"FOR EACH ROW EXECUTE FUNCTION {function}()")
    # fill existing rows, parents first, before the propagation triggers exist
    for table in ("story", "activity", "figure"):
        op.execute(f"UPDATE {table} SET position = position")
    for name, table, condition, function in AFTER_TRIGGERS:
        op.execute(f"CREATE TRIGGER {name} AFTER UPDATE ON {table} FOR EACH ROW "
                   f"WHEN ({condition}) EXECUTE FUNCTION {function}()")
    for table, required in (("story", ["order_key"]),
                            ("activity", ["edition_year", "order_key"]),
                            ("figure", ["edition_year", "order_key"])):
        for column in required:
            op.alter_column(table, column, nullable=False)

    op.drop_index("ix_activity_mission_id", table_name="activity")
    op.create_index("ix_activity_edition_year", "activity", ["edition_year"])
    op.create_index("ix_activity_mission_id_order_key", "activity",
                    ["mission_id", "order_key", "id"])
    op.create_index("ix_activity_objective_id", "activity", ["objective_id"])
    op.create_index("ix_activity_order_key", "activity", ["order_key", "id"])
    op.create_foreign_key(op.f("fk_activity_objective_id_objective"), "activity", "objective",
                          ["objective_id"], ["id"])
    op.drop_index("ix_figure_metric_id", table_name="figure")
    op.create_index("ix_figure_edition_year", "figure", ["edition_year"])
    op.create_index("ix_figure_metric_id_order_key", "figure", ["metric_id", "order_key", "id"])
    op.create_index("ix_figure_mission_id_order_key", "figure", ["mission_id", "order_key", "id"])
    op.create_index("ix_figure_mission_id_metric_id_order_key", "figure",
                    ["mission_id", "metric_id", "order_key", "id"])
    op.create_index("ix_figure_objective_id", "figure", ["objective_id"])
    op.create_index("ix_figure_order_key", "figure", ["order_key", "id"])
    op.create_foreign_key(op.f("fk_figure_objective_id_objective"), "figure", "objective",
                          ["objective_id"], ["id"])
    op.create_foreign_key(op.f("fk_figure_mission_id_mission"), "figure", "mission",
                          ["mission_id"], ["id"])
    op.create_index("ix_story_order_key", "story", ["order_key", "id"])


def downgrade() -> None:
    for name, table, *_ in AFTER_TRIGGERS + BEFORE_TRIGGERS:
        op.execute(f"DROP TRIGGER {name} ON {table}")
    for function in ("crsv_story_placement", "crsv_activity_placement", "crsv_figure_placement",
                     "crsv_report_propagate", "crsv_story_propagate", "crsv_activity_propagate"):
        op.execute(f"DROP FUNCTION {function}()")
    op.drop_index("ix_story_order_key", table_name="story")
    op.drop_column("story", "order_key")
    for index in ("ix_figure_order_key", "ix_figure_objective_id",
                  "ix_figure_mission_id_metric_id_order_key",
                  "ix_figure_mission_id_order_key", "ix_figure_metric_id_order_key",
                  "ix_figure_edition_year"):
        op.drop_index(index, table_name="figure")
    op.create_index(op.f("ix_figure_metric_id"), "figure", ["metric_id"])
    for column in ("order_key", "objective_id", "mission_id", "edition_year"):
        op.drop_column("figure", column)
    for index in ("ix_activity_order_key", "ix_activity_objective_id",
                  "ix_activity_mission_id_order_key", "ix_activity_edition_year"):
        op.drop_index(index, table_name="activity")
    op.create_index(op.f("ix_activity_mission_id"), "activity", ["mission_id"])
    for column in ("order_key", "objective_id", "edition_year"):
        op.drop_column("activity", column)
