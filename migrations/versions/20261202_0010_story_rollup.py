"""Story rollup: stories per report, objective, kind and set of missions and of countries.

Counting stories per mission or objective read the link tables or the stories themselves: at
1,000,000 figures (215,000 stories) the overview spent 60-100 ms there. The story rollup keeps
one count per group, like the figure and activity rollups (0004), with one difference: a story
names several missions and countries, so it is kept once, under the *set* of each. A total sums
each story once; a filter on missions is an overlap with the set; a group by mission unnests the
set, counting the story once under each of its missions, as the rows do.

Each story carries the two sets itself (`mission_ids`, `country_ids`, ascending), so that the
rollup's triggers are those of 0004 on one table, `story`, whose transition tables hold the sets
a story had before and after each write (a deleted story's too: its links are deleted after it,
by the cascade). A BEFORE trigger computes the sets from the link tables whenever a story is
inserted or either set is touched, so no one can write a wrong set; the link tables' statement
triggers touch the stories whose links changed. The report, not its edition year, is the key: a
report's year can change without touching its stories' groups.

Revision ID: 0010
Revises: 0009
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import ARRAY

from app.enums import StoryKind
from app.models.columns import enum_type

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

KEYS = "report_id, objective_id, kind, mission_ids, country_ids"
LINKS = ("story_mission", "story_country")

STORY_SETS = """
CREATE FUNCTION crsv_story_sets() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.mission_ids := ARRAY(SELECT mission_id FROM story_mission
                              WHERE story_id = NEW.id ORDER BY mission_id);
    NEW.country_ids := ARRAY(SELECT country_id FROM story_country
                              WHERE story_id = NEW.id ORDER BY country_id);
    RETURN NEW;
END $$
"""
# the stories whose links a statement changed: touched, so that crsv_story_sets recomputes them
# (a story deleted with its links is gone: the touch finds nothing, its own trigger counted it)
CHANGED = {
    "INSERT": "SELECT story_id FROM new_rows",
    "DELETE": "SELECT story_id FROM old_rows",
    "UPDATE": "SELECT story_id FROM new_rows UNION SELECT story_id FROM old_rows",
}
REFERENCING = {
    "INSERT": "NEW TABLE AS new_rows",
    "DELETE": "OLD TABLE AS old_rows",
    "UPDATE": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
}
SOURCES = {
    "INSERT": "SELECT {keys}, 1 AS stories FROM new_rows",
    "DELETE": "SELECT {keys}, -1 AS stories FROM old_rows",
    "UPDATE": "SELECT {keys}, 1 AS stories FROM new_rows "
    "UNION ALL SELECT {keys}, -1 AS stories FROM old_rows",
}


def links_function(event: str) -> str:
    """The link tables' trigger: touch the stories whose links `event` changed."""
    return f"""
CREATE FUNCTION crsv_story_links_{event.lower()}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE story SET mission_ids = mission_ids WHERE id IN ({CHANGED[event]});
    RETURN NULL;
END $$
"""


LINKS_TRUNCATE = """
CREATE FUNCTION crsv_story_links_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE story SET mission_ids = mission_ids
     WHERE cardinality(mission_ids) > 0 OR cardinality(country_ids) > 0;
    RETURN NULL;
END $$
"""


def rollup_function(event: str) -> str:
    """As in 0004: add one statement's net change to the rollup, drop the groups emptied."""
    source = SOURCES[event].format(keys=KEYS)
    cleanup = "" if event == "INSERT" else "DELETE FROM story_rollup WHERE stories = 0;"
    return f"""
CREATE FUNCTION crsv_story_rollup_{event.lower()}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO story_rollup AS r ({KEYS}, stories)
    SELECT {KEYS}, sum(stories) FROM ({source}) AS changed
     GROUP BY {KEYS} HAVING sum(stories) <> 0 ORDER BY {KEYS}
        ON CONFLICT ({KEYS}) DO UPDATE SET stories = r.stories + EXCLUDED.stories;
    {cleanup}
    RETURN NULL;
END $$
"""


