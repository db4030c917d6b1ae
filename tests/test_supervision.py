"""The embedded PostgreSQL under `crsv up`: stopped on SIGINT/SIGTERM, adopted after SIGKILL,
restarted when it dies under the API, and the API exits 1 when it cannot be restarted.

Every test runs a real `crsv up` on a copy of one migrated, seeded data folder (initialising
a cluster takes seconds) and kills whatever it started, PostgreSQL included, when it ends.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import psutil
import pytest
from sqlalchemy import create_engine

from app.db import embedded, holders, migrations, supervisor
from app.seeding.loader import apply_seeds
from app.seeding.reader import SeedSet
from tests.live_server import CRSV, ServerProcess, free_port

READY_SECONDS = 60.0  # a start migrates and loads the seeds; the machine may be busy
EXIT_SECONDS = 30.0


class Up(ServerProcess):
    """One `crsv up` process on `data` (its own session, so its workers die with it)."""

    def __init__(self, data: Path, workdir: Path) -> None:
        port = free_port()
        super().__init__(
            [CRSV, "up", "--port", str(port)],
            port=port,
            env={"CRSV_EMBEDDED_DATA_DIR": str(data)},
            inherit=lambda name: name != "CRSV_DATABASE_URL",
            cwd=workdir,  # no .env of the developer's applies
            log_path=workdir / f"up-{port}.log",
        )

    def get(self, path: str) -> httpx.Response:
        return httpx.get(self.base_url + path, timeout=5)

    def signal(self, signum: signal.Signals) -> int:
        """Send `signum` to the process alone, as a service manager would, and wait for the exit
        status."""
        self.send_signal(signum, group=False)
        return self.process.wait(EXIT_SECONDS)


def until(check: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    raise AssertionError(f"waited {seconds} s for {what}")


def postmasters(data: Path) -> list[int]:
    """Live (not zombie) PostgreSQL servers whose data folder is `data`."""
    found = []
    for process in psutil.process_iter(["name", "cmdline", "status"]):
        cmdline = process.info["cmdline"] or []
        if (
            process.info["name"] == "postgres"
            and process.info["status"] != psutil.STATUS_ZOMBIE
            and str(data) in cmdline
        ):
            found.append(process.pid)
    return found


def holder_list(data: Path) -> list[int]:
    pids: list[int] = json.loads((data / holders.HOLDERS_FILE).read_text())
    return pids


def assert_no_server_left(data: Path, postmaster: int) -> None:
    until(lambda: not holders.is_alive(postmaster), EXIT_SECONDS, "PostgreSQL to stop")
    assert postmasters(data) == []
    assert not (data / holders.LOCK_FILE).exists()
    assert holder_list(data) == []


def scratch_folder() -> Path:
    """A folder outside pytest's, whose parent pytest sessions reset to 0700 when they start
    (the server may run as another user, who must be able to reach its data)."""
    return Path(tempfile.mkdtemp(prefix="crsv-supervision-"))


@pytest.fixture(scope="module")
def template(seeds: SeedSet) -> Iterator[Path]:
    """A stopped, migrated, seeded data folder to copy (initdb runs once for the module)."""
    root = scratch_folder()
    try:
        server = embedded.start_server(root / "pg")
        try:
            url = embedded.server_url(server, "crsv")
            embedded.ensure_database(url)
            engine = create_engine(url)
            migrations.upgrade(engine)
            apply_seeds(engine, seeds)
            engine.dispose()
        finally:
            server.cleanup()
        yield root / "pg"
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def data(template: Path) -> Iterator[Path]:
    """A copy of the template (ownership kept: the server may run as another user)."""
    root = scratch_folder()
    folder = root / "pg"
    try:
        subprocess.run(["cp", "-a", str(template), str(folder)], check=True)
        yield folder
    finally:
        for pid in postmasters(folder):  # whatever a failed test left running
            os.kill(pid, signal.SIGKILL)
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def start(data: Path) -> Iterator[list[Up]]:
    """The `crsv up` processes a test starts, killed when it ends (before its PostgreSQL)."""
    started: list[Up] = []
    yield started
    for up in started:
        up.stop(signal.SIGKILL, EXIT_SECONDS)


def launch(started: list[Up], data: Path, workdir: Path) -> Up:
    up = Up(data, workdir)
    started.append(up)
    up.wait_ready("/readyz", READY_SECONDS)
    return up


def test_sigterm_stops_the_embedded_server(start: list[Up], data: Path, tmp_path: Path) -> None:
    up = launch(start, data, tmp_path)
    postmaster = holders.postmaster_pid(data)
    assert postmaster is not None and postmasters(data) == [postmaster]
    assert holder_list(data) == [up.process.pid]

    assert up.signal(signal.SIGTERM) == -signal.SIGTERM  # as uvicorn means it to
    assert_no_server_left(data, postmaster)


def test_after_sigkill_the_next_start_adopts_the_server_and_ctrl_c_stops_it(
    start: list[Up], data: Path, tmp_path: Path
) -> None:
    first = launch(start, data, tmp_path)
    postmaster = holders.postmaster_pid(data)
    assert postmaster is not None
    assert first.signal(signal.SIGKILL) == -signal.SIGKILL
    assert postmasters(data) == [postmaster]  # left behind, with a dead holder listed
    assert holder_list(data) == [first.process.pid]

    second = launch(start, data, tmp_path)
    assert holders.postmaster_pid(data) == postmaster  # adopted, not started twice
    assert holder_list(data) == [second.process.pid]  # the dead holder dropped
    assert second.get("/v1/missions").status_code == 200

    assert second.signal(signal.SIGINT) == 0
    assert_no_server_left(data, postmaster)


def test_a_server_killed_under_the_api_is_restarted_or_the_api_exits_1(
    start: list[Up], data: Path, tmp_path: Path
) -> None:
    up = launch(start, data, tmp_path)
    before = up.get("/v1/missions")
    assert before.status_code == 200
    postmaster = holders.postmaster_pid(data)
    assert postmaster is not None

    os.kill(postmaster, signal.SIGKILL)
    # The new postmaster can answer before the watchdog has logged that it restarted it.
    until(
        lambda: (
            holders.postmaster_pid(data) not in (None, postmaster)
            and up.ready(timeout=5)
            and "embedded PostgreSQL restarted" in up.log_text()
        ),
        30,
        "the API to restart PostgreSQL and say so",
    )
    restarted = holders.postmaster_pid(data)
    assert restarted is not None and postmasters(data) == [restarted]
    after = up.get("/v1/missions")
    assert after.status_code == 200
    assert after.json() == before.json()

    # Killed again when it cannot start any more: the API says why and exits 1.
    with (data / "postgresql.conf").open("a") as conf:
        conf.write("shared_buffers = 'not a size'\n")
    os.kill(restarted, signal.SIGKILL)
    assert up.process.wait(EXIT_SECONDS) == 1
    output = up.log_text()
    assert (
        f"crsv: embedded PostgreSQL in {data} died and could not be restarted "
        f"(pg_ctl exited with status 1); its log: {data / 'log'}\n"
    ) in output
    after_restart = output[output.index("embedded PostgreSQL restarted") :]
    assert after_restart.count("restarting embedded PostgreSQL failed") == (
        supervisor.RESTART_ATTEMPTS
    )
    assert postmasters(data) == []
    assert holder_list(data) == []


def test_dead_zombie_and_reused_pids_are_not_holders(tmp_path: Path) -> None:
    zombie = subprocess.Popen(["true"])
    until(lambda: psutil.Process(zombie.pid).status() == psutil.STATUS_ZOMBIE, 10, "a zombie")
    gone = subprocess.Popen(["true"])
    gone.wait()
    path = tmp_path / holders.HOLDERS_FILE
    path.write_text(json.dumps([os.getpid(), zombie.pid, gone.pid]))
    try:
        assert holders.live_holders(tmp_path) == [os.getpid()]
        # A process started after the list was last written cannot have registered in it.
        me = psutil.Process(os.getpid()).create_time()
        time.sleep(max(0.0, me + 2.5 - time.time()))  # only when this test runs alone
        reused = subprocess.Popen(["sleep", "30"])
        try:
            path.write_text(json.dumps([os.getpid(), reused.pid]))
            # The list was last written between this process's start and the sleep's.
            written = psutil.Process(reused.pid).create_time() - holders.CLOCK_SLACK_SECONDS - 0.5
            os.utime(path, (written, written))
            assert me <= written + holders.CLOCK_SLACK_SECONDS
            assert holders.live_holders(tmp_path) == [os.getpid()]
            assert holders.drop_stale_holders(tmp_path) == [reused.pid]
            assert json.loads(path.read_text()) == [os.getpid()]
        finally:
            reused.kill()
            reused.wait()
    finally:
        zombie.wait()


def test_a_dead_postmasters_lock_files_are_removed_and_a_live_ones_kept(tmp_path: Path) -> None:
    lock = tmp_path / holders.LOCK_FILE
    socket_lock = tmp_path / ".s.PGSQL.5432.lock"
    zombie = subprocess.Popen(["true"])
    until(lambda: psutil.Process(zombie.pid).status() == psutil.STATUS_ZOMBIE, 10, "a zombie")
    try:
        for pid in (zombie.pid, os.getpid()):
            lock.write_text(f"{pid}\n{tmp_path}\n1764680000\n5432\n{tmp_path}\n\n")
            socket_lock.write_text(f"{pid}\n{tmp_path}\n1764680000\n5432\n{tmp_path}\n")
            dead = pid == zombie.pid
            assert holders.drop_stale_lock_file(tmp_path) is dead
            assert lock.exists() is socket_lock.exists() is not dead
    finally:
        zombie.wait()
