"""The failed-authentication throttle: never against a correct key, shared, expiring, bounded."""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from app.auth.service import create_key
from app.auth.throttle import FailureThrottle, address_subject
from app.config import Settings
from app.enums import FailureSubject, Scope
from app.main import create_app
from app.models import AuthFailure
from tests.auth import ClientFactory, bearer, client_factory, counts, wrong_key

FIGURE = "/v1/figures/2023-story-17-survivors-identified"


@pytest.fixture
def tokens(db: Session) -> dict[str, str]:
    return {scope: create_key(db, f"{scope}-key", Scope(scope)) for scope in Scope}


@pytest.fixture
def make_client(engine: Engine, db: Session) -> Iterator[ClientFactory]:
    with client_factory(engine, db) as make:
        yield make


def test_correct_keys_still_work_after_20_failures_from_their_address(
    make_client: ClientFactory, tokens: dict[str, str], db: Session
) -> None:
    client = make_client(auth_max_failures=3)
    own_prefixes = [token.split("_")[1] for token in tokens.values()]
    # 4 failures against each key's own prefix (wrong secrets), 8 with unknown prefixes
    failures = [wrong_key(prefix) for _ in range(4) for prefix in own_prefixes]
    failures += [wrong_key() for _ in range(8)]
    statuses = [client.get("/v1/missions", headers=bearer(key)).status_code for key in failures]
    assert statuses == [401, 401, 401] + [429] * 17
    assert counts(db, FailureSubject.ADDRESS, ["198.51.100.20"]) == {"198.51.100.20": 20}
    assert counts(db, FailureSubject.PREFIX, own_prefixes) == dict.fromkeys(own_prefixes, 4)

    assert client.get("/v1/audit", headers=bearer(tokens["admin"])).status_code == 200
    etag = client.get(FIGURE).headers["etag"]
    edit = {**bearer(tokens["write"]), "If-Match": etag}
    assert client.patch(FIGURE, json={"note": "still mine"}, headers=edit).status_code == 200
    assert client.get("/v1/missions", headers=bearer(tokens["read"])).status_code == 200
    # and a success neither resets nor adds to the counts
    assert counts(db, FailureSubject.ADDRESS, ["198.51.100.20"]) == {"198.51.100.20": 20}


def test_failures_against_one_prefix_are_counted_from_every_address(
    make_client: ClientFactory, tokens: dict[str, str]
) -> None:
    prefix = tokens["write"].split("_")[1]
    statuses = [
        make_client(f"203.0.113.{n}", auth_max_failures=3)
        .get("/v1/missions", headers=bearer(wrong_key(prefix)))
        .status_code
        for n in range(1, 6)
    ]
    assert statuses == [401, 401, 401, 429, 429]
    fresh = make_client("203.0.113.99", auth_max_failures=3)
    assert fresh.get("/v1/missions", headers=bearer(wrong_key())).status_code == 401
    assert fresh.get("/v1/missions", headers=bearer(tokens["write"])).status_code == 200


def test_two_instances_count_failures_together(scratch_engine: Engine) -> None:
    """Two apps with their own engines and throttles (two processes' worth) on one database."""
    settings = Settings(
        database_url=scratch_engine.url.render_as_string(hide_password=False),
        auth_max_failures=4,
    )
    prefix = "sharedpx"
    with (
        TestClient(create_app(settings), client=("192.0.2.50", 50000)) as first,
        TestClient(create_app(settings), client=("192.0.2.50", 50001)) as second,
    ):
        statuses = [
            instance.get("/v1/missions", headers=bearer(wrong_key(prefix))).status_code
            for instance in (first, second, first, second, first, second)
        ]
    assert statuses == [401, 401, 401, 401, 429, 429]
    with Session(scratch_engine) as session:
        assert counts(session, FailureSubject.ADDRESS) == {"192.0.2.50": 6}
        assert counts(session, FailureSubject.PREFIX) == {prefix: 6}


def test_an_expired_window_starts_afresh_and_is_pruned(db: Session) -> None:
    throttle = FailureThrottle(max_failures=2, window_seconds=60, max_entries=100)
    waits = [throttle.record_failure(db, "192.0.2.7", "expiring") for _ in range(3)]
    assert waits[:2] == [None, None]
    assert waits[2] is not None and 1 <= waits[2] <= 60
    throttle.record_failure(db, "192.0.2.8", None)
    # a minute passes for the first client's rows
    db.execute(
        text(
            "UPDATE auth_failure SET window_started_at = now() - interval '61 seconds' "
            "WHERE subject IN ('192.0.2.7', 'expiring')"
        )
    )
    assert throttle.record_failure(db, "192.0.2.7", None) is None
    addresses = ["192.0.2.7", "192.0.2.8"]
    assert counts(db, FailureSubject.ADDRESS, addresses) == {"192.0.2.7": 1, "192.0.2.8": 1}
    assert counts(db, FailureSubject.PREFIX, ["expiring"]) == {"expiring": 3}
    throttle.prune(db)
    assert counts(db, FailureSubject.PREFIX, ["expiring"]) == {}
    assert counts(db, FailureSubject.ADDRESS, addresses) == {"192.0.2.7": 1, "192.0.2.8": 1}


def test_a_flood_of_distinct_clients_stays_bounded_and_keeps_the_worst(db: Session) -> None:
    throttle = FailureThrottle(max_failures=5, window_seconds=60, max_entries=20)
    assert throttle.prune_every == 2
    for _ in range(6):
        throttle.record_failure(db, "192.0.2.66", None)
    sizes = []
    for n in range(300):
        throttle.record_failure(db, f"10.{n // 250}.{n % 250}.1", f"flood{n:03d}")
        sizes.append(db.scalar(select(func.count()).select_from(AuthFailure)) or 0)
    # two rows a failure, a prune every second failure: never more than 20 + 2 * 2 rows
    assert max(sizes) <= 24
    assert counts(db, FailureSubject.ADDRESS, ["192.0.2.66"]) == {"192.0.2.66": 6}
    assert throttle.record_failure(db, "192.0.2.66", None) is not None


def test_ipv6_clients_are_counted_per_64() -> None:
    assert address_subject("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64"
    assert address_subject("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64"
    assert address_subject("::ffff:192.0.2.1") == "192.0.2.1"
    assert address_subject("192.0.2.1") == "192.0.2.1"
    assert address_subject("testclient") == "testclient"


def test_an_unknown_prefix_costs_as_much_as_a_wrong_secret(
    make_client: ClientFactory, tokens: dict[str, str]
) -> None:
    """Today's keys cost an scrypt (~40 ms idle) to refuse; an unknown prefix must not be
    cheaper, or timing would tell which prefixes exist. Medians, interleaved, so load on a
    shared machine hits both alike."""
    client = make_client(auth_max_failures=1000)
    known = tokens["read"].split("_")[1]
    unknown: list[float] = []
    wrong: list[float] = []
    for _ in range(7):
        for prefix, times in ((None, unknown), (known, wrong)):
            key = wrong_key(prefix)
            started = time.perf_counter()
            assert client.get("/v1/missions", headers=bearer(key)).status_code == 401
            times.append(time.perf_counter() - started)
    assert statistics.median(unknown) >= 0.5 * statistics.median(wrong), (unknown, wrong)
