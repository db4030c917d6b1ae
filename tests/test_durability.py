"""A 2xx on a write means it is committed: readable by the very next request, and kept through a
SIGKILL of the server. Only a real server process shows this (the `client` fixture's session is
a rolled-back transaction), so these tests run uvicorn on a database of their own."""

from __future__ import annotations

import csv
import io
import itertools
import json
import random
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from app.api.session import get_session
from app.auth.service import create_key
from app.config import PROJECT_ROOT, Settings
from app.db import migrations
from app.enums import Scope
from app.main import create_app
from app.seeding.loader import apply_seeds
from app.seeding.reader import SeedSet
from tests.database import TestServer
from tests.live_server import ServerProcess, free_port, serving
from tests.test_rollups import drift

FIGURE = "/v1/figures/2023-story-17-survivors-identified"
NEW_FIGURE = {
    "story": "2023-story-17",
    "activity": "2023-story-17-reparations-project-support",
    "metric": "participants",
    "subject": "durability test figure",
    "evidence": "604 CRSV survivors were identified",
}
WRITERS = 8
ROUNDS = 3
WRITES_PER_ROUND = (170, 230)
"""Each round's server is killed as the write numbered thus (drawn at random) is acknowledged."""
ROUND_SECONDS = 60.0
"""A bound on one round, however slow the machine."""
START_SECONDS = 30.0
"""Deadline for a new server to answer /readyz (the machine may be busy)."""
STOP_SECONDS = 10.0
"""How long a server may take to end after a signal before it is SIGKILLed."""


@dataclass
class Database:
    url: URL
    engine: Engine
    token: str
    logs: Path


