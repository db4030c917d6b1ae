"""Loading the seeds: idempotent, upserting by key, pruning, all-or-nothing."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import DBAPIError

from app.models import Figure, Partner
from app.seeding.changes import Change
from app.seeding.loader import apply_seeds
from app.seeding.reader import EditionSeeds, SeedSet
from app.seeding.schemas import StorySeed


def _count(engine: Engine, model: type) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(model)) or 0


def with_stories(seeds: SeedSet, stories: list[StorySeed]) -> SeedSet:
    """A copy of the seeds whose (single) edition holds `stories` instead."""
    edition = seeds.editions[0]
    replaced = EditionSeeds(edition.report, stories, edition.exclusions, edition.folder)
    return replace(seeds, editions=[replaced])


def test_first_load_creates_everything_and_second_changes_nothing(
    scratch_engine: Engine, seeds: SeedSet
) -> None:
    first = apply_seeds(scratch_engine, seeds)
    assert first.count("create") == len(first.changes) == 329
    # one record per entry of each seed file (stories: one per file, with their activities)
    assert Counter(change.table for change in first.changes) == {
        "activity": 85,
        "partner": 65,
        "figure": 49,
        "location": 44,
        "story": 33,
        "metric": 21,
        "activity_type": 16,
        "country": 6,
        "objective": 5,
        "mission": 4,
        "report": 1,
    }
    assert _count(scratch_engine, Figure) == 49
    second = apply_seeds(scratch_engine, seeds)
    assert second.changes == []
    assert second.summary() == "0 changes"


def test_editing_one_record_updates_only_that_record(
    scratch_engine: Engine, seeds: SeedSet
) -> None:
    apply_seeds(scratch_engine, seeds)
    partners = [
        p.model_copy(update={"name": "United Nations Population Fund (renamed)"})
        if p.key == "unfpa"
        else p
        for p in seeds.partners
    ]
    edited = replace(seeds, partners=partners)
    result = apply_seeds(scratch_engine, edited)
    assert result.changes == [Change("update", "partner", "unfpa", ("name",))]
    with scratch_engine.connect() as connection:
        assert connection.scalar(select(Partner.name).where(Partner.key == "unfpa")) == (
            "United Nations Population Fund (renamed)"
        )


def _without_figure(seeds: SeedSet, figure_key: str) -> SeedSet:
    edition = seeds.editions[0]
    stories = []
    for story in edition.stories:
        activities = [
            a.model_copy(update={"figures": [f for f in a.figures if f.key != figure_key]})
            for a in story.activities
        ]
        stories.append(story.model_copy(update={"activities": activities}))
    return with_stories(seeds, stories)


def test_removed_record_is_shown_by_dry_run_then_deleted(
    scratch_engine: Engine, seeds: SeedSet
) -> None:
    apply_seeds(scratch_engine, seeds)
    trimmed = _without_figure(seeds, "2023-story-17-survivors-identified")

    preview = apply_seeds(scratch_engine, trimmed, dry_run=True)
    assert preview.changes == [Change("delete", "figure", "2023-story-17-survivors-identified")]
    assert _count(scratch_engine, Figure) == 49

    applied = apply_seeds(scratch_engine, trimmed)
    assert applied.changes == preview.changes
    assert _count(scratch_engine, Figure) == 48


def test_link_changes_update_the_owner(scratch_engine: Engine, seeds: SeedSet) -> None:
    apply_seeds(scratch_engine, seeds)
    edition = seeds.editions[0]
    stories = [
        s.model_copy(update={"missions": ["MINUSCA"]}) if s.key == "2023-story-13" else s
        for s in edition.stories
    ]
    result = apply_seeds(scratch_engine, with_stories(seeds, stories))
    assert result.changes == [Change("update", "story", "2023-story-13", ("missions",))]
    with scratch_engine.connect() as connection:
        codes = (
            connection.execute(
                text(
                    "SELECT m.code FROM story_mission sm JOIN mission m ON m.id = sm.mission_id "
                    "JOIN story s ON s.id = sm.story_id WHERE s.key = '2023-story-13'"
                )
            )
            .scalars()
            .all()
        )
    assert codes == ["MINUSCA"]


def test_a_failing_load_leaves_the_database_exactly_as_it_was(
    scratch_engine: Engine, seeds: SeedSet
) -> None:
    apply_seeds(scratch_engine, seeds)
    with scratch_engine.begin() as connection:
        before = connection.execute(text("SELECT key, summary FROM story ORDER BY key")).all()
        # A real database failure late in the load: figures are written after stories.
        connection.execute(
            text(
                "CREATE FUNCTION refuse_figure() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'figure refused'; END $$"
            )
        )
        connection.execute(
            text(
                "CREATE TRIGGER refuse BEFORE UPDATE ON figure "
                "FOR EACH ROW EXECUTE FUNCTION refuse_figure()"
            )
        )
    edition = seeds.editions[0]
    stories = [
        s.model_copy(
            update={
                "summary": "changed",
                "activities": [
                    a.model_copy(
                        update={
                            "figures": [
                                f.model_copy(update={"subject": "changed too"}) for f in a.figures
                            ]
                        }
                    )
                    for a in s.activities
                ],
            }
        )
        for s in edition.stories
    ]
    with pytest.raises(DBAPIError, match="figure refused"):
        apply_seeds(scratch_engine, with_stories(seeds, stories))
    with scratch_engine.connect() as connection:
        after = connection.execute(text("SELECT key, summary FROM story ORDER BY key")).all()
    assert after == before
    assert all(summary != "changed" for _, summary in after)
