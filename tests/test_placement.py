"""The derived placement columns (migration 0003) always agree with the rows they copy."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

DISAGREEMENTS = """
SELECT f.key FROM figure f
  JOIN story s ON s.id = f.story_id
  JOIN report r ON r.id = s.report_id
  LEFT JOIN activity a ON a.id = f.activity_id
 WHERE f.edition_year <> r.edition_year
    OR f.objective_id IS DISTINCT FROM s.objective_id
    OR f.mission_id IS DISTINCT FROM a.mission_id
UNION ALL
SELECT a.key FROM activity a
  JOIN story s ON s.id = a.story_id
  JOIN report r ON r.id = s.report_id
 WHERE a.edition_year <> r.edition_year OR a.objective_id IS DISTINCT FROM s.objective_id
"""

REPORT_ORDER = """
SELECT f.key FROM figure f
  JOIN story s ON s.id = f.story_id
  JOIN report r ON r.id = s.report_id
  LEFT JOIN activity a ON a.id = f.activity_id
 ORDER BY r.edition_year DESC, s.position, a.position NULLS LAST, f.position
"""


def test_loaded_seeds_are_consistent(db: Session) -> None:
    assert db.execute(text(DISAGREEMENTS)).all() == []
    by_key = db.execute(text("SELECT key FROM figure ORDER BY order_key")).scalars().all()
    assert by_key == db.execute(text(REPORT_ORDER)).scalars().all()


def test_changes_upstream_reach_the_copies(db: Session) -> None:
    db.execute(
        text(
            "UPDATE activity SET mission_id = (SELECT id FROM mission WHERE code = 'UNMISS') "
            "WHERE key = '2023-story-17-reparations-project-support'"
        )
    )
    db.execute(
        text(
            "UPDATE story SET objective_id = (SELECT id FROM objective WHERE number = 1)"
            ", position = 99 WHERE key = '2023-story-17'"
        )
    )
    db.execute(text("UPDATE report SET edition_year = 2024 WHERE key = 'crsv-2023'"))
    assert db.execute(text(DISAGREEMENTS)).all() == []
    mission, objective, year = db.execute(
        text(
            "SELECT m.code, o.number, f.edition_year FROM figure f "
            "JOIN mission m ON m.id = f.mission_id JOIN objective o ON o.id = f.objective_id "
            "WHERE f.key = '2023-story-17-survivors-identified'"
        )
    ).one()
    assert (mission, objective, year) == ("UNMISS", 1, 2024)
    last = db.execute(text("SELECT key FROM figure ORDER BY order_key DESC LIMIT 1")).scalar()
    assert last == "2023-story-17-survivors-identified"
