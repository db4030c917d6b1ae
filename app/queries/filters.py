"""Turn filter parameters (codes, keys, numbers) into internal ids, or a 422 naming each bad one.

Resolving first keeps the list SQL simple (`mission_id IN (...)`) and lets an unknown value be
an error instead of a silently empty result.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from typing import Any

from sqlalchemy import Select, String, Text, cast, literal, select, union_all
from sqlalchemy.orm import Session

from app.db.precompiled import Precompiled
from app.errors import InvalidParameters, parameter_error
from app.models import (
    Activity,
    ActivityType,
    Country,
    Location,
    Metric,
    Mission,
    Objective,
    Partner,
    Report,
    Story,
)
from app.queries.bound import Placeholder, one_of
from app.queries.keyset import Expression


@dataclass(frozen=True)
class Lookup:
    """Where a filter's public values live and how a raw value is normalised."""

    label: str
    column: Expression
    id_column: Expression
    normalise: Callable[[str], Any]


def _integer(text: str) -> int:
    value = int(text)
    if not -(2**31) < value < 2**31:
        raise ValueError(text)
    return value


LOOKUPS: dict[str, Lookup] = {
    "mission": Lookup("mission", Mission.code, Mission.id, str.upper),
    "objective": Lookup("objective", Objective.number, Objective.id, _integer),
    "country": Lookup("country", Country.iso3, Country.id, str.upper),
    "location": Lookup("location", Location.key, Location.id, str.lower),
    "partner": Lookup("partner", Partner.key, Partner.id, str.lower),
    "story": Lookup("story", Story.key, Story.id, str.lower),
    "activity": Lookup("activity", Activity.key, Activity.id, str.lower),
    "type": Lookup("activity type", ActivityType.code, ActivityType.id, str.lower),
    "metric": Lookup("metric", Metric.code, Metric.id, str.lower),
    # years resolve to themselves: figures and activities carry their edition year
    "year": Lookup("report edition year", Report.edition_year, Report.edition_year, _integer),
}


@cache
def lookup_statement(names: tuple[str, ...]) -> Precompiled:
    """One query finding the ids of the values of every filter in `names`, each bound whole
    (`= ANY(:name)`), compiled once per combination of filters: a request only binds its
    values and runs it as a prepared statement. Through the ORM session, this look-up was a
    tenth of a worker's CPU on a figure page (bench/RESULTS.md)."""
    parts: list[Select[str, str, Any]] = [
        select(
            literal(name, String).label("name"),
            cast(LOOKUPS[name].column, Text).label("value"),
            LOOKUPS[name].id_column.label("id"),
        ).where(one_of(LOOKUPS[name].column, Placeholder(name, several=True)))
        for name in names
    ]
    return Precompiled(parts[0] if len(parts) == 1 else union_all(*parts))


def split_values(raw: str | None) -> list[str]:
    """'minusca, monusco' -> ['minusca', 'monusco']; None -> []."""
    return [part.strip() for part in (raw or "").split(",") if part.strip()]


class FilterResolver:
    """Collects every bad filter value of a request, then raises one 422 for all of them."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.errors: list[dict[str, Any]] = []

    def ids(self, name: str, raw: str | None) -> list[int] | None:
        """Internal ids for the comma list `raw` of filter `name`; None when not filtering."""
        return self.ids_of({name: raw})[name]

    def ids_of(self, raws: Mapping[str, str | None]) -> dict[str, list[int] | None]:
        """`ids` for several filters at once, in one query; each bad value is an error."""
        wanted: dict[str, list[Any]] = {}
        errors: dict[str, list[dict[str, Any]]] = {name: [] for name in raws}
        for name, raw in raws.items():
            values = split_values(raw)
            if not values:
                continue
            lookup = LOOKUPS[name]
            wanted[name] = []
            for value in values:
                try:
                    wanted[name].append(lookup.normalise(value))
                except ValueError:
                    errors[name].append(
                        parameter_error(name, f"'{value}' is not a valid {lookup.label}")
                    )
        found: dict[str, dict[str, int]] = {name: {} for name in wanted}
        asked = {name: values for name, values in wanted.items() if values}
        if asked:
            statement = lookup_statement(tuple(asked))
            for name, value, id_ in statement.rows(self.session, asked):
                found[name][value] = id_
        for name, values in wanted.items():
            unknown = [str(value) for value in values if str(value) not in found[name]]
            if unknown:
                label = LOOKUPS[name].label
                errors[name].append(parameter_error(name, f"unknown {label}: {', '.join(unknown)}"))
        for name in raws:  # in the order the filters were given
            self.errors.extend(errors[name])
        return {name: list(found[name].values()) if name in wanted else None for name in raws}

    def members(self, name: str, raw: str | None, enum: type[StrEnum]) -> list[str] | None:
        """Validated members of a closed vocabulary (qualifier, kind, status)."""
        values = split_values(raw)
        if not values:
            return None
        allowed = {member.value for member in enum}
        bad = [value for value in values if value.lower() not in allowed]
        if bad:
            self.errors.append(
                parameter_error(
                    name, f"unknown {name}: {', '.join(bad)}; allowed: {', '.join(sorted(allowed))}"
                )
            )
        return [value.lower() for value in values if value.lower() in allowed]

    def check(self) -> None:
        if self.errors:
            raise InvalidParameters(self.errors)
