"""The rollups (migration 0004) always equal the rows they summarise, and reading them gives the
same totals and stats as counting the rows."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, event, func, select, text
from sqlalchemy.orm import Session

from app.models import Activity, Figure, Metric, Mission, Objective, Story, story_mission
from app.queries import counts, stats
from app.queries.datasets import described, resolve_selection
from app.queries.listing import PageRequest, list_page
from app.queries.selection import Selection
from bench.synth.synthesize import synthesize
from tests.writing import BODIES, with_etag, write_key_headers

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

# the story rollup against the link tables themselves, not against the sets stories carry
STORY_DRIFT = """
WITH fresh AS (
    SELECT report_id, objective_id, kind, mission_ids, country_ids, count(*)::int AS stories
      FROM (SELECT report_id, objective_id, kind,
                   ARRAY(SELECT mission_id FROM story_mission
                          WHERE story_id = s.id ORDER BY mission_id) AS mission_ids,
                   ARRAY(SELECT country_id FROM story_country
                          WHERE story_id = s.id ORDER BY country_id) AS country_ids
              FROM story s) AS sets
     GROUP BY 1, 2, 3, 4, 5
)
(SELECT 'missing' AS side, * FROM (TABLE fresh EXCEPT TABLE story_rollup) AS a)
UNION ALL
(SELECT 'extra', * FROM (TABLE story_rollup EXCEPT TABLE fresh) AS b)
"""
STORY_SETS_DRIFT = """
SELECT 'wrong sets', key FROM story s
 WHERE mission_ids <> ARRAY(SELECT mission_id FROM story_mission
                             WHERE story_id = s.id ORDER BY mission_id)
    OR country_ids <> ARRAY(SELECT country_id FROM story_country
                             WHERE story_id = s.id ORDER BY country_id)
