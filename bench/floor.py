"""The FLOOR: a bare ASGI app that answers each benchmarked URL with the API's own SQL.

No framework, no ORM, no validation: for a known URL it runs, on one pooled connection with the
API's server settings and in one transaction (as the API's request session does), exactly the
statements the API ran for that URL (captured by `bench.capture` from the app's own SQLAlchemy
statements, filter look-ups included), and returns every result set as JSON bytes (orjson).
What the API spends above this is the cost of FastAPI, SQLAlchemy, the shaping of items and the
middleware.

Run by uvicorn with the same settings as the API: `uvicorn bench.floor:app --workers W`.
The captured queries come from the pickle named by `CRSV_FLOOR_QUERIES`; the database from
`CRSV_DATABASE_URL`.
"""

from __future__ import annotations

import os
import pickle
from decimal import Decimal
from typing import Any

import orjson
from psycopg_pool import AsyncConnectionPool

POOL_SIZE = int(os.environ.get("CRSV_FLOOR_POOL_SIZE", "10"))


def _default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError


def _conninfo() -> str:
    from sqlalchemy.engine import make_url

    url = make_url(os.environ["CRSV_DATABASE_URL"]).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _server_options() -> str:
    """The API's own per-connection server settings (statement timeout, generic plans), so
    that the floor runs the same SQL the same way and only the framework differs."""
    from app.config import Settings
    from app.db.engine import session_options

    return session_options(Settings())


with open(os.environ["CRSV_FLOOR_QUERIES"], "rb") as _file:
    QUERIES: dict[str, list[tuple[str, Any]]] = pickle.load(_file)
"""'/v1/path?query' -> [(sql, params), ...] in the order the API ran them."""

NOT_FOUND = b'{"detail":"not found"}'
JSON_HEADERS = [(b"content-type", b"application/json")]


class Floor:
    def __init__(self) -> None:
        self.pool: AsyncConnectionPool | None = None

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        target = scope["path"]
        if scope["query_string"]:
            target += "?" + scope["query_string"].decode("latin-1")
        statements = QUERIES.get(target)
        if statements is None:
            await self._send(send, 404, NOT_FOUND)
            return
        assert self.pool is not None
        results = []
        async with self.pool.connection() as conn, conn.cursor() as cur:
            for sql, params in statements:
                await cur.execute(sql, params)
                if cur.description is not None:  # SET LOCAL and the like return no rows
                    results.append(await cur.fetchall())
        await self._send(send, 200, orjson.dumps(results, default=_default))

    @staticmethod
    async def _send(send: Any, status: int, body: bytes) -> None:
        headers = [*JSON_HEADERS, (b"content-length", str(len(body)).encode())]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    async def _lifespan(self, receive: Any, send: Any) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.pool = AsyncConnectionPool(
                    _conninfo(),
                    kwargs={"options": _server_options()},
                    min_size=POOL_SIZE,
                    max_size=POOL_SIZE,
                    open=False,
                )
                await self.pool.open(wait=True)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                if self.pool is not None:
                    await self.pool.close()
                await send({"type": "lifespan.shutdown.complete"})
                return


app = Floor()
