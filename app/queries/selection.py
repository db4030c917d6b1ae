"""Which rows a request selects: raw filter parameters -> SQL conditions, per dataset.

The list routes, their CSV/NDJSON negotiation, the export routes, the stats route and the
`crsv export` command all go through here, so a filter means the same thing everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from app.enums import LocationKind, MissionStatus, PartnerKind, Qualifier, StoryKind
from app.models import Location, Mission, Partner
from app.queries import activities, figures, reference, rollups, stories
from app.queries.filters import LOOKUPS, FilterResolver
from app.queries.listing import AnySelect, ListSpec

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


def _figures(resolve: FilterResolver, raw: Raw) -> Selection:
    resolved = _resolved(resolve, raw, figures.FigureFilters, {"qualifier": Qualifier})
    return Selection(figures.conditions(resolved), rollup=rollups.FIGURES.conditions(resolved))


def _activities(resolve: FilterResolver, raw: Raw) -> Selection:
    resolved = _resolved(resolve, raw, activities.ActivityFilters, {})
    return Selection(
        activities.conditions(resolved), rollup=rollups.ACTIVITIES.conditions(resolved)
    )


def _stories(resolve: FilterResolver, raw: Raw) -> Selection:
    resolved = _resolved(resolve, raw, stories.StoryFilters, {"kind": StoryKind})
    return Selection(stories.conditions(resolved))


def _missions(resolve: FilterResolver, raw: Raw) -> Selection:
    where: list[ColumnElement[bool]] = []
    countries = resolve.ids("country", raw.get("country"))
    statuses = resolve.members("status", raw.get("status"), MissionStatus)
    if countries is not None:
        where.append(Mission.country_id.in_(countries))
    if statuses is not None:
        where.append(Mission.status.in_(statuses))
    return Selection(where)


def _locations(resolve: FilterResolver, raw: Raw) -> Selection:
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


def _partners(resolve: FilterResolver, raw: Raw) -> Selection:
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


def _none(resolve: FilterResolver, raw: Raw) -> Selection:
    return Selection()


@dataclass(frozen=True)
class Dataset:
    """A listable resource: how it is listed and which filters it takes."""

    spec: ListSpec
    where: Callable[[FilterResolver, Raw], Selection]
    """Its filter parameters, resolved, as conditions on its rows."""
    searchable: bool = False
    """`q` is full-text search (ranked); otherwise `q`, if any, is a name match in filters."""
    rollup: rollups.Rollup | None = None
    """Where totals are read when the selection allows (`Selection.rollup`)."""

    def total(self, selection: Selection) -> AnySelect | None:
        """A statement counting the selection from the rollup, or None to count the rows."""
        if self.rollup is None or selection.rollup is None:
            return None
        return self.rollup.total(selection.rollup)


DATASETS: dict[str, Dataset] = {
    "reports": Dataset(reference.REPORTS, _none),
    "missions": Dataset(reference.MISSIONS, _missions),
    "objectives": Dataset(reference.OBJECTIVES, _none),
    "countries": Dataset(reference.COUNTRIES, _none),
    "locations": Dataset(reference.LOCATIONS, _locations),
    "partners": Dataset(reference.PARTNERS, _partners),
    "stories": Dataset(stories.SPEC, _stories, searchable=True),
    "activities": Dataset(activities.SPEC, _activities, searchable=True, rollup=rollups.ACTIVITIES),
    "figures": Dataset(figures.SPEC, _figures, searchable=True, rollup=rollups.FIGURES),
    "metrics": Dataset(reference.METRICS, _none),
    "activity-types": Dataset(reference.ACTIVITY_TYPES, _none),
}


@dataclass(frozen=True)
class Filters:
    """The filter parameters a request gave for one dataset, not yet checked against the data.

    Reading them needs no database; resolving them (codes to ids, one 422 for every unknown
    value) does, and happens in the session that answers the request.
    """

    dataset: str
    raw: Raw = field(default_factory=dict)

    def resolve(self, session: Session) -> Selection:
        return resolve_selection(session, self.dataset, self.raw)


def resolve_selection(session: Session, dataset: str, raw: Raw) -> Selection:
    """Resolve `raw` filters of `dataset`; one 422 names every bad value."""
    resolve = FilterResolver(session)
    described = DATASETS[dataset]
    selection = described.where(resolve, raw)
    resolve.check()
    q = raw.get("q") if described.searchable else None
    return replace(selection, q=q, rollup=None) if q else selection
