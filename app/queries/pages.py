"""A dataset's JSON list page from statements compiled once per shape.

Two requests have the same *shape* when they give the same filters (whatever their values),
the same sort, and a cursor or not (with the same NULLs in it): then they run
the same SQL with other parameters. The statements of a shape are built with
`app/queries/listing.py`'s rules (conditions, rollup total, keyset) from a template
of the dataset's filters (app/queries/bound.py), compiled once (app/db/precompiled.py) and
kept; a request resolves its values and binds them. The answer is what `list_page` gives for
the same selection, which the tests compare page by page.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, bindparam, func, select
from sqlalchemy.orm import QueryableAttribute, Session

from app.db.precompiled import Precompiled
from app.queries.bound import bound_values, template
from app.queries.datasets import described
from app.queries.keyset import Sort, decode_cursor, parse_sort
from app.queries.listing import (
    Page,
    PageRequest,
    page_of,
)
from app.queries.selection import Selection

SHAPES_KEPT = 256
"""Compiled shapes kept per process (a few dozen serve nearly every request)."""


@dataclass(frozen=True)
class PageShape:
    dataset: str
    present: frozenset[str]
    """The filters given (whatever their values): names for `template`."""
    sort: str | None
    """The `sort` parameter as given; None: the default."""
    cursor_nulls: tuple[bool, ...] | None
    """Which values of the cursor are NULL (they change the keyset condition); None: no
    cursor."""


@dataclass(frozen=True)
class PageStatements:
    sort: Sort
    total: Precompiled
    page: Precompiled


def shaped(selection: Selection) -> bool:
    """Whether `selection` came from a dataset's filters, so it can be bound to a shape.

    A full-text search is answered by `list_page`: its statements depend on how many rows
    match (app/queries/search.py), and PostgreSQL plans them for the words."""
    return selection.values is not None and not selection.q


def json_page(session: Session, dataset: str, resolved: Any, request: PageRequest) -> Page:
    """One page of `dataset` for its `resolved` filters (`Criteria.bound`, or the `values` of
    a selection that is `shaped`)."""
    names, values = bound_values(resolved)
    statements = _statements(PageShape(dataset, names, request.sort, None))
    sort = statements.sort
    if request.cursor:
        after = decode_cursor(request.cursor, sort)
        nulls = tuple(value is None for value in after)
        statements = _statements(PageShape(dataset, names, request.sort, nulls))
        values.update({f"after{i}": value for i, value in enumerate(after) if value is not None})
    values["limit"] = request.limit + 1
    total = statements.total.scalar(session, values) or 0
    rows = statements.page.rows(session, values)
    return page_of(rows, described(dataset).spec, sort, request.limit, total)


@lru_cache(maxsize=SHAPES_KEPT)
def _statements(shape: PageShape) -> PageStatements:
    """The count and page statements of a shape, compiled (once, while it is kept)."""
    declared = described(shape.dataset)
    spec = declared.spec
    assert declared.filters is not None
    placed = declared.filters.conditions(template(declared.filters.fields, shape.present))
    conditions: list[ColumnElement[bool]] = list(placed.conditions)
    sort = parse_sort(shape.sort or spec.default_sort, spec.sort_fields, spec.id_column)
    total: Select[Any] | None = None
    if declared.rollup is not None and placed.rollup is not None:
        total = declared.rollup.total(placed.rollup)
    if total is None:
        base = cast(QueryableAttribute[Any], spec.id_column).class_
        total = select(func.count()).select_from(base).where(*conditions)
    statement = spec.select.where(*conditions).add_columns(
        *(key.expression.label(f"_sort{i}") for i, key in enumerate(sort.keys))
    )
    if shape.cursor_nulls is not None:
        after = [
            None
            if null
            else bindparam(f"after{i}", type_=cast(ColumnElement[Any], key.expression).type)
            for i, (key, null) in enumerate(zip(sort.keys, shape.cursor_nulls, strict=True))
        ]
        statement = statement.where(sort.after(after))
    page = statement.order_by(*sort.order_by()).limit(bindparam("limit"))
    return PageStatements(sort, Precompiled(total), Precompiled(page))


def _type_of(expression: Any) -> Any:
    return cast(ColumnElement[Any], expression).type
