"""The benchmark database: its own embedded PostgreSQL in bench/.data, or CRSV_BENCH_DATABASE_URL.

The database is named after its size (`crsv_bench_1000000`) so that runs at different sizes
coexist, and is reused when it already holds exactly the requested number of figures.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL

from app.db import embedded
from app.db.url import normalise_url

BENCH_DIR = Path(__file__).resolve().parent
DATA_DIR = BENCH_DIR / ".data"


def psycopg_conninfo(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


@contextmanager
def bench_server() -> Iterator[tuple[URL, str]]:
    """(base URL of a server we may create databases on, description of it)."""
    configured = os.environ.get("CRSV_BENCH_DATABASE_URL")
    if configured:
        yield normalise_url(configured), "CRSV_BENCH_DATABASE_URL"
        return
    server = embedded.start_server(DATA_DIR / "postgres")
    try:
        yield embedded.server_url(server, "postgres"), f"embedded server in {DATA_DIR}"
    finally:
        server.cleanup()


def figure_count(url: URL) -> int | None:
    """Figures in the database at `url`, or None when it is missing or not migrated."""
    try:
        with psycopg.connect(psycopg_conninfo(url), connect_timeout=5) as conn:
            row = conn.execute("SELECT to_regclass('figure') IS NOT NULL").fetchone()
            if not row or not row[0]:
                return None
            return int(conn.execute("SELECT count(*) FROM figure").fetchone()[0])  # type: ignore[index]
    except psycopg.OperationalError:
        return None


def _at_head(url: URL) -> bool:
    """Whether the database's schema is the code's (an older one is upgraded before use)."""
    from app.db import migrations

    with psycopg.connect(psycopg_conninfo(url), connect_timeout=5) as conn:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    return row is not None and row[0] == migrations.head_revision()


def recreate_database(url: URL) -> None:
    admin = url.set(database="postgres")
    with psycopg.connect(psycopg_conninfo(admin), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(str(url.database))
            )
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(str(url.database))))


def prepare(
    base: URL, figures: int, *, seed: int = 2023, force: bool = False
) -> tuple[URL, dict[str, Any]]:
    """A migrated database holding `figures` synthetic figures; reused when it already does."""
    from app.db import migrations
    from bench.synth.synthesize import synthesize

    url = base.set(database=os.environ.get("CRSV_BENCH_DATABASE", f"crsv_bench_{figures}"))
    info: dict[str, Any] = {"database": url.database}
    existing = None if force else figure_count(url)
    if existing == figures:
        # an older schema is brought to head by the migrations, which carry the data along
        if not _at_head(url):
            engine = create_engine(url)
            try:
                migrations.upgrade(engine)
            finally:
                engine.dispose()
            info["upgraded"] = True
        info["reused"] = True
        return url, info
    recreate_database(url)
    engine: Engine = create_engine(url)
    try:
        migrations.upgrade(engine)
        started = time.perf_counter()
        last = [0.0]

        def progress(done: int, total: int) -> None:
            now = time.perf_counter()
            if now - last[0] > 2 or done == total:
                last[0] = now
                print(
                    f"\r  synthesizing: {done:,}/{total:,} figures ({now - started:.0f}s)",
                    end="",
                    file=sys.stderr,
                    flush=True,
                )

        counts = synthesize(engine, figures, seed=seed, progress=progress)
        print(file=sys.stderr)
        info.update(
            reused=False, load_seconds=round(time.perf_counter() - started, 1), counts=counts
        )
    finally:
        engine.dispose()
    return url, info


def server_facts(url: URL) -> dict[str, Any]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            facts = {
                "postgres_version": conn.execute(text("SHOW server_version")).scalar(),
                "shared_buffers": conn.execute(text("SHOW shared_buffers")).scalar(),
                "work_mem": conn.execute(text("SHOW work_mem")).scalar(),
                "jit": conn.execute(text("SHOW jit")).scalar(),
                "max_connections": conn.execute(text("SHOW max_connections")).scalar(),
                "database_size": conn.execute(
                    text("SELECT pg_size_pretty(pg_database_size(current_database()))")
                ).scalar(),
            }
    finally:
        engine.dispose()
    return facts
