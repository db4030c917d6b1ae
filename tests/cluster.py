"""A primary, a streaming replica and PgBouncer on this machine, for the scale tests.

The primary is an embedded server (app/db/embedded.py); the replica is cloned from it with the
wheel's own `pg_basebackup` and run with its `pg_ctl`, as the same system user the wheel runs
PostgreSQL as when we are root. Both listen on Unix sockets in a temporary folder; PgBouncer
(Debian's package, `make pgbouncer`) listens on a loopback port. Every process started here is
stopped on the way out.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from sqlalchemy import create_engine
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from app.auth.service import create_key
from app.config import PROJECT_ROOT
from app.db import embedded, migrations
from app.enums import Scope
from app.seeding.loader import apply_seeds
from app.seeding.reader import read_seeds
from tests.live_server import CRSV, ServerProcess, free_port

DATABASE = "crsv"
PG_BIN = Path(embedded._server_module().__file__).parent / "pginstall" / "bin"
PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"


def not_a_setting(name: str) -> bool:
    """Leave out the developer's own CRSV_ settings and uvicorn's proxy list."""
    return not name.startswith("CRSV_") and name != "FORWARDED_ALLOW_IPS"


def conninfo(url: URL) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


@dataclass
class Replica:
    """A hot standby of `primary_socket`'s server, in `data_dir`, on a socket of its own."""

    data_dir: Path
    user: str | None

    @property
    def url(self) -> URL:
        return URL.create(
            "postgresql+psycopg",
            username=embedded.SUPERUSER,
            database=DATABASE,
            query={"host": str(self.data_dir)},
        )

    def _run(self, program: str, *args: str) -> None:
        done = subprocess.run(
            [str(PG_BIN / program), *args], capture_output=True, user=self.user, timeout=120
        )
        assert done.returncode == 0, (
            f"{program} {' '.join(args)}: status {done.returncode}\n"
            f"{done.stdout.decode(errors='replace')}{done.stderr.decode(errors='replace')}"
            + self.log_text()
        )

    def log_text(self) -> str:
        log = self.data_dir / "server.log"
        return log.read_text(errors="replace")[-3000:] if log.exists() else ""

    def clone(self, primary_socket: str) -> None:
        self.data_dir.mkdir(mode=0o700)
        if self.user is not None:
            entry = pwd.getpwnam(self.user)
            os.chown(self.data_dir, entry.pw_uid, entry.pw_gid)
        # -R writes primary_conninfo and standby.signal: it starts as a streaming standby
        self._run(
            "pg_basebackup",
            *("-D", str(self.data_dir), "-h", primary_socket, "-U", embedded.SUPERUSER),
            *("-R", "-X", "stream", "-c", "fast"),
        )
        # the primary's socket lives in its data folder: the copy took its lock file along
        for lock in self.data_dir.glob(".s.PGSQL.*"):
            lock.unlink()

    def start(self) -> None:
        options = f'-h "" -k {self.data_dir}'
        log = str(self.data_dir / "server.log")
        self._run("pg_ctl", "-D", str(self.data_dir), "-w", "-o", options, "-l", log, "start")

    def stop(self) -> None:
        if (self.data_dir / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data_dir), "-w", "-m", "fast", "stop")

    def execute(self, statement: str) -> Any:
        with psycopg.connect(conninfo(self.url), autocommit=True) as connection:
            row = connection.execute(statement).fetchone()
        return row[0] if row else None


@dataclass
class Cluster:
    primary: URL
    replica: Replica
    folder: Path
    write_key: str
    user: str | None


def seed_primary(url: URL) -> str:
    """Migrate and seed the database at `url`; return a new write key."""
    engine = create_engine(url)
    try:
        migrations.upgrade(engine)
        apply_seeds(engine, read_seeds(PROJECT_ROOT / "seeds"))
        with Session(engine) as session:
            key = create_key(session, "scale-tests", Scope.WRITE)
            session.commit()
    finally:
        engine.dispose()
    return key


@dataclass
class Primary:
    url: URL
    folder: Path
    write_key: str
    user: str | None
    """The system user PostgreSQL runs as (when we are root), else None."""


