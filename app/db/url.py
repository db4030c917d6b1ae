"""Which database the process talks to: the configured URL or the embedded server."""

from __future__ import annotations

import os
from typing import Any

from sqlalchemy.engine import URL, make_url

from app.config import Settings
from app.db import embedded, supervisor

_embedded: tuple[Any, URL] | None = None  # (server, url), held for the life of the process


def normalise_url(raw: str | URL) -> URL:
    """Accept `postgresql://` URLs and use the psycopg 3 driver for them."""
    url = make_url(raw)
    if url.drivername in {"postgresql", "postgres"}:
        url = url.set(drivername="postgresql+psycopg")
    if not url.drivername.startswith("postgresql"):
        raise ValueError(f"crsv-data needs PostgreSQL, not {url.drivername}")
    return url


def resolve_database_url(settings: Settings) -> URL:
    """The configured database, or the embedded one, started on first use.

    The embedded URL is exported as `CRSV_DATABASE_URL` so that child processes (uvicorn
    workers, alembic) reuse the running server instead of starting their own. A process
    holding the embedded server exits on SIGTERM through `atexit`, which stops the server.
    """
    global _embedded
    if settings.database_url:
        return normalise_url(settings.database_url)
    if _embedded is None:
        supervisor.exit_on_sigterm()
        _embedded = embedded.start_embedded_database(
            settings.embedded_data_dir, settings.embedded_database
        )
        os.environ["CRSV_DATABASE_URL"] = _embedded[1].render_as_string(hide_password=False)
    return _embedded[1]


def embedded_server() -> Any | None:
    """The embedded server this process started, or None (a configured URL, or none yet)."""
    return _embedded[0] if _embedded is not None else None
