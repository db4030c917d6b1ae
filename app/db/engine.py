"""Engine and session factory: one per process, built from settings."""

from __future__ import annotations

from typing import Any

import orjson
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session, sessionmaker

from app.config import Settings


def session_options(settings: Settings) -> str:
    """Server settings for every API connection (libpq `options`).

    - statement_timeout: a runaway query is cancelled, never left to exhaust the server.
    - plan_cache_mode=force_generic_plan: psycopg prepares a statement the fifth time a
      connection runs it; PostgreSQL would still re-plan it for every execution whenever a
      custom plan looks cheaper, and planning the nine-table figure SELECT costs ~6 ms against
      ~0.5 ms to run it. The API's statements are shaped so that one plan fits every value
      (filters on indexed ids, keyset ranges, rollups); measured at 1,000,000 figures, the
      generic plans are as fast or faster for every benchmarked URL but full-text search,
      which asks for plans made for its words (queries/listing.py, `plan_for_the_words`).
    """
    return (
        f"-c statement_timeout={settings.db_statement_timeout_ms}"
        " -c plan_cache_mode=force_generic_plan"
    )


def build_engine(url: URL, settings: Settings) -> Engine:
    """A pooled engine that fails fast when PostgreSQL is away and bounds every statement."""
    connect_args: dict[str, Any] = {
        "connect_timeout": settings.db_connect_timeout,
        "application_name": "crsv-data",
    }
    if settings.db_transaction_pooler:
        connect_args["prepare_threshold"] = None
    else:
        connect_args["options"] = session_options(settings)
    engine = create_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_size,
        pool_pre_ping=True,
        pool_timeout=settings.db_connect_timeout,
        connect_args=connect_args,
        # json and jsonb columns (an activity's places, an audit event's states) read by
        # orjson: the standard library's parser was a twentieth of an activity page's CPU
        json_deserializer=orjson.loads,
    )
    if settings.db_transaction_pooler:
        _bound_each_transaction(engine, settings.db_statement_timeout_ms)
    return engine


def _bound_each_transaction(engine: Engine, timeout_ms: int) -> None:
    """Behind a transaction pooler (PgBouncer `pool_mode = transaction`).

    Each transaction may run on a different server connection, so nothing may outlive one:
    - no prepared statements (`prepare_threshold=None`): a statement prepared on one server
      connection is unknown on the next (PgBouncer 1.18, Debian 12's, cannot track them);
    - no `options` in the startup packet (PgBouncer refuses it): the statement timeout is set
      with `SET LOCAL` as each transaction begins, one more round trip per transaction.
      `plan_cache_mode` is left alone: it only concerns prepared statements.
    Advisory locks are transaction-scoped (`pg_advisory_xact_lock*`), server-side cursors
    live inside their transaction and exports' `COPY` sets its own timeout with
    `set_config(..., true)`, so all of them work as they are.
    """
    statement = f"SET LOCAL statement_timeout = {int(timeout_ms)}"

    @event.listens_for(engine, "begin")
    def _set_timeout(connection: Connection) -> None:
        # on the driver's connection: the transaction it opens is the one SQLAlchemy begins
        cursor = connection.connection.cursor()
        try:
            cursor.execute(statement)
        finally:
            cursor.close()


def build_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False, autoflush=False)
