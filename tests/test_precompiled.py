"""The hot read path's precompiled statements: the SQL SQLAlchemy compiles, the same answers."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import Engine, bindparam, select, text
from sqlalchemy.orm import Session

from app.config import Settings
from app.db.engine import build_engine
from app.db.precompiled import DIALECT, Precompiled
from app.models import Mission, Story
from app.queries import details, figures, reference
from app.queries.bound import bound_values
from app.queries.datasets import described, resolve_selection
from app.queries.filters import lookup_statement
from app.queries.listing import PageRequest, list_all, list_page
from app.queries.pages import PageShape, _statements, json_page

CASES: list[tuple[str, dict[str, Any], str | None]] = [
    ("figures", {}, None),
    ("figures", {"mission": "UNMISS"}, None),
    ("figures", {"mission": "MONUSCO,MINUSCA", "metric": "trainees,participants"}, "-value"),
    ("figures", {"qualifier": "at_least", "date_from": date(2023, 3, 1)}, "-date,mission"),
    ("figures", {"country": "COD", "objective": "2"}, "metric"),
    ("activities", {"mission": "MONUSCO", "objective": "2"}, None),
    ("activities", {"type": "training", "date_to": date(2023, 6, 30)}, "-date"),
    ("stories", {"mission": "MONUSCO,UNMISS"}, "-number"),
    ("stories", {"year": "2023", "kind": "numbered_story,highlight_box"}, "title"),
]


@pytest.mark.parametrize(("dataset", "raw", "sort"), CASES)
def test_every_page_equals_the_page_built_statement_by_statement(
    db: Session, dataset: str, raw: dict[str, Any], sort: str | None
) -> None:
    """Walking all pages (3 rows each) both ways gives the same items, totals and cursors."""
    selection = resolve_selection(db, dataset, raw)
    declared = described(dataset)
    total = declared.total(selection)
    request, pages = PageRequest(limit=3, sort=sort), 0
    while True:
        built = list_page(db, declared.spec, selection.conditions, request, selection.q, total)
        compiled = json_page(db, dataset, selection.values, request)
        assert compiled.body() == built.body()
        pages += 1
        if built.next_cursor is None:
            break
        request = PageRequest(limit=3, cursor=built.next_cursor, sort=sort)
    assert pages >= 2 or built.total <= 3
    assert built.total > 0


@pytest.mark.parametrize(("dataset", "raw", "sort"), CASES)
def test_each_shape_is_what_sqlalchemy_compiles_from_the_core_expression(
    db: Session, dataset: str, raw: dict[str, Any], sort: str | None
) -> None:
    selection = resolve_selection(db, dataset, raw)
    names, _ = bound_values(selection.values)
    first = _statements(PageShape(dataset, names, sort, None))
    nulls = (False,) * len(first.sort.keys)
    after = _statements(PageShape(dataset, names, sort, nulls))
    for precompiled in (first.total, first.page, after.total, after.page):
        assert precompiled.sql == str(precompiled.statement.compile(dialect=DIALECT))
    assert "ANY" in first.page.sql if any(n.endswith("[]") for n in names) else True


def test_the_records_compiled_at_import_are_what_sqlalchemy_compiles() -> None:
    records = [getattr(details, name) for name in dir(details) if name.isupper()]
    statements = [r.statement if not isinstance(r, Precompiled) else r for r in records]
    assert len(statements) >= 8
    for precompiled in statements:
        assert isinstance(precompiled, Precompiled)
        assert precompiled.sql == str(precompiled.statement.compile(dialect=DIALECT))


def test_the_filter_lookups_are_what_sqlalchemy_compiles_and_find_each_id(db: Session) -> None:
    """The look-up of every filter at once (app/queries/filters.py), with each value bound
    whole: an objective by its number, an unknown code left out."""
    lookup = lookup_statement(("mission", "objective", "metric"))
    assert lookup.sql == str(lookup.statement.compile(dialect=DIALECT))
    found = lookup.rows(
        db, {"mission": ["MONUSCO", "UNMISS", "NOPE"], "objective": [2], "metric": ["trainees"]}
    )
    names = sorted((name, value) for name, value, _ in found)
    assert names == [
        ("metric", "trainees"),
        ("mission", "MONUSCO"),
        ("mission", "UNMISS"),
        ("objective", "2"),
    ]
    monusco = db.scalar(select(Mission.id).where(Mission.code == "MONUSCO"))
    assert ("mission", "MONUSCO", monusco) in found


def test_a_statement_with_expanding_parameters_is_refused() -> None:
    with pytest.raises(ValueError, match="= ANY"):
        Precompiled(select(Mission.id).where(Mission.code.in_(bindparam("codes", expanding=True))))


def test_a_record_reads_as_the_orm_path_did(db: Session) -> None:
    story = details.story_detail(db, "2023-story-09")
    assert story is not None
    by_key = {figure["id"]: figure for figure in story["figures"]}
    part = by_key["2023-story-09-sexual-violence-cases"]
    assert (part["value"], part["part_of"]) == (4, "2023-story-09-court-martial-cases")
    assert by_key["2023-story-09-court-martial-cases"]["value"] == 14
    assert story["figures"] == list_all(db, figures.SPEC, [Story.key == "2023-story-09"])
    mission = details.mission_detail(db, "unmiss")
    assert mission is not None
    unmiss = select(Mission.id).where(Mission.code == "UNMISS").scalar_subquery()
    assert mission["counts"] == reference.mission_counts(db, unmiss)


@pytest.mark.parametrize(("pooler", "prepared"), [(False, 1), (True, 0)])
def test_a_precompiled_statement_is_prepared_unless_behind_a_transaction_pooler(
    engine: Engine, pooler: bool, prepared: int
) -> None:
    """Prepared on the server from its first run; with CRSV_DB_TRANSACTION_POOLER, never (a
    statement prepared on one PgBouncer server connection is unknown on the next)."""
    built = build_engine(engine.url, Settings(db_transaction_pooler=pooler, db_pool_size=1))
    statement = Precompiled(select(Mission.name).where(Mission.code == bindparam("code")))
    try:
        with Session(built) as session:
            for _ in range(7):  # past psycopg's own threshold (5) too
                assert statement.rows(session, {"code": "MONUSCO"}) == [
                    (
                        "United Nations Organization Stabilization Mission in the Democratic"
                        " Republic of the Congo",
                    )
                ]
            count = session.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar()
        assert count == prepared
    finally:
        built.dispose()
