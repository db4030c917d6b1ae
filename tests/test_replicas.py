"""Read routing with CRSV_DATABASE_REPLICA_URLS, in process: the lag arithmetic, the choice of
a replica, and the API with a replica that is up (the test server itself, standing in for one)
or down (nothing listens). The real streaming replica is in tests/test_scale_replicas.py."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session

from app.auth.service import create_key
from app.config import Settings
from app.db.replicas import (
    PrimaryHistory,
    Replica,
    ReplicaSet,
    ReplicaState,
    format_lsn,
    parse_lsn,
)
from app.enums import Scope
from app.main import create_app
from tests.live_server import free_port
from tests.writing import BODIES


def test_wal_positions_parse_and_print_as_postgresql_does() -> None:
    assert parse_lsn("16/B374D848") == (0x16 << 32) | 0xB374D848
    assert format_lsn((0x16 << 32) | 0xB374D848) == "16/B374D848"
    assert parse_lsn("0/0") == 0
    for bad in ("", "16", "1/2/3", "x/1", "/1", "123456789/0", None):
        assert parse_lsn(bad) is None


def test_lag_is_the_age_of_the_newest_primary_position_replayed() -> None:
    history = PrimaryHistory(keep_seconds=60)
    for at, position in ((100.0, 10), (101.0, 20), (102.0, 30)):
        history.record(at, position)
    assert history.lag(30, now=103.0) == 0.0  # holds the latest sample
    assert history.lag(35, now=103.0) == 0.0
    assert history.lag(25, now=103.0) == 2.0  # holds what the primary had at 101
    assert history.lag(10, now=103.0) == 3.0
    assert history.lag(5, now=103.0) == 60.0  # behind all the history keeps
    assert PrimaryHistory().lag(0, now=1.0) == 0.0  # the primary never seen


def replica_with(name: str, state: ReplicaState) -> Replica:
    replica = Replica(name, create_engine("postgresql+psycopg://nobody@/nowhere"))
    replica.state = state
    return replica


def test_a_replica_is_chosen_only_fresh_enough_and_past_the_token() -> None:
    now = time.monotonic()
    fresh = replica_with("fresh", ReplicaState(True, 0.5, 100, now))
    stale = replica_with("stale", ReplicaState(True, 9.0, 200, now))
    down = replica_with("down", ReplicaState(error="OperationalError", measured_at=now))
    primary = create_engine("postgresql+psycopg://nobody@/nowhere")
    replicas = ReplicaSet(primary, [fresh, stale, down], max_lag_seconds=5)
    for _ in range(20):
        choice = replicas.choose(None)
        assert choice is not None and choice.replica is fresh and choice.verify_token is None
    past = replicas.choose(100)
    assert past is not None and past.replica is fresh and past.verify_token is None
    ahead = replicas.choose(150)  # not seen past it yet: checked on the replica first
    assert ahead is not None and ahead.replica is fresh and ahead.verify_token == 150
    # a measurement ages: an old verdict of "caught up" no longer vouches for 5 s of lag
    fresh.state = ReplicaState(True, 0.0, 100, now - 6)
    assert replicas.choose(None) is None
    assert [(r["name"], r["up"], r["serving"]) for r in replicas.status()] == [
        ("fresh", True, False),
        ("stale", True, False),
        ("down", False, False),
    ]


@pytest.fixture
def replicated_client(scratch_engine: Engine) -> Iterator[tuple[TestClient, str]]:
    """The API over a scratch database with two 'replicas': the same server (up, never
    behind: it is no standby) and a port nobody listens on (down)."""
    url = scratch_engine.url.render_as_string(hide_password=False)
    down = f"postgresql://postgres@127.0.0.1:{free_port()}/nowhere"
    settings = Settings(database_url=url, database_replica_urls=[url, down], db_connect_timeout=2)
    with Session(scratch_engine) as session:
        key = create_key(session, "replicas", Scope.WRITE)
        session.commit()
    with TestClient(create_app(settings, engine=scratch_engine)) as client:
        yield client, key


def test_the_api_reads_writes_and_reports_with_replicas(
    replicated_client: tuple[TestClient, str],
) -> None:
    client, key = replicated_client
    ready = client.get("/readyz").json()
    assert [(r["name"], r["up"], r["serving"]) for r in ready["replicas"]] == [
        ("replica 1", True, True),
        ("replica 2", False, False),
    ]
    assert ready["replicas"][0]["lag_seconds"] < 5
    created = client.post(
        "/v1/partners", json=BODIES["partners"], headers={"Authorization": f"Bearer {key}"}
    )
    assert created.status_code == 201, created.text
    token = created.headers["consistency-token"]
    assert parse_lsn(token) is not None
    for headers in ({}, {"Consistency-Token": token}, {"Consistency-Token": "junk"}):
        response = client.get("/v1/partners/test-partner", headers=headers)
        assert response.status_code == 200, (headers, response.text)
    # a read with a key on a replica: the key is checked (and its use recorded) on the primary
    keyed = client.get("/v1/partners", headers={"Authorization": f"Bearer {key}"})
    assert keyed.status_code == 200
    assert "consistency-token" not in keyed.headers
    preflight = client.options(
        "/v1/partners",
        headers={
            "Origin": "http://dashboard.example",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "consistency-token",
        },
    )
    assert preflight.status_code == 204


def test_without_replicas_writes_carry_no_token(
    scratch_engine: Engine,
) -> None:
    url = scratch_engine.url.render_as_string(hide_password=False)
    with Session(scratch_engine) as session:
        key = create_key(session, "no-replicas", Scope.WRITE)
        session.commit()
    with TestClient(create_app(Settings(database_url=url), engine=scratch_engine)) as client:
        created = client.post(
            "/v1/partners", json=BODIES["partners"], headers={"Authorization": f"Bearer {key}"}
        )
        assert created.status_code == 201
        assert "consistency-token" not in created.headers
        assert "replicas" not in client.get("/readyz").json()


def test_readyz_is_503_without_the_primary_even_with_a_replica_up(engine: Engine) -> None:
    """A replica answering does not make the service ready: writes need the primary."""
    nowhere = f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/nowhere?connect_timeout=1"
    replica = engine.url.render_as_string(hide_password=False)
    settings = Settings(database_url=nowhere, database_replica_urls=[replica])
    with TestClient(create_app(settings, engine=create_engine(nowhere))) as client:
        response = client.get("/readyz")
        mission = client.get("/v1/missions/monusco")
    assert response.status_code == 503
    assert response.json()["detail"] == "The database is unreachable: OperationalError."
    # the replica, up and never behind a primary it cannot see, still serves reads
    assert mission.status_code == 200
    assert mission.json()["code"] == "MONUSCO"
