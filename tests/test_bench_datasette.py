"""The benchmark's Datasette peer: the SQLite file holds every figure, in the API's order, and
its full-text index finds what the API's search finds (Datasette itself is not started)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from app.models import Figure
from app.queries.figures import SPEC
from app.queries.listing import search_condition
from bench import peer
from bench.synth.synthesize import synthesize

FIGURES = 500


@pytest.fixture
def built(scratch_engine: Engine, tmp_path: Path) -> Path:
    synthesize(scratch_engine, FIGURES)
    path = tmp_path / "crsv_bench_500.db"
    info = peer.prepare(scratch_engine, path, FIGURES)
    assert (info["reused"], info["rows"]) == (False, FIGURES)
    return path


def _pg_search(engine: Engine, q: str) -> set[str]:
    with engine.connect() as connection:
        return set(connection.scalars(select(Figure.key).where(search_condition(SPEC, q))))


def _fts_search(path: Path, q: str) -> set[str]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT id FROM figures WHERE rowid IN "
            "(SELECT rowid FROM figures_fts WHERE figures_fts MATCH ?)",
            (q,),
        )
        return {row[0] for row in rows}


def test_the_sqlite_file_holds_every_figure_in_report_order(
    scratch_engine: Engine, built: Path
) -> None:
    with scratch_engine.connect() as connection:
        in_order = list(
            connection.scalars(select(Figure.key).order_by(Figure.order_key, Figure.id))
        )
    with sqlite3.connect(built) as conn:
        by_rowid = [row[0] for row in conn.execute("SELECT id FROM figures ORDER BY rowid")]
        indexes = {
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        }
        triggers = {
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        }
        fts_rows = conn.execute("SELECT count(*) FROM figures_fts").fetchone()[0]

    assert len(by_rowid) == FIGURES
    assert by_rowid == in_order
    assert fts_rows == FIGURES
    assert "idx_figures_mission_metric" in indexes
    assert triggers == {"figures_ai", "figures_ad", "figures_au"}
    assert peer.row_count(built) == FIGURES


def test_fts_finds_the_rows_the_api_search_finds(scratch_engine: Engine, built: Path) -> None:
    for word in ("court", "courts", "trained", "mobile court"):
        expected = _pg_search(scratch_engine, word)
        assert expected, word
        assert _fts_search(built, " ".join(f'"{w}"' for w in word.split())) == expected, word


def test_an_existing_file_of_the_same_size_is_reused(scratch_engine: Engine, built: Path) -> None:
    info = peer.prepare(scratch_engine, built, FIGURES)

    assert info == {"path": str(built), "reused": True, "bytes": built.stat().st_size}
