"""What a group's value is called and which values a chart must show: the axes of the stats.

Every dataset groups by the same axes (mission, objective, country, metric, activity type,
edition year, location, and the month, quarter or year of a period), so their codes, labels
and zero-filled domains are declared once here, whatever table the counts come from.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, case, extract, func, select
from sqlalchemy.orm import Session

from app.enums import DatePrecision
from app.errors import InvalidParameters, parameter_error
from app.models import (
    ActivityType,
    Country,
    Location,
    Metric,
    Mission,
    Objective,
    Partner,
    Report,
)
from app.queries.filters import LOOKUPS, split_values
from app.queries.keyset import Expression

Key = Any
"""A group's value on one axis: a code, a number, a period key, or None."""


@dataclass(frozen=True)
class ReferenceAxis:
    """An axis whose values are the rows of a reference table (its codes, with labels)."""

    code: Expression
    labels: Mapping[str, Expression] = field(default_factory=dict)
    filter: str | None = None
    """The list filter on the same values: when given, only its values can appear."""
    fills: bool = True
    """Whether every value appears (zero-filled); locations are too many, and nest in
    countries, so their empty groups would mostly be impossible pairs."""

    def values(
        self, session: Session, present: set[Key], raw: Mapping[str, Any]
    ) -> dict[Key, dict[str, Any]]:
        """Its values in order, each with its labels: every value the filters allow, or
        (not filling) the values present."""
        statement = select(self.code, *self.labels.values()).order_by(self.code)
        wanted = self.allowed(raw)
        if wanted is not None:
            statement = statement.where(self.code.in_(wanted))
        if not self.fills:
            statement = statement.where(self.code.in_([k for k in present if k is not None]))
        names = list(self.labels)
        return {
            row[0]: dict(zip(names, row[1:], strict=True))
            for row in session.execute(statement).all()
        }

    def labels_of(self, session: Session, keys: Iterable[Key]) -> dict[Key, dict[str, Any]]:
        """The labels of the values `keys` (facets name only the values present)."""
        wanted = [key for key in keys if key is not None]
        statement = select(self.code, *self.labels.values()).where(self.code.in_(wanted))
        names = list(self.labels)
        return {
            row[0]: dict(zip(names, row[1:], strict=True))
            for row in session.execute(statement).all()
        }

    def allowed(self, raw: Mapping[str, Any]) -> list[Any] | None:
        """The values its own filter names (already checked against the data), if any."""
        if self.filter is None or not raw.get(self.filter):
            return None
        return [LOOKUPS[self.filter].normalise(v) for v in split_values(raw[self.filter])]


@dataclass(frozen=True)
class TimeAxis:
    """The month, quarter or year a record's period falls in, honouring its precision.

    A period lands in a bucket only when the whole of it lies inside: a figure known only to
    the year never lands in a month, and one covering July to September lands in Q3 but in no
    month. Those land in a separate bucket for their year, keyed by the year alone (`2023`) and
    labelled as such; a period over several years is keyed `2022/2023`; no date, `null`.
    """

    grain: str
    """'month', 'quarter' or 'period_year'."""

    def key(self, start: Expression, end: Expression, precision: Expression) -> Expression:
        years: ColumnElement[Any] = case(
            (
                extract("year", start) == extract("year", end),
                func.to_char(start, "YYYY"),
            ),
            else_=func.to_char(start, "YYYY") + "/" + func.to_char(end, "YYYY"),
        )
        if self.grain == "period_year":
            return years
        pattern = "YYYY-MM" if self.grain == "month" else 'YYYY-"Q"Q'
        return case(
            (
                and_(
                    precision != DatePrecision.YEAR,
                    func.to_char(start, pattern) == func.to_char(end, pattern),
                ),
                func.to_char(start, pattern),
            ),
            else_=years,
        )

    def label(self, key: str | None) -> str:
        unit = {"month": "month", "quarter": "quarter", "period_year": "year"}[self.grain]
        if key is None:
            return "no date"
        if "/" in key:
            first, last = key.split("/")
            return f"{first}–{last}, not within one {unit}"
        if len(key) == 4:
            return key if self.grain == "period_year" else f"{key}, not within one {unit}"
        year, part = key.split("-")
        return (
            f"Q{part[1]} {year}"
            if self.grain == "quarter"
            else f"{calendar.month_name[int(part)]} {year}"
        )

    def buckets(self, present: set[Key], raw: Mapping[str, Any]) -> list[str]:
        """Every bucket of the years present (January to December, Q1 to Q4), within the
        date filters, then the year-level buckets present: a series without gaps."""
        years = sorted(
            {int(part[:4]) for key in present if key is not None for part in key.split("/")}
        )
        if not years:
            return []
        first, last = years[0], years[-1]
        if self.grain == "period_year":
            spans = [(str(y), date(y, 1, 1), date(y, 12, 31)) for y in range(first, last + 1)]
        elif self.grain == "quarter":
            spans = [
                (f"{y}-Q{q}", date(y, 3 * q - 2, 1), _month_end(y, 3 * q))
                for y in range(first, last + 1)
                for q in range(1, 5)
            ]
        else:
            spans = [
                (f"{y}-{m:02d}", date(y, m, 1), _month_end(y, m))
                for y in range(first, last + 1)
                for m in range(1, 13)
            ]
        date_from, date_to = raw.get("date_from"), raw.get("date_to")
        keys = [
            key
            for key, start, end in spans
            if (date_from is None or end >= date_from) and (date_to is None or start <= date_to)
        ]
        return keys + sorted(k for k in present if k is not None and k not in keys)

    def values(
        self, session: Session, present: set[Key], raw: Mapping[str, Any], *, fill: bool
    ) -> dict[Key, dict[str, Any]]:
        keys = self.buckets(present, raw)
        if not fill:
            keys = [key for key in keys if key in present]
        return {key: {f"{self.grain}_label": self.label(key)} for key in keys}


