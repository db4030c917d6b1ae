"""Targets of the 'Benchmark at scale' issue, and the RESULTS.md rendering of a run."""

from __future__ import annotations

from typing import Any

LIST_DETAIL = (
    "mission detail",
    "story detail",
    "activities by mission+objective",
    "figures by metric+mission, first page",
    "figures by metric+mission, deep page",
    "figures full-text search",
)


def _run(results: dict[str, Any], endpoint: str, connections: int) -> dict[str, Any] | None:
    for row in results.get("runs", []):
        if row["endpoint"] == endpoint and row["connections"] == connections:
            return row
    return None


def verdicts(results: dict[str, Any]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for endpoint in LIST_DETAIL:
        row = _run(results, endpoint, 10)
        if row is None:
            continue
        ratio = row["ratio"] or 0.0
        p99 = row["api"]["p99_ms"]
        out.append(
            {
                "target": f"{endpoint} @10 conns: >= 70% of floor rps and p99 < 25 ms",
                "pass": ratio >= 0.7 and p99 < 25 and row["api"]["errors"] == 0,
                "measured": f"{ratio:.0%} of floor ({row['api']['rps']} vs {row['floor']['rps']} "
                f"rps), p99 {p99} ms",
            }
        )
    first = _run(results, "figures by metric+mission, first page", 1)
    deep = _run(results, "figures by metric+mission, deep page", 1)
    if first and deep:
        a, b = first["api"]["p50_ms"], deep["api"]["p50_ms"]
        out.append(
            {
                "target": "deep page within 20% of first page (p50 @1 conn)",
                "pass": b <= a * 1.2,
                "measured": f"first {a} ms, deep {b} ms ({b / a - 1:+.0%}); "
                f"{results['targets'].get('deep_pages_of_50')} pages of 50 deep",
            }
        )
    stats = _run(results, "stats group_by=mission,metric", 1)
    if stats:
        out.append(
            {
                "target": f"grouped stats < 150 ms at {results['figures']:,} figures (p50 @1 conn)",
                "pass": stats["api"]["p50_ms"] < 150,
                "measured": f"p50 {stats['api']['p50_ms']} ms, p99 {stats['api']['p99_ms']} ms",
            }
        )
    copy = results.get("copy")
    for fmt, export in (results.get("exports") or {}).items():
        share = export["rows_per_s"] / copy["rows_per_s"] if copy else 0
        out.append(
            {
                "target": f"{fmt.upper()} export >= 50% of COPY rows/s and peak memory "
                "(PSS) < 200 MB",
                "pass": export["status"] == 200 and share >= 0.5 and export["peak_pss_mb"] < 200,
                "measured": f"{export['rows_per_s']:,} rows/s = {share:.0%} of COPY "
                f"({copy['rows_per_s']:,} rows/s); {export['seconds']} s; peak PSS "
                f"{export['peak_pss_mb']} MB (RSS {export['peak_rss_mb']} MB) over "
                f"{export['workers']} workers",
            }
        )
    soak = results.get("soak")
    if soak:
        out.append(
            {
                "target": f"50 connections for {soak['seconds']:.0f} s: zero errors",
                "pass": soak["errors"] == 0,
                "measured": f"{soak['requests']} requests, {soak['errors']} errors "
                f"({soak['non_2xx']} non-2xx, {soak['socket_errors']} socket), "
                f"p99 {soak['p99_ms']} ms",
            }
        )
    return out


def render(path: str = "bench/out/results.json", out: str = "bench/RESULTS.md") -> None:
    """Re-render RESULTS.md from a results.json: `python -m bench.report`."""
    from pathlib import Path

    import orjson

    results = orjson.loads(Path(path).read_bytes())
    results["verdicts"] = verdicts(results)
    Path(out).write_text(markdown(results))


def _cpu_table(runs: list[dict[str, Any]]) -> list[str]:
    """CPU per request at 10 connections: where each side's time goes."""
    rows = [r for r in runs if r["connections"] == 10 and "cpu_ms_per_request" in r["api"]]
    if not rows:
        return []
    lines = [
        "## CPU per request (10 connections)",
        "",
        "CPU seconds (user + system) the server's workers and PostgreSQL's processes spent "
        "during each run, divided by the requests answered. The workers' figure is what the "
        "framework, the ORM and the shaping of items cost beside the floor's bare driver calls.",
        "",
        "| endpoint | API workers ms | floor workers ms | PostgreSQL ms (API) "
        "| PostgreSQL ms (floor) |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        a, f = row["api"], row["floor"]
        lines.append(
            f"| {row['endpoint']} | {_ms(a['cpu_ms_per_request'])} "
            f"| {_ms(f['cpu_ms_per_request'])} | {_ms(a['postgres_cpu_ms_per_request'])} "
            f"| {_ms(f['postgres_cpu_ms_per_request'])} |"
        )
    return [*lines, ""]


def _ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def markdown(results: dict[str, Any]) -> str:
    m = results["machine"]
    db = results["database"]
    lines = [
        "# Benchmark results",
        "",
        f"Generated by `.venv/bin/python -m bench.run --figures {results['figures']} "
        f"--duration {results['duration_s']:g}` on {m['date']}.",
        "",
        "## Machine",
        "",
        f"- CPU: {m['cpu']}, {m['cores']} cores; RAM {m['ram_gb']} GB; {m['os']}",
        f"- PostgreSQL {m['postgres_version']} (shared_buffers {m['shared_buffers']}, "
        f"work_mem {m['work_mem']}, jit {m['jit']}), database {db['database']} "
        f"({m['database_size']})",
        f"- Python {m['python']}; load generator: {m['load_tool']} on loopback, same machine",
        f"- API: `{results['api_command']}` with `CRSV_LOG_LEVEL=WARNING`; "
        f"floor: `bench.floor:app` under the same uvicorn settings",
        "",
    ]
    counts = db.get("counts")
    if counts:
        lines += [
            f"Data: {', '.join(f'{v:,} {k}' for k, v in counts.items())}; "
            f"synthesized in {db['load_seconds']} s.",
            "",
        ]
    t = results["targets"]
    lines += [
        f"Deep page: {t['deep_rows']:,} rows ({t['deep_pages_of_50']} pages of 50) into "
        f"{t['filtered_figures']:,} matching figures. Story detail: `{t['story']}`.",
        "",
        "## Throughput and latency",
        "",
        "| endpoint | conns | API req/s | API p50 ms | API p99 ms | API errors | floor req/s "
        "| floor p50 ms | floor p99 ms | API/floor |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in results["runs"]:
        a, f = row["api"], row["floor"]
        lines.append(
            f"| {row['endpoint']} | {row['connections']} | {a['rps']} | {a['p50_ms']} | "
            f"{a['p99_ms']} | {a['errors']} | {f['rps']} | {f['p50_ms']} | {f['p99_ms']} | "
            f"{'n/a' if row['ratio'] is None else format(row['ratio'], '.0%')} |"
        )
    lines.append("")
    lines += _cpu_table(results["runs"])
    if results.get("exports"):
        c = results["copy"]
        lines += [
            "## Exports of every figure",
            "",
            "| what | rows | seconds | rows/s | MB/s | share of COPY | peak PSS (workers) "
            "| peak RSS (workers) |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
            f"| PostgreSQL `COPY (same SELECT) TO STDOUT`, read by {c.get('client', 'psycopg')} "
            f"| {c['rows']:,} | {c['seconds']} | "
            f"{c['rows_per_s']:,} | {c['mb_per_s']} | 100% | | |",
        ]
        for fmt, e in results["exports"].items():
            lines.append(
                f"| `/v1/exports/figures.{fmt}` | {e['rows']:,} | {e['seconds']} | "
                f"{e['rows_per_s']:,} | {e['mb_per_s']} | "
                f"{e['rows_per_s'] / c['rows_per_s']:.0%} | {e['peak_pss_mb']} MB "
                f"(idle {e['idle_pss_mb']} MB) | {e['peak_rss_mb']} MB "
                f"(idle {e['idle_rss_mb']} MB) |"
            )
        lines += [
            "",
            "Memory: RSS counts every page a worker maps, so the pages the workers share (the "
            "interpreter, the libraries) count once per worker. PSS splits each shared page "
            "between the processes sharing it, so the workers' PSS adds up to the memory the "
            "API holds; the memory target is judged on it.",
        ]
        lines.append("")
    if results.get("soak"):
        s = results["soak"]
        lines += [
            "## Soak",
            "",
            f"50 connections for {s['seconds']} s cycling over the list and detail URLs: "
            f"{s['requests']:,} requests ({s['rps']} req/s), {s['errors']} errors, "
            f"p50 {s['p50_ms']} ms, p99 {s['p99_ms']} ms, max {s['max_ms']} ms.",
            "",
        ]
    lines += ["## Targets", "", "| target | result | measured |", "| --- | --- | --- |"]
    for v in results["verdicts"]:
        lines.append(f"| {v['target']} | {'PASS' if v['pass'] else 'FAIL'} | {v['measured']} |")
    floor_p99 = {
        row["endpoint"]: row["floor"]["p99_ms"]
        for row in results["runs"]
        if row["connections"] == 10 and row.get("floor") and "stats" not in row["endpoint"]
    }
    if floor_p99:
        under = sorted(name for name, p99 in floor_p99.items() if p99 < 25)
        lines += [
            "",
            "p99 under 25 ms at 10 connections: the floor itself, with no framework at all, "
            f"meets it for {len(under)} of these {len(floor_p99)} endpoints"
            + (f" ({', '.join(under)})" if under else "")
            + f"; its p99 at 10 connections runs from {min(floor_p99.values())} to "
            f"{max(floor_p99.values())} ms. The load generator, two server processes and "
            "PostgreSQL share this machine's two cores.",
        ]
    lines += [
        "",
        "## Why two workers",
        "",
        f"The machine has {m['cores']} cores. The API's routes are synchronous (SQLAlchemy in "
        "the thread pool), so one uvicorn worker is bound by one core through the GIL; a second "
        "worker uses the second core. More workers than cores only add context switches and "
        "memory, and PostgreSQL and the load generator need CPU on the same two cores. The "
        "floor runs under exactly the same uvicorn settings.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    render()
