"""Which rows a request selects: each dataset's raw filter parameters -> SQL conditions.

The list routes, their CSV/NDJSON negotiation, the export routes, the stats route and the
`crsv export` command all go through here, so a filter means the same thing everywhere.
"""

from __future__ import annotations

import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields, replace
from enum import StrEnum
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement

from app.enums import LocationKind, MissionStatus, PartnerKind
from app.models import Location, Mission, Partner
from app.queries import activities, figures, reference, rollups, stories
from app.queries.bound import hints_of
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
    values: Any = None
    """The resolved filters dataclass the conditions were made from (None: made by hand), from
    which app/queries/pages.py binds a statement compiled once per shape."""


def _resolved(resolve: FilterResolver, raw: Raw, resolved: type[F]) -> F:
    """Fill a filters dataclass field by field: codes and keys become ids (`LOOKUPS`), a
    closed vocabulary (a field of `list[SomeStrEnum]`) is checked, anything else (dates, a
    name search) passes through."""
    looked_up, vocabularies, passed = _fields_of(resolved)
    values: dict[str, Any] = resolve.ids_of({name: raw.get(name) for name in looked_up})
    for name, vocabulary in vocabularies:
        values[name] = resolve.members(name, raw.get(name), vocabulary)
    for name in passed:
        values[name] = raw.get(name)
    return resolved(**values)


FieldsByResolution = tuple[tuple[str, ...], tuple[tuple[str, type[StrEnum]], ...], tuple[str, ...]]
_FIELDS: dict[type[Any], FieldsByResolution] = {}


def _fields_of(resolved: type[Any]) -> FieldsByResolution:
    """A filters dataclass's fields by how they resolve: looked up, of a vocabulary, as
    given (worked out once per dataclass, not per request)."""
    if resolved not in _FIELDS:
        _FIELDS[resolved] = _by_resolution(resolved)
    return _FIELDS[resolved]


def _by_resolution(resolved: type[Any]) -> FieldsByResolution:
    hints = hints_of(resolved)
    names = [field_.name for field_ in fields(resolved)]
    vocabularies = tuple(
        (name, vocabulary) for name in names if (vocabulary := vocabulary_of(hints[name]))
    )
    of_vocabulary = {name for name, _ in vocabularies}
    looked_up = tuple(name for name in names if name in LOOKUPS and name not in of_vocabulary)
    passed = tuple(name for name in names if name not in LOOKUPS and name not in of_vocabulary)
    return looked_up, vocabularies, passed


def vocabulary_of(annotation: Any) -> type[StrEnum] | None:
    """The closed vocabulary a filter field holds (`list[Qualifier] | None` -> Qualifier)."""
    for arg in typing.get_args(annotation):
        (member,) = typing.get_args(arg) or (None,)
        if isinstance(member, type) and issubclass(member, StrEnum):
            return member
    return None


@dataclass(frozen=True)
class Filters(Generic[F]):
    """A dataset's filters: the dataclass that declares them (its fields are the filter
    parameters, in order; the API's query model is made from it) and their SQL conditions."""

    fields: type[F]
    conditions: Callable[[F], Selection]
    bindable: bool = False
    """Whether `conditions` also takes a template of placeholders (app/queries/bound.py),
    so that a list page can be compiled once per shape (app/queries/pages.py)."""

    def names(self) -> list[str]:
        return [field_.name for field_ in fields(self.fields)]  # type: ignore[arg-type]

    def resolved(self, resolve: FilterResolver, raw: Raw) -> F:
        """The filters with codes turned into ids and vocabularies checked; bad values are
        collected in `resolve`."""
        return _resolved(resolve, raw, self.fields)

    def where(self, resolve: FilterResolver, raw: Raw) -> Selection:
        resolved = self.resolved(resolve, raw)
        selection = self.conditions(resolved)
        return replace(selection, values=resolved) if self.bindable else selection


def _figures(resolved: figures.FigureFilters) -> Selection:
    return Selection(figures.conditions(resolved), rollup=rollups.FIGURES.conditions(resolved))


def _activities(resolved: activities.ActivityFilters) -> Selection:
    return Selection(
        activities.conditions(resolved), rollup=rollups.ACTIVITIES.conditions(resolved)
    )


def _stories(resolved: stories.StoryFilters) -> Selection:
    return Selection(stories.conditions(resolved), rollup=rollups.STORIES.conditions(resolved))


FIGURES = Filters(figures.FigureFilters, _figures, bindable=True)
ACTIVITIES = Filters(activities.ActivityFilters, _activities, bindable=True)
STORIES = Filters(stories.StoryFilters, _stories, bindable=True)


@dataclass(frozen=True)
class MissionFilters:
    country: list[int] | None = None
    status: list[MissionStatus] | None = None


def _missions(f: MissionFilters) -> Selection:
    where: list[ColumnElement[bool]] = []
    if f.country is not None:
        where.append(Mission.country_id.in_(f.country))
    if f.status is not None:
        where.append(Mission.status.in_(f.status))
    return Selection(where)


@dataclass(frozen=True)
class LocationFilters:
    country: list[int] | None = None
    kind: list[LocationKind] | None = None
    q: str | None = None
    """A name search (not full-text: locations are not `searchable`)."""


def _locations(f: LocationFilters) -> Selection:
    where: list[ColumnElement[bool]] = []
    if f.country is not None:
        where.append(Location.country_id.in_(f.country))
    if f.kind is not None:
        where.append(Location.kind.in_(f.kind))
    if f.q:
        where.append(reference.name_matches(f.q, Location.name, Location.admin1))
    return Selection(where)


@dataclass(frozen=True)
class PartnerFilters:
    mission: list[int] | None = None
    country: list[int] | None = None
    kind: list[PartnerKind] | None = None
    q: str | None = None
    """A name search (not full-text: partners are not `searchable`)."""


def _partners(f: PartnerFilters) -> Selection:
    where: list[ColumnElement[bool]] = []
    if f.mission is not None:
        where.append(reference.partner_works_with(f.mission))
    if f.country is not None:
        where.append(Partner.country_id.in_(f.country))
    if f.kind is not None:
        where.append(Partner.kind.in_(f.kind))
    if f.q:
        where.append(reference.name_matches(f.q, Partner.name, Partner.acronym))
    return Selection(where)


MISSIONS = Filters(MissionFilters, _missions)
LOCATIONS = Filters(LocationFilters, _locations)
PARTNERS = Filters(PartnerFilters, _partners)
