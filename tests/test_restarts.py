"""`crsv up` restarts keep curators' edits; `crsv seed` refuses to lose them (real processes)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from app.models import Figure
from tests.database import TestServer
from tests.live_server import CRSV, ServerProcess, free_port, serving
from tests.test_seed_guard import CREATED, DELETED, EDITED, NEW_FIGURE

READY_SECONDS = 90.0  # a start migrates and loads the seeds; the machine may be busy
CTRL_C_SECONDS = 30.0


class Deployment:
    """One database and the environment `crsv` commands run with against it."""

    def __init__(self, url: URL, folder: Path) -> None:
        self.url = url
        self.folder = folder
        self.port = free_port()
        self.env = {
            **os.environ,
            "CRSV_DATABASE_URL": url.render_as_string(hide_password=False),
            "CRSV_HOST": "127.0.0.1",
            "CRSV_PORT": str(self.port),
            "CRSV_WORKERS": "1",
            "CRSV_LOG_FORMAT": "plain",
        }

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [CRSV, *args],
            env=self.env,
            cwd=self.folder,  # no developer .env is read
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    @contextmanager
    def up(self, console: list[str], key: str = "") -> Iterator[httpx.Client]:
        """`crsv up` serving, a client for it; then Ctrl-C, and its console in `console`."""
        log = self.folder / f"up-{time.monotonic_ns()}.log"
        server = ServerProcess(
            [CRSV, "up"], port=self.port, env=self.env, cwd=self.folder, log_path=log
        )
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        try:
            with (
                serving(server, seconds=READY_SECONDS, stop=signal.SIGINT, timeout=CTRL_C_SECONDS),
                httpx.Client(base_url=server.base_url, headers=headers, timeout=30) as client,
            ):
                yield client
        finally:
            console.append(server.log_text())

    def figures(self) -> tuple[set[str], str | None]:
        """Every figure id, and the note of the edited one, straight from the database."""
        engine = create_engine(self.url)
        try:
            with Session(engine) as session:
                keys = set(session.scalars(select(Figure.key)))
                note = session.scalar(select(Figure.note).where(Figure.key == EDITED))
        finally:
            engine.dispose()
        return keys, note


def _records(client: httpx.Client) -> dict[str, tuple[int, Any]]:
    return {
        key: (response.status_code, response.json())
        for key in (EDITED, CREATED, DELETED)
        for response in [client.get(f"/v1/figures/{key}")]
    }


@pytest.fixture
def deployment(pg_server: TestServer, tmp_path: Path) -> Iterator[Deployment]:
    with pg_server.database("restarts") as url:
        yield Deployment(url, tmp_path)


def _curate(api: httpx.Client) -> None:
    """Edit one seed figure, create one, delete one, through the API."""

    def etag(path: str) -> dict[str, str]:
        return {"If-Match": api.get(path).headers["etag"]}

    path = f"/v1/figures/{EDITED}"
    assert api.patch(path, json={"note": "Curated."}, headers=etag(path)).status_code == 200
    assert api.post("/v1/figures", json=NEW_FIGURE).status_code == 201
    path = f"/v1/figures/{DELETED}"
    assert api.delete(path, headers=etag(path)).status_code == 204


def test_restarts_keep_api_edits_and_seed_refuses_to_lose_them(deployment: Deployment) -> None:
    assert deployment.run("db", "upgrade").returncode == 0
    created = deployment.run("keys", "create", "--name", "curator", "--scope", "write")
    assert created.returncode == 0, created.stderr
    console: list[str] = []
    with deployment.up(console, key=created.stdout.splitlines()[0]) as api:
        seeded = deployment.figures()
        _curate(api)
        curated = _records(api)
    loaded = console[0].splitlines()[1]
    assert loaded.startswith("empty database, seeds loaded: ") and loaded.endswith(
        " created, 0 updated, 0 deleted"
    )
    assert curated[EDITED][1]["note"] == "Curated."
    assert (curated[CREATED][0], curated[DELETED][0]) == (200, 404)

    with deployment.up(console) as api:
        assert _records(api) == curated
    assert (
        "seeds not loaded: the database already holds data, which is kept as it is "
        "(`crsv seed` loads seed changes)"
    ) in console[1]

    refused = deployment.run("seed")
    assert (refused.returncode, refused.stdout) == (1, "")
    lines = refused.stderr.splitlines()
    assert lines[0] == (
        "refused, nothing written: the seeds would delete or revert 3 records edited "
        "through the API since the last seed load:"
    )
    assert [line.split(" at ")[0] for line in lines[1:4]] == [
        f"  revert figure {DELETED}  (deleted by curator",
        f"  delete figure {CREATED}  (created by curator",
        f"  revert figure {EDITED}  (updated by curator",
    ]
    assert lines[4:] == [
        "Save these edits first: `crsv seed dump`, review `git diff seeds/`, commit; "
        "or discard them with `crsv seed --force`."
    ]
    keys, note = deployment.figures()
    assert CREATED in keys and DELETED not in keys and note == "Curated."

    dry = deployment.run("seed", "--dry-run")
    assert dry.returncode == 0
    assert dry.stdout.splitlines()[-1] == (
        "dry run, nothing written: 3 changes: 1 created, 1 updated, 1 deleted"
    )
    assert dry.stderr.splitlines()[:4] == [
        "without --force, refused: the seeds would" + lines[0].split("the seeds would")[1],
        *lines[1:4],
    ]
    assert deployment.figures() == (keys, note)

    forced = deployment.run("seed", "--force")
    assert forced.returncode == 0, forced.stderr
    assert forced.stdout.splitlines()[-1] == (
        "seeds loaded: 3 changes: 1 created, 1 updated, 1 deleted"
    )
    assert forced.stderr.splitlines()[:4] == [
        "forced: the seeds delete or revert 3 records edited through the API since the last "
        "seed load:",
        *lines[1:4],
    ]
    assert deployment.figures() == seeded
    again = deployment.run("seed")
    assert (again.returncode, again.stdout, again.stderr) == (0, "seeds loaded: 0 changes\n", "")
