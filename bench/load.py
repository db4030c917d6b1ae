"""Closed-loop HTTP load on loopback: `wrk` when it is on PATH, else a raw asyncio client.

Both report requests/s, p50/p99 latency and errors (socket errors, timeouts and non-2xx).
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

WRK_SCRIPT = r"""
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'JSON{"requests":%d,"duration_us":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,'
    .. '"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"bytes":%d}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    latency.max, e.connect, e.read, e.write, e.status, e.timeout, summary.bytes))
end
"""


@dataclass
class LoadResult:
    tool: str
    connections: int
    seconds: float
    requests: int
    rps: float
    p50_ms: float
    p99_ms: float
    max_ms: float
    errors: int
    non_2xx: int
    socket_errors: int
    mb_per_s: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def have_wrk() -> bool:
    return shutil.which("wrk") is not None


def run_load(url: str, connections: int, seconds: float, *, prefer_wrk: bool = True) -> LoadResult:
    if prefer_wrk and have_wrk():
        return _wrk(url, connections, seconds)
    return asyncio.run(_python_load(url, connections, seconds))


def _wrk(url: str, connections: int, seconds: float, extra: str = "") -> LoadResult:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(extra + WRK_SCRIPT)
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t1",
                f"-c{connections}",
                f"-d{max(1, round(seconds))}s",
                "--timeout",
                "30s",
                "-s",
                script.name,
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        Path(script.name).unlink(missing_ok=True)
    line = next(x for x in out.splitlines() if x.startswith("JSON"))
    data = json.loads(line[4:])
    duration = data["duration_us"] / 1e6
    socket_errors = data["connect"] + data["read"] + data["write"] + data["timeout"]
    return LoadResult(
        tool="wrk",
        connections=connections,
        seconds=round(duration, 2),
        requests=data["requests"],
        rps=round(data["requests"] / duration, 1),
        p50_ms=round(data["p50_us"] / 1000, 2),
        p99_ms=round(data["p99_us"] / 1000, 2),
        max_ms=round(data["max_us"] / 1000, 2),
        errors=socket_errors + data["status"],
        non_2xx=data["status"],
        socket_errors=socket_errors,
        mb_per_s=round(data["bytes"] / duration / 1e6, 2),
    )


# --- fallback: a small asyncio HTTP/1.1 keep-alive client ----------------------------------------


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, int]:
    """(status, body bytes) of one response; handles Content-Length and chunked bodies."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length = None
    chunked = False
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"transfer-encoding" and b"chunked" in value.lower():
            chunked = True
    size = 0
    if chunked:
        while True:
            size_line = await reader.readuntil(b"\r\n")
            chunk = int(size_line.split(b";")[0], 16)
            if chunk == 0:
                await reader.readuntil(b"\r\n")
                break
            await reader.readexactly(chunk + 2)
            size += chunk
    elif length:
        await reader.readexactly(length)
        size = length
    return status, size + len(head)


async def _python_load(
    url: str, connections: int, seconds: float, paths: list[str] | None = None
) -> LoadResult:
    from itertools import cycle
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    targets = paths or [parts.path + (f"?{parts.query}" if parts.query else "")]
    requests = cycle([f"GET {t} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode() for t in targets])
    latencies: list[float] = []
    counters = {"non_2xx": 0, "socket": 0, "bytes": 0}
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        reader = writer = None
        while time.perf_counter() < deadline:
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection(host, port)
                assert reader is not None
                started = time.perf_counter()
                writer.write(next(requests))
                status, size = await asyncio.wait_for(_read_response(reader), 30)
                latencies.append(time.perf_counter() - started)
                counters["bytes"] += size
                if not 200 <= status < 300:
                    counters["non_2xx"] += 1
            except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError):
                counters["socket"] += 1
                if writer is not None:
                    writer.close()
                reader = writer = None
        if writer is not None:
            writer.close()

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    duration = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> float:
        if not latencies:
            return 0.0
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000, 2)

    return LoadResult(
        tool="python-asyncio",
        connections=connections,
        seconds=round(duration, 2),
        requests=len(latencies),
        rps=round(len(latencies) / duration, 1),
        p50_ms=pct(0.50),
        p99_ms=pct(0.99),
        max_ms=pct(1.0),
        errors=counters["non_2xx"] + counters["socket"],
        non_2xx=counters["non_2xx"],
        socket_errors=counters["socket"],
        mb_per_s=round(counters["bytes"] / duration / 1e6, 2),
    )


def run_mixed(
    base: str, paths: list[str], connections: int, seconds: float, *, prefer_wrk: bool = True
) -> LoadResult:
    """Like `run_load`, cycling through several paths (the soak test)."""
    if prefer_wrk and have_wrk():
        lua_paths = ", ".join(json.dumps(p) for p in paths)
        mix = (
            f"local paths = {{{lua_paths}}}\nlocal i = 0\n"
            "request = function()\n  i = i % #paths + 1\n"
            "  return wrk.format('GET', paths[i])\nend\n"
        )
        return _wrk(base + paths[0], connections, seconds, extra=mix)
    return asyncio.run(_python_load(base + paths[0], connections, seconds, paths=paths))
