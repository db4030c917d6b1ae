"""Targets of the 'Benchmark at scale' issue (16) and of the explorer (issue 18), and the
RESULTS.md rendering of a run."""

from __future__ import annotations

from typing import Any

from bench.explorer import TARGET_BYTES, TARGET_INTERACTIVE_MS

LIST_DETAIL = (
    "mission detail",
    "story detail",
    "activities by mission+objective",
    "figures by metric+mission, first page",
    "figures by metric+mission, deep page",
)
FIGURE_PAGES = ("figures by metric+mission, first page", "figures by metric+mission, deep page")
SEARCH = "figures full-text search"
OVERVIEW = "stats overview"
GROUPED = "stats group_by=mission,metric"


def _run(results: dict[str, Any], endpoint: str, connections: int) -> dict[str, Any] | None:
    row: dict[str, Any]
    for row in results.get("runs", []):
        if row["endpoint"] == endpoint and row["connections"] == connections:
            return row
    return None


def verdicts(results: dict[str, Any]) -> list[dict[str, Any]]:
    """The targets of issues 16 and 18, each with PASS/FAIL and the numbers it was judged on."""
    out: list[dict[str, Any]] = []

    def judge(target: str, passed: bool, measured: str) -> None:
        out.append({"target": target, "pass": passed, "measured": measured})

    for endpoint in LIST_DETAIL:
        row = _run(results, endpoint, 10)
        if row is None or "floor" not in row:
            continue
        ratio = row["ratio"] or 0.0
        a, f = row["api"], row["floor"]
        judge(
            f"{endpoint} @10 conns: >= 50% of floor req/s and p99 <= 2x floor p99",
            ratio >= 0.5 and a["p99_ms"] <= 2 * f["p99_ms"] and a["errors"] == 0,
            f"{ratio:.0%} of floor ({a['rps']} vs {f['rps']} req/s); p99 {a['p99_ms']} ms vs "
            f"floor {f['p99_ms']} ms ({a['p99_ms'] / f['p99_ms']:.1f}x); {a['errors']} errors",
        )
    for endpoint in FIGURE_PAGES:
        row = _run(results, endpoint, 10)
        cpu = row["api"].get("cpu_ms_per_request") if row else None
        if row is None or cpu is None:
            continue
        floor_cpu = row.get("floor", {}).get("cpu_ms_per_request")
        judge(
            f"worker CPU per figure page ({endpoint.split(', ')[-1]}, @10 conns) <= 4 ms",
            cpu <= 4,
            f"{cpu} ms per request" + (f" (floor {floor_cpu} ms)" if floor_cpu else ""),
        )
    search = _run(results, SEARCH, 1)
    if search:
        judge(
            "full-text search p50 @1 conn < 100 ms",
            search["api"]["p50_ms"] < 100 and search["api"]["errors"] == 0,
            f"p50 {search['api']['p50_ms']} ms, p99 {search['api']['p99_ms']} ms",
        )
    overview = _run(results, OVERVIEW, 1)
    if overview:
        judge(
            "`/v1/stats/overview` p50 @1 conn < 30 ms",
            overview["api"]["p50_ms"] < 30 and overview["api"]["errors"] == 0,
            f"p50 {overview['api']['p50_ms']} ms, p99 {overview['api']['p99_ms']} ms",
        )
    soak = results.get("soak")
    if soak:
        judge(
            f"50-connection soak ({soak['seconds']:.0f} s, mixed URLs): p99 < 2 s, 0 errors",
            soak["p99_ms"] < 2000 and soak["errors"] == 0,
            f"p99 {soak['p99_ms']} ms; {soak['requests']} requests, {soak['errors']} errors "
            f"({soak['non_2xx']} non-2xx, {soak['socket_errors']} socket)",
        )
    idle = results.get("idle_memory")
    if idle:
        judge(
            "idle memory per worker (PSS) < 70 MB",
            all(w["pss_mb"] < 70 for w in idle),
            ", ".join(f"worker {w['pid']}: {w['pss_mb']} MB (RSS {w['rss_mb']} MB)" for w in idle),
        )
    first = _run(results, FIGURE_PAGES[0], 1)
    deep = _run(results, FIGURE_PAGES[1], 1)
    if first and deep:
        a, b = first["api"]["p50_ms"], deep["api"]["p50_ms"]
        judge(
            "deep page within 20% of first page (p50 @1 conn)",
            b <= a * 1.2,
            f"first {a} ms, deep {b} ms ({b / a - 1:+.0%}); "
            f"{results['targets'].get('deep_pages_of_50')} pages of 50 deep",
        )
    stats = _run(results, GROUPED, 1)
    if stats:
        judge(
            f"grouped stats < 150 ms at {results['figures']:,} figures (p50 @1 conn)",
            stats["api"]["p50_ms"] < 150,
            f"p50 {stats['api']['p50_ms']} ms, p99 {stats['api']['p99_ms']} ms",
        )
    copy: dict[str, Any] = results.get("copy") or {"rows_per_s": 0}
    for fmt, export in (results.get("exports") or {}).items():
        share = export["rows_per_s"] / copy["rows_per_s"] if copy["rows_per_s"] else 0
        judge(
            f"{fmt.upper()} export >= 50% of COPY rows/s and peak memory (PSS) < 200 MB",
            export["status"] == 200 and share >= 0.5 and export["peak_pss_mb"] < 200,
            f"{export['rows_per_s']:,} rows/s = {share:.0%} of COPY "
            f"({copy['rows_per_s']:,} rows/s); {export['seconds']} s; peak PSS "
            f"{export['peak_pss_mb']} MB (RSS {export['peak_rss_mb']} MB) over "
            f"{export['workers']} workers",
        )
    explorer = results.get("explorer")
    if explorer:
        judge(
            f"explorer overview (`{explorer['path']}`, cold load in chromium) < 300 KB transferred",
            explorer["bytes"] < TARGET_BYTES,
            f"{explorer['bytes'] / 1024:.1f} KB in {explorer['requests']} requests "
            f"(median of {explorer['runs']})",
        )
        judge(
            f"explorer overview (`{explorer['path']}`) interactive < 1 s on loopback",
            explorer["interactive_ms"] < TARGET_INTERACTIVE_MS,
            f"DOM interactive {explorer['interactive_ms']} ms, load event end "
            f"{explorer['load_ms']} ms (median of {explorer['runs']})",
        )
    for row in results.get("datasette_runs", []):
        if row["connections"] != 10:
            continue
        d = row["datasette"]
        target = f"API >= 3x Datasette: {row['endpoint']} vs {row['request']} @10 conns"
        if not d["requests"]:  # not one answer within the run: no rate to compare
            judge(
                target,
                row["api_rps"] > 0,
                f"Datasette answered no request in {d['seconds']} s ({row['api_rps']} API req/s)",
            )
            continue
        ratio = row["ratio"] or 0.0
        judge(
            target,
            ratio >= 3,
            f"{ratio:.1f}x ({row['api_rps']} vs {d['rps']} req/s; Datasette p50 {d['p50_ms']} "
            f"ms, {d['errors']} errors)",
        )
    return out


