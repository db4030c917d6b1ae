"""The benchmark's verdicts: issue 16's targets judged on a run's numbers, and rendered."""

from __future__ import annotations

from typing import Any

from bench import report


def _load(rps: float, p50: float, p99: float, cpu: float | None = None) -> dict[str, Any]:
    return {
        "rps": rps,
        "p50_ms": p50,
        "p99_ms": p99,
        "errors": 0,
        "requests": int(rps * 10),
        "seconds": 10.0,
        "cpu_ms_per_request": cpu,
        "postgres_cpu_ms_per_request": None,
    }


def _results() -> dict[str, Any]:
    first, deep = report.FIGURE_PAGES
    runs = [
        {"endpoint": first, "connections": 10, "ratio": 0.6},
        {"endpoint": deep, "connections": 10, "ratio": 0.4},
        {"endpoint": first, "connections": 1, "ratio": 0.5},
        {"endpoint": deep, "connections": 1, "ratio": 0.5},
        {"endpoint": report.SEARCH, "connections": 1, "ratio": 1.0},
        {"endpoint": report.OVERVIEW, "connections": 1, "ratio": 1.0},
    ]
    runs[0].update(api=_load(300, 30, 80, cpu=3.5), floor=_load(500, 20, 50, cpu=1.5))
    runs[1].update(api=_load(200, 40, 120, cpu=4.5), floor=_load(500, 20, 50, cpu=1.5))
    runs[2].update(api=_load(100, 10, 20), floor=_load(200, 5, 10))
    runs[3].update(api=_load(100, 11, 20), floor=_load(200, 5, 10))
    runs[4].update(api=_load(12, 80, 95), floor=_load(12, 80, 95))
    runs[5].update(api=_load(30, 31, 40), floor=_load(60, 15, 20))
    return {
        "figures": 1000,
        "targets": {"deep_pages_of_50": 3},
        "runs": runs,
        "soak": {
            "seconds": 30.0,
            "p99_ms": 1500.0,
            "requests": 900,
            "errors": 0,
            "non_2xx": 0,
            "socket_errors": 0,
        },
        "idle_memory": [
            {"pid": 11, "pss_mb": 65.0, "rss_mb": 90.0},
            {"pid": 12, "pss_mb": 71.0, "rss_mb": 95.0},
        ],
        "explorer": {
            "path": "/explore",
            "runs": 5,
            "bytes": 5837,
            "requests": 2,
            "interactive_ms": 1012.5,
            "load_ms": 1100.0,
        },
        "datasette_runs": [
            {
                "endpoint": first,
                "request": "filtered table page",
                "connections": 10,
                "datasette": _load(90, 100, 200),
                "api_rps": 300,
                "ratio": 3.33,
            },
            {
                "endpoint": report.SEARCH,
                "request": "custom SQL ordered by rank",
                "connections": 10,
                "datasette": {**_load(0, 0, 0), "requests": 0},
                "api_rps": 12,
                "ratio": None,
            },
        ],
    }


def test_each_target_is_judged_on_its_numbers() -> None:
    verdicts = {v["target"]: v["pass"] for v in report.verdicts(_results())}

    first, deep = report.FIGURE_PAGES
    assert verdicts == {
        f"{first} @10 conns: >= 50% of floor req/s and p99 <= 2x floor p99": True,
        f"{deep} @10 conns: >= 50% of floor req/s and p99 <= 2x floor p99": False,
        "worker CPU per figure page (first page, @10 conns) <= 4 ms": True,
        "worker CPU per figure page (deep page, @10 conns) <= 4 ms": False,
        "full-text search p50 @1 conn < 100 ms": True,
        "`/v1/stats/overview` p50 @1 conn < 30 ms": False,
        "50-connection soak (30 s, mixed URLs): p99 < 2 s, 0 errors": True,
        "idle memory per worker (PSS) < 70 MB": False,
        "deep page within 20% of first page (p50 @1 conn)": True,
        "explorer overview (`/explore`, cold load in chromium) < 300 KB transferred": True,
        "explorer overview (`/explore`) interactive < 1 s on loopback": False,
        f"API >= 3x Datasette: {first} vs filtered table page @10 conns": True,
        f"API >= 3x Datasette: {report.SEARCH} vs custom SQL ordered by rank @10 conns": True,
    }


def test_the_measured_numbers_are_quoted() -> None:
    measured = {v["target"]: v["measured"] for v in report.verdicts(_results())}

    assert measured["idle memory per worker (PSS) < 70 MB"] == (
        "worker 11: 65.0 MB (RSS 90.0 MB), worker 12: 71.0 MB (RSS 95.0 MB)"
    )
    first = report.FIGURE_PAGES[0]
    assert measured[f"API >= 3x Datasette: {first} vs filtered table page @10 conns"] == (
        "3.3x (300 vs 90 req/s; Datasette p50 100 ms, 0 errors)"
    )
    assert measured[
        f"API >= 3x Datasette: {report.SEARCH} vs custom SQL ordered by rank @10 conns"
    ] == ("Datasette answered no request in 10.0 s (12 API req/s)")


def test_the_explorer_is_judged_and_reported_with_its_medians() -> None:
    results = _results()
    measured = {v["target"]: v["measured"] for v in report.verdicts(results)}

    assert measured[
        "explorer overview (`/explore`, cold load in chromium) < 300 KB transferred"
    ] == ("5.7 KB in 2 requests (median of 5)")
    assert measured["explorer overview (`/explore`) interactive < 1 s on loopback"] == (
        "DOM interactive 1012.5 ms, load event end 1100.0 ms (median of 5)"
    )
    assert "| 5.7 KB | 2 | 1012.5 ms | 1100.0 ms |" in report._explorer(results)
    assert report._explorer({}) == []  # a run without the explorer (--no-explorer) says nothing
