"""Seed loads: each one marks where the audit trail stood, so later API edits can be told apart."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Integer, func
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base


class SeedLoad(Base):
    """One committed seed load. Audit events above `audit_mark` came after it (API edits)."""

    __tablename__ = "seed_load"

    id: Mapped[int] = mapped_column(primary_key=True)
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    audit_mark: Mapped[int] = mapped_column(BigInteger)
    """The highest audit event id when the load committed (0 for an empty trail)."""
    changes: Mapped[int] = mapped_column(Integer)
    discarded: Mapped[int] = mapped_column(Integer)
    """API edits this load deleted or reverted (only ever non-zero with `crsv seed --force`)."""
