"""Relevance order for a full-text search, ranking a bounded window of the matches.

Ranking a match (`ts_rank_cd`) reads its stored vector, so ranking every match of a common
word reads most of the table: at 1,000,000 figures "mobile court" matches 40,000 rows on
29,000 pages. Instead, a search ranks a *window*: its first RANKED + 1 matches in id order.
A probe counts the matches up to RANKED + 1 in storage order (a GIN bitmap scan that stops
there) and notes the highest id it read; the window's last id is then found among the
matches up to that id (a bitmap AND with the primary key's range). The window holds every
match when there are at most RANKED of them (then the order is exactly relevance, as if
every match were ranked); otherwise its ranked matches come first and the rest follow,
unranked, in id order.

The probe's count is also the page's `total`: a search with more than RANKED matches says
"more than RANKED" (`total_qualifier: more_than`) instead of counting them all, since
counting 40,000 matches of a GIN index reads their 29,000 heap pages (100 to 250 ms) whether
or not anyone needs the number. A walk of the cursor, or an export of the same query, still
reaches every match.

Both parts are keyset pages of one total order, `(rank DESC, id)`, where a match beyond the
window ranks -1 (`ts_rank_cd` is never negative): so a cursor walks every match once, and
a page that straddles the boundary is one UNION ALL of the window's end and the rest's start.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, any_, case, func, literal, select, union_all
from sqlalchemy.dialects.postgresql import DOUBLE_PRECISION, REAL
from sqlalchemy.orm import QueryableAttribute

from app.queries.keyset import Expression, Sort, relevance_sort

AnySelect = Select[*tuple[Any, ...]]

RANKED = 1000
"""How many matches a search ranks and counts; a search with at most this many is ranked and
counted exactly."""

UNRANKED = -1.0
"""The rank of a match beyond the window: below every real rank."""


def window_probe(id_column: Expression, conditions: Sequence[ColumnElement[bool]]) -> AnySelect:
    """How many matches there are, up to RANKED + 1, and the highest id among those read.

    No ORDER BY, so PostgreSQL stops its bitmap heap scan after RANKED + 1 matches instead of
    reading all of them; when the count is at most RANKED, it is the exact total."""
    base = cast(QueryableAttribute[Any], id_column).class_
    first: AnySelect = select(id_column.label("id")).select_from(base).where(*conditions)
    read = first.limit(RANKED + 1).subquery("window_probe")
    return select(func.count(), func.max(read.c.id))


def window_bound(
    id_column: Expression, conditions: Sequence[ColumnElement[bool]], highest: int
) -> AnySelect:
    """The id of the (RANKED + 1)-th match in id order: the window's last id.

    The probe read RANKED + 1 matches up to `highest`, so that one is at most `highest`, and
    a bitmap AND with the primary key's range reads only the matches up to there."""
    base = cast(QueryableAttribute[Any], id_column).class_
    return (
        select(id_column)
        .select_from(base)
        .where(*conditions, id_column <= highest)
        .order_by(id_column)
        .offset(RANKED)
        .limit(1)
    )


@dataclass(frozen=True)
class Ranking:
    """The relevance order of one search: exact, or a ranked window up to `bound`."""

    rank: Expression
    """`ts_rank_cd` of a match."""
    id_column: Expression
    bound: int | None
    """The window's last id, or None when every match is in it."""

    @property
    def sort(self) -> Sort:
        """The order pages and cursors follow: (rank DESC, id), -1 beyond the window."""
        if self.bound is None:
            return relevance_sort(self.rank, self.id_column)
        windowed = case(
            (self.id_column <= self.bound, self.rank), else_=literal(UNRANKED, DOUBLE_PRECISION)
        )
        return relevance_sort(windowed, self.id_column)

    def page(
        self,
        listed: AnySelect,
        conditions: Sequence[ColumnElement[bool]],
        sort: Sort,
        labels: Sequence[str],
        after: Sequence[Any] | None,
        size: int,
    ) -> AnySelect:
        """`size` rows of `listed` matching `conditions`, in `sort` order after the cursor
        values `after`.

        Only the window is ranked; the rest is read in id order (the primary key), from the
        window's end or from the cursor when the cursor is already beyond the window. The
        window is ranked on the listed table alone and only the page's rows are joined: joining
        all of its 1,001 rows before keeping 51 was half the time of a search page."""
        order = sort.order_by()
        rank_label, id_label = labels
        filtered = listed.where(*conditions)
        window: list[ColumnElement[bool]] = list(conditions)
        if self.bound is not None:
            window.append(self.id_column <= self.bound)
        if after is not None and after[0] != UNRANKED:
            window.append(sort.after(after))
        # `= ANY(array(SELECT ...))`: PostgreSQL runs the subquery once, then reads the page's
        # rows by primary key (an `IN (SELECT ...)` was planned as a hash join of every row)
        best = func.array(self._best(window, size).scalar_subquery())
        ranked_part = listed.where(self.id_column == any_(best)).add_columns(
            self.rank.label(rank_label), self.id_column.label(id_label)
        )
        if self.bound is None:
            return ranked_part.order_by(*order).limit(size)

        rest = filtered.where(self.id_column > self.bound).add_columns(
            literal(UNRANKED, DOUBLE_PRECISION).label(rank_label), self.id_column.label(id_label)
        )
        if after is not None and after[0] == UNRANKED:  # the cursor is past the window
            return rest.where(self.id_column > after[1]).order_by(self.id_column).limit(size)
        ranked_part = ranked_part.order_by(self.rank.desc(), self.id_column).limit(size)
        rest = rest.order_by(self.id_column).limit(size)
        both = union_all(ranked_part, rest).subquery("ranked_page")
        return select(both).order_by(both.c[rank_label].desc(), both.c[id_label]).limit(size)

    def _best(self, conditions: Sequence[ColumnElement[bool]], size: int) -> AnySelect:
        """The ids of the `size` best-ranked matches under `conditions`, read and ranked on
        the listed table alone (its conditions need no join, see queries/figures.py)."""
        base = cast(QueryableAttribute[Any], self.id_column).class_
        return (
            select(self.id_column)
            .select_from(base)
            .where(*conditions)
            .order_by(self.rank.desc(), self.id_column)
            .limit(size)
        )


def rank_of(search_vector: Expression, query: ColumnElement[Any]) -> Expression:
    """`ts_rank_cd`, widened to double precision: a cursor carries the rank as a JSON double,
    and a `real` rank such as 1.4 never equals the double 1.4 a cursor brings back, so the
    keyset condition would take the cursor's own row again (and a walk would loop)."""
    return func.ts_rank_cd(search_vector, query, type_=REAL).cast(DOUBLE_PRECISION)
