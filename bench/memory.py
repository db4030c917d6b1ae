"""Idle memory of the API's workers: `.venv/bin/python -m bench.memory [--serve crsv]`.

Starts the API as bench/run.py does (uvicorn, 2 workers, factory, warning log level), or as
`crsv serve` does (`--serve crsv`: workers forked from a process that has loaded the app), reads
each worker's PSS, RSS and USS right after start, then again idle after each round of the
benchmark's URLs (mission and story detail, activities, a first and a deep figures page, a
full-text search, grouped stats, the overview), served by `--concurrency` clients at once so
that the thread pool's threads all take part, as under the benchmark's load. `--smaps` adds
which mappings hold each worker's PSS (the heap and anonymous memory against the interpreter
and the shared libraries). The supervisor's PSS is printed too: with forked workers it holds
its share of the pages they share. Read-only: it only sends GETs.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psutil

from bench.run import OUT, Server, free_port, uvicorn_command

BENCH_DATABASE = (
    "postgresql+psycopg://postgres@/crsv_bench_1000000?host=/work/main/bench/.data/postgres"
)
MB = 2**20


def fetch(base: str, path: str) -> bytes:
    with urllib.request.urlopen(base + path, timeout=300) as response:
        return bytes(response.read())


def targets(base: str, depth_pages: int) -> list[str]:
    """The benchmark's URLs, with a real story id and a cursor `depth_pages` pages of 500 deep."""
    stories = json.loads(fetch(base, "/v1/stories?year=2023&mission=MONUSCO&limit=200"))["items"]
    stories.sort(key=lambda s: (-(s["figure_count"] or 0), s["id"]))
    story = stories[len(stories) // 4]["id"] if stories else "2023-story-1"
    first = "/v1/figures?metric=trainees&mission=MONUSCO"
    cursor = None
    for _ in range(depth_pages):
        after = f"&cursor={cursor}" if cursor else ""
        page = json.loads(fetch(base, first + "&limit=500" + after))
        if not page["next_cursor"]:
            break
        cursor = page["next_cursor"]
    return [
        "/v1/missions/MONUSCO",
        f"/v1/stories/{story}",
        "/v1/activities?mission=MONUSCO&objective=2",
        first,
        first + (f"&cursor={cursor}" if cursor else ""),
        "/v1/figures?q=" + urllib.parse.quote("mobile court"),
        "/v1/stats/figures?group_by=mission,metric",
        "/v1/stats/overview",
    ]


def smaps(pid: int) -> Counter[str]:
    """PSS in bytes per mapping group: [heap], anonymous, the python binary, each library."""
    groups: Counter[str] = Counter()
    name = "?"
    for line in Path(f"/proc/{pid}/smaps").read_text().splitlines():
        if re.match(r"^[0-9a-f]+-[0-9a-f]+ ", line):
            parts = line.split(None, 5)
            path = parts[5].strip() if len(parts) > 5 else ""
            if not path:
                name = "[anon]"
            elif path.startswith("["):
                name = path
            else:
                name = Path(path).name
                if ".cpython-" in name or "site-packages" in path:
                    # group an extension module under its package
                    marker = "site-packages/"
                    if marker in path:
                        name = path.split(marker, 1)[1].split("/", 1)[0] + "/*.so"
        elif line.startswith("Pss:"):
            groups[name] += int(line.split()[1]) * 1024
    return groups


def snapshot(server: Server, label: str, detail: bool) -> list[dict[str, Any]]:
    rows = []
    for p in sorted(server.workers(), key=lambda p: p.pid):
        full = p.memory_full_info()
        row = {
            "pid": p.pid,
            "pss_mb": round(full.pss / MB, 1),
            "rss_mb": round(full.rss / MB, 1),
            "uss_mb": round(full.uss / MB, 1),
            "threads": p.num_threads(),
        }
        groups = smaps(p.pid)
        anon = groups["[heap]"] + groups["[anon]"]
        row["heap_anon_mb"] = round(anon / MB, 1)
        row["files_mb"] = round((sum(groups.values()) - anon) / MB, 1)
        rows.append(row)
        print(
            f"{label:>10}  pid {p.pid}: PSS {row['pss_mb']:6.1f}  RSS {row['rss_mb']:6.1f}  "
            f"USS {row['uss_mb']:6.1f}  heap+anon {row['heap_anon_mb']:6.1f}  "
            f"files {row['files_mb']:5.1f} MB  threads {row['threads']}",
            flush=True,
        )
        if detail:
            for name, size in groups.most_common(15):
                print(f"{'':>18}{size / MB:7.2f} MB  {name}")
    mean = sum(r["pss_mb"] for r in rows) / max(len(rows), 1)
    parent = psutil.Process(server.process.pid).memory_full_info().pss / MB
    print(
        f"{label:>10}  mean PSS per worker {mean:.1f} MB; supervisor {parent:.1f} MB; "
        f"API in all {sum(r['pss_mb'] for r in rows) + parent:.1f} MB",
        flush=True,
    )
    return rows


class CrsvServe(Server):
    """The API as `crsv serve` starts it (the same workers, under its own supervisor)."""

    def __init__(self, port: int, workers: int, env: dict[str, str]) -> None:
        self.name, self.port = "memory-crsv", port
        self.command = [str(Path(sys.executable).with_name("crsv")), "serve"]
        self.command += ["--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
        self.log_path = OUT / f"{self.name}.log"
        self._log = open(self.log_path, "wb")  # noqa: SIM115
        self.process = subprocess.Popen(
            self.command,
            cwd=Path(__file__).resolve().parent.parent,
            env={**os.environ, **env},
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.memory", description=__doc__)
    parser.add_argument("--database-url", default=BENCH_DATABASE)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--per-round", type=int, default=20, help="requests per URL per round")
    parser.add_argument("--concurrency", type=int, default=10)
    parser.add_argument("--depth-pages", type=int, default=10, help="pages of 500 to the cursor")
    parser.add_argument("--settle", type=float, default=2, help="idle seconds before reading")
    parser.add_argument("--smaps", action="store_true", help="PSS by mapping at the end")
    parser.add_argument(
        "--serve",
        choices=["uvicorn", "crsv"],
        default="uvicorn",
        help="start `python -m uvicorn` as bench/run.py does, or `crsv serve`",
    )
    parser.add_argument(
        "--env", action="append", default=[], help="KEY=VALUE for the API (repeatable)"
    )
    args = parser.parse_args(argv)
    OUT.mkdir(parents=True, exist_ok=True)
    env = {"CRSV_DATABASE_URL": args.database_url, "CRSV_LOG_LEVEL": "WARNING"}
    env.update(item.split("=", 1) for item in args.env)
    server: Server
    if args.serve == "crsv":
        server = CrsvServe(free_port(), args.workers, env)
    else:
        port = free_port()
        command = uvicorn_command("app.main:create_app", port, args.workers, factory=True)
        server = Server("memory-api", command, port, env)
    try:
        server.wait_ready("/healthz")
        while len(server.workers()) < args.workers:
            time.sleep(0.2)
        time.sleep(args.settle)
        snapshot(server, "start", args.smaps)
        urls = targets(server.base, args.depth_pages)
        with ThreadPoolExecutor(args.concurrency) as pool:
            for round_ in range(1, args.rounds + 1):
                work = [url for url in urls for _ in range(args.per_round)]
                list(pool.map(lambda url: fetch(server.base, url), work))
                time.sleep(args.settle)
                snapshot(server, f"round {round_}", args.smaps and round_ == args.rounds)
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
