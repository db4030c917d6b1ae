"""Real server processes (`crsv serve`, `crsv up`, uvicorn) for promises an in-process client
cannot test: what a client sees over a socket, what a signal does, what survives a SIGKILL.

One place for the mechanics, so that every such test starts, waits for and stops its server the
same way and none can leave a process behind.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager, suppress
from pathlib import Path

import httpx

CRSV = str(Path(sys.executable).with_name("crsv"))
"""The `crsv` command of the environment running the tests (not whichever is on PATH)."""

POLL_SECONDS = 0.2
"""Pause between two readiness probes."""


def free_port() -> int:
    """A loopback port no one listens on now (the OS picks it, so parallel runs do not clash)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _inherit_all(name: str) -> bool:
    return True


class ServerProcess:
    """One server process on a loopback port, in a process group of its own.

    Its own session, so that signalling the group reaches the workers and PostgreSQL helpers it
    starts, and a Ctrl-C at the terminal running pytest does not.
    """

    def __init__(
        self,
        argv: Sequence[str],
        *,
        port: int,
        env: Mapping[str, str] | None = None,
        inherit: Callable[[str], bool] = _inherit_all,
        cwd: Path | None = None,
        log_path: Path | None = None,
    ) -> None:
        """Start `argv` at once. Its environment is this one's variables for which `inherit` is
        true, then `env`. Its output goes to the end of `log_path` (appended, so that servers
        started in turn can share a log), or to the tests' own output without one."""
        self.argv = list(argv)
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        environment = {name: value for name, value in os.environ.items() if inherit(name)}
        environment.update(env or {})
        with ExitStack() as stack:  # the child keeps its own descriptor of the log
            log = stack.enter_context(log_path.open("ab")) if log_path is not None else None
            self._log_start = log.tell() if log is not None else 0
            self.process = subprocess.Popen(
                self.argv,
                cwd=cwd,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT if log is not None else None,
                start_new_session=True,
            )

    def log_text(self) -> str:
        """What this process wrote to its log (not what others wrote before it there)."""
        if self.log_path is None:
            return "(its output is in the test's captured output)"
        with self.log_path.open("rb") as log:
            log.seek(self._log_start)
            return log.read().decode(errors="replace")

    def ready(self, path: str = "/readyz", timeout: float = 2.0) -> bool:
        """Whether `path` answers 200 now; fails, with the log, once the process has exited."""
        assert self.process.poll() is None, (
            f"{' '.join(self.argv)} exited with status {self.process.returncode}:\n"
            + self.log_text()
        )
        try:
            return httpx.get(self.base_url + path, timeout=timeout).status_code == 200
        except httpx.TransportError:
            return False

    def wait_ready(self, path: str = "/readyz", seconds: float = 60.0) -> None:
        """Return once `path` answers 200; fail if the process exits or `seconds` (a bound for a
        busy machine, not an expectation) pass first."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.ready(path):
                return
            time.sleep(POLL_SECONDS)
        raise AssertionError(
            f"{' '.join(self.argv)} did not answer {path} with 200 within {seconds} s:\n"
            + self.log_text()
        )

    def send_signal(self, sig: signal.Signals, *, group: bool = True) -> None:
        """Send `sig` now, to the process group (like a terminal's Ctrl-C) or, without `group`,
        to the process alone (like a service manager's stop); nothing once it has been reaped,
        when its id may belong to another process."""
        if self.process.returncode is not None:
            return
        with suppress(ProcessLookupError):  # the whole group has already ended
            if group:
                os.killpg(self.process.pid, sig)
            else:
                os.kill(self.process.pid, sig)

    def stop(self, sig: signal.Signals = signal.SIGTERM, timeout: float = 10.0) -> int:
        """Signal the group with `sig` and wait at most `timeout` s for the process to end; then
        SIGKILL the group, so that nothing outlives the test. Returns its exit status."""
        if self.process.poll() is None:
            self.send_signal(sig)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.send_signal(signal.SIGKILL)
            return self.process.wait(timeout=timeout)


@contextmanager
def serving(
    server: ServerProcess,
    *,
    ready: str = "/readyz",
    seconds: float = 60.0,
    stop: signal.Signals = signal.SIGTERM,
    timeout: float = 10.0,
) -> Iterator[ServerProcess]:
    """`server` once `ready` answers 200; stopped (`stop`, then SIGKILL after `timeout` s) on
    the way out whatever happened, waiting included."""
    try:
        server.wait_ready(ready, seconds)
        yield server
    finally:
        server.stop(stop, timeout)
