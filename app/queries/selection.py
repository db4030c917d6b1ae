"""Which rows a request selects: each dataset's raw filter parameters -> SQL conditions.

The list routes, their CSV/NDJSON negotiation, the export routes, the stats route and the
`crsv export` command all go through here, so a filter means the same thing everywhere.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import ColumnElement

from app.enums import LocationKind, MissionStatus, PartnerKind, Qualifier, StoryKind
from app.models import Location, Mission, Partner
from app.queries import activities, figures, reference, rollups, stories
from app.queries.filters import LOOKUPS, FilterResolver

F = TypeVar("F")

Raw = Mapping[str, Any]
"""Filter name -> raw value: comma-separated text, or a date for date_from/date_to."""


@dataclass(frozen=True)
class Selection:
    conditions: list[ColumnElement[bool]] = field(default_factory=list)
    q: str | None = None
    rollup: list[ColumnElement[bool]] | None = None
    """The same selection on the dataset's rollup (queries/rollups.py), when it can be read
    there: every filter is a rollup column and there is no full-text query."""


def _resolved(
    resolve: FilterResolver, raw: Raw, resolved: type[F], members: dict[str, type[StrEnum]]
) -> F:
    """Fill a filters dataclass field by field: codes and keys become ids, closed vocabularies
    are checked, anything else (dates) passes through."""
    names = [field_.name for field_ in fields(resolved)]  # type: ignore[arg-type]
    values: dict[str, Any] = resolve.ids_of({n: raw.get(n) for n in names if n in LOOKUPS})
    for name in names:
        if name in members:
            values[name] = resolve.members(name, raw.get(name), members[name])
        elif name not in LOOKUPS:
            values[name] = raw.get(name)
    return resolved(**values)


def figures_where(resolve: FilterResolver, raw: Raw) -> Selection:
    resolved = _resolved(resolve, raw, figures.FigureFilters, {"qualifier": Qualifier})
    return Selection(figures.conditions(resolved), rollup=rollups.FIGURES.conditions(resolved))


def activities_where(resolve: FilterResolver, raw: Raw) -> Selection:
    resolved = _resolved(resolve, raw, activities.ActivityFilters, {})
    return Selection(
        activities.conditions(resolved), rollup=rollups.ACTIVITIES.conditions(resolved)
    )


def stories_where(resolve: FilterResolver, raw: Raw) -> Selection:
    resolved = _resolved(resolve, raw, stories.StoryFilters, {"kind": StoryKind})
    return Selection(stories.conditions(resolved))


def missions_where(resolve: FilterResolver, raw: Raw) -> Selection:
    where: list[ColumnElement[bool]] = []
    countries = resolve.ids("country", raw.get("country"))
    statuses = resolve.members("status", raw.get("status"), MissionStatus)
    if countries is not None:
        where.append(Mission.country_id.in_(countries))
    if statuses is not None:
        where.append(Mission.status.in_(statuses))
    return Selection(where)


def locations_where(resolve: FilterResolver, raw: Raw) -> Selection:
    where: list[ColumnElement[bool]] = []
    countries = resolve.ids("country", raw.get("country"))
    kinds = resolve.members("kind", raw.get("kind"), LocationKind)
    if countries is not None:
        where.append(Location.country_id.in_(countries))
    if kinds is not None:
        where.append(Location.kind.in_(kinds))
    if raw.get("q"):
        where.append(reference.name_matches(raw["q"], Location.name, Location.admin1))
    return Selection(where)


def partners_where(resolve: FilterResolver, raw: Raw) -> Selection:
    where: list[ColumnElement[bool]] = []
    ids = resolve.ids_of({"mission": raw.get("mission"), "country": raw.get("country")})
    missions, countries = ids["mission"], ids["country"]
    kinds = resolve.members("kind", raw.get("kind"), PartnerKind)
    if missions is not None:
        where.append(reference.partner_works_with(missions))
    if countries is not None:
        where.append(Partner.country_id.in_(countries))
    if kinds is not None:
        where.append(Partner.kind.in_(kinds))
    if raw.get("q"):
        where.append(reference.name_matches(raw["q"], Partner.name, Partner.acronym))
    return Selection(where)


def no_filters(resolve: FilterResolver, raw: Raw) -> Selection:
    return Selection()
