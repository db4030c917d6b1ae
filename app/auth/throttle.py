"""Slow down key guessing: a client address or key prefix that fails too often earns a 429.

Only failures are counted, and only a failure can be refused: a correct key always
authenticates, so nobody can lock a user out by failing from the same address or against the
same prefix. The counts live in PostgreSQL (the UNLOGGED `auth_failure` table), so every worker
and every instance counts together. Each row is a fixed window opened by its first failure;
an expired window restarts at the next failure. Rows are pruned now and then: expired ones
first, then, past `max_entries`, those with the fewest failures, so a flood of distinct
addresses or prefixes cannot grow the table without bound.
"""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from datetime import timedelta

from sqlalchemy import ColumnElement, Integer, case, cast, delete, func, select, tuple_
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from app.enums import FailureSubject
from app.models import AuthFailure

IPV6_NETWORK = 64
"""An IPv6 client usually holds a whole /64: counting its addresses apart would be no count."""

_SUBJECT_LENGTH = 64


def address_subject(host: str) -> str:
    """The client a failure is counted against: an IPv4 address or an IPv6 /64."""
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host[:_SUBJECT_LENGTH]  # not an IP (a test client, a Unix socket): as it is
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, IPV6_NETWORK), strict=False))
    return str(address)


class FailureThrottle:
    """Counts failed authentications in PostgreSQL; says when to answer 429 instead of 401."""

    def __init__(self, max_failures: int, window_seconds: int, max_entries: int) -> None:
        self.max_failures = max_failures
        self.window = timedelta(seconds=window_seconds)
        self.max_entries = max_entries
        self.prune_every = max(1, max_entries // 10)
        """Failures recorded by this process between prunes (at most one window apart too)."""
        self._since_prune = 0
        self._pruned_at = -math.inf
        self._lock = threading.Lock()

    def record_failure(self, session: Session, client: str, prefix: str | None) -> int | None:
        """Count one failure of `client` (and of `prefix`, for a well-formed key).

        Returns the seconds to wait when either count is now over the limit, else None.
        One statement; a prune now and then. The caller commits.
        """
        rows = [{"kind": FailureSubject.ADDRESS, "subject": address_subject(client)}]
        if prefix is not None:
            rows.append({"kind": FailureSubject.PREFIX, "subject": prefix})
        table = AuthFailure.__table__
        statement = insert(AuthFailure).values(
            [{**row, "window_started_at": func.now(), "failures": 1} for row in rows]
        )
        live = table.c.window_started_at > func.now() - self.window
        counted = statement.on_conflict_do_update(
            index_elements=[table.c.kind, table.c.subject],
            set_={
                "failures": case((live, table.c.failures + 1), else_=1),
                "window_started_at": case((live, table.c.window_started_at), else_=func.now()),
            },
        ).returning(table.c.failures, _seconds_left(self.window))
        waits = [
            max(1, seconds)
            for failures, seconds in session.execute(counted)
            if failures > self.max_failures
        ]
        if self._prune_due():
            self.prune(session)
        return max(waits, default=None)

    def _prune_due(self) -> bool:
        now = time.monotonic()
        with self._lock:
            self._since_prune += 1
            if (
                self._since_prune < self.prune_every
                and now - self._pruned_at < self.window.total_seconds()
            ):
                return False
            self._since_prune, self._pruned_at = 0, now
            return True

    def prune(self, session: Session) -> None:
        """Delete expired rows, then all but the `max_entries` rows with the most failures.

        Rows another transaction holds are skipped (SKIP LOCKED): a prune never waits, so it
        can never deadlock with the failures being counted at the same time.
        """
        key = tuple_(AuthFailure.kind, AuthFailure.subject)
        expired = select(AuthFailure.kind, AuthFailure.subject).where(
            AuthFailure.window_started_at <= func.now() - self.window
        )
        excess = (
            select(AuthFailure.kind, AuthFailure.subject)
            .order_by(AuthFailure.failures.desc(), AuthFailure.window_started_at.desc())
            .offset(self.max_entries)
        )
        for doomed in (expired, excess):
            session.execute(
                delete(AuthFailure).where(key.in_(doomed.with_for_update(skip_locked=True)))
            )


def _seconds_left(window: timedelta) -> ColumnElement[int]:
    """Whole seconds until a row's window closes, rounded up."""
    table = AuthFailure.__table__
    remaining = table.c.window_started_at + window - func.now()
    return cast(func.ceil(func.extract("epoch", remaining)), Integer)
