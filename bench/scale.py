"""A short measurement for docs/scaling.md: one API worker reading from a streaming replica,
then two instances; writes through the primary; the WAL each write ships to a replica.

    .venv/bin/python -m bench.scale [--seconds 10] [--connections 10] [--write bench/SCALE.md]

Starts its own primary and replica (tests/cluster.py) with the 2023 report, so it measures the
per-request cost of the real data set, not of the 1,000,000-figure benchmark (bench/run.py).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import tempfile
import time
from collections.abc import Sequence
from contextlib import ExitStack
from pathlib import Path

import httpx
import psutil
import psycopg

from tests.cluster import api_instance, conninfo, primary_and_replica
from tests.live_server import ServerProcess, serving

URLS = ["/v1/missions/monusco", "/v1/figures?metric=convictions", "/v1/stats/overview"]
FIGURE = "/v1/figures/2023-story-17-survivors-identified"


def tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a process and its children now alive."""
    total = 0.0
    try:
        root = psutil.Process(pid)
        for process in [root, *root.children(recursive=True)]:
            times = process.cpu_times()
            total += times.user + times.system
    except psutil.NoSuchProcess:
        pass
    return total


def cpu_model() -> str:
    """The processor's name as Linux gives it, else the machine's architecture."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.machine()


def postmaster(data_dir: Path) -> int:
    return int((data_dir / "postmaster.pid").read_text().splitlines()[0])


async def load(bases: Sequence[str], seconds: float, connections: int) -> tuple[int, int]:
    """GET the URLs round-robin from `connections` clients for `seconds`: (ok, errors)."""
    ok = errors = 0
    deadline = time.monotonic() + seconds

    async def client(number: int) -> None:
        nonlocal ok, errors
        async with httpx.AsyncClient(timeout=30) as http:
            n = number
            while time.monotonic() < deadline:
                url = bases[n % len(bases)] + URLS[n % len(URLS)]
                n += 1
                response = await http.get(url)
                if response.status_code == 200:
                    ok += 1
                else:
                    errors += 1

    await asyncio.gather(*(client(n) for n in range(connections)))
    return ok, errors


def measure_reads(
    servers: Sequence[ServerProcess], pg: dict[str, int], seconds: float, connections: int
) -> str:
    before = {name: tree_cpu(pid) for name, pid in pg.items()}
    api_before = sum(tree_cpu(s.process.pid) for s in servers)
    started = time.monotonic()
    ok, errors = asyncio.run(load([s.base_url for s in servers], seconds, connections))
    elapsed = time.monotonic() - started
    api_cpu = sum(tree_cpu(s.process.pid) for s in servers) - api_before
    pg_cpu = {name: tree_cpu(pid) - before[name] for name, pid in pg.items()}
    return (
        f"| {len(servers)} instance(s), 1 worker each | {connections} | {ok / elapsed:.1f} "
        f"| {errors} | {1000 * api_cpu / max(ok, 1):.2f} "
        f"| {1000 * pg_cpu['replica'] / max(ok, 1):.2f} "
        f"| {1000 * pg_cpu['primary'] / max(ok, 1):.2f} |"
    )


def measure_writes(server: ServerProcess, key: str, primary: str, seconds: float) -> str:
    with psycopg.connect(primary) as connection:
        start_lsn = connection.execute("SELECT pg_current_wal_lsn()").fetchone()
    writes = 0
    deadline = time.monotonic() + seconds
    started = time.monotonic()
    with httpx.Client(base_url=server.base_url, timeout=30) as http:
        etag = http.get(FIGURE).headers["etag"]
        while time.monotonic() < deadline:
            response = http.patch(
                FIGURE,
                json={"note": f"measured write {writes}"},
                headers={
                    "Authorization": f"Bearer {key}",
                    "If-Match": etag,
                    "Content-Type": "application/merge-patch+json",
                },
            )
            assert response.status_code == 200, response.text
            etag = response.headers["etag"]
            writes += 1
        lag = http.get("/readyz").json()["replicas"][0]["lag_seconds"]
    elapsed = time.monotonic() - started
    with psycopg.connect(primary) as connection:
        assert start_lsn is not None
        row = connection.execute(
            "SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), %s::pg_lsn)", [start_lsn[0]]
        ).fetchone()
    wal = float(row[0]) if row else 0.0
    return (
        f"writes (PATCH, 1 client): {writes / elapsed:.1f}/s; WAL {wal / max(writes, 1):.0f} "
        f"bytes per write; replica lag right after: {lag} s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=10)
    parser.add_argument("--write", type=Path, help="also write the report to this file")
    args = parser.parse_args()
    lines: list[str] = []

    def say(line: str) -> None:
        print(line, flush=True)
        lines.append(line)

    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    say(f"`python -m bench.scale --seconds {args.seconds:g} --connections {args.connections}`")
    say(f"on {started}; {cpu_model()}, {os.cpu_count()} cores\n")
    say(f"load average before: {os.getloadavg()}")
    log = Path(tempfile.mkdtemp(prefix="crsv-scale-bench-")) / "api.log"
    with primary_and_replica() as cluster, ExitStack() as stack:
        env = {"CRSV_LOG_LEVEL": "WARNING"}
        servers = [
            stack.enter_context(
                serving(api_instance(cluster.primary, log, replicas=[cluster.replica.url], env=env))
            )
            for _ in range(2)
        ]
        pg = {
            "primary": postmaster(cluster.folder / "primary"),
            "replica": postmaster(cluster.replica.data_dir),
        }
        with psycopg.connect(conninfo(cluster.primary)) as connection:
            size = connection.execute("SELECT pg_database_size(current_database())").fetchone()
            version = connection.execute("SHOW server_version").fetchone()
        say(
            f"PostgreSQL {version[0] if version else '?'}; database size: "
            f"{size[0] if size else '?'} bytes\n"
        )
        say(
            "| setup | conns | req/s | errors | API ms CPU/req | replica ms CPU/req | "
            "primary ms CPU/req |"
        )
        say("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for count in (1, 2):
            say(measure_reads(servers[:count], pg, args.seconds, args.connections))
        say("")
        say(measure_writes(servers[0], cluster.write_key, conninfo(cluster.primary), args.seconds))
    say(f"\nload average after: {os.getloadavg()}")
    if args.write is not None:
        args.write.write_text(
            "# bench.scale: replicas and instances (docs/scaling.md)\n\n" + "\n".join(lines) + "\n"
        )


if __name__ == "__main__":
    main()