"""


def drift(db: Session) -> list[tuple[object, ...]]:
    return [
        tuple(row)
        for drift_sql in (FIGURE_DRIFT, ACTIVITY_DRIFT, STORY_DRIFT, STORY_SETS_DRIFT)
        for row in db.execute(text(drift_sql))
    ]


def test_loaded_seeds_are_rolled_up_exactly(db: Session) -> None:
    assert drift(db) == []
    assert db.scalar(text("SELECT sum(figures) FROM figure_rollup")) == 49
    assert db.scalar(text("SELECT sum(activities) FROM activity_rollup")) == 85
    assert db.scalar(text("SELECT sum(stories) FROM story_rollup")) == 33
    # a story of two missions is one story, under the set of both
    assert db.scalar(text("SELECT count(*) FROM story WHERE cardinality(mission_ids) > 1")) > 0


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
    db.execute(text("TRUNCATE story_country"))  # the links alone: the sets follow
    assert drift(db) == []
    db.execute(text("TRUNCATE figure, activity, activity_location, activity_partner"))
    assert db.scalar(text("SELECT count(*) FROM figure_rollup")) == 0
    assert db.scalar(text("SELECT count(*) FROM activity_rollup")) == 0
    db.execute(
        text(
            "TRUNCATE story, story_mission, story_country, activity, figure, "
            "activity_location, activity_partner"
        )
    )
    assert db.scalar(text("SELECT count(*) FROM story_rollup")) == 0
    assert drift(db) == []


def _story_rollup(db: Session, key: str) -> list[tuple[object, ...]]:
    """The rollup group of story `key` (its report, objective, kind and sets), with its count."""
    return [
        tuple(row)
        for row in db.execute(
            text(
                "SELECT r.objective_id, r.kind, r.mission_ids, r.country_ids, r.stories "
                "FROM story s JOIN story_rollup r ON r.report_id = s.report_id "
                "AND r.objective_id IS NOT DISTINCT FROM s.objective_id AND r.kind = s.kind "
                "AND r.mission_ids = s.mission_ids AND r.country_ids = s.country_ids "
                "WHERE s.key = :key"
            ),
            {"key": key},
        )
    ]


def test_every_kind_of_story_write_keeps_the_story_rollup_exact(db: Session) -> None:
    ids: dict[str, int] = dict(db.execute(text("SELECT code, id FROM mission")).all())
    countries: dict[str, int] = dict(db.execute(text("SELECT iso3, id FROM country")).all())
    db.execute(
        text(
            "INSERT INTO story (key, report_id, kind, position, title, section, summary) "
            "SELECT 'rollup-box', id, 'highlight_box', 900, 't', 's', 'x' FROM report"
        )
    )
    assert drift(db) == []
    assert _story_rollup(db, "rollup-box") == [(None, "highlight_box", [], [], 1)]
    # two missions and a country in one statement each; then a mission moves to another one
    db.execute(
        text(
            "INSERT INTO story_mission (story_id, mission_id) "
            "SELECT id, unnest(ARRAY[:a, :b]) FROM story WHERE key = 'rollup-box'"
        ),
        {"a": ids["MONUSCO"], "b": ids["UNMISS"]},
    )
    db.execute(
        text(
            "INSERT INTO story_country (story_id, country_id) "
            "SELECT id, :c FROM story WHERE key = 'rollup-box'"
        ),
        {"c": countries["COD"]},
    )
    assert drift(db) == []
    two = sorted([ids["MONUSCO"], ids["UNMISS"]])
    assert _story_rollup(db, "rollup-box") == [(None, "highlight_box", two, [countries["COD"]], 1)]
    db.execute(
        text(
            "UPDATE story_mission SET mission_id = :to WHERE mission_id = :from AND story_id = "
            "(SELECT id FROM story WHERE key = 'rollup-box')"
        ),
        {"to": ids["MINUSCA"], "from": ids["UNMISS"]},
    )
    assert drift(db) == []
    # the story moves to another objective, kind and report; a link moves to another story
    db.execute(
        text(
            "UPDATE story SET objective_id = (SELECT id FROM objective WHERE number = 3), "
            "kind = 'overview_section' WHERE key = 'rollup-box'"
        )
    )
    db.execute(
        text(
            "INSERT INTO report (key, edition_year, title, publisher, published_date, "
            "published_precision, source_url, licence_note) SELECT 'crsv-2099', 2099, title, "
            "publisher, published_date, published_precision, source_url, licence_note "
            "FROM report WHERE key = 'crsv-2023'"
        )
    )
    db.execute(
        text(
            "UPDATE story SET report_id = (SELECT id FROM report WHERE key = 'crsv-2099') "
            "WHERE key = 'rollup-box'"
        )
    )
    db.execute(
        text(
            "UPDATE story_country SET story_id = (SELECT id FROM story WHERE key = "
            "'2023-story-17') WHERE story_id = (SELECT id FROM story WHERE key = 'rollup-box')"
        )
    )
    assert drift(db) == []
    # no one writes a set by hand: it is computed again from the links
    db.execute(text("UPDATE story SET mission_ids = '{999}', country_ids = '{}'"))
    assert drift(db) == []
    # links deleted by mission, a story deleted with its links (the cascade), then every link
    db.execute(text("DELETE FROM story_mission WHERE mission_id = :m"), {"m": ids["MINUSMA"]})
    assert drift(db) == []
    db.execute(text("DELETE FROM story WHERE key = 'rollup-box'"))
    assert drift(db) == []
    db.execute(text("DELETE FROM story_mission"))
    assert drift(db) == []
    assert db.scalar(text("SELECT count(*) FROM story WHERE mission_ids <> '{}'")) == 0
    assert db.scalar(text("SELECT count(*) FROM story_rollup WHERE stories <= 0")) == 0
    assert db.scalar(text("SELECT sum(stories) FROM story_rollup")) == 33


FILTERS = [
    {},
    {"mission": "MONUSCO"},
    {"mission": "MONUSCO,UNMISS", "objective": "2"},
    {"metric": "trainees", "qualifier": "more_than,at_least"},
    {"year": "2023", "metric": "survivors_identified"},
]


STORY_FILTERS = [
    {},
    {"mission": "MONUSCO,UNMISS"},  # a story of both counts once
    {"mission": "MINUSCA", "objective": "2,3"},
    {"country": "COD,SSD", "kind": "numbered_story"},
    {"year": "2023", "kind": "highlight_box,overview_section"},
]


@pytest.mark.parametrize("dataset", ["figures", "activities", "stories"])
@pytest.mark.parametrize(
    "raw", FILTERS + STORY_FILTERS[1:], ids=lambda raw: "&".join(raw.values()) or "all"
)
def test_rollup_totals_equal_counted_totals(db: Session, dataset: str, raw: dict[str, str]) -> None:
    kept = {
        "figures": {"mission", "objective", "metric", "qualifier", "year"},
        "activities": {"mission", "objective", "year"},
        "stories": {"mission", "objective", "year", "country", "kind"},
    }[dataset]
    raw = {k: v for k, v in raw.items() if k in kept}
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
    assert resolve_selection(db, "stories", {"partner": "unfpa"}).rollup is None
    assert resolve_selection(db, "stories", {"q": "court"}).rollup is None
    assert not counts.STORIES.uses_rollup(resolve_selection(db, "stories", {}), ["activity_type"])


@pytest.mark.parametrize(
    ("group_by", "raw"),
    [
        (["mission"], {}),
        (["mission", "country"], {}),
        (["mission"], {"mission": "MONUSCO,UNMISS"}),  # and the other missions of their stories
        (["objective", "year"], {"country": "COD", "kind": "numbered_story"}),
        (["country", "kind"], {"year": "2023"}),
        ([], {"mission": "MONUSCO,MINUSCA"}),
    ],
)
def test_story_counts_from_the_rollup_equal_counts_from_the_rows(
    db: Session, group_by: list[str], raw: dict[str, str]
) -> None:
    selection = resolve_selection(db, "stories", raw)
    assert counts.STORIES.uses_rollup(selection, group_by)
    from_rollup = counts.count_stats(db, counts.STORIES, selection, group_by, raw, fill=True)
    rows = replace(selection, rollup=None)
    assert from_rollup == counts.count_stats(db, counts.STORIES, rows, group_by, raw, fill=True)
    assert from_rollup["total"] > 0


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


def test_stats_over_sixteen_editions_summed_over_the_years_equal_stats_from_the_figures(
    scratch_engine: Engine,
) -> None:
    """Without `year` among the groups, the figure rollup is first summed over the edition
    years (app/queries/grouping.py): the same answers as the figures give, over the
    benchmark's sixteen synthetic editions; with `year`, or a year filter, the same too."""
    synthesize(scratch_engine, 600)
    statements: list[str] = []

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    cases: list[tuple[list[str], dict[str, str], bool]] = [
        (["mission", "metric"], {}, True),
        (["objective"], {"mission": "MONUSCO,MINUSCA"}, True),
        (["mission"], {"year": "2016,2023", "qualifier": "at_least,exact"}, True),
        (["year", "mission"], {}, False),
        ([], {"metric": "trainees"}, True),
    ]
    event.listen(scratch_engine, "before_cursor_execute", record)
    try:
        with Session(scratch_engine) as session:
            for group_by, raw, folded in cases:
                selection = resolve_selection(session, "figures", raw)
                statements.clear()
                from_rollup = stats.figure_stats(session, selection, group_by)
                assert any("AS summed" in s for s in statements) is folded, group_by
                rows = replace(selection, rollup=None)
                assert from_rollup == stats.figure_stats(session, rows, group_by), group_by
                assert from_rollup[1] and sum(g["figures"] for g in from_rollup[1]) > 0
    finally:
        event.remove(scratch_engine, "before_cursor_execute", record)


