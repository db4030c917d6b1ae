"""The API behind a real PgBouncer in transaction mode (`CRSV_DB_TRANSACTION_POOLER=true`).

PgBouncer gets two server connections for the API's many, and runs DISCARD ALL after every
transaction (tests/cluster.py): anything that outlived a transaction (a prepared statement, a
session setting, a session advisory lock, a held cursor) is gone at the next one, every time,
wherever it lands. Every kind of read and write runs several times over, past psycopg's
prepare threshold; with prepared statements left on, the first repeated read fails.
Run with `make test-scale`; PgBouncer comes from Debian (`make pgbouncer`).
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError

from app.config import Settings
from app.db.engine import build_engine
from tests.cluster import Primary, api_instance, pgbouncer, seeded_primary
from tests.live_server import ServerProcess, serving
from tests.writing import BODIES

pytestmark = pytest.mark.scale

REPEATS = 7
"""More than psycopg's prepare threshold (5): without the setting, statements get prepared."""
READS = [
    "/v1",
    "/v1/missions/monusco",
    "/v1/figures?metric=convictions&mission=monusco",
    "/v1/figures?limit=5",
    "/v1/activities?q=mobile%20court",
    "/v1/stats/figures?group_by=mission&metric=convictions",
    "/v1/stats/overview",
    "/v1/stories/2023-story-17",
]
EXPORTS = [
    "/v1/exports/figures.csv?hxl=1",  # COPY, with a transaction-local timeout
    "/v1/exports/activities.ndjson",
    "/v1/exports/figures.json",  # server-side cursor
    "/v1/exports/partners.xlsx",
    "/v1/exports/datapackage.zip",
]


@pytest.fixture(scope="module")
def primary() -> Iterator[Primary]:
    with seeded_primary() as primary:
        yield primary


@pytest.fixture(scope="module")
def bouncer(primary: Primary) -> Iterator[URL]:
    with pgbouncer(primary.url, primary.folder, primary.user) as url:
        yield url


@pytest.fixture(scope="module")
def api(
    primary: Primary, bouncer: URL, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ServerProcess]:
    log = tmp_path_factory.mktemp("api") / "api.log"
    env = {"CRSV_DB_TRANSACTION_POOLER": "true", "CRSV_DB_POOL_SIZE": "4"}
    with serving(api_instance(bouncer, log, env=env)) as server:
        yield server


def test_reads_through_pgbouncer(api: ServerProcess) -> None:
    with httpx.Client(base_url=api.base_url, timeout=30) as client:
        for round_ in range(REPEATS):
            for path in READS + (EXPORTS if round_ < 2 else []):
                response = client.get(path)
                assert response.status_code == 200, (round_, path, response.text)
        csv = client.get("/v1/figures?metric=convictions", headers={"Accept": "text/csv"})
        assert csv.status_code == 200, csv.text
        page = client.get("/v1/figures?metric=convictions")
        assert page.status_code == 200, page.text
        assert csv.text.count("\r\n") == 1 + len(page.json()["items"])


def test_writes_through_pgbouncer(api: ServerProcess, primary: Primary) -> None:
    auth = {"Authorization": f"Bearer {primary.write_key}"}
    body = BODIES["figures"]
    path = f"/v1/figures/{body['key']}"
    with httpx.Client(base_url=api.base_url, timeout=30, headers=auth) as client:
        for round_ in range(REPEATS):
            created = client.post("/v1/figures", json=body)
            assert created.status_code == 201, (round_, created.text)
            etag = created.headers["etag"]
            for value in (13, 14):
                patched = client.patch(
                    path,
                    json={"value": value},
                    headers={"If-Match": etag, "Content-Type": "application/merge-patch+json"},
                )
                assert patched.status_code == 200, (round_, patched.text)
                etag = patched.headers["etag"]
                assert client.get(path).json()["value"] == value
            deleted = client.delete(path, headers={"If-Match": etag})
            assert deleted.status_code == 204, (round_, deleted.text)
            assert client.get(path).status_code == 404


def test_failed_keys_are_counted_through_pgbouncer(api: ServerProcess) -> None:
    wrong = {"Authorization": "Bearer crsv_bouncer_wrong"}
    statuses = [
        httpx.get(api.base_url + "/v1/missions", headers=wrong).status_code for _ in range(12)
    ]
    assert statuses == [401] * 10 + [429] * 2


def test_the_statement_timeout_holds_in_every_transaction(bouncer: URL) -> None:
    settings = Settings(db_transaction_pooler=True, db_statement_timeout_ms=200, db_pool_size=4)
    engine = build_engine(bouncer, settings)
    try:
        for _ in range(REPEATS):
            with engine.connect() as connection:
                assert connection.execute(text("SHOW statement_timeout")).scalar() == "200ms"
        with engine.connect() as connection, pytest.raises(OperationalError, match="timeout"):
            connection.execute(text("SELECT pg_sleep(2)"))
    finally:
        engine.dispose()


def test_without_the_setting_pgbouncer_refuses_the_connection(bouncer: URL) -> None:
    """Why the setting exists: the startup `options` (statement timeout) are refused."""
    engine = build_engine(bouncer, Settings(db_pool_size=1))
    try:
        with (
            pytest.raises(OperationalError, match="unsupported startup parameter"),
            engine.connect(),
        ):
            pass
    finally:
        engine.dispose()
