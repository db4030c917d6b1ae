"""Who may write, and what they wrote: API keys, failed authentications, the audit trail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, DateTime, Index, String, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base
from app.enums import AuditAction, FailureSubject, Scope
from app.models.columns import enum_type


class ApiKey(Base):
    """A client credential. Only a slow hash of the secret is stored; the key is shown once."""

    __tablename__ = "api_key"
    __table_args__ = (CheckConstraint("prefix ~ '^[a-z0-9]{8}$'", name="prefix_format"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    prefix: Mapped[str] = mapped_column(String(8), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(200))
    scope: Mapped[Scope] = mapped_column(enum_type(Scope, "scope"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuthFailure(Base):
    """Recent failed authentications of one client address or one key prefix: the throttle.

    In PostgreSQL so that every worker and instance counts together. UNLOGGED: the counts need
    no WAL (a crash merely forgets them), which keeps a failure cheap. A row outlives its window
    only until the next prune, and the rows are bounded (app/auth/throttle.py).
    """

    __tablename__ = "auth_failure"
    __table_args__ = (
        CheckConstraint("failures >= 1", name="failures_positive"),
        {"prefixes": ["UNLOGGED"]},
    )

    kind: Mapped[FailureSubject] = mapped_column(
        enum_type(FailureSubject, "failure_subject"), primary_key=True
    )
    subject: Mapped[str] = mapped_column(String(64), primary_key=True)
    window_started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    failures: Mapped[int]


class AuditEvent(Base):
    """One write: who, when, what, and the record before and after."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_resource_resource_id", "resource", "resource_id"),
        Index("ix_audit_event_occurred_at", "occurred_at"),
        Index("ix_audit_event_actor", "actor"),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now()
    )
    actor: Mapped[str] = mapped_column(String(100))
    resource: Mapped[str] = mapped_column(String(40))
    resource_id: Mapped[str] = mapped_column(String(120))
    action: Mapped[AuditAction] = mapped_column(enum_type(AuditAction, "audit_action"))
    before: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    note: Mapped[str | None] = mapped_column(Text)
