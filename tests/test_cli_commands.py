"""The operator's commands: `crsv db upgrade/downgrade/current` in process, `crsv serve` and
`crsv up` as the real processes an operator starts (stopped by each test, also on failure)."""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, text
from typer.testing import CliRunner

from app.cli import cli
from app.config import get_settings
from app.db import migrations
from tests.database import TestServer
from tests.live_server import CRSV, ServerProcess, free_port, serving

READY_SECONDS = 90.0  # `up` migrates and loads the seeds; the machine may be busy
SEED_FIGURES = 49
"""Figures in seeds/ (test_rollups.py counts them the same)."""


@pytest.fixture
def crsv(scratch_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """A runner for `crsv` commands whose settings point at the scratch database."""
    url = scratch_engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("CRSV_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        yield CliRunner()
    finally:
        get_settings.cache_clear()


def run(runner: CliRunner, *args: str) -> str:
    outcome = runner.invoke(cli, list(args))
    assert outcome.exit_code == 0, outcome.output
    return outcome.stdout


def revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return migrations.current_revision(connection)


def test_db_current_downgrade_and_upgrade(crsv: CliRunner, scratch_engine: Engine) -> None:
    head = migrations.head_revision()
    assert head is not None
    scripts = ScriptDirectory.from_config(migrations.alembic_config())
    before_head = scripts.get_revision(head).down_revision
    assert isinstance(before_head, str)

    assert run(crsv, "db", "current") == f"current: {head}  head: {head}\n"
    assert run(crsv, "db", "downgrade") == "database downgraded to -1\n"
    assert revision(scratch_engine) == before_head
    assert run(crsv, "db", "current") == f"current: {before_head}  head: {head}\n"
    assert run(crsv, "db", "downgrade", "0001") == "database downgraded to 0001\n"
    assert revision(scratch_engine) == "0001"
    assert run(crsv, "db", "upgrade", "0002") == "database upgraded to 0002\n"
    assert revision(scratch_engine) == "0002"
    assert run(crsv, "db", "downgrade", "base") == "database downgraded to base\n"
    assert run(crsv, "db", "current") == f"current: None  head: {head}\n"
    assert run(crsv, "db", "upgrade") == "database upgraded to head\n"
    assert revision(scratch_engine) == head


def test_an_unknown_revision_is_refused_in_one_line(
    crsv: CliRunner, scratch_engine: Engine
) -> None:
    for command in ("upgrade", "downgrade"):
        outcome = crsv.invoke(cli, ["db", command, "nosuch"])
        assert isinstance(outcome.exception, SystemExit), repr(outcome.exception)
        assert outcome.exit_code == 1
        assert outcome.stdout == ""
        assert "'nosuch'" in outcome.stderr and len(outcome.stderr.splitlines()) == 1
    assert revision(scratch_engine) == migrations.head_revision()


def command_env(url: str, folder: Path) -> dict[str, str]:
    """This environment plus the database; CRSV_PORT names a port nobody listens on, so a
    server found on the `--port` given proves the option wins."""
    return {
        **os.environ,
        "CRSV_DATABASE_URL": url,
        "CRSV_PORT": str(free_port()),
        "CRSV_WORKERS": "1",
        "CRSV_LOG_FORMAT": "plain",
    }


def figure_total(base_url: str) -> int:
    response = httpx.get(f"{base_url}/v1/figures?limit=1", timeout=30)
    assert response.status_code == 200, response.text
    return int(response.json()["total"])


def stopped_gracefully(server: ServerProcess) -> bool:
    """Whether SIGTERM let uvicorn finish its shutdown, after which it re-raises the signal
    (so the exit status is -SIGTERM, as in test_supervision.py)."""
    log = server.log_text()
    assert server.process.returncode == -signal.SIGTERM, log
    return "uvicorn.error: Application shutdown complete." in log


def test_serve_answers_on_the_given_port_and_stops_on_sigterm(
    engine: Engine, tmp_path: Path
) -> None:
    url = engine.url.render_as_string(hide_password=False)
    port = free_port()
    server = ServerProcess(
        [CRSV, "serve", "--host", "127.0.0.1", "--port", str(port)],
        port=port,
        env=command_env(url, tmp_path),
        cwd=tmp_path,  # no developer .env is read
        log_path=tmp_path / "serve.log",
    )
    with serving(server, seconds=READY_SECONDS) as live:
        assert figure_total(live.base_url) == SEED_FIGURES
    assert stopped_gracefully(server)


def test_up_migrates_seeds_an_empty_database_and_serves(
    pg_server: TestServer, tmp_path: Path
) -> None:
    with pg_server.database("up") as url:
        port = free_port()
        server = ServerProcess(
            [CRSV, "up", "--host", "127.0.0.1", "--port", str(port)],
            port=port,
            env=command_env(url.render_as_string(hide_password=False), tmp_path),
            cwd=tmp_path,
            log_path=tmp_path / "up.log",
        )
        with serving(server, seconds=READY_SECONDS) as live:
            assert figure_total(live.base_url) == SEED_FIGURES
            # what `make run` serves beside the API: the explorer, where a browser lands
            page = httpx.get(live.base_url + "/", headers={"Accept": "text/html"}, timeout=30)
            page = httpx.get(page.headers["location"], timeout=30)
            assert page.status_code == 200 and page.url.path == "/explore"
            assert 'data-key="MONUSCO" data-unit="person" data-total="65"' in page.text
        assert stopped_gracefully(server)
        console = server.log_text().splitlines()
        assert console[:2] == [
            "database upgraded to head",
            "empty database, seeds loaded: 329 changes: 329 created, 0 updated, 0 deleted",
        ]  # 329 = every record of seeds/ (test_seed_loading.py counts them by table)
        engine = create_engine(url)
        try:
            assert revision(engine) == migrations.head_revision()
            with engine.connect() as connection:
                assert connection.scalar(text("SELECT count(*) FROM figure")) == SEED_FIGURES
        finally:
            engine.dispose()
