"""Capture the exact SQL the API runs for a URL, by calling the app in-process.

The app is built by `app.main.create_app` on an engine whose `before_cursor_execute` events are
recorded; each URL is requested once through a minimal ASGI driver (no HTTP client needed).
The result feeds the floor (`bench.floor`), so the floor always runs the app's current queries.
"""

from __future__ import annotations

import asyncio
from typing import Any
from urllib.parse import urlsplit

import psycopg
from sqlalchemy import create_engine
from sqlalchemy.engine import URL

PING = {"select 1", "select 1;"}


async def _get(
    app: Any, target: str, headers: list[tuple[bytes, bytes]] | None = None
) -> tuple[int, bytes]:
    parts = urlsplit(target)
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": parts.path,
        "raw_path": parts.path.encode(),
        "query_string": parts.query.encode(),
        "root_path": "",
        "headers": [(b"host", b"bench"), *(headers or [])],
        "client": ("127.0.0.1", 1),
        "server": ("bench", 80),
        "state": {},
    }
    status = 0
    body: list[bytes] = []
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            body.append(message.get("body", b""))

    await app(scope, receive, send)
    return status, b"".join(body)


def capture(url: URL, targets: list[str]) -> dict[str, dict[str, Any]]:
    """For each target URL: its status, body, and the [(sql, params)] the API ran for it."""
    from app.config import Settings
    from app.main import create_app

    engine = create_engine(url, pool_size=2)
    with engine.connect():  # the dialect's first-connect queries are not the API's
        pass
    recorded: list[tuple[str, Any]] = []
    # recorded where the driver runs them: SQLAlchemy's statements and the precompiled ones
    # (app/db/precompiled.py), which reach psycopg without SQLAlchemy's execution events
    execute = psycopg.Cursor.execute

    def _record(cursor: Any, query: Any, params: Any = None, **kwargs: Any) -> Any:
        statement = query if isinstance(query, str) else str(query)
        if statement.strip().lower() not in PING:
            recorded.append((statement, params))
        return execute(cursor, query, params, **kwargs)

    settings = Settings(database_url=url.render_as_string(hide_password=False), log_level="WARNING")
    app = create_app(settings, engine=engine)

    async def run() -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        async with app.router.lifespan_context(app):
            for target in targets:
                recorded.clear()
                status, body = await _get(app, target)
                out[target] = {"status": status, "body": body, "statements": list(recorded)}
        return out

    psycopg.Cursor.execute = _record  # type: ignore[method-assign,assignment]
    try:
        return asyncio.run(run())
    finally:
        psycopg.Cursor.execute = execute  # type: ignore[method-assign]
        engine.dispose()


def get_json(url: URL, target: str) -> Any:
    import orjson

    result = capture(url, [target])[target]
    if result["status"] != 200:
        raise RuntimeError(f"{target}: HTTP {result['status']}: {result['body'][:300]!r}")
    return orjson.loads(result["body"])
