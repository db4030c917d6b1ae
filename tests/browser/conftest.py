"""A real server on the seeded test database, and Debian's chromium driven by Playwright.

Selected only by `make test-browser` (pyproject's `norecursedirs` keeps plain `pytest` away):
they need chromium (`apt-get install chromium`) and the `browser` extra. The browser is the
system's own; nothing downloads a browser build.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, Request, sync_playwright
from sqlalchemy import Engine

from app.config import PROJECT_ROOT
from tests.live_server import CRSV, ServerProcess, free_port, serving

CHROMIUM = os.environ.get("CRSV_CHROMIUM", "/usr/bin/chromium")
SCREENSHOTS = PROJECT_ROOT / "build" / "screenshots"


def _not_a_setting(name: str) -> bool:
    """The developer's own CRSV_ settings must not reach the test server."""
    return not name.startswith("CRSV_")


@pytest.fixture(scope="session")
def base_url(engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`crsv serve` on the session's migrated, seeded database: the real app over a socket."""
    port = free_port()
    server = ServerProcess(
        [CRSV, "serve", "--host", "127.0.0.1", "--port", str(port)],
        port=port,
        env={
            "CRSV_DATABASE_URL": engine.url.render_as_string(hide_password=False),
            "CRSV_LOG_LEVEL": "WARNING",
        },
        inherit=_not_a_setting,
        log_path=tmp_path_factory.mktemp("server") / "server.log",
    )
    with serving(server, ready="/healthz", seconds=60, timeout=20) as running:
        yield running.base_url


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        pytest.fail(f"no chromium at {CHROMIUM}: `make test-browser` installs Debian's chromium")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    # root in a container: chromium's sandbox needs user namespaces it may not have
    launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
    yield launched
    launched.close()


@dataclass
class Watched:
    """A page, and every console error and failed request it had."""

    page: Page
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    checked: bool = False

    def assert_clean(self) -> None:
        self.checked = True
        assert self.console_errors == [], self.console_errors
        assert self.failed_requests == [], self.failed_requests


def _failed(request: Request) -> str:
    return f"{request.method} {request.url}: {request.failure}"


@pytest.fixture
def watched(browser: Browser, base_url: str) -> Iterator[Watched]:
    """A fresh page at 1280 px; the test fails on any console error or failed request."""
    context = browser.new_context(base_url=base_url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    seen = Watched(page)
    page.on(
        "console",
        lambda message: (
            seen.console_errors.append(message.text) if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: seen.console_errors.append(str(error)))
    page.on("requestfailed", lambda request: seen.failed_requests.append(_failed(request)))

    def bad_status(response: object) -> None:
        status = getattr(response, "status", 200)
        if status >= 400:
            seen.failed_requests.append(f"{status} {getattr(response, 'url', '')}")

    page.on("response", bad_status)
    yield seen
    context.close()
    if not seen.checked:  # every test that uses a page checks it, even without saying so
        seen.assert_clean()
