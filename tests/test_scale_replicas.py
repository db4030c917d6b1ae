"""Two API instances, a primary and a streaming replica, all real, on this machine.

Which server answered is told by the data, not by a header: while the replica's replay is
paused, it still holds the record as it was before a write, and the primary holds the new one.
Run with `make test-scale` (the `scale` marker keeps these out of the main suite).
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.cluster import Cluster, api_instance, primary_and_replica
from tests.live_server import ServerProcess, serving

pytestmark = pytest.mark.scale

FIGURE = "/v1/figures/2023-story-17-survivors-identified"
MAX_LAG = 4.0
"""CRSV_REPLICA_MAX_LAG_SECONDS of both instances: long enough for a read right after a write
to reach the paused replica on a busy machine, short enough to wait out."""
READS = ["/v1/missions/monusco", "/v1/figures?metric=convictions", "/v1/stats/overview"]


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    with primary_and_replica() as cluster:
        yield cluster


@pytest.fixture(scope="module")
def instances(
    cluster: Cluster, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[ServerProcess, ServerProcess]]:
    log: Path = tmp_path_factory.mktemp("api") / "api.log"
    env = {"CRSV_REPLICA_MAX_LAG_SECONDS": str(MAX_LAG), "CRSV_AUTH_MAX_FAILURES": "5"}
    with ExitStack() as stack:
        first, second = (
            stack.enter_context(
                serving(api_instance(cluster.primary, log, replicas=[cluster.replica.url], env=env))
            )
            for _ in range(2)
        )
        yield first, second


def note_of(server: ServerProcess, **headers: str) -> Any:
    response = httpx.get(server.base_url + FIGURE, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["note"]


def patch_note(server: ServerProcess, key: str, note: str) -> str:
    """Write `note` through `server`; the write's Consistency-Token."""
    etag = httpx.get(server.base_url + FIGURE).headers["etag"]
    response = httpx.patch(
        server.base_url + FIGURE,
        json={"note": note},
        headers={
            "Authorization": f"Bearer {key}",
            "If-Match": etag,
            "Content-Type": "application/merge-patch+json",
        },
    )
    assert response.status_code == 200, response.text
    token = response.headers["consistency-token"]
    assert "/" in token
    return token


def replica_status(server: ServerProcess) -> dict[str, Any]:
    response = httpx.get(server.base_url + "/readyz")
    assert response.status_code == 200, response.text
    [replica] = response.json()["replicas"]
    return dict(replica)


def wait_until(condition: Any, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"not within {seconds} s: {condition.__doc__ or condition}")


def serving_replica(server: ServerProcess) -> bool:
    """/readyz says the replica is up and within the lag bound."""
    return bool(replica_status(server)["serving"])


def test_reads_hit_the_replica_and_a_token_reads_your_write_elsewhere(
    cluster: Cluster, instances: tuple[ServerProcess, ServerProcess]
) -> None:
    first, second = instances
    wait_until(lambda: serving_replica(first) and serving_replica(second))
    before = note_of(second)
    cluster.replica.execute("SELECT pg_wal_replay_pause()")
    try:
        token = patch_note(first, cluster.write_key, "written on the first instance")
        # without the token, the paused replica answers (within the lag bound): the old note
        assert note_of(second) == before
        # with it, the other instance serves the write: the replica has not replayed it
        assert note_of(second, **{"Consistency-Token": token}) == "written on the first instance"
        # once the replica trails by more than the bound, plain reads go to the primary
        wait_until(lambda: not serving_replica(second), MAX_LAG + 10)
        assert replica_status(second)["up"] is True
        assert note_of(second) == "written on the first instance"
    finally:
        cluster.replica.execute("SELECT pg_wal_replay_resume()")
    wait_until(lambda: serving_replica(second))
    assert note_of(second, **{"Consistency-Token": token}) == "written on the first instance"
    assert note_of(second) == "written on the first instance"


def test_a_token_the_replica_has_replayed_is_served_by_the_replica(
    cluster: Cluster, instances: tuple[ServerProcess, ServerProcess]
) -> None:
    """A token does not send every read to the primary: once the replica holds the write,
    it answers. Paused after the first write and before the second, it serves the first
    write's token with the first note (the primary would give the second)."""
    first, second = instances
    wait_until(lambda: serving_replica(first) and serving_replica(second))
    token = patch_note(first, cluster.write_key, "replayed before the pause")

    def replayed() -> bool:
        """The replica has replayed the first write."""
        return bool(cluster.replica.execute(f"SELECT pg_last_wal_replay_lsn() >= '{token}'"))

    wait_until(replayed)
    cluster.replica.execute("SELECT pg_wal_replay_pause()")
    try:
        patch_note(first, cluster.write_key, "written during the pause")
        assert note_of(second, **{"Consistency-Token": token}) == "replayed before the pause"
    finally:
        cluster.replica.execute("SELECT pg_wal_replay_resume()")


def test_a_malformed_token_reads_from_the_primary(
    cluster: Cluster, instances: tuple[ServerProcess, ServerProcess]
) -> None:
    first, _ = instances
    wait_until(lambda: serving_replica(first))
    cluster.replica.execute("SELECT pg_wal_replay_pause()")
    try:
        patch_note(first, cluster.write_key, "read back with a bad token")
        assert note_of(first, **{"Consistency-Token": "not-a-position"}) == (
            "read back with a bad token"
        )
    finally:
        cluster.replica.execute("SELECT pg_wal_replay_resume()")


def test_the_throttle_counts_failures_across_instances(
    instances: tuple[ServerProcess, ServerProcess],
) -> None:
    """CRSV_AUTH_MAX_FAILURES=5: five failures spread over both instances, then 429 on
    either. The reads go to the replica; the failures are counted on the primary."""
    wrong = {"Authorization": "Bearer crsv_scaletst_wrong"}
    statuses = [
        httpx.get(instances[n % 2].base_url + "/v1/missions", headers=wrong).status_code
        for n in range(7)
    ]
    assert statuses == [401] * 5 + [429] * 2


def test_a_stopped_replica_moves_reads_to_the_primary_and_back(
    cluster: Cluster, instances: tuple[ServerProcess, ServerProcess]
) -> None:
    first, second = instances
    wait_until(lambda: serving_replica(first) and serving_replica(second))
    from_replica = {path: httpx.get(first.base_url + path).headers["etag"] for path in READS}
    cluster.replica.stop()
    try:
        # no request fails, whether or not the instances have noticed yet
        for round_ in range(10):
            for server in instances:
                for path in READS:
                    response = httpx.get(server.base_url + path)
                    assert response.status_code == 200, (round_, path, response.text)
        status = replica_status(first)
        assert status["up"] is False and status["serving"] is False
        # the primary serves the same data under the same ETags
        assert {path: httpx.get(second.base_url + path).headers["etag"] for path in READS} == (
            from_replica
        )
    finally:
        cluster.replica.start()
    wait_until(lambda: serving_replica(first) and serving_replica(second))
    # reads are back on the replica: paused, it answers with the record as it was
    before = note_of(second)
    cluster.replica.execute("SELECT pg_wal_replay_pause()")
    try:
        patch_note(first, cluster.write_key, "written while the replica was paused")
        assert note_of(second) == before
    finally:
        cluster.replica.execute("SELECT pg_wal_replay_resume()")