@contextmanager
def seeded_primary() -> Iterator[Primary]:
    """An embedded server holding the seeded database, stopped and deleted afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="crsv-scale-"))
    server = embedded.start_server(folder / "primary", delete_on_exit=True)
    try:
        url = embedded.server_url(server, DATABASE)
        embedded.ensure_database(url)
        user: str | None = server.system_user
        if user is not None:
            folder.chmod(0o755)  # the system user reaches its data folders through this one
        yield Primary(url, folder, seed_primary(url), user)
    finally:
        server.cleanup()
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def primary_and_replica() -> Iterator[Cluster]:
    """A seeded primary and its streaming replica, both stopped and deleted afterwards."""
    with seeded_primary() as primary:
        replica = Replica(primary.folder / "replica", primary.user)
        replica.clone(str(primary.url.query["host"]))
        replica.start()
        try:
            yield Cluster(primary.url, replica, primary.folder, primary.write_key, primary.user)
        finally:
            replica.stop()


def api_instance(
    database: URL, log: Path, *, replicas: Sequence[URL] = (), env: Mapping[str, str] | None = None
) -> ServerProcess:
    """`crsv serve` on a free port, reading from `replicas` if any."""
    port = free_port()
    settings = {
        "CRSV_DATABASE_URL": conninfo(database),
        "CRSV_LOG_LEVEL": "WARNING",
        "CRSV_WORKERS": "1",
    }
    if replicas:
        settings["CRSV_DATABASE_REPLICA_URLS"] = ",".join(conninfo(url) for url in replicas)
    settings.update(env or {})
    return ServerProcess(
        [CRSV, "serve", "--port", str(port)],
        port=port,
        env=settings,
        inherit=not_a_setting,
        log_path=log,
    )


@contextmanager
def pgbouncer(primary: URL, folder: Path, user: str | None) -> Iterator[URL]:
    """PgBouncer in transaction mode in front of `primary`; its URL for the database."""
    port = free_port()
    home = folder / "pgbouncer"
    home.mkdir(mode=0o755)
    (home / "userlist.txt").write_text(f'"{embedded.SUPERUSER}" ""\n')
    (home / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"{DATABASE} = host={primary.query['host']} dbname={DATABASE} user={embedded.SUPERUSER}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {home / 'userlist.txt'}\n"
        # two server connections for many clients; and DISCARD ALL after every transaction,
        # so that whatever outlives one (a prepared statement, a session setting, a session
        # advisory lock, a held cursor) is lost at once, not only when the next transaction
        # happens to land on the other server connection (PgBouncer's "deterministic
        # breakage" setting: one client's transactions otherwise mostly share a connection)
        "pool_mode = transaction\ndefault_pool_size = 2\nmax_client_conn = 200\n"
        "server_reset_query = DISCARD ALL\nserver_reset_query_always = 1\n"
        f"logfile = {home / 'pgbouncer.log'}\npidfile = {home / 'pgbouncer.pid'}\n"
    )
    if user is not None:
        entry = pwd.getpwnam(user)
        for path in (home, *home.iterdir()):
            os.chown(path, entry.pw_uid, entry.pw_gid)
    argv = [PGBOUNCER, str(home / "pgbouncer.ini")]
    if user is not None:  # PgBouncer refuses to run as root
        argv = ["setpriv", f"--reuid={user}", f"--regid={user}", "--init-groups", *argv]
    with ExitStack() as stack:
        process = subprocess.Popen(argv, start_new_session=True)
        stack.callback(_stop, process)
        url = URL.create(
            "postgresql+psycopg",
            username=embedded.SUPERUSER,
            host="127.0.0.1",
            port=port,
            database=DATABASE,
        )
        _wait_for(url, process, home / "pgbouncer.log")
        yield url


def _wait_for(url: URL, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert process.poll() is None, (
            f"pgbouncer exited: {log.read_text() if log.exists() else ''}"
        )
        try:
            with psycopg.connect(conninfo(url), connect_timeout=2, prepare_threshold=None):
                return
        except psycopg.OperationalError:
            time.sleep(0.2)
    raise AssertionError(f"pgbouncer did not answer on {url.port}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)
