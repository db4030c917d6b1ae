"""Throwaway PostgreSQL databases for the tests: never mocks, never the development data.

By default the test session starts its own embedded server in a temporary folder;
`CRSV_TEST_DATABASE_URL` points the tests at another server (CI uses PostgreSQL 15). Either
way each test session works in databases it creates and drops.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy.engine import URL

from app.db import embedded
from app.db.url import normalise_url


class TestServer:
    """A PostgreSQL server the tests may create databases on."""

    __test__ = False  # not a pytest test class

    def __init__(self) -> None:
        self._server: Any = None
        configured = os.environ.get("CRSV_TEST_DATABASE_URL")
        if configured:
            self.base_url = normalise_url(configured)
        else:
            folder = Path(tempfile.mkdtemp(prefix="crsv-test-pg-"))
            self._server = embedded.start_server(folder / "data", delete_on_exit=True)
            self.base_url = embedded.server_url(self._server, "postgres")

    def _admin(self) -> psycopg.Connection[Any]:
        url = self.base_url.set(drivername="postgresql")
        return psycopg.connect(url.render_as_string(hide_password=False), autocommit=True)

    def create_database(self, label: str) -> URL:
        name = f"crsv_test_{label}_{uuid.uuid4().hex[:8]}"
        with self._admin() as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.base_url.set(database=name)

    def drop_database(self, url: URL) -> None:
        with self._admin() as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                    sql.Identifier(str(url.database))
                )
            )

    @contextmanager
    def database(self, label: str) -> Iterator[URL]:
        url = self.create_database(label)
        try:
            yield url
        finally:
            self.drop_database(url)

    def stop(self) -> None:
        if self._server is not None:
            self._server.cleanup()