def render(path: str = "bench/out/results.json", out: str = "bench/RESULTS.md") -> None:
    """Re-render RESULTS.md from a results.json: `python -m bench.report`."""
    from pathlib import Path

    import orjson

    results = orjson.loads(Path(path).read_bytes())
    results["verdicts"] = verdicts(results)
    Path(out).write_text(markdown(results))


def _share(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0%}"


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
        "framework, the ORM and the shaping of items cost beside the floor's bare driver calls. "
        "The busiest worker's share is its part of its server's worker CPU in that run: 50% is "
        "an even split of the run's connections between the two workers; near 100%, one worker "
        "served most of the run, and its rate was then capped near one core's.",
        "",
        "| endpoint | API workers ms | floor workers ms | PostgreSQL ms (API) "
        "| PostgreSQL ms (floor) | busiest API worker | busiest floor worker |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in rows:
        a, f = row["api"], row.get("floor") or {}
        lines.append(
            f"| {row['endpoint']} | {_ms(a['cpu_ms_per_request'])} "
            f"| {_ms(f.get('cpu_ms_per_request'))} | {_ms(a['postgres_cpu_ms_per_request'])} "
            f"| {_ms(f.get('postgres_cpu_ms_per_request'))} "
            f"| {_share(a.get('busiest_worker_share'))} "
            f"| {_share(f.get('busiest_worker_share'))} |"
        )
    return [*lines, ""]


