"""An export whose query fails at its start answers with a problem, never a 200 cut off.

The figure table is held under an exclusive lock while exports are asked for: each query
waits, and the statement timeout cancels it before it has sent a row. The answer must be the
503 problem the API gives for a timeout, before any byte of the file.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text

from app.config import Settings
from app.main import create_app

TIMEOUT_MS = 300


@pytest.fixture
def impatient_client(engine: Engine) -> Iterator[TestClient]:
    """The app over the seeded database, with short statement and export timeouts."""
    url = engine.url.render_as_string(hide_password=False)
    impatient = create_engine(
        engine.url, connect_args={"options": f"-c statement_timeout={TIMEOUT_MS}"}
    )
    settings = Settings(database_url=url, db_export_timeout_ms=TIMEOUT_MS)
    try:
        with TestClient(create_app(settings, engine=impatient)) as client:
            yield client
    finally:
        impatient.dispose()


@pytest.fixture
def figures_locked(engine: Engine) -> Iterator[None]:
    with engine.connect() as connection:
        connection.execute(text("SET lock_timeout = '10s'"))
        connection.execute(text("LOCK TABLE figure IN ACCESS EXCLUSIVE MODE"))
        yield
        connection.rollback()


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/v1/exports/figures.csv", {}),
        ("/v1/exports/figures.csv?hxl=true", {}),
        ("/v1/exports/figures.ndjson", {}),
        ("/v1/exports/figures.json", {}),
        ("/v1/exports/figures.xlsx", {}),
        ("/v1/figures", {"Accept": "text/csv"}),
        ("/v1/exports/datapackage.zip", {}),
    ],
)
def test_a_query_failing_at_its_start_is_a_problem_not_a_cut_file(
    impatient_client: TestClient, figures_locked: None, path: str, headers: dict[str, str]
) -> None:
    response = impatient_client.get(path, headers=headers)
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["retry-after"] == "5"
    assert response.json()["type"] == "/problems/query-timeout"
    assert "content-disposition" not in response.headers


def test_exports_still_stream_whole_files(impatient_client: TestClient) -> None:
    csv = impatient_client.get("/v1/exports/figures.csv?hxl=true&mission=monusco")
    assert csv.status_code == 200
    lines = csv.text.split("\r\n")
    assert lines[0].startswith("id,") and lines[1].startswith("#")
    assert lines[-1] == "" and len(lines) == 2 + 15 + 1  # header, HXL, MONUSCO's 15 figures
    empty = impatient_client.get("/v1/exports/figures.ndjson?q=zzzzqqqq")
    assert (empty.status_code, empty.content) == (200, b"")
    assert impatient_client.get("/v1/exports/figures.json?q=zzzzqqqq").json() == []
    header_only = impatient_client.get("/v1/exports/figures.csv?q=zzzzqqqq")
    assert header_only.text.count("\r\n") == 1
    whole = impatient_client.get("/v1/exports/figures.json").json()
    assert len(whole) == impatient_client.get("/v1/figures?limit=1").json()["total"]
