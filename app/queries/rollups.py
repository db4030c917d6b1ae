"""Totals and grouped sums read from the rollups (app/models/rollups.py) when they can be.

A selection can be answered from a rollup when every filter it uses is kept by the rollup
(edition year, mission, objective, and metric and qualifier or activity type; for stories also
kind and country) and it has no full-text query; otherwise the caller counts the rows
themselves. Both give the same numbers:
the triggers keep the rollups exact, and the tests compare the two ways.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import Column, ColumnElement, Select, func, select

from app.models import Report, activity_rollup, figure_rollup, story_rollup
from app.queries.bound import array_of, one_of

Test = Callable[[Any], ColumnElement[bool]]


@dataclass(frozen=True)
class Rollup:
    count: Column[Any]
    """The column holding each group's number of rows."""
    columns: Mapping[str, Column[Any] | Test]
    """Filter name (a field of the dataset's filters dataclass) -> the rollup column whose
    value it tests (`IN`), or what it tests given the filter's values."""

    def conditions(self, values: Any) -> list[ColumnElement[bool]] | None:
        """The resolved filter `values` restated on the rollup, or None when one of them is
        not kept there."""
        where: list[ColumnElement[bool]] = []
        for field in fields(values):
            value = getattr(values, field.name)
            if value is None:
                continue
            test = self.columns.get(field.name)
            if test is None:
                return None
            where.append(one_of(test, value) if isinstance(test, Column) else test(value))
        return where

    def total(self, conditions: list[ColumnElement[bool]]) -> Select[tuple[int]]:
        return select(func.coalesce(func.sum(self.count), 0)).where(*conditions)


FIGURES = Rollup(
    figure_rollup.c.figures,
    {
        "mission": figure_rollup.c.mission_id,
        "objective": figure_rollup.c.objective_id,
        "metric": figure_rollup.c.metric_id,
        "qualifier": figure_rollup.c.qualifier,
        "year": figure_rollup.c.edition_year,
    },
)
ACTIVITIES = Rollup(
    activity_rollup.c.activities,
    {
        "mission": activity_rollup.c.mission_id,
        "objective": activity_rollup.c.objective_id,
        "type": activity_rollup.c.activity_type_id,
        "year": activity_rollup.c.edition_year,
    },
)


def _overlaps(column: Column[Any]) -> Test:
    """A story set (`mission_ids`) holding any of the values: the story is counted once."""
    element = column.type.item_type  # type: ignore[attr-defined]
    return lambda values: column.overlap(array_of(values, element))


STORIES = Rollup(
    story_rollup.c.stories,
    {
        "mission": _overlaps(story_rollup.c.mission_ids),
        "objective": story_rollup.c.objective_id,
        "country": _overlaps(story_rollup.c.country_ids),
        "kind": story_rollup.c.kind,
        "year": lambda years: story_rollup.c.report_id.in_(
            select(Report.id).where(one_of(Report.edition_year, years))
        ),
    },
)
