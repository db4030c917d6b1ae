"""Rollups: figure, activity and story counts (and figure sums) per group, kept right by
triggers (0004, 0010).

At a million figures, `count(*)` over a filtered selection and `GROUP BY` over every figure cost
tens to hundreds of milliseconds. Each rollup row holds one group's count (and, for figures,
sums) at the grain of the columns every figure and activity carries itself (edition year,
mission, objective, and metric and qualifier, or activity type; for stories their report,
objective, kind and sets of missions and countries), so totals and dashboard aggregates that
filter and group only on those read a few thousand rows instead. Statement-level
triggers with transition tables apply each write's net change in the same transaction, so a
rollup never disagrees with the rows it summarises, whoever writes them (the seed loader, the
write API, COPY). These are derived tables, not entities: plain `Table`s, read by
`app.queries.rollups`.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY

from app.db.base import Base
from app.enums import Qualifier, StoryKind
from app.models.columns import enum_type

figure_rollup = Table(
    "figure_rollup",
    Base.metadata,
    Column("edition_year", SmallInteger, nullable=False),
    # each filtered dimension is indexed: before PostgreSQL 18 (no B-tree skip scan), the
    # group key, which leads with the year, cannot serve a filter on mission or metric alone
    Column("mission_id", Integer, index=True),
    Column("objective_id", Integer, index=True),
    Column("metric_id", Integer, nullable=False, index=True),
    Column("qualifier", enum_type(Qualifier, "qualifier"), nullable=False),
    # the figure's own unit (NULL: its metric's) and whether it is a part of another figure
    # (migration 0008): sums split units apart and leave parts out
    Column("unit", String(60)),
    Column("is_part", Boolean, nullable=False),
    Column("figures", Integer, nullable=False),
    Column("value_sum", BigInteger, nullable=False),
    # a sum over no value is NULL, not 0: the counts say whether any figure gave one
    Column("women_sum", BigInteger, nullable=False),
    Column("women_count", Integer, nullable=False),
    Column("men_sum", BigInteger, nullable=False),
    Column("men_count", Integer, nullable=False),
    Column("children_sum", BigInteger, nullable=False),
    Column("children_count", Integer, nullable=False),
    Column("with_breakdown", Integer, nullable=False),
    # the sum of the values of the figures with a breakdown: what women/men/children are of
    Column("breakdown_base", BigInteger, nullable=False),
    UniqueConstraint(
        "edition_year",
        "mission_id",
        "objective_id",
        "metric_id",
        "qualifier",
        "unit",
        "is_part",
        name="uq_figure_rollup_group",
        postgresql_nulls_not_distinct=True,
    ),
    # the triggers delete groups whose count fell to zero; this finds them without a scan
    Index("ix_figure_rollup_empty", "figures", postgresql_where=text("figures = 0")),
)

activity_rollup = Table(
    "activity_rollup",
    Base.metadata,
    Column("edition_year", SmallInteger, nullable=False),
    Column("mission_id", Integer, index=True),
    Column("objective_id", Integer, index=True),
    Column("activity_type_id", Integer, nullable=False, index=True),
    Column("activities", Integer, nullable=False),
    UniqueConstraint(
        "edition_year",
        "mission_id",
        "objective_id",
        "activity_type_id",
        name="uq_activity_rollup_group",
        postgresql_nulls_not_distinct=True,
    ),
    Index("ix_activity_rollup_empty", "activities", postgresql_where=text("activities = 0")),
)

story_rollup = Table(
    "story_rollup",
    Base.metadata,
    # the report, not its edition year: a report's year may change without touching the rollup
    Column("report_id", Integer, nullable=False),
    Column("objective_id", Integer),
    Column("kind", enum_type(StoryKind, "story_kind"), nullable=False),
    # a story names several missions and countries: it is kept once, under the set of each
    # (`story.mission_ids`, ascending), so that a total counts it once, a filter on missions
    # is an overlap (&&) and a group by mission unnests the set, once per mission
    Column("mission_ids", ARRAY(Integer), nullable=False),
    Column("country_ids", ARRAY(Integer), nullable=False),
    Column("stories", Integer, nullable=False),
    UniqueConstraint(
        "report_id",
        "objective_id",
        "kind",
        "mission_ids",
        "country_ids",
        name="uq_story_rollup_group",
        postgresql_nulls_not_distinct=True,
    ),
    Index("ix_story_rollup_empty", "stories", postgresql_where=text("stories = 0")),
)
