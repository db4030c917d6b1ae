"""One declaration per dataset: how it is listed, filtered, counted, exported and keyed.

Everything else that varies by dataset (the list and export routes, the stats rollups, the
Data Package's keys, `crsv export`) reads it from here, so adding a dataset is one entry here
plus its model, migration, list query and export columns.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import StrEnum

from sqlalchemy.orm import Session

from app.queries import activities, columns, figures, reference, rollups, stories
from app.queries.columns import ExportColumn
from app.queries.filters import FilterResolver
from app.queries.listing import AnySelect, ListSpec
from app.queries.selection import (
    Raw,
    Selection,
    activities_where,
    figures_where,
    locations_where,
    missions_where,
    no_filters,
    partners_where,
    stories_where,
)


class DatasetName(StrEnum):
    """Every listable, exportable dataset, in the order of the export routes."""

    MISSIONS = "missions"
    OBJECTIVES = "objectives"
    COUNTRIES = "countries"
    LOCATIONS = "locations"
    PARTNERS = "partners"
    STORIES = "stories"
    ACTIVITIES = "activities"
    FIGURES = "figures"
    METRICS = "metrics"
    ACTIVITY_TYPES = "activity-types"
    REPORTS = "reports"


@dataclass(frozen=True)
class ForeignKey:
    """An export column holding the primary key of another dataset."""

    column: str
    target: DatasetName


@dataclass(frozen=True)
class Dataset:
    """A listable resource: how it is listed, which filters it takes, how it is exported."""

    spec: ListSpec
    columns: list[ExportColumn]
    """Its flat export columns (CSV, NDJSON, JSON, XLSX, the Data Package)."""
    primary_key: str
    """The export column that identifies a row."""
    foreign_keys: tuple[ForeignKey, ...] = ()
    where: Callable[[FilterResolver, Raw], Selection] = no_filters
    """Its filter parameters, resolved, as conditions on its rows."""
    searchable: bool = False
    """`q` is full-text search (ranked); otherwise `q`, if any, is a name match in `where`."""
    rollup: rollups.Rollup | None = None
    """Where totals are read when the selection allows (`Selection.rollup`)."""

    def total(self, selection: Selection) -> AnySelect | None:
        """A statement counting the selection from the rollup, or None to count the rows."""
        if self.rollup is None or selection.rollup is None:
            return None
        return self.rollup.total(selection.rollup)


_COUNTRY = ForeignKey("country", DatasetName.COUNTRIES)
_MISSION = ForeignKey("mission", DatasetName.MISSIONS)
_OBJECTIVE = ForeignKey("objective", DatasetName.OBJECTIVES)
_STORY = ForeignKey("story_id", DatasetName.STORIES)

DATASETS: dict[DatasetName, Dataset] = {
    DatasetName.MISSIONS: Dataset(
        reference.MISSIONS, columns.MISSIONS, "code", (_COUNTRY,), where=missions_where
    ),
    DatasetName.OBJECTIVES: Dataset(reference.OBJECTIVES, columns.OBJECTIVES, "number"),
    DatasetName.COUNTRIES: Dataset(reference.COUNTRIES, columns.COUNTRIES, "iso3"),
    DatasetName.LOCATIONS: Dataset(
        reference.LOCATIONS, columns.LOCATIONS, "id", (_COUNTRY,), where=locations_where
    ),
    DatasetName.PARTNERS: Dataset(
        reference.PARTNERS, columns.PARTNERS, "id", (_COUNTRY,), where=partners_where
    ),
    DatasetName.STORIES: Dataset(
        stories.SPEC,
        columns.STORIES,
        "id",
        (_OBJECTIVE,),
        where=stories_where,
        searchable=True,
    ),
    DatasetName.ACTIVITIES: Dataset(
        activities.SPEC,
        columns.ACTIVITIES,
        "id",
        (_MISSION, _OBJECTIVE, _STORY, ForeignKey("type", DatasetName.ACTIVITY_TYPES)),
        where=activities_where,
        searchable=True,
        rollup=rollups.ACTIVITIES,
    ),
    DatasetName.FIGURES: Dataset(
        figures.SPEC,
        columns.FIGURES,
        "id",
        (
            _MISSION,
            _OBJECTIVE,
            _COUNTRY,
            ForeignKey("location_id", DatasetName.LOCATIONS),
            _STORY,
            ForeignKey("activity_id", DatasetName.ACTIVITIES),
            ForeignKey("activity_type", DatasetName.ACTIVITY_TYPES),
            ForeignKey("metric", DatasetName.METRICS),
            ForeignKey("part_of", DatasetName.FIGURES),
        ),
        where=figures_where,
        searchable=True,
        rollup=rollups.FIGURES,
    ),
    DatasetName.METRICS: Dataset(reference.METRICS, columns.METRICS, "code"),
    DatasetName.ACTIVITY_TYPES: Dataset(reference.ACTIVITY_TYPES, columns.ACTIVITY_TYPES, "code"),
    DatasetName.REPORTS: Dataset(reference.REPORTS, columns.REPORTS, "id"),
}


@dataclass(frozen=True)
class Criteria:
    """What a request asked of one dataset (its filter parameters), not yet checked against the
    data.

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
    declared = described(dataset)
    selection = declared.where(resolve, raw)
    resolve.check()
    q = raw.get("q") if declared.searchable else None
    return replace(selection, q=q, rollup=None) if q else selection


def described(name: str) -> Dataset:
    """The declaration of the dataset called `name` (a ValueError for an unknown one)."""
    return DATASETS[DatasetName(name)]
