"""The rollups (migration 0004) always equal the rows they summarise, and reading them gives the
same totals and stats as counting the rows."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.queries import stats
from app.queries.datasets import described, resolve_selection
from app.queries.listing import PageRequest, list_page

# rows of the rollup that a fresh GROUP BY does not give, and the other way round
FIGURE_COLUMNS = (
    "edition_year, mission_id, objective_id, metric_id, qualifier, unit, is_part, figures, "
    "value_sum, women_sum, women_count, men_sum, men_count, children_sum, children_count, "
    "with_breakdown, breakdown_base"
)
FIGURE_DRIFT = f"""
WITH fresh AS (
    SELECT edition_year, mission_id, objective_id, metric_id, qualifier, unit,
           part_of_id IS NOT NULL AS is_part,
           count(*)::int AS figures, sum(value)::bigint AS value_sum,
           coalesce(sum(women), 0)::bigint AS women_sum, count(women)::int AS women_count,
           coalesce(sum(men), 0)::bigint AS men_sum, count(men)::int AS men_count,
           coalesce(sum(children), 0)::bigint AS children_sum,
           count(children)::int AS children_count,
           count(*) FILTER (WHERE women IS NOT NULL OR men IS NOT NULL
                            OR children IS NOT NULL)::int AS with_breakdown,
           coalesce(sum(value) FILTER (WHERE women IS NOT NULL OR men IS NOT NULL
                                       OR children IS NOT NULL), 0)::bigint AS breakdown_base
      FROM figure GROUP BY 1, 2, 3, 4, 5, 6, 7
), kept AS (SELECT {FIGURE_COLUMNS} FROM figure_rollup)
(SELECT 'missing' AS side, * FROM (TABLE fresh EXCEPT TABLE kept) AS a)
UNION ALL
(SELECT 'extra', * FROM (TABLE kept EXCEPT TABLE fresh) AS b)
"""
ACTIVITY_DRIFT = """
WITH fresh AS (
    SELECT edition_year, mission_id, objective_id, activity_type_id, count(*)::int AS activities
      FROM activity GROUP BY 1, 2, 3, 4
)
(SELECT 'missing' AS side, * FROM (TABLE fresh EXCEPT TABLE activity_rollup) AS a)
UNION ALL
(SELECT 'extra', * FROM (TABLE activity_rollup EXCEPT TABLE fresh) AS b)
"""


def drift(db: Session) -> list[tuple[object, ...]]:
    return [
        tuple(row)
        for drift_sql in (FIGURE_DRIFT, ACTIVITY_DRIFT)
        for row in db.execute(text(drift_sql))
    ]


def test_loaded_seeds_are_rolled_up_exactly(db: Session) -> None:
    assert drift(db) == []
    assert db.scalar(text("SELECT sum(figures) FROM figure_rollup")) == 49
    assert db.scalar(text("SELECT sum(activities) FROM activity_rollup")) == 85


def test_every_kind_of_write_keeps_the_rollups_exact(db: Session) -> None:
    # a figure changes metric, value and breakdown; another is deleted; one is added
    db.execute(
        text(
            "UPDATE figure SET value = value + 7, women = NULL, men = 3, "
            "metric_id = (SELECT id FROM metric WHERE code = 'participants') "
            "WHERE key = '2023-story-17-survivors-identified'"
        )
    )
    db.execute(text("DELETE FROM figure WHERE key = (SELECT min(key) FROM figure)"))
    db.execute(
        text(
            "INSERT INTO figure (key, story_id, activity_id, position, metric_id, value, "
            "qualifier, subject, evidence, section) "
            "SELECT 'rollup-test-figure', story_id, activity_id, 99, metric_id, 5, 'up_to', "
            "'s', 'e', section FROM figure WHERE key = '2023-story-17-survivors-identified'"
        )
    )
    assert drift(db) == []
    # a figure becomes a part, gets its own unit, and a part leaves its whole
    db.execute(
        text(
            "UPDATE figure SET part_of_id = (SELECT id FROM figure "
            "WHERE key = '2023-story-10-soldiers-convicted'), unit = 'person' "
            "WHERE key = '2023-story-10-police-officers-convicted'"
        )
    )
    db.execute(
        text(
            "UPDATE figure SET part_of_id = NULL WHERE key = '2023-story-09-sexual-violence-cases'"
        )
    )
    assert drift(db) == []
    # changes upstream move figures and activities between groups (placement triggers)
    db.execute(
        text(
            "UPDATE activity SET mission_id = (SELECT id FROM mission WHERE code = 'UNMISS') "
            "WHERE key = '2023-story-17-reparations-project-support'"
        )
    )
    db.execute(
        text(
            "UPDATE story SET objective_id = (SELECT id FROM objective WHERE number = 1) "
            "WHERE key = '2023-story-17'"
        )
    )
    db.execute(text("UPDATE report SET edition_year = 2024 WHERE key = 'crsv-2023'"))
    assert drift(db) == []
    assert db.scalar(text("SELECT count(*) FROM figure_rollup WHERE edition_year = 2023")) == 0
    # a statement that moves nothing writes nothing, and empty groups are deleted
    db.execute(text("UPDATE figure SET position = position"))
    assert db.scalar(text("SELECT count(*) FROM figure_rollup WHERE figures = 0")) == 0
    db.execute(text("DELETE FROM figure"))
    db.execute(text("DELETE FROM activity_location; DELETE FROM activity_partner"))
    db.execute(text("DELETE FROM activity"))
    assert db.scalar(text("SELECT count(*) FROM figure_rollup")) == 0
    assert db.scalar(text("SELECT count(*) FROM activity_rollup")) == 0


def test_truncate_empties_the_rollups(db: Session) -> None:
    db.execute(text("TRUNCATE figure, activity, activity_location, activity_partner"))
    assert db.scalar(text("SELECT count(*) FROM figure_rollup")) == 0
    assert db.scalar(text("SELECT count(*) FROM activity_rollup")) == 0


FILTERS = [
    {},
    {"mission": "MONUSCO"},
    {"mission": "MONUSCO,UNMISS", "objective": "2"},
    {"metric": "trainees", "qualifier": "more_than,at_least"},
    {"year": "2023", "metric": "survivors_identified"},
]


@pytest.mark.parametrize("dataset", ["figures", "activities"])
@pytest.mark.parametrize("raw", FILTERS, ids=lambda raw: "&".join(raw.values()) or "all")
def test_rollup_totals_equal_counted_totals(db: Session, dataset: str, raw: dict[str, str]) -> None:
    if dataset == "activities":
        raw = {k: v for k, v in raw.items() if k not in {"metric", "qualifier"}}
    declared = described(dataset)
    selection = resolve_selection(db, dataset, raw)
    rolled_up = declared.total(selection)
    assert rolled_up is not None
    page = PageRequest(limit=1)
    from_rollup = list_page(db, declared.spec, selection.conditions, page, total=rolled_up)
    counted = list_page(db, declared.spec, selection.conditions, page)
    assert from_rollup.total == counted.total > 0


def test_filters_the_rollup_does_not_keep_count_the_rows(db: Session) -> None:
    assert resolve_selection(db, "figures", {"mission": "MONUSCO", "country": "COD"}).rollup is None
    assert resolve_selection(db, "figures", {"q": "mobile court"}).rollup is None
    assert resolve_selection(db, "activities", {"partner": "unfpa"}).rollup is None


@pytest.mark.parametrize(
    ("group_by", "raw"),
    [
        (["mission", "metric"], {}),
        (["objective", "metric", "year"], {"mission": "MONUSCO,MINUSCA"}),
        (["mission"], {"metric": "trainees"}),
        (["year"], {"metric": "survivors_identified", "qualifier": "exact"}),
        (["metric"], {"objective": "4"}),
        (["mission"], {}),  # several metrics: split by metric as well
        (["mission", "objective"], {"metric": "cases,convictions"}),  # a part; two units
    ],
)
def test_stats_from_the_rollup_equal_stats_from_the_figures(
    db: Session, group_by: list[str], raw: dict[str, str]
) -> None:
    selection = resolve_selection(db, "figures", raw)
    assert selection.rollup is not None
    from_rollup = stats.figure_stats(db, selection, group_by)
    from_figures = stats.figure_stats(db, replace(selection, rollup=None), group_by)
    assert from_rollup == from_figures
    assert from_rollup  # the comparison is about real groups
