"""The embedded PostgreSQL under a running API: restarted when it dies, stopped on SIGTERM.

When the server dies under the API, the API restarts it rather than exiting. The embedded
server exists for `make run` / `crsv up`, where no supervisor watches the process that would
restart both; the API process is the server's only owner and starts it again from the same
data folder on the same socket, so the URL its workers use stays valid, and the pool's
pre-ping replaces the dead connections: reads answer 503 for a few seconds, then heal, as they
do when an external PostgreSQL comes back. Only when the server cannot be started again
(a broken data folder, a full disk) does the API exit non-zero with the reason, since retrying
would only hide it.
"""

from __future__ import annotations

import atexit
import logging
import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any

import psutil

from app.db import embedded, holders

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5
RESTART_ATTEMPTS = 4  # waiting 1, 2, 3 s between: a killed server's children take a moment
STOP_WAIT_SECONDS = 30.0  # longer than the wheel's 10 s start timeout, so no start is cut off

_received: list[int] = []  # the SIGTERM being turned into an exit, if any


class Watchdog:
    """A thread that restarts the embedded server when its postmaster is gone."""

    def __init__(self, server: Any) -> None:
        self._server = server
        self._data_dir = Path(server.pgdata)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name="postgres-watchdog", daemon=True)
        self.failure: str | None = None

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop watching (before the server is stopped on exit, so that is not 'restarted')."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(STOP_WAIT_SECONDS)

    def _postmaster(self) -> psutil.Process | None:
        process: psutil.Process | None = self._server.get_postmaster_info().process
        return process

    def _watch(self) -> None:
        postmaster = self._postmaster()
        while not self._stop.wait(POLL_SECONDS):
            if postmaster is not None and _running(postmaster):
                continue
            log.error(
                "embedded PostgreSQL (pid %s) is gone; restarting it from %s",
                postmaster.pid if postmaster else "?",
                self._data_dir,
            )
            try:
                self._restart()
            except RuntimeError as exc:
                self.failure = str(exc)
                log.critical("%s; the API stops", exc)
                os.kill(os.getpid(), signal.SIGTERM)  # shut down as on SIGTERM, then exit 1
                return
            postmaster = self._postmaster()
            log.warning("embedded PostgreSQL restarted (pid %s)", postmaster and postmaster.pid)

    def _restart(self) -> None:
        reason = "no attempt"
        for attempt in range(1, RESTART_ATTEMPTS + 1):
            if self._stop.is_set():
                return
            try:
                with embedded.server_lock():
                    holders.drop_stale_lock_file(self._data_dir)
                    self._server.ensure_postgres_running()
                return
            except (subprocess.SubprocessError, AssertionError, OSError) as exc:
                reason = _reason(exc)
                log.warning(
                    "restarting embedded PostgreSQL failed (attempt %s): %s", attempt, reason
                )
                if attempt < RESTART_ATTEMPTS:
                    self._stop.wait(attempt)
        raise RuntimeError(
            f"embedded PostgreSQL in {self._data_dir} died and could not be restarted "
            f"({reason}); its log: {self._data_dir / 'log'}"
        )


def _reason(exc: Exception) -> str:
    """A failed start in a line (the wheel has already logged pg_ctl's output)."""
    if isinstance(exc, subprocess.CalledProcessError):
        return f"{Path(exc.cmd[0]).name} exited with status {exc.returncode}"
    if isinstance(exc, subprocess.TimeoutExpired):
        return f"{Path(exc.cmd[0]).name} timed out after {exc.timeout:g} s"
    return f"{type(exc).__name__}: {exc}"


def _running(process: psutil.Process) -> bool:
    """Still the same process (not a reused pid) and not a zombie waiting to be reaped."""
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@contextmanager
def supervised(server: Any | None) -> Iterator[None]:
    """Watch `server` (the embedded one, or None) while the body runs; exit 1 if it is lost."""
    if server is None:
        yield
        return
    watchdog = Watchdog(server)
    watchdog.start()
    try:
        yield
    finally:
        watchdog.stop()
        if watchdog.failure is not None:
            _received.clear()  # exit with status 1, not as killed by the SIGTERM we sent
            raise SystemExit(f"crsv: {watchdog.failure}")


def exit_on_sigterm() -> None:
    """Turn SIGTERM into a normal exit, so the wheel's `atexit` stop runs, then die by it.

    Python's default SIGTERM action (which uvicorn restores and re-raises after its graceful
    shutdown) ends the process without `atexit`, leaving the server running and this pid in
    its holder list. The signal is raised again once the `atexit` handlers registered after
    this one (the wheel's) have run, so the exit status still says "terminated by SIGTERM".
    """
    if threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        return  # someone else (a test runner, a host application) handles SIGTERM
    atexit.register(_die_by_received_signal)
    signal.signal(signal.SIGTERM, _exit_on_signal)


def _exit_on_signal(signum: int, frame: FrameType | None) -> None:
    if _received:
        return  # already exiting: a second SIGTERM must not cut the server's stop short
    _received.append(signum)
    raise SystemExit(128 + signum)


def _die_by_received_signal() -> None:
    if _received:
        sys.stdout.flush()
        sys.stderr.flush()
        signal.signal(_received[0], signal.SIG_DFL)
        os.kill(os.getpid(), _received[0])
