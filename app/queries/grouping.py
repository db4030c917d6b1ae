"""GROUP BY over one dataset's selection: from its rollup when it can, else from its rows.

The stats routes and the list facets both count a selection per value of something (a
mission, an activity type, a month); this is the one place that builds those statements.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, ColumnElement, FromClause, cast, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.util import ClauseAdapter
from sqlalchemy.sql.visitors import iterate

from app.errors import InvalidParameters, parameter_error
from app.queries.keyset import Expression
from app.queries.listing import AnySelect, ListSpec, plan_for_the_words, search_condition
from app.queries.selection import Selection

Join = tuple[FromClause | Any, ColumnElement[bool]]


@dataclass(frozen=True)
class GroupKey:
    """A value rows are grouped by, and what it needs beyond the list's own SELECT."""

    expression: Expression
    joins: tuple[Join, ...] = ()
    """Outer joins (target, on) to tables the list's SELECT lacks: a record linked to several
    values (a story of two missions) is counted once under each."""
    rollup: Expression | None = None
    """The same value over the rollup's FROM, when the rollup keeps it."""
    rollup_joins: tuple[Join, ...] = ()
    """Outer joins the rollup value needs (a story's missions, unnested from its set)."""


@dataclass(frozen=True)
class Grouping:
    """How one dataset's selected rows are grouped and counted."""

    spec: ListSpec
    keys: Mapping[str, GroupKey]
    count_name: str
    count: ColumnElement[Any]
    """Rows in a group (DISTINCT where a join can repeat a row)."""
    rollup_from: AnySelect | None = None
    rollup_count: ColumnElement[Any] | None = None
    rollup_folded: Column[Any] | None = None
    """A rollup column summed away first when no asked key reads it (the edition year): the
    groups then join and measure a fraction of the rollup's rows."""
    rollup_sums: tuple[str, ...] = ()
    """The rollup's additive columns, summed when `rollup_folded` is."""

    def uses_rollup(self, selection: Selection, names: Sequence[str]) -> bool:
        return (
            self.rollup_from is not None
            and selection.rollup is not None
            and all(self.keys[name].rollup is not None for name in names)
        )

    def base(self, selection: Selection, names: Sequence[str], session: Session) -> AnySelect:
        """The selection's FROM and WHERE, on the rollup or on the rows, with the joins the
        keys `names` need."""
        if self.uses_rollup(selection, names):
            assert self.rollup_from is not None
            statement = self.rollup_from.where(*(selection.rollup or ()))
            for name in names:
                for target, on in self.keys[name].rollup_joins:
                    statement = statement.outerjoin(target, on)
            return statement
        conditions = list(selection.conditions)
        if selection.q:
            plan_for_the_words(session)
            conditions.append(search_condition(self.spec, selection.q))
        statement = self.spec.select.where(*conditions)
        for name in names:
            for target, on in self.keys[name].joins:
                statement = statement.outerjoin(target, on)
        return statement

    def rows(
        self,
        session: Session,
        selection: Selection,
        names: Sequence[str],
        measures: Sequence[ColumnElement[Any]] | None = None,
        rollup_measures: Sequence[ColumnElement[Any]] | None = None,
        *,
        exclude: Callable[[AnySelect, list[Expression]], ColumnElement[bool]] | None = None,
    ) -> list[dict[str, Any]]:
        """One row per group holding rows: its keys (named as `names`) and its measures
        (by default the count, named `count_name`). `exclude`, given the selection and the
        group keys, leaves rows out of their group (on the rows only: figure parts whose whole
        is in the same group)."""
        from_rollup = self.uses_rollup(selection, names)
        counted = self.rollup_count if from_rollup else self.count
        assert counted is not None
        keys: list[ColumnElement[Any]] = []
        for name in names:
            key = self.keys[name]
            expression = key.rollup if from_rollup else key.expression
            assert expression is not None
            keys.append(expression.label(name))
        chosen = list((rollup_measures if from_rollup else measures) or [])
        base = self.base(selection, names, session)
        folded = self._folded(selection, names, keys) if from_rollup else None
        if folded is not None:  # the same statement over the rollup summed over a column
            assert self.rollup_from is not None
            base = folded.traverse(self.rollup_from)
            keys = [folded.traverse(key) for key in keys]
            chosen = [folded.traverse(measure) for measure in chosen]
            counted = folded.traverse(counted)
        statement = base.with_only_columns(*keys, *(chosen or [counted.label(self.count_name)]))
        if exclude is not None and not from_rollup:
            expressions = [self.keys[name].expression for name in names]
            statement = statement.where(exclude(base, expressions))
        statement = (
            statement.group_by(*keys).having(
                counted > 0
            )  # no phantom all-null group when nothing matched
        )
        return [dict(row) for row in session.execute(statement).mappings()]

    def _folded(
        self, selection: Selection, names: Sequence[str], keys: Sequence[ColumnElement[Any]]
    ) -> ClauseAdapter | None:
        """What moves a rollup statement onto the selection's rollup rows summed over
        `rollup_folded`, when no key reads that column; None otherwise. The rollup keeps one
        row per edition year and group, so at 16 editions this is a sixteenth of the rows to
        join to the names and to measure (the grouping by codes was most of a grouped stat)."""
        fold = self.rollup_folded
        if fold is None or any(part is fold for key in keys for part in iterate(key)):
            return None
        if any(self.keys[name].rollup_joins for name in names):
            return None
        table = fold.table
        kept = [c for c in table.c if c is not fold and c.name not in self.rollup_sums]
        summed = (
            select(
                *kept,
                # each sum keeps its column's type, as the statement's own sums expect
                *(cast(func.sum(table.c[n]), table.c[n].type).label(n) for n in self.rollup_sums),
            )
            .where(*(selection.rollup or ()))
            .group_by(*kept)
            .subquery("summed")
        )
        # every column of the rollup, by name (a sum is a new column of the same name); the
        # names' tables (mission, metric, ...) stay as they are
        return ClauseAdapter(
            summed,
            include_fn=lambda element: element is table or getattr(element, "table", None) is table,
            adapt_on_names=True,
        )


def parse_group_by(text: str | None, allowed: Sequence[str]) -> list[str]:
    """`group_by`'s comma list, each a known dimension, none twice; else a 422."""
    names = [part.strip() for part in (text or "").split(",") if part.strip()]
    unknown = [name for name in names if name not in allowed]
    if unknown:
        raise InvalidParameters(
            [
                parameter_error(
                    "group_by",
                    f"unknown dimension(s): {', '.join(unknown)}; allowed: {', '.join(allowed)}",
                )
            ]
        )
    if len(set(names)) != len(names):
        raise InvalidParameters([parameter_error("group_by", "a dimension is given twice")])
    return names