def _month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


MOST_FILLED_GROUPS = 10_000
"""A zero-filled answer is the product of its dimensions' values; past this, a 422 (an
answer no chart can draw, and a cheap way to make the server build millions of rows)."""

REFERENCE_AXES: dict[str, ReferenceAxis] = {
    "mission": ReferenceAxis(Mission.code, {"mission_name": Mission.name}, "mission"),
    "objective": ReferenceAxis(Objective.number, {"objective_title": Objective.title}, "objective"),
    "country": ReferenceAxis(Country.iso3, {"country_name": Country.name}, "country"),
    # a group's `unit` comes from its figures (a figure may count in another unit than its
    # metric's), never from this label
    "metric": ReferenceAxis(Metric.code, {"metric_label": Metric.label}, "metric"),
    "activity_type": ReferenceAxis(
        ActivityType.code, {"activity_type_label": ActivityType.label}, "type"
    ),
    "year": ReferenceAxis(Report.edition_year, {}, "year"),
    "location": ReferenceAxis(Location.key, {"location_name": Location.name}, fills=False),
    "partner": ReferenceAxis(Partner.key, {"partner_name": Partner.name}, fills=False),
}
TIME_AXES: dict[str, TimeAxis] = {
    name: TimeAxis(name) for name in ("month", "quarter", "period_year")
}


def arrange(
    session: Session,
    names: list[str],
    rows: Iterable[dict[str, Any]],
    raw: Mapping[str, Any],
    empty: Callable[[], dict[str, Any]],
    *,
    fill: bool,
    present_only: Iterable[str] = (),
) -> list[dict[str, Any]]:
    """Groups ready for a chart: each with its labels, in axis order, and (filling) every
    combination of the values the filters allow, an empty one given `empty()`'s measures.

    Axes in `present_only` (the metric split that keeps metrics apart) take only the values
    present. Groups outside a filter's own values (a story of two missions, asked for one)
    are left out. Filling stops when an axis does not fill (location).
    """
    present_only = set(present_only)
    found = {tuple(row[name] for name in names): row for row in rows}
    # no dimension, nothing to fill: a selection of nothing is no group, not one of zero
    fill = fill and bool(names)
    fill = fill and all(
        REFERENCE_AXES.get(n, TIME_AXES.get(n)) is not None for n in names if n not in present_only
    )
    fill = fill and all(n not in REFERENCE_AXES or REFERENCE_AXES[n].fills for n in names)
    domains: list[dict[Key, dict[str, Any]]] = []
    for position, name in enumerate(names):
        present = {key[position] for key in found}
        filled = fill and name not in present_only
        reference = REFERENCE_AXES.get(name)
        if reference is not None:
            values = reference.values(session, present, raw)
            if not filled:
                values = {k: v for k, v in values.items() if k in present}
        elif name not in TIME_AXES:  # an axis of the values present only (a figure's unit)
            values = {k: {} for k in sorted(present, key=str)}
            if fill and "metric" in names:
                values[None] = {}  # the unit of a metric no figure counts
        else:
            values = TIME_AXES[name].values(session, present, raw, fill=filled)
        domains.append(values)
    keys = list(found)
    if fill:
        # a metric fills only in its own units (below): the unit axis multiplies nothing
        paired = "unit" in names and "metric" in names
        size = math.prod(
            len(values)
            for name, values in zip(names, domains, strict=True)
            if not (paired and name == "unit")
        )
        if size > MOST_FILLED_GROUPS:
            reason = (
                f"filling every value would give {size:,} groups, more than "
                f"{MOST_FILLED_GROUPS:,}: send fill=none, filter, or group by fewer dimensions"
            )
            raise InvalidParameters([parameter_error("fill", reason)])
        combinations: list[tuple[Key, ...]] = [()]
        for values in domains:
            combinations = [(*c, k) for c in combinations for k in values]
        if "unit" in names and "metric" in names:
            # a metric is filled in the units its figures count in, never in every unit
            m, u = names.index("metric"), names.index("unit")
            pairs = {(key[m], key[u]) for key in found}
            counted = {metric for metric, _ in pairs}
            combinations = [
                c
                for c in combinations
                if (c[m], c[u]) in pairs or (c[m] not in counted and c[u] is None)
            ]
        keys = list(dict.fromkeys([*combinations, *keys]))

    def allowed(key: tuple[Key, ...]) -> bool:
        for name, value, values in zip(names, key, domains, strict=True):
            axis = REFERENCE_AXES.get(name)
            if axis is not None and axis.allowed(raw) is not None and value not in values:
                return False
        return True

    positions = [{value: i for i, value in enumerate(values)} for values in domains]

    def order(key: tuple[Key, ...]) -> tuple[int, ...]:
        return tuple(p.get(v, len(p)) for p, v in zip(positions, key, strict=True))

    blank: dict[str, Any] | None = None
    groups = []
    for key in sorted(filter(allowed, keys), key=order):
        group = dict(zip(names, key, strict=True))
        for name, value, values in zip(names, key, domains, strict=True):
            labels = values.get(value)
            if labels is None:
                labels = _no_labels(name, value)
            group.update(labels)
        row = found.get(key)
        if row is None:
            blank = empty() if blank is None else blank
            row = blank
        group.update({k: v for k, v in row.items() if k not in group})
        groups.append(group)
    return groups


def _no_labels(name: str, value: Key) -> dict[str, Any]:
    """Labels of a value outside the domain (no mission, no date): null, or 'no date'."""
    if name in TIME_AXES:
        return {f"{name}_label": TIME_AXES[name].label(value)}
    return {label: None for label in REFERENCE_AXES[name].labels}
