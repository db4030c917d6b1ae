"""The report and its content: stories, the activities they tell, and the figures produced."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    FetchedValue,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db.base import Base
from app.enums import DatePrecision, Qualifier, StoryKind
from app.models.columns import enum_type, key_check, key_column, search_index, search_vector
from app.models.reference import Country, Location, Mission, Objective, Partner
from app.models.vocabulary import ActivityType, Metric


def period_checks() -> tuple[CheckConstraint, CheckConstraint]:
    """A period is complete (start, end and precision together) and ordered."""
    return (
        CheckConstraint("date_end >= date_start", name="period_ordered"),
        CheckConstraint(
            "(date_start IS NULL) = (date_end IS NULL)"
            " AND (date_start IS NULL) = (date_precision IS NULL)",
            name="period_complete",
        ),
    )


def derived(*args: Any, nullable: bool = False) -> Any:
    """A column the database fills from related rows (triggers of migrations 0003 and 0010)."""
    return mapped_column(*args, nullable=nullable, server_default=FetchedValue())


def _link_table(name: str, owner: str, target: str) -> Table:
    """A many-to-many link; deleting the owner removes its links, the target is protected."""
    return Table(
        name,
        Base.metadata,
        Column(f"{owner}_id", ForeignKey(f"{owner}.id", ondelete="CASCADE"), primary_key=True),
        Column(
            f"{target}_id",
            ForeignKey(f"{target}.id", ondelete="RESTRICT"),
            primary_key=True,
            index=True,
        ),
    )


story_mission = _link_table("story_mission", "story", "mission")
story_country = _link_table("story_country", "story", "country")
activity_location = _link_table("activity_location", "activity", "location")
activity_partner = _link_table("activity_partner", "activity", "partner")


class Report(Base):
    """One edition of the annual report (2023 is the first loaded)."""

    __tablename__ = "report"
    __table_args__ = (key_check(),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = key_column()
    edition_year: Mapped[int] = mapped_column(SmallInteger, unique=True)
    title: Mapped[str] = mapped_column(Text)
    publisher: Mapped[str] = mapped_column(String(300))
    published_date: Mapped[date] = mapped_column(Date)
    published_precision: Mapped[DatePrecision] = mapped_column(
        enum_type(DatePrecision, "published_precision")
    )
    source_url: Mapped[str] = mapped_column(Text)
    licence_note: Mapped[str] = mapped_column(Text)


class Story(Base):
    """A numbered story, highlight box or overview section of a report."""

    __tablename__ = "story"
    __table_args__ = (
        key_check(),
        # deferred, so that a reload may swap two stories' numbers or positions
        UniqueConstraint("report_id", "number", deferrable=True, initially="DEFERRED"),
        UniqueConstraint("report_id", "position", deferrable=True, initially="DEFERRED"),
        CheckConstraint(
            "(kind = 'numbered_story') = (number IS NOT NULL)", name="numbered_iff_story"
        ),
        search_index("story"),
        Index("ix_story_order_key", "order_key", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = key_column()
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="RESTRICT"))
    number: Mapped[int | None] = mapped_column(SmallInteger)
    kind: Mapped[StoryKind] = mapped_column(enum_type(StoryKind, "story_kind"))
    position: Mapped[int] = mapped_column(SmallInteger)
    title: Mapped[str] = mapped_column(Text)
    section: Mapped[str] = mapped_column(Text)
    objective_id: Mapped[int | None] = mapped_column(ForeignKey("objective.id"), index=True)
    summary: Mapped[str] = mapped_column(Text)
    editorial_note: Mapped[str | None] = mapped_column(Text)
    search_vector: Mapped[Any] = search_vector(("title", "A"), ("summary", "B"))
    order_key: Mapped[int] = derived(BigInteger)
    """Report order (newest edition first, then reading order); kept by a trigger."""
    mission_ids: Mapped[list[int]] = derived(ARRAY(Integer))
    """The ids of its missions (`story_mission`), ascending; kept by triggers (migration 0010)
    so that the story rollup can key a story by the set of its missions."""
    country_ids: Mapped[list[int]] = derived(ARRAY(Integer))
    """The ids of its countries (`story_country`), ascending; kept likewise."""

    report: Mapped[Report] = relationship(lazy="raise")
    objective: Mapped[Objective | None] = relationship(lazy="raise")
    missions: Mapped[list[Mission]] = relationship(
        secondary=story_mission, lazy="raise", order_by=Mission.code
    )
    countries: Mapped[list[Country]] = relationship(
        secondary=story_country, lazy="raise", order_by=Country.iso3
    )
    activities: Mapped[list[Activity]] = relationship(
        back_populates="story", lazy="raise", order_by="Activity.position"
    )


class Activity(Base):
    """One thing a mission did, told inside a story: a training, a patrol, a mobile court."""

    __tablename__ = "activity"
    __table_args__ = (
        key_check(),
        *period_checks(),
        UniqueConstraint("id", "story_id"),  # target of figure's (activity_id, story_id) key
        UniqueConstraint("story_id", "position", deferrable=True, initially="DEFERRED"),
        search_index("activity"),
        Index("ix_activity_order_key", "order_key", "id"),
        Index("ix_activity_mission_id_order_key", "mission_id", "order_key", "id"),
        Index("ix_activity_objective_id", "objective_id"),
        Index("ix_activity_edition_year", "edition_year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = key_column()
    story_id: Mapped[int] = mapped_column(ForeignKey("story.id", ondelete="RESTRICT"))
    position: Mapped[int] = mapped_column(SmallInteger)
    mission_id: Mapped[int | None] = mapped_column(ForeignKey("mission.id"))
    activity_type_id: Mapped[int] = mapped_column(ForeignKey("activity_type.id"), index=True)
    title: Mapped[str] = mapped_column(Text)
    description: Mapped[str] = mapped_column(Text)
    date_start: Mapped[date | None] = mapped_column(Date, index=True)
    date_end: Mapped[date | None] = mapped_column(Date)
    date_precision: Mapped[DatePrecision | None] = mapped_column(
        enum_type(DatePrecision, "date_precision")
    )
    search_vector: Mapped[Any] = search_vector(("title", "A"), ("description", "B"))
    # copied from the story by triggers (migration 0003), so filters and the default order
    # need no join: see app/queries/activities.py
    edition_year: Mapped[int] = derived(SmallInteger)
    objective_id: Mapped[int | None] = derived(ForeignKey("objective.id"), nullable=True)
    order_key: Mapped[int] = derived(BigInteger)

    story: Mapped[Story] = relationship(back_populates="activities", lazy="raise")
    mission: Mapped[Mission | None] = relationship(lazy="raise")
    activity_type: Mapped[ActivityType] = relationship(lazy="raise")
    locations: Mapped[list[Location]] = relationship(
        secondary=activity_location, lazy="raise", order_by=Location.key
    )
    partners: Mapped[list[Partner]] = relationship(
        secondary=activity_partner, lazy="raise", order_by=Partner.key
    )


class Figure(Base):
    """A number the report gives for what was done, with its qualifier and its evidence.

    A figure always belongs to a story and usually to one of its activities; the composite
    foreign key makes sure the activity is one of that story's.
    """

    __tablename__ = "figure"
    __table_args__ = (
        key_check(),
        *period_checks(),
        CheckConstraint("value >= 0", name="value_non_negative"),
        CheckConstraint("women >= 0 AND men >= 0 AND children >= 0", name="breakdown_non_negative"),
        CheckConstraint(
            "coalesce(women, 0) + coalesce(men, 0) + coalesce(children, 0) <= value",
            name="breakdown_within_value",
        ),
        CheckConstraint("length(evidence) > 0", name="evidence_present"),
        CheckConstraint("part_of_id <> id", name="not_own_part"),
        ForeignKeyConstraint(
            ["activity_id", "story_id"],
            ["activity.id", "activity.story_id"],
            name="fk_figure_activity_story",
            ondelete="RESTRICT",
        ),
        Index("ix_figure_story_id", "story_id"),
        Index("ix_figure_activity_id", "activity_id"),
        Index("ix_figure_order_key", "order_key", "id"),
        Index("ix_figure_metric_id_order_key", "metric_id", "order_key", "id"),
        Index("ix_figure_mission_id_order_key", "mission_id", "order_key", "id"),
        Index(
            "ix_figure_mission_id_metric_id_order_key", "mission_id", "metric_id", "order_key", "id"
        ),
        Index("ix_figure_objective_id", "objective_id"),
        Index("ix_figure_edition_year", "edition_year"),
        Index("ix_figure_part_of_id", "part_of_id"),
        search_index("figure"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = key_column()
    story_id: Mapped[int] = mapped_column(ForeignKey("story.id", ondelete="RESTRICT"))
    activity_id: Mapped[int | None] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(SmallInteger)
    metric_id: Mapped[int] = mapped_column(ForeignKey("metric.id"))
    unit: Mapped[str | None] = mapped_column(String(60))
    """The figure's own unit when it counts another thing than its metric's; NULL: the metric's."""
    value: Mapped[int] = mapped_column(Integer)
    # NO ACTION (checked at the end of the statement): a part and its whole may go together
    part_of_id: Mapped[int | None] = mapped_column(ForeignKey("figure.id"))
    """The figure this one is a subset of (same story, metric and unit); totals never add both."""
    qualifier: Mapped[Qualifier] = mapped_column(enum_type(Qualifier, "qualifier"), index=True)
    women: Mapped[int | None] = mapped_column(Integer)
    men: Mapped[int | None] = mapped_column(Integer)
    children: Mapped[int | None] = mapped_column(Integer)
    subject: Mapped[str] = mapped_column(Text)
    location_id: Mapped[int | None] = mapped_column(ForeignKey("location.id"), index=True)
    date_start: Mapped[date | None] = mapped_column(Date, index=True)
    date_end: Mapped[date | None] = mapped_column(Date)
    date_precision: Mapped[DatePrecision | None] = mapped_column(
        enum_type(DatePrecision, "date_precision")
    )
    evidence: Mapped[str] = mapped_column(Text)
    section: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    search_vector: Mapped[Any] = search_vector(("subject", "A"), ("evidence", "B"))
    # copied from the story and activity by triggers (migration 0003), so the common filters
    # and the default order need no join: see app/queries/figures.py
    edition_year: Mapped[int] = derived(SmallInteger)
    mission_id: Mapped[int | None] = derived(ForeignKey("mission.id"), nullable=True)
    objective_id: Mapped[int | None] = derived(ForeignKey("objective.id"), nullable=True)
    order_key: Mapped[int] = derived(BigInteger)

    story: Mapped[Story] = relationship(lazy="raise", foreign_keys=[story_id])
    activity: Mapped[Activity | None] = relationship(
        lazy="raise",
        foreign_keys=[activity_id],
        primaryjoin="Figure.activity_id == Activity.id",
    )
    metric: Mapped[Metric] = relationship(lazy="raise")
    location: Mapped[Location | None] = relationship(lazy="raise")
