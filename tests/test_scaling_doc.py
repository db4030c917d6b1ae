"""docs/scaling.md quotes its measurements from the committed reports, not from memory: each
measured number in its tables is the one bench/RESULTS.md or bench/SCALE.md holds now."""

from __future__ import annotations

import re

from app.config import PROJECT_ROOT

DOC = (PROJECT_ROOT / "docs" / "scaling.md").read_text()
RESULTS = (PROJECT_ROOT / "bench" / "RESULTS.md").read_text()
SCALE = (PROJECT_ROOT / "bench" / "SCALE.md").read_text()


def section(text: str, heading: str) -> str:
    """The text under `heading` (a Markdown heading line), up to the next heading."""
    start = text.index(heading + "\n") + len(heading) + 1
    following = re.search(r"^#{1,6} ", text[start:], re.MULTILINE)
    return text[start : start + following.start()] if following else text[start:]


def rows(text: str) -> list[list[str]]:
    """The cells of every table row but header and rule lines."""
    found = []
    for line in text.splitlines():
        if line.startswith("|") and not line.startswith("| ---"):
            found.append([cell.strip() for cell in line.strip().strip("|").split("|")])
    return found[1:] if found else []


def test_the_one_million_figure_table_is_bench_results() -> None:
    throughput = {
        row[0]: row[2]
        for row in rows(section(RESULTS, "## Throughput and latency"))
        if row[1] == "10"
    }
    cpu = {
        row[0]: (row[1], row[3])
        for row in rows(section(RESULTS, "## CPU per request (10 connections)"))
    }
    quoted = rows(section(DOC, "### At 1,000,000 figures (bench/RESULTS.md, 10 connections)"))
    assert {row[0] for row in quoted} == set(cpu) == set(throughput)
    for endpoint, rate, api_ms, pg_ms in quoted:
        assert (rate, (api_ms, pg_ms)) == (throughput[endpoint], cpu[endpoint]), endpoint


def test_the_database_size_is_bench_results() -> None:
    match = re.search(r"database crsv_bench_1000000 \((\d+) MB\)", RESULTS)
    assert match is not None
    assert f"{int(match.group(1)):,} MB" in section(DOC, "## What was measured, and where")
    assert f"takes {int(match.group(1)):,} MB (measured" in DOC


def test_the_read_and_write_figures_are_bench_scale() -> None:
    measured = rows(SCALE)
    quoted = rows(section(DOC, "### Reads (bench/SCALE.md, 2023 report, busy machine)"))
    assert [row[1:] for row in quoted] == [row[1:] for row in measured]
    writes = re.search(
        r"writes \(PATCH, 1 client\): ([\d.]+)/s; WAL (\d+) bytes per write; "
        r"replica lag right after: ([\d.]+) s",
        SCALE,
    )
    assert writes is not None
    rate, wal, lag = writes.groups()
    quoted_writes = section(DOC, "### Writes (bench/SCALE.md)")
    assert f"reached {rate} writes/s" in quoted_writes
    assert f"**{int(wal):,} bytes of WAL**" in quoted_writes
    assert f"**{lag} s** behind" in quoted_writes
