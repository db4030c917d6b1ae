"""Open vocabularies stored as data: metrics and activity types."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base

CODE_CHECK = "code ~ '^[a-z][a-z0-9_]*$'"


class Metric(Base):
    """What a figure counts (`trainees`, `convictions`, ...), with its definition."""

    __tablename__ = "metric"
    __table_args__ = (CheckConstraint(CODE_CHECK, name="code_format"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    label: Mapped[str] = mapped_column(String(300))
    unit: Mapped[str] = mapped_column(String(60))
    definition: Mapped[str] = mapped_column(Text)


class ActivityType(Base):
    """What kind of work an activity is (`training`, `mobile_court`, ...)."""

    __tablename__ = "activity_type"
    __table_args__ = (CheckConstraint(CODE_CHECK, name="code_format"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    label: Mapped[str] = mapped_column(String(300))
    definition: Mapped[str] = mapped_column(Text)
