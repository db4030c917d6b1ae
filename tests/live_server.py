"""A real uvicorn process serving the app, for promises an in-process client cannot test:
what a client sees over a socket, and what survives a SIGKILL of the server."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy.engine import URL

from app.config import PROJECT_ROOT

START_SECONDS = 30.0
"""Deadline for a new process to answer /readyz (the machine may be busy)."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LiveServer:
    """One uvicorn process (its own process group) on a free loopback port."""

    def __init__(self, database: URL, log_path: Path) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "CRSV_DATABASE_URL": database.render_as_string(hide_password=False),
            "CRSV_LOG_LEVEL": "WARNING",
        }
        self._log = log_path.open("ab")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "app.main:create_app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
            ],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"uvicorn exited with {self.process.returncode}")
            try:
                if httpx.get(f"{self.base_url}/readyz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise TimeoutError(f"uvicorn not ready within {START_SECONDS} s")

    def send_signal(self, sig: signal.Signals) -> None:
        """Send `sig` to the server's process group, now."""
        if self.process.returncode is None:
            os.killpg(self.process.pid, sig)

    def kill(self, sig: signal.Signals = signal.SIGKILL) -> None:
        """Send `sig` to the server's process group and wait (bounded) for it to end."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        finally:
            self._log.close()


@contextmanager
def live_server(database: URL, log_path: Path) -> Iterator[LiveServer]:
    """A ready server, always killed on the way out, whatever happened."""
    server = LiveServer(database, log_path)
    try:
        server.wait_ready()
        yield server
    finally:
        server.kill(signal.SIGTERM)
