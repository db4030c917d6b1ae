"""The version of the data: every write is audited (the seed loader's too), so the latest audit
event names the state of the data a client reads."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any, NamedTuple

import orjson
from sqlalchemy import Connection, and_, column, exists, func, literal, select, table
from sqlalchemy.orm import Session

from app.kit.json import dumps
from app.models import AuditEvent


class DataVersion(NamedTuple):
    number: int
    """Id of the latest write: grows with every change, 0 for an empty database."""
    changed_at: datetime | None


def data_version(db: Session | Connection) -> DataVersion:
    """Read with the request's session, or on a connection of its own (a file's ETag)."""
    number, changed_at = db.execute(
        select(func.coalesce(func.max(AuditEvent.id), 0), func.max(AuditEvent.occurred_at))
    ).one()
    return DataVersion(int(number), changed_at)


pg_database = table("pg_database", column("oid"), column("datname"))
pg_locks = table("pg_locks", column("locktype"), column("pid"))

_SETTLED_VERSION = select(
    select(pg_database.c.oid)
    .where(pg_database.c.datname == func.current_database())
    .scalar_subquery(),
    func.coalesce(func.max(AuditEvent.id), 0),
    and_(
        func.pg_current_xact_id_if_assigned().is_(None),
        ~func.pg_is_in_recovery(),
        ~exists(
            select(literal(1))
            .select_from(pg_locks)
            .where(
                pg_locks.c.locktype == "transactionid",
                pg_locks.c.pid.is_distinct_from(func.pg_backend_pid()),
            )
        ),
    ),
)
"""The database, the version, and whether the moment they were read at is settled."""

SettledVersion = tuple[int, int]
"""The database (its oid: new when a database is created again under the same name) and
the version of its data."""


def settled_version(db: Session | Connection) -> SettledVersion | None:
    """The version of the data, when it was read at a settled moment; else None.

    Settled: no transaction that writes is under way (each holds a lock on its transaction
    id until it ends, prepared ones included), this one neither, and the server is a primary.
    Each transaction that changes data audits it, with an id drawn in order, so two settled
    moments with the same version see the same data. While a write is under way, it may have
    drawn a lower id than one that has committed since, and commit later without moving the
    version; a replica cannot see the primary's transactions under way, so it keeps nothing."""
    database, number, settled = db.execute(_SETTLED_VERSION).one()
    return (int(database), int(number)) if settled else None


class PerVersion:
    """A JSON answer computed from the data, kept for the version of the data it was read at.

    A request reads the version first: while nothing is written, every request finds the
    answer kept for that version and the computation runs once. An answer is kept only when
    the version read before and after computing it is the same settled version, so that no
    write can have committed in between (each statement of a request sees the data of its
    own moment); otherwise it is answered, and not kept. Each request gets its own copy
    (decoded from the kept bytes), so no caller can change another's. The last KEPT versions
    are kept (of the databases a process reads: a test's scratch databases each have their
    own).
    """

    KEPT = 4

    def __init__(self, compute: Callable[[Session], Any]) -> None:
        self._compute = compute
        self._kept: dict[SettledVersion, bytes] = {}
        self._lock = threading.Lock()

    def __call__(self, session: Session) -> Any:
        version = settled_version(session)
        kept = self._kept.get(version) if version is not None else None
        if kept is not None:
            return orjson.loads(kept)
        answer = self._compute(session)
        if version is not None and settled_version(session) == version:
            with self._lock:
                self._kept[version] = dumps(answer)
                while len(self._kept) > self.KEPT:
                    del self._kept[min(self._kept)]
        return answer
