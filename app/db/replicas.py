"""Streaming replicas of the primary, for reads (`CRSV_DATABASE_REPLICA_URLS`).

PostgreSQL does the replicating; this module only decides, per GET, whether a replica may
answer it. A watcher thread samples, every `POLL_SECONDS`, the primary's WAL flush position and
each replica's replay position. A replica's lag is the age of the newest primary sample it has
replayed (0 when it has replayed the latest one), plus the age of the measurement itself, so
the bound holds even if the watcher stalls. Everything here is derived from the databases:
each process (and each instance) watches for itself and reaches the same verdicts.

A read with a `Consistency-Token` (the WAL position a write's commit reached) goes to a replica
only once it has replayed past that position; without one, to a replica lagging at most
`max_lag_seconds`; otherwise, and whenever a replica is down, to the primary.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings
from app.db.engine import build_engine, build_sessionmaker
from app.db.url import normalise_url

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5
HISTORY_SECONDS = 120.0
"""How far back primary samples are kept; a replica behind all of them counts as lagging by
at least this much."""

PRIMARY_POSITION = text("SELECT pg_current_wal_flush_lsn()::text")
REPLICA_POSITION = text(
    "SELECT CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn()"
    " ELSE pg_current_wal_flush_lsn() END::text"
)
REPLAYED_PAST = text("SELECT pg_last_wal_replay_lsn() >= CAST(:token AS pg_lsn)")


def parse_lsn(value: str | None) -> int | None:
    """`16/B374D848` as a number; None for anything that is not a WAL position."""
    if not value or value.count("/") != 1:
        return None
    high, low = value.split("/")
    try:
        if not (0 < len(high) <= 8 and 0 < len(low) <= 8):
            return None
        return (int(high, 16) << 32) | int(low, 16)
    except ValueError:
        return None


def format_lsn(position: int) -> str:
    """A WAL position as PostgreSQL writes it (`16/B374D848`)."""
    return f"{position >> 32:X}/{position & 0xFFFFFFFF:X}"


def flushed_position(session: Session) -> str | None:
    """The primary's WAL flush position, read after a commit returned: at or past its commit
    record. None if the primary cannot say: the write is saved, and its answer must say so; a
    client without a token reads within the lag bound."""
    try:
        position: str | None = session.execute(PRIMARY_POSITION).scalar_one_or_none()
    except SQLAlchemyError:
        return None
    return position


def replayed_past(session: Session, position: int) -> bool:
    """Whether the replica this session is connected to has replayed past `position`."""
    return bool(session.execute(REPLAYED_PAST, {"token": format_lsn(position)}).scalar())


class PrimaryHistory:
    """Recent (time, WAL flush position) samples of the primary, oldest first."""

    def __init__(self, keep_seconds: float = HISTORY_SECONDS) -> None:
        self.keep_seconds = keep_seconds
        self._samples: deque[tuple[float, int]] = deque()

    def record(self, at: float, position: int) -> None:
        self._samples.append((at, position))
        while self._samples and self._samples[0][0] < at - self.keep_seconds:
            self._samples.popleft()

    def lag(self, replayed: int, now: float) -> float:
        """Seconds by which a replica that has replayed up to `replayed` trails the primary:
        0 if it holds everything of the latest sample, else the age of the newest sample it
        holds, else (behind every sample) at least the history's span."""
        if not self._samples:
            return 0.0  # the primary was never seen: nothing to be behind
        if replayed >= self._samples[-1][1]:
            return 0.0
        for at, position in reversed(self._samples):
            if position <= replayed:
                return now - at
        return max(now - self._samples[0][0], self.keep_seconds)


@dataclass(frozen=True)
class ReplicaState:
    up: bool = False
    lag_seconds: float | None = None
    replayed: int | None = None
    measured_at: float = 0.0
    error: str | None = None


class Replica:
    def __init__(self, name: str, engine: Engine) -> None:
        self.name = name
        self.engine = engine
        self.sessionmaker: sessionmaker[Session] = build_sessionmaker(engine)
        self.state = ReplicaState(error="not checked yet")

    def lag_now(self, now: float) -> float | None:
        """The measured lag plus the measurement's age: a bound on the lag at `now`."""
        state = self.state
        if not state.up or state.lag_seconds is None:
            return None
        return state.lag_seconds + (now - state.measured_at)


