"""The benchmark's synthesizer: a small data set lands whole, in exact counts, schema intact."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

from bench.synth.synthesize import synthesize

FIGURES = 500

COUNTS = {
    "metric": 21,
    "activity_type": 16,
    "objective": 5,
    "country": 15,
    "mission": 15,
    "location": 419,
    "partner": 443,
    "report": 16,
    "story": 123,
    "story_mission": 133,
    "story_country": 142,
    "activity": 327,
    "activity_location": 368,
    "activity_partner": 456,
    "figure": FIGURES,
}
"""Rows per table for `FIGURES` figures at the default seed (2023) over the real seeds."""


def _schema(engine: Engine) -> set[tuple[str, str]]:
    """Every constraint and index by name and definition: what the load sets aside and restores."""
    with engine.connect() as connection:
        constraints = connection.execute(
            text(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE connamespace = 'public'::regnamespace"
            )
        )
        indexes = connection.execute(
            text("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'")
        )
        return {(row[0], row[1]) for row in [*constraints, *indexes]}


def test_synthesize_fills_an_empty_database_in_exact_counts(scratch_engine: Engine) -> None:
    before = _schema(scratch_engine)

    counts = synthesize(scratch_engine, FIGURES)

    assert counts == COUNTS
    with scratch_engine.connect() as connection:
        per_edition = connection.execute(
            text(
                "SELECT r.edition_year, count(f.id) FROM report r "
                "LEFT JOIN story s ON s.report_id = r.id LEFT JOIN figure f ON f.story_id = s.id "
                "GROUP BY r.edition_year ORDER BY r.edition_year"
            )
        ).all()
        assert [tuple(row) for row in per_edition] == [
            (year, 32 if year < 2019 else 31) for year in range(2015, 2031)
        ]
        # the sequences continue after the loaded ids, so the write API can add rows
        assert connection.scalar(text("SELECT nextval('figure_id_seq')")) == FIGURES + 1
    assert _schema(scratch_engine) == before


def test_synthesize_refuses_a_database_that_holds_data(scratch_engine: Engine) -> None:
    synthesize(scratch_engine, 16)

    with pytest.raises(ValueError) as raised:
        synthesize(scratch_engine, 16)

    assert str(raised.value) == "table metric is not empty; synthesize needs an empty DB"
