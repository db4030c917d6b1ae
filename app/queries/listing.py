"""The one way lists are answered: filters, full-text search, sort, keyset page, total."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, bindparam, func, literal, select, text
from sqlalchemy.dialects.postgresql import REGCONFIG
from sqlalchemy.orm import QueryableAttribute, Session

from app.db.precompiled import Precompiled
from app.enums import Qualifier
from app.models.columns import UNACCENT_FUNCTION
from app.queries import search
from app.queries.items import ItemBuilder
from app.queries.keyset import (
    Expression,
    Sort,
    SortField,
    decode_cursor,
    encode_cursor,
    parse_sort,
)

AnySelect = Select[*tuple[Any, ...]]


@dataclass(frozen=True)
class ListSpec:
    """How one resource is listed: its SELECT (with joins), order fields and item shape."""

    select: AnySelect
    id_column: Expression
    sort_fields: Mapping[str, SortField]
    default_sort: str
    to_item: ItemBuilder
    search_vector: Expression | None = None


@dataclass(frozen=True)
class PageRequest:
    limit: int = 50
    cursor: str | None = None
    sort: str | None = None


@dataclass(frozen=True)
class Page:
    items: list[dict[str, Any]]
    total: int
    next_cursor: str | None
    total_qualifier: Qualifier = Qualifier.EXACT
    """`exact`, or `more_than` for a search with more matches than it counts
    (`search.RANKED`): then `total` is that bound."""

    def body(self) -> dict[str, Any]:
        return {
            "items": self.items,
            "total": self.total,
            "total_qualifier": self.total_qualifier,
            "next_cursor": self.next_cursor,
        }


def text_query(q: str) -> ColumnElement[Any]:
    """websearch syntax ('"mobile court" -Goma'), English stemming, accents ignored."""
    return func.websearch_to_tsquery(
        literal("english", REGCONFIG), getattr(func, UNACCENT_FUNCTION)(q)
    )


def search_condition(spec: ListSpec, q: str) -> ColumnElement[bool]:
    assert spec.search_vector is not None
    return spec.search_vector.op("@@")(text_query(q))


def plan_for_the_words(session: Session) -> None:
    """Have PostgreSQL plan this transaction's statements for the actual search words.

    The API's connections use generic plans (app/db/engine.py), but how many rows a search
    matches varies by orders of magnitude with its words: at 1,000,000 figures the generic
    plan of a search page runs ~30% slower than one made for the words.
    """
    session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


def list_page(
    session: Session,
    spec: ListSpec,
    conditions: Sequence[ColumnElement[bool]],
    page: PageRequest,
    q: str | None = None,
    total: AnySelect | None = None,
) -> Page:
    """One page of `spec` rows matching `conditions` (and `q`, ranked by relevance).

    `total` is a statement giving the same count more cheaply (a rollup), when there is one.
    """
    conditions = list(conditions)
    sort: Sort
    ranked: search.Ranking | None = None
    counted: int | None = None
    read = 0  # matches a search counted, up to search.RANKED + 1
    if q and spec.search_vector is not None:
        plan_for_the_words(session)
        conditions.append(search_condition(spec, q))
        # the matches are counted up to search.RANKED + 1, never all of them (see search.py)
        read, highest = session.execute(search.window_probe(spec.id_column, conditions)).one()
        counted = min(read, search.RANKED)
        if page.sort:
            sort = parse_sort(page.sort, spec.sort_fields, spec.id_column)
        else:  # relevance: rank a bounded window of the matches
            bound = None
            if read > search.RANKED:
                bound = session.scalar(search.window_bound(spec.id_column, conditions, highest))
            rank = search.rank_of(spec.search_vector, text_query(q))
            ranked = search.Ranking(rank, spec.id_column, bound)
            sort = ranked.sort
    else:
        sort = parse_sort(page.sort or spec.default_sort, spec.sort_fields, spec.id_column)

    filtered = spec.select.where(*conditions)
    if counted is None:
        if total is None:
            # conditions read the listed table alone (see queries/figures.py), so the count
            # needs no join: PostgreSQL can answer it from an index
            base = cast(QueryableAttribute[Any], spec.id_column).class_
            total = select(func.count()).select_from(base).where(*conditions)
        counted = session.scalar(total) or 0
    qualifier = Qualifier.MORE_THAN if read > search.RANKED else Qualifier.EXACT

    after = decode_cursor(page.cursor, sort) if page.cursor else None
    if ranked is not None:
        labels = ("_sort0", "_sort1")
        statement = ranked.page(spec.select, conditions, sort, labels, after, page.limit + 1)
    else:
        sort_columns: list[ColumnElement[Any]] = [
            key.expression.label(f"_sort{i}") for i, key in enumerate(sort.keys)
        ]
        statement = filtered.add_columns(*sort_columns)
        if after is not None:
            statement = statement.where(sort.after(after))
        statement = statement.order_by(*sort.order_by()).limit(page.limit + 1)
    rows = session.execute(statement).all()
    return page_of(rows, spec, sort, page.limit, counted, qualifier)


def page_of(
    rows: Sequence[Sequence[Any]],
    spec: ListSpec,
    sort: Sort,
    limit: int,
    total: int,
    total_qualifier: Qualifier = Qualifier.EXACT,
) -> Page:
    """The page from up to `limit + 1` rows, each the item's columns then the sort values:
    a row past the limit means there is a next page, after the last row shown."""
    next_cursor = None
    if len(rows) > limit:
        rows = rows[:limit]
        last = rows[-1]
        next_cursor = encode_cursor(sort, last[len(last) - len(sort.keys) :])
    return Page([spec.to_item(row) for row in rows], total, next_cursor, total_qualifier)


def list_all(
    session: Session, spec: ListSpec, conditions: Sequence[ColumnElement[bool]]
) -> list[dict[str, Any]]:
    """Every matching row in the default order (for embedding in detail responses)."""
    sort = parse_sort(spec.default_sort, spec.sort_fields, spec.id_column)
    rows = session.execute(spec.select.where(*conditions).order_by(*sort.order_by()))
    return [spec.to_item(row) for row in rows]


class Records:
    """Every row of `spec` whose `key` column equals a value, in the default order: a record
    and what it embeds (a story's figures), precompiled once (app/db/precompiled.py)."""

    def __init__(self, spec: ListSpec, key: Expression) -> None:
        sort = parse_sort(spec.default_sort, spec.sort_fields, spec.id_column)
        self.spec = spec
        self.statement = Precompiled(
            spec.select.where(key == bindparam("key")).order_by(*sort.order_by())
        )

    def __call__(self, session: Session, key: Any) -> list[dict[str, Any]]:
        to_item = self.spec.to_item
        return [to_item(row) for row in self.statement.rows(session, {"key": key})]