@dataclass(frozen=True)
class ReadChoice:
    replica: Replica
    verify_token: int | None
    """Set when the watcher has not yet seen this replica past the token: check it first."""


class ReplicaSet:
    """The replicas, their watcher thread, and the choice of a replica for one read."""

    def __init__(self, primary: Engine, replicas: list[Replica], max_lag_seconds: float) -> None:
        self.primary = primary
        self.replicas = replicas
        self.max_lag_seconds = max_lag_seconds
        self.history = PrimaryHistory(max(HISTORY_SECONDS, 4 * max_lag_seconds))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="replica-watcher", daemon=True)

    def start(self) -> None:
        self.poll()  # a first verdict before the first request
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(10)
        for replica in self.replicas:
            replica.engine.dispose()

    def _watch(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            self.poll()

    def poll(self) -> None:
        """Sample the primary, then each replica (in that order: a replica is compared with
        a primary position taken before its own)."""
        try:
            with self.primary.connect() as connection:
                position = parse_lsn(connection.execute(PRIMARY_POSITION).scalar())
            if position is not None:
                self.history.record(time.monotonic(), position)
        except SQLAlchemyError as exc:
            log.debug("replica watcher: primary unreachable: %s", type(exc).__name__)
        for replica in self.replicas:
            self._measure(replica)

    def _measure(self, replica: Replica) -> None:
        try:
            with replica.engine.connect() as connection:
                replayed = parse_lsn(connection.execute(REPLICA_POSITION).scalar())
        except SQLAlchemyError as exc:
            self._set(replica, ReplicaState(error=type(exc).__name__))
            return
        now = time.monotonic()
        if replayed is None:
            self._set(replica, ReplicaState(error="no WAL replayed yet", measured_at=now))
            return
        lag = self.history.lag(replayed, now)
        self._set(replica, ReplicaState(True, lag, replayed, now))

    def _set(self, replica: Replica, state: ReplicaState) -> None:
        if state.up != replica.state.up:
            if state.up:
                log.warning("replica %s is up (lag %.1f s)", replica.name, state.lag_seconds)
            else:
                log.warning("replica %s is down: %s", replica.name, state.error)
        replica.state = state

    def mark_down(self, replica: Replica, reason: str) -> None:
        """A request could not use `replica`: skip it until the watcher sees it again."""
        self._set(replica, ReplicaState(error=reason, measured_at=time.monotonic()))

    def choose(self, token: int | None) -> ReadChoice | None:
        """A replica for a read (with the write position it must have replayed, if any), or
        None for the primary."""
        now = time.monotonic()
        fresh = [
            replica
            for replica in self.replicas
            if (lag := replica.lag_now(now)) is not None and lag <= self.max_lag_seconds
        ]
        if not fresh:
            return None
        if token is None:
            return ReadChoice(random.choice(fresh), None)
        past = [r for r in fresh if r.state.replayed is not None and r.state.replayed >= token]
        if past:
            return ReadChoice(random.choice(past), None)
        return ReadChoice(random.choice(fresh), token)

    def status(self) -> list[dict[str, Any]]:
        """Each replica for /readyz: up, and its lag in seconds (None while down)."""
        now = time.monotonic()
        report = []
        for replica in self.replicas:
            lag = replica.lag_now(now)
            report.append(
                {
                    "name": replica.name,
                    "up": replica.state.up,
                    "lag_seconds": None if lag is None else round(lag, 3),
                    "serving": lag is not None and lag <= self.max_lag_seconds,
                }
            )
        return report


def replica_set(settings: Settings, primary: Engine) -> ReplicaSet | None:
    """The configured replicas (engines like the primary's), or None without any."""
    if not settings.database_replica_urls:
        return None
    replicas = [
        Replica(f"replica {number}", build_engine(normalise_url(url), settings))
        for number, url in enumerate(settings.database_replica_urls, start=1)
    ]
    return ReplicaSet(primary, replicas, settings.replica_max_lag_seconds)
