"""Engine and session factory: one per process, built from settings."""

from __future__ import annotations

from sqlalchemy import Engine, create_engine
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
    return create_engine(
        url,
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_pool_size,
        pool_pre_ping=True,
        pool_timeout=settings.db_connect_timeout,
        connect_args={
            "connect_timeout": settings.db_connect_timeout,
            "options": session_options(settings),
            "application_name": "crsv-data",
        },
    )


def build_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False, autoflush=False)