@pytest.fixture(scope="module")
def database(
    pg_server: TestServer, seeds: SeedSet, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    """Migrated and seeded, with a write key: what `make run` and `crsv keys create` give."""
    with pg_server.database("durability") as url:
        engine = create_engine(url)
        migrations.upgrade(engine)
        apply_seeds(engine, seeds)
        with Session(engine) as session:
            token = create_key(session, "durability-writer", Scope.WRITE)
            session.commit()
        yield Database(url, engine, token, tmp_path_factory.mktemp("uvicorn") / "server.log")
        engine.dispose()


@contextmanager
def live_server(database: Database) -> Iterator[ServerProcess]:
    """The app under uvicorn itself on `database`, ready; always stopped on the way out."""
    port = free_port()
    argv = [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory"]
    process = ServerProcess(
        [*argv, "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
        port=port,
        env={
            "CRSV_DATABASE_URL": database.url.render_as_string(hide_password=False),
            "CRSV_LOG_LEVEL": "WARNING",
        },
        cwd=PROJECT_ROOT,
        log_path=database.logs,  # every round's server appends to it
    )
    with serving(process, seconds=START_SECONDS, timeout=STOP_SECONDS) as running:
        yield running


@pytest.fixture(scope="module")
def server(database: Database) -> Iterator[ServerProcess]:
    with live_server(database) as running:
        yield running


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_every_session_ends_before_the_response_is_sent() -> None:
    """The structural guarantee: wherever a route (or its auth) takes the session, FastAPI
    ends it, committing, before the response starts; never after, as a request scope would."""

    def sessions(dependant: Dependant) -> Iterator[Dependant]:
        for sub in dependant.dependencies:
            if sub.call is get_session:
                yield sub
            yield from sessions(sub)

    app = create_app(Settings())
    found = [
        (",".join(sorted(route.methods or ())), route.path, dependant.scope)
        for route in iter_route_contexts(app.routes)
        if isinstance(route.original_route, APIRoute)
        for dependant in sessions(route.dependant)
    ]
    assert len(found) > 50
    assert [entry for entry in found if entry[2] != "function"] == []


def test_the_next_read_sees_the_write_and_its_etag(
    server: ServerProcess, database: Database
) -> None:
    """PATCH, GET, PATCH with the ETag the GET served: 100 rounds, never an old record."""
    stale = etag_differs = refused = 0
    with httpx.Client(base_url=server.base_url, timeout=10) as http:
        etag = http.get(FIGURE).headers["etag"]
        for round_ in range(100):
            subject = f"durability round {round_}"
            written = http.patch(
                FIGURE,
                json={"subject": subject},
                headers={**bearer(database.token), "If-Match": etag},
            )
            if written.status_code == 412:  # the ETag came from the GET just before
                refused += 1
                etag = http.get(FIGURE).headers["etag"]
                continue
            assert written.status_code == 200, written.text
            read = http.get(FIGURE)
            assert read.status_code == 200
            stale += read.json()["subject"] != subject
            etag_differs += read.headers["etag"] != written.headers["etag"]
            etag = read.headers["etag"]
    assert (stale, etag_differs, refused) == (0, 0, 0)


REFUSED = "durability-refused-at-commit"


@pytest.fixture
def disk_full_at_commit(database: Database) -> Iterator[None]:
    """The audit event of a write is flushed by the commit; for REFUSED, PostgreSQL fails it as
    a full disk would: the write fails while committing, after the route has returned."""
    with database.engine.begin() as connection:
        connection.execute(
            text(
                "CREATE FUNCTION refuse_audit() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'no space left' USING ERRCODE = 'disk_full'; END $$"
            )
        )
        connection.execute(
            text(
                "CREATE TRIGGER refuse_audit BEFORE INSERT ON audit_event FOR EACH ROW "
                f"WHEN (NEW.resource_id = '{REFUSED}') EXECUTE FUNCTION refuse_audit()"
            )
        )
    try:
        yield
    finally:
        with database.engine.begin() as connection:
            connection.execute(text("DROP TRIGGER refuse_audit ON audit_event"))
            connection.execute(text("DROP FUNCTION refuse_audit()"))


@pytest.mark.usefixtures("disk_full_at_commit")
def test_a_write_that_fails_to_commit_is_never_acknowledged(
    server: ServerProcess, database: Database
) -> None:
    with httpx.Client(base_url=server.base_url, timeout=10) as http:
        written = http.post(
            "/v1/figures",
            json={**NEW_FIGURE, "key": REFUSED, "value": 5},
            headers=bearer(database.token),
        )
        assert written.status_code == 503
        assert written.headers["content-type"] == "application/problem+json"
        assert written.json()["type"] == "/problems/database-unavailable"
        assert http.get(f"/v1/figures/{REFUSED}").status_code == 404


@dataclass
class Track:
    """One figure's writes: the value after each (None once deleted), how many were sent, and
    how many the server acknowledged with a 2xx."""

    states: list[int | None] = field(default_factory=list)
    sent: int = 0
    acked: int = 0


@dataclass
class Burst:
    """What the writers of every round sent and were told. The server is killed as the 2xx
    numbered `kill_at` arrives: that write's commit must already be done."""

    tracks: dict[str, Track] = field(default_factory=dict)
    unexpected: list[str] = field(default_factory=list)
    acked: int = 0
    kill_at: int = 0
    server: ServerProcess | None = None
    killed: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def write(
        self, http: httpx.Client, track: Track, state: int | None, request: httpx.Request
    ) -> str:
        """Send one write and record it; its new ETag once acknowledged. A transport error
        (the server was killed) leaves the write in flight: committed or not, either is fine."""
        track.states.append(state)
        track.sent += 1
        response = http.send(request)
        expected = {"POST": 201, "PATCH": 200, "DELETE": 204}[request.method]
        if response.status_code != expected:
            raise AssertionError(f"{request.method} {request.url.path}: {response.text}")
        with self.lock:
            track.acked += 1
            self.acked += 1
            if self.acked == self.kill_at and self.server is not None:
                self.server.send_signal(signal.SIGKILL)
                self.killed.set()
        return str(response.headers.get("etag", ""))


def write_until_killed(base_url: str, token: str, prefix: str, burst: Burst) -> None:
    """Create, patch and (one time in three) delete figures, one after the other, until the
    server goes away."""
    with httpx.Client(base_url=base_url, timeout=10, headers=bearer(token)) as http:
        for n in itertools.count():
            key = f"{prefix}-{n}"
            track = burst.tracks[key] = Track()
            created, patched = n % 50 + 1, n % 50 + 101
            body = {**NEW_FIGURE, "key": key, "value": created}
            path = f"/v1/figures/{key}"
            try:
                etag = burst.write(
                    http, track, created, http.build_request("POST", "/v1/figures", json=body)
                )
                patch = http.build_request(
                    "PATCH", path, json={"value": patched}, headers={"If-Match": etag}
                )
                etag = burst.write(http, track, patched, patch)
                if n % 3 == 0:
                    delete = http.build_request("DELETE", path, headers={"If-Match": etag})
                    burst.write(http, track, None, delete)
            except httpx.TransportError:
                return
            except AssertionError as exc:  # not what a committed write leads to
                burst.unexpected.append(str(exc))


def kill_during_burst(database: Database, round_: int, burst: Burst, rng: random.Random) -> None:
    """Start a server, write from several clients at once, SIGKILL it at a random moment."""
    burst.kill_at = burst.acked + rng.randint(*WRITES_PER_ROUND)
    burst.killed.clear()
    with live_server(database) as server:
        burst.server = server
        writers = [
            threading.Thread(
                target=write_until_killed,
                args=(server.base_url, database.token, f"durability-r{round_}-w{w}", burst),
            )
            for w in range(WRITERS)
        ]
        for writer in writers:
            writer.start()
        burst.killed.wait(ROUND_SECONDS)
        server.stop(signal.SIGKILL, STOP_SECONDS)  # already dead, unless the round ran out of time
        for writer in writers:
            writer.join(timeout=15)
        assert not any(writer.is_alive() for writer in writers)


def audited_states(engine: Engine) -> tuple[dict[str, list[int | None]], dict[str, int]]:
    """Each test figure's value after each audit event, and its row's value now."""
    with engine.connect() as connection:
        events = connection.execute(
            text(
                "SELECT resource_id, action, after FROM audit_event WHERE resource = 'figure' "
                "AND resource_id LIKE 'durability-%' ORDER BY id"
            )
        ).all()
        rows = connection.execute(
            text("SELECT key, value FROM figure WHERE key LIKE 'durability-%'")
        ).all()
    audited: dict[str, list[int | None]] = {}
    for key, action, after in events:
        audited.setdefault(key, []).append(None if action == "delete" else after["value"])
    return audited, {key: value for key, value in rows}


def test_acknowledged_writes_survive_sigkill_and_nothing_is_half_written(
    database: Database,
) -> None:
    """Every write a client saw acknowledged is there after the kill; every audit event is a
    write some client sent, and the rows and the rollups agree with the audit trail."""
    seed = random.randrange(1 << 32)
    rng = random.Random(seed)
    burst = Burst()
    for round_ in range(ROUNDS):
        kill_during_burst(database, round_, burst, rng)

    audited, rows = audited_states(database.engine)
    lost, half_written = [], []
    for key, track in burst.tracks.items():
        states = audited.pop(key, [])
        if len(states) < track.acked:
            lost.append(key)
        if states != track.states[: len(states)] or len(states) > track.sent:
            half_written.append(key)  # an audit event that no write asked for
        if rows.pop(key, None) != (states[-1] if states else None):
            half_written.append(key)  # the row disagrees with its audit trail
    assert (lost, half_written) == ([], []), f"seed {seed}"
    assert (audited, rows) == ({}, {})  # nothing written that no client sent
    assert burst.unexpected == [], f"seed {seed}"
    assert burst.acked >= 500
    with Session(database.engine) as session:
        assert drift(session) == []


BULK = 3000
"""Enough figures for an export of several megabytes, sent in many blocks."""


@pytest.fixture
def bulk_figures(database: Database) -> Iterator[None]:
    with database.engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO figure (key, story_id, activity_id, position, metric_id, value, "
                "qualifier, subject, evidence, section) "
                "SELECT 'bulk-' || g, story_id, activity_id, 100 + g, metric_id, g, 'exact', "
                "repeat('subject ', 40), evidence, section "
                "FROM figure, generate_series(1, :bulk) AS g "
                "WHERE key = '2023-story-17-survivors-identified'"
            ),
            {"bulk": BULK},
        )
    try:
        yield
    finally:
        with database.engine.begin() as connection:
            connection.execute(text("DELETE FROM figure WHERE key LIKE 'bulk-%'"))


def exported_ids(fmt: str, body: bytes) -> list[str]:
    if fmt == "csv":
        return [row["id"] for row in csv.DictReader(io.StringIO(body.decode(), newline=""))]
    if fmt == "ndjson":
        return [json.loads(line)["id"] for line in body.splitlines()]
    return [item["id"] for item in json.loads(body)]


@pytest.mark.usefixtures("bulk_figures")
@pytest.mark.parametrize("fmt", ["csv", "ndjson", "json"])
def test_an_export_streams_to_its_last_byte(
    server: ServerProcess, database: Database, fmt: str
) -> None:
    """The request's session ends before the response starts; the export streams on a
    connection of its own, held until the last byte is sent."""
    with database.engine.connect() as connection:
        expected = list(connection.scalars(text("SELECT key FROM figure ORDER BY order_key, id")))
    assert len(expected) > BULK
    received = bytearray()
    with (
        httpx.Client(base_url=server.base_url, timeout=30) as http,
        http.stream(
            "GET", f"/v1/exports/figures.{fmt}", headers={"Accept-Encoding": "identity"}
        ) as response,
    ):
        assert response.status_code == 200
        for block in response.iter_raw():
            received += block
    assert len(received) > 2_000_000  # dozens of blocks of BLOCK_BYTES
    assert exported_ids(fmt, bytes(received)) == expected
