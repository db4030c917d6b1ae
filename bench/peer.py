"""The peer a data team would pick instead of the API: Datasette over a SQLite copy of the data.

The figures are read through the API's own export SELECT (every column the figure export
gives, in the API's default order), so Datasette's default rowid order is the API's `position`
sort and a page through `_next` lands on the same rows as the API's cursor. The file gets what
Datasette's documentation recommends for read-only data: indexes on the columns users filter
and facet by, an FTS5 table built by sqlite-utils with its triggers, ANALYZE; it is served
with `datasette serve -i` (immutable). Built once per database size in bench/.data and reused.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
import time
import urllib.parse
from pathlib import Path
from typing import Any

import sqlite_utils
from sqlalchemy import Date, DateTime, Engine, Integer, Numeric, SmallInteger

from app.exports.stream import export_statement, stream_rows
from app.queries.selection import Selection

TABLE = "figures"
SEARCHED = ("subject", "evidence")
"""The columns of Figure.search_vector (app/models/content.py): what the API's `q` searches."""
TOKENIZER = "porter"
"""Porter stemming (sqlite-utils' documented option): the API's search stems English words
too, so both find 'courts' for 'court' and their match counts compare."""
INDEXED = (
    ("mission",),
    ("metric",),
    ("objective",),
    ("year",),
    ("country",),
    ("qualifier",),
    ("activity_type",),
    ("story_id",),
    ("activity_id",),
    ("location_id",),
    ("date_start",),
    # the API has the same composite index for its commonest filter pair
    ("mission", "metric"),
)
"""Indexes on the columns Datasette users filter and facet by."""
BATCH = 5000

SETTINGS = {
    # Datasette's 1 s and 200 ms defaults cancel a count or a facet over 1,000,000 rows: the
    # peer must answer in full, like the API, rather than time out
    "sql_time_limit_ms": 60000,
    "facet_time_limit_ms": 60000,
    # every mission and every metric in one facet answer (there are 15 and 21)
    "default_facet_size": 100,
    # suggested facets are UI hints: up to one extra query per column on every table request
    "suggest_facets": "off",
}
"""`datasette serve --setting` values (the rest are Datasette's defaults, e.g. 3 SQL threads)."""


def _sqlite_type(column_type: Any) -> type:
    if isinstance(column_type, Integer | SmallInteger):
        return int
    if isinstance(column_type, Numeric):
        return float
    return str


def _value(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def build(engine: Engine, path: Path) -> dict[str, Any]:
    """Write every figure into a new SQLite file at `path` (replaced atomically when done)."""
    started = time.perf_counter()
    statement = export_statement("figures", Selection())
    columns = {column.name: column.type for column in statement.selected_columns}
    dates = [
        i for i, t in enumerate(columns.values()) if isinstance(t, Date | DateTime)
    ]  # SQLite has no date type: ISO text, as `sqlite-utils insert` stores them
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    db = sqlite_utils.Database(partial)
    try:
        # no primary key: a rowid table, so Datasette's default order is the insertion order
        db[TABLE].create({name: _sqlite_type(t) for name, t in columns.items()})  # type: ignore[union-attr]
        insert = (
            f"INSERT INTO {TABLE} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
        )
        batch: list[tuple[Any, ...]] = []
        rows = 0
        with db.conn:
            for row in stream_rows(engine, statement):
                values = tuple(row)
                if dates:
                    values = tuple(_value(v) for v in values)
                batch.append(values)
                if len(batch) >= BATCH:
                    db.conn.executemany(insert, batch)
                    rows += len(batch)
                    batch.clear()
            db.conn.executemany(insert, batch)
            rows += len(batch)
        loaded = time.perf_counter() - started
        table = db.table(TABLE)
        for indexed in INDEXED:
            table.create_index(list(indexed))
        table.enable_fts(
            list(SEARCHED), fts_version="FTS5", create_triggers=True, tokenize=TOKENIZER
        )
        db.conn.execute("ANALYZE")
        db.conn.commit()
    finally:
        db.close()
    partial.replace(path)
    return {
        "rows": rows,
        "load_seconds": round(loaded, 1),
        "build_seconds": round(time.perf_counter() - started, 1),
        "bytes": path.stat().st_size,
    }


def row_count(path: Path) -> int | None:
    """Figures in the SQLite file at `path`, or None when it is missing or unfinished."""
    if not path.exists():
        return None
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
            has_fts = conn.execute(
                "SELECT count(*) FROM sqlite_master WHERE name = ?", (f"{TABLE}_fts",)
            ).fetchone()[0]
            if not has_fts:
                return None
            return int(conn.execute(f"SELECT count(*) FROM {TABLE}").fetchone()[0])
    except sqlite3.Error:
        return None


def prepare(engine: Engine, path: Path, figures: int, *, force: bool = False) -> dict[str, Any]:
    """The SQLite file for `figures` figures: reused when it holds that many, else built."""
    if not force and row_count(path) == figures:
        return {"path": str(path), "reused": True, "bytes": path.stat().st_size}
    return {"path": str(path), "reused": False, **build(engine, path)}


def serve_command(python: str, path: Path, port: int) -> list[str]:
    """`datasette serve -i FILE` (immutable: Datasette's mode for data nothing else writes)."""
    command = [python, "-m", "datasette", "serve", "-i", str(path)]
    command += ["--host", "127.0.0.1", "--port", str(port)]
    for name, value in SETTINGS.items():
        command += ["--setting", name, str(value)]
    return command


def ranked_search_sql() -> str:
    """What Datasette's docs suggest for relevance order: custom SQL ordered by FTS5's rank
    (table searches through `_search` are not ranked). The total comes with the rows."""
    return (
        f"select f.rowid, f.*, count(*) over () as total from {TABLE} f "
        f"join {TABLE}_fts on {TABLE}_fts.rowid = f.rowid "
        f"where {TABLE}_fts match escape_fts(:q) order by {TABLE}_fts.rank limit 50"
    )


def equivalents(database: str, q: str) -> dict[str, dict[str, str]]:
    """API endpoint name -> {Datasette request label: URL} of the same question."""
    table = f"/{database}/{TABLE}.json"
    first = f"{table}?metric=trainees&mission=MONUSCO&_size=50&_shape=objects"
    search = f"{table}?_search={urllib.parse.quote(q)}&_size=50&_shape=objects"
    ranked = urllib.parse.urlencode({"sql": ranked_search_sql(), "q": q, "_shape": "objects"})
    return {
        "figures by metric+mission, first page": {"filtered table page": first},
        "figures by metric+mission, deep page": {"filtered table page after _next": first},
        "figures full-text search": {"custom SQL ordered by rank": f"/{database}.json?{ranked}"},
        "figures full-text search, list order": {"_search (table order, not ranked)": search},
        "stats group_by=mission,metric": {
            "facets mission and metric": f"{table}?_facet=mission&_facet=metric&_size=0"
            "&_shape=objects"
        },
    }