ROLLUP_TRUNCATE = """
CREATE FUNCTION crsv_story_rollup_truncate() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM story_rollup;
    RETURN NULL;
END $$
"""


def upgrade() -> None:
    for column in ("mission_ids", "country_ids"):
        op.add_column("story", sa.Column(column, ARRAY(sa.Integer()), nullable=True))
    op.execute(
        "UPDATE story s SET "
        "mission_ids = ARRAY(SELECT mission_id FROM story_mission "
        "WHERE story_id = s.id ORDER BY mission_id), "
        "country_ids = ARRAY(SELECT country_id FROM story_country "
        "WHERE story_id = s.id ORDER BY country_id)"
    )
    for column in ("mission_ids", "country_ids"):
        op.alter_column("story", column, nullable=False)
    op.create_table(
        "story_rollup",
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("objective_id", sa.Integer(), nullable=True),
        sa.Column("kind", enum_type(StoryKind, "story_kind"), nullable=False),
        sa.Column("mission_ids", ARRAY(sa.Integer()), nullable=False),
        sa.Column("country_ids", ARRAY(sa.Integer()), nullable=False),
        sa.Column("stories", sa.Integer(), nullable=False),
        sa.UniqueConstraint(
            *KEYS.split(", "), name="uq_story_rollup_group", postgresql_nulls_not_distinct=True
        ),
    )
    op.create_index(
        "ix_story_rollup_empty",
        "story_rollup",
        ["stories"],
        postgresql_where=sa.text("stories = 0"),
    )
    op.execute(
        f"INSERT INTO story_rollup ({KEYS}, stories) SELECT {KEYS}, count(*) FROM story "
        f"GROUP BY {KEYS}"
    )
    op.execute(STORY_SETS)
    op.execute(
        "CREATE TRIGGER story_sets BEFORE INSERT OR UPDATE OF mission_ids, country_ids "
        "ON story FOR EACH ROW EXECUTE FUNCTION crsv_story_sets()"
    )
    for event in SOURCES:
        op.execute(rollup_function(event))
        op.execute(
            f"CREATE TRIGGER story_rollup_{event.lower()} AFTER {event} ON story "
            f"REFERENCING {REFERENCING[event]} FOR EACH STATEMENT "
            f"EXECUTE FUNCTION crsv_story_rollup_{event.lower()}()"
        )
        op.execute(links_function(event))
        for link in LINKS:
            op.execute(
                f"CREATE TRIGGER {link}_sets_{event.lower()} AFTER {event} ON {link} "
                f"REFERENCING {REFERENCING[event]} FOR EACH STATEMENT "
                f"EXECUTE FUNCTION crsv_story_links_{event.lower()}()"
            )
    op.execute(ROLLUP_TRUNCATE)
    op.execute(
        "CREATE TRIGGER story_rollup_truncate AFTER TRUNCATE ON story "
        "FOR EACH STATEMENT EXECUTE FUNCTION crsv_story_rollup_truncate()"
    )
    op.execute(LINKS_TRUNCATE)
    for link in LINKS:
        op.execute(
            f"CREATE TRIGGER {link}_sets_truncate AFTER TRUNCATE ON {link} "
            "FOR EACH STATEMENT EXECUTE FUNCTION crsv_story_links_truncate()"
        )


def downgrade() -> None:
    for event in (*SOURCES, "TRUNCATE"):
        for link in LINKS:
            op.execute(f"DROP TRIGGER {link}_sets_{event.lower()} ON {link}")
        op.execute(f"DROP FUNCTION crsv_story_links_{event.lower()}()")
        op.execute(f"DROP TRIGGER story_rollup_{event.lower()} ON story")
        op.execute(f"DROP FUNCTION crsv_story_rollup_{event.lower()}()")
    op.execute("DROP TRIGGER story_sets ON story")
    op.execute("DROP FUNCTION crsv_story_sets()")
    op.drop_table("story_rollup")
    for column in ("country_ids", "mission_ids"):
        op.drop_column("story", column)