def _idle_memory(results: dict[str, Any]) -> list[str]:
    idle = results.get("idle_memory")
    if not idle:
        return []
    lines = [
        "## Idle memory per worker",
        "",
        "Each API worker's memory after the load runs (and the soak), once idle, before the "
        "exports. PSS splits the pages the workers share between them; RSS counts them in each.",
        "",
        "| worker pid | PSS MB | RSS MB |",
        "| --- | ---: | ---: |",
    ]
    lines += [f"| {w['pid']} | {w['pss_mb']} | {w['rss_mb']} |" for w in idle]
    return [*lines, ""]


def _datasette(results: dict[str, Any]) -> list[str]:
    """The peer: how it was built and served, then API against Datasette on each request."""
    peer = results.get("datasette")
    runs = results.get("datasette_runs") or []
    if not peer or not runs:
        return []
    settings = ", ".join(f"`{k} {v}`" for k, v in (peer.get("settings") or {}).items())
    size = peer.get("bytes", 0) / 2**20
    lines = [
        "## The peer: Datasette",
        "",
        "The same figures, read through the API's own export SELECT (every column of "
        "`/v1/exports/figures.csv`), inserted into SQLite in the API's default order, so that "
        "Datasette's default rowid order is the API's `position` sort and `_next` walks the "
        "same rows as the API's cursor. One table `figures` with indexes on the filter and "
        "facet columns (mission, metric, objective, year, country, qualifier, activity type, "
        "story, activity, location, date, and mission+metric as the API has), the FTS5 table "
        "sqlite-utils builds (`enable_fts(['subject', 'evidence'], fts_version='FTS5', "
        "create_triggers=True, tokenize='porter')`: the columns and the stemming of the API's "
        "search), then `ANALYZE`"
        + (f"; {size:,.0f} MB" if size else "")
        + (
            f", built in {peer['build_seconds']} s."
            if peer.get("build_seconds")
            else " (reused from bench/.data)."
        ),
        "",
        f"Served by `{peer.get('command', 'datasette serve -i')}`: immutable mode (`-i`), "
        "which Datasette recommends for data nothing else writes (no locking or change "
        "checks, row counts cached at start-up); one process, as `datasette serve` runs, its "
        "queries in Datasette's default 3 SQL threads. Settings: "
        f"{settings}. The time limits are raised from 1 s and 200 ms so that a count or a "
        "facet over every figure completes instead of being cancelled; the facet size shows "
        "every mission and metric; suggested facets (extra queries the HTML interface uses) "
        "are off. Every Datasette request was checked before being measured: HTTP 200, the "
        "rows expected, and on the filtered and deep pages the very figures (ids) and total "
        "the API answers.",
        "",
        "Equivalent requests:",
        "",
    ]
    for endpoint, requests in (peer.get("urls") or {}).items():
        for label, url in requests.items():
            check = (peer.get("checks") or {}).get(f"{endpoint}: {label}", {})
            facts = ", ".join(f"{k} {v}" for k, v in check.items())
            lines.append(f"- {endpoint} — {label}: `{url}` ({facts})")
    lines += [
        "",
        "Datasette's `_search` filters the table by the FTS match and keeps the table order "
        "(it does not rank): it is measured against the API's search in its list order "
        "(`q` with `sort=position`), which answers the very figures. Ranking needs custom SQL "
        "ordered by FTS5's `rank`, measured against the API's ranked search (`q` alone). "
        "Its facets count each column apart (missions, then metrics), where "
        "the API's `group_by=mission,metric` counts and sums every pair: the closest request "
        "Datasette has, and less work. Both Datasette search requests count every match; "
        'the API\'s search counts up to 1,001 and then answers `"total": 1000, '
        '"total_qualifier": "more_than"` (README, Search).',
        "",
        "### API vs Datasette",
        "",
        "| endpoint | Datasette request | conns | API req/s | Datasette req/s | Datasette p50 ms "
        "| Datasette p99 ms | Datasette errors | Datasette CPU ms/request | API/Datasette |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in runs:
        d = row["datasette"]
        lines.append(
            f"| {row['endpoint']} | {row['request']} | {row['connections']} | {row['api_rps']} "
            f"| {d['rps']} | {d['p50_ms']} | {d['p99_ms']} | {d['errors']} "
            f"| {_ms(d.get('cpu_ms_per_request'))} "
            f"| {'n/a' if row['ratio'] is None else format(row['ratio'], '.1f') + 'x'} |"
            if d["requests"]
            else f"| {row['endpoint']} | {row['request']} | {row['connections']} "
            f"| {row['api_rps']} | none answered in {d['seconds']} s | | | {d['errors']} | | |"
        )
    return [*lines, ""]


def _explorer(results: dict[str, Any]) -> list[str]:
    """The explorer's overview as a browser loads it, from the same API server."""
    explorer = results.get("explorer")
    if not explorer:
        return []
    return [
        "## The explorer's overview in a browser",
        "",
        f"`{explorer['path']}` on the API above, loaded {explorer['runs']} times by Debian's "
        "chromium (Playwright, `bench/explorer.py`), each in a fresh context with an empty cache, "
        "after every other measurement. Bytes are the responses' headers and encoded bodies; "
        "times run from the navigation's start, so the server's work counts. Medians:",
        "",
        "| transferred | requests | DOM interactive | load event end |",
        "| ---: | ---: | ---: | ---: |",
        f"| {explorer['bytes'] / 1024:.1f} KB | {explorer['requests']} "
        f"| {explorer['interactive_ms']} ms | {explorer['load_ms']} ms |",
        "",
    ]


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
        f"(uvicorn workers forked from a process that imported the app); floor: "
        f"`bench.floor:app` under plain uvicorn with as many workers",
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
        a, f = row["api"], row.get("floor") or {}
        lines.append(
            f"| {row['endpoint']} | {row['connections']} | {a['rps']} | {a['p50_ms']} | "
            f"{a['p99_ms']} | {a['errors']} | {f.get('rps', 'n/a')} | {f.get('p50_ms', 'n/a')} "
            f"| {f.get('p99_ms', 'n/a')} | "
            f"{'n/a' if row['ratio'] is None else format(row['ratio'], '.0%')} |"
        )
    lines.append("")
    if any(row["endpoint"] == OVERVIEW for row in results["runs"]):
        lines += [
            "The API answers the overview from the answer it keeps for the version of the data "
            "(README, *How the hot read path is built*); the floor replays the statements of "
            "the first request, which read it from the rollups, so its overview is what "
            "reading it costs.",
            "",
        ]
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
    lines += _idle_memory(results)
    lines += _datasette(results)
    lines += _explorer(results)
    lines += ["## Targets", "", "| target | result | measured |", "| --- | --- | --- |"]
    for v in results["verdicts"]:
        lines.append(f"| {v['target']} | {'PASS' if v['pass'] else 'FAIL'} | {v['measured']} |")
    lines += [
        "",
        "## Why two workers",
        "",
        f"The machine has {m['cores']} cores. The API's routes are synchronous (SQLAlchemy in "
        "the thread pool), so one uvicorn worker is bound by one core through the GIL; a second "
        "worker uses the second core. More workers than cores only add context switches and "
        "memory, and PostgreSQL and the load generator need CPU on the same two cores. The "
        "floor runs as many uvicorn workers.",
        "",
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    render()