def _story_counts_agree(db: Session) -> None:
    """The story rollup answers totals and stats as the rows do (and is exact)."""
    assert drift(db) == []
    for raw in STORY_FILTERS:
        selection = resolve_selection(db, "stories", raw)
        for group_by in (["mission"], ["country", "objective"], ["year", "kind"]):
            assert counts.STORIES.uses_rollup(selection, group_by)
            from_rollup = counts.count_stats(
                db, counts.STORIES, selection, group_by, raw, fill=True
            )
            rows = replace(selection, rollup=None)
            assert from_rollup == counts.count_stats(
                db, counts.STORIES, rows, group_by, raw, fill=True
            )
    assert _overview_from_the_rows(db) == stats.overview(db)


def test_story_writes_through_the_api_and_the_orm_keep_the_story_rollup_exact(
    client: TestClient, db: Session
) -> None:
    headers = write_key_headers(db)
    body = {**BODIES["stories"], "missions": ["MONUSCO", "UNMISS"], "countries": ["COD"]}
    created = client.post("/v1/stories", json=body, headers=headers)
    assert created.status_code == 201, created.text
    _story_counts_agree(db)
    path = f"/v1/stories/{body['key']}"
    moved = client.patch(
        path,
        json={"missions": ["MINUSCA"], "objective": 4, "countries": ["CAF", "SSD"]},
        headers=with_etag(client, path, headers),
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["missions"] == ["MINUSCA"]
    _story_counts_agree(db)
    story = db.scalars(select(Story).where(Story.key == "2023-story-17")).one()
    story.objective_id = db.scalar(select(Objective.id).where(Objective.number == 1))
    db.flush()
    db.execute(delete(story_mission).where(story_mission.c.story_id == story.id))
    _story_counts_agree(db)
    assert client.delete(path, headers=with_etag(client, path, headers)).status_code == 204
    _story_counts_agree(db)


def test_the_overview_from_the_rollups_is_the_overview_from_the_rows(db: Session) -> None:
    assert _overview_from_the_rows(db) == stats.overview(db)
    # a part worded otherwise than its whole: the headlines count the figures instead
    db.execute(
        text(
            "UPDATE figure SET qualifier = 'at_least' "
            "WHERE key = '2023-story-09-sexual-violence-cases'"
        )
    )
    assert stats._parts_split(db)
    assert drift(db) == []
    assert _overview_from_the_rows(db) == stats.overview(db)


def _overview_from_the_rows(db: Session) -> dict[str, list[dict[str, Any]]]:
    """`stats.overview` counted from the rows: stories, activities, figures and the headline
    figure stats of each mission and objective (`figure_stats` without the rollup)."""
    metric_ids = select(Metric.id).where(Metric.code.in_(stats.HEADLINE_METRICS))
    own_units = dict(db.execute(select(Metric.code, Metric.unit)).all())
    selection = Selection([Figure.metric_id.in_(metric_ids)])
    found: dict[str, Any] = {}
    for name, entity, code, column, story_count in (
        (
            "mission",
            Mission,
            Mission.code,
            "mission_id",
            select(func.count()).where(story_mission.c.mission_id == Mission.id),
        ),
        (
            "objective",
            Objective,
            Objective.number,
            "objective_id",
            select(func.count()).where(Story.objective_id == Objective.id),
        ),
    ):
        _, groups = stats.figure_stats(db, selection, [name, "metric"], fill=False)
        headlines: dict[Any, dict[str, Any]] = {}
        for group in groups:
            if group[name] is not None:
                metric, unit = group["metric"], group["unit"]
                headline = metric if unit == own_units[metric] else f"{metric}:{unit}"
                headlines.setdefault(group[name], {})[headline] = {
                    m: group[m] for m in stats.HEADLINE_MEASURES
                }
        rows = db.execute(
            select(
                code,
                story_count.scalar_subquery(),
                select(func.count())
                .where(getattr(Activity, column) == entity.id)
                .scalar_subquery(),
                select(func.count()).where(getattr(Figure, column) == entity.id).scalar_subquery(),
            ).order_by(code)
        ).all()
        found[f"{name}s"] = [
            {
                name: value,
                "stories": n_stories,
                "activities": n_activities,
                "figures": n_figures,
                "headlines": {
                    **{m: headlines.get(value, {}).get(m) for m in stats.HEADLINE_METRICS},
                    **{
                        k: v
                        for k, v in headlines.get(value, {}).items()
                        if k not in stats.HEADLINE_METRICS
                    },
                },
            }
            for value, n_stories, n_activities, n_figures in rows
        ]
    return found
