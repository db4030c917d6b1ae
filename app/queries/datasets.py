"""One declaration per dataset: how it is listed, filtered, counted, exported and keyed.

Everything else that varies by dataset (the list, record and export routes, the stats rollups,
the Data Package's keys, `crsv export`) reads it from here, so adding a dataset is one entry here
plus its model, migration, list query and export columns, and the text and response models of
its read routes (app/api/v1/readable.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from app.queries import (
    activities,
    columns,
    figures,
    places,
    reference,
    rollups,
    selection,
    stories,
)
from app.queries.columns import ExportColumn
from app.queries.filters import FilterResolver
from app.queries.listing import AnySelect, ListSpec
from app.queries.selection import Filters, Raw, Selection


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
    """An export column holding the primary key of another dataset (or another unique column of
    it: `field`)."""

    column: str
    target: DatasetName
    field: str | None = None

    @property
    def target_field(self) -> str:
        """The column of `target` the values are found in."""
        return self.field or DATASETS[self.target].primary_key


@dataclass(frozen=True)
class RecordPath:
    """How a route names one record of the dataset: its path parameter and an example id.

    The GET route of a record and its PUT, PATCH and DELETE routes share both, so that each
    record path is one OpenAPI path item with one example.
    """

    parameter: str
    example: str | int


@dataclass(frozen=True)
class Dataset:
    """A listable resource: how it is listed, which filters it takes, how it is exported."""

    spec: ListSpec
    record: RecordPath
    columns: list[ExportColumn]
    """Its flat export columns (CSV, NDJSON, JSON, XLSX, the Data Package)."""
    primary_key: str
    """The export column that identifies a row."""
    foreign_keys: tuple[ForeignKey, ...] = ()
    filters: Filters[Any] | None = None
    """Its filter parameters (none: it takes none) and their conditions on its rows."""
    searchable: bool = False
    """`q` is full-text search (ranked); otherwise `q`, if any, is a name match in `where`."""
    rollup: rollups.Rollup | None = None
    """Where totals are read when the selection allows (`Selection.rollup`)."""
    places: ColumnElement[Any] | None = None
    """Where each row is (app/queries/places.py): set for the datasets served as GeoJSON."""
    tag: str = field(kw_only=True)
    """The OpenAPI tag its list, record and write routes are listed under."""

    @property
    def geo_spec(self) -> ListSpec:
        """The list spec whose items also carry their places, for GeoJSON answers."""
        assert self.places is not None, "not a mappable dataset"
        return places.with_places(self.spec, self.places)

    def total(self, selection: Selection) -> AnySelect | None:
        """A statement counting the selection from the rollup, or None to count the rows."""
        if self.rollup is None or selection.rollup is None:
            return None
        return self.rollup.total(selection.rollup)


_COUNTRY = ForeignKey("country", DatasetName.COUNTRIES)
_MISSION = ForeignKey("mission", DatasetName.MISSIONS)
_OBJECTIVE = ForeignKey("objective", DatasetName.OBJECTIVES)
_STORY = ForeignKey("story_id", DatasetName.STORIES)
_YEAR = ForeignKey("year", DatasetName.REPORTS, "edition_year")

DATASETS: dict[DatasetName, Dataset] = {
    DatasetName.MISSIONS: Dataset(
        reference.MISSIONS,
        RecordPath("code", "monusco"),
        columns.MISSIONS,
        "code",
        (_COUNTRY,),
        filters=selection.MISSIONS,
        tag="missions",
    ),
    DatasetName.OBJECTIVES: Dataset(
        reference.OBJECTIVES,
        RecordPath("number", 2),
        columns.OBJECTIVES,
        "number",
        tag="objectives",
    ),
    DatasetName.COUNTRIES: Dataset(
        reference.COUNTRIES,
        RecordPath("iso3", "COD"),
        columns.COUNTRIES,
        "iso3",
        tag="places",
    ),
    DatasetName.LOCATIONS: Dataset(
        reference.LOCATIONS,
        RecordPath("location_id", "goma"),
        columns.LOCATIONS,
        "id",
        (_COUNTRY,),
        filters=selection.LOCATIONS,
        places=places.LOCATION_PLACES,
        tag="places",
    ),
    DatasetName.PARTNERS: Dataset(
        reference.PARTNERS,
        RecordPath("partner_id", "unfpa"),
        columns.PARTNERS,
        "id",
        (_COUNTRY,),
        filters=selection.PARTNERS,
        tag="partners",
    ),
    DatasetName.STORIES: Dataset(
        stories.SPEC,
        RecordPath("story_id", "2023-story-17"),
        columns.STORIES,
        "id",
        (_YEAR, _OBJECTIVE),
        filters=selection.STORIES,
        searchable=True,
        rollup=rollups.STORIES,
        tag="stories",
    ),
    DatasetName.ACTIVITIES: Dataset(
        activities.SPEC,
        RecordPath("activity_id", "2023-story-10-mobile-courts-support"),
        columns.ACTIVITIES,
        "id",
        (_YEAR, _MISSION, _OBJECTIVE, _STORY, ForeignKey("type", DatasetName.ACTIVITY_TYPES)),
        filters=selection.ACTIVITIES,
        searchable=True,
        rollup=rollups.ACTIVITIES,
        places=places.ACTIVITY_PLACES,
        tag="activities",
    ),
    DatasetName.FIGURES: Dataset(
        figures.SPEC,
        RecordPath("figure_id", "2023-story-17-survivors-identified"),
        columns.FIGURES,
        "id",
        (
            _YEAR,
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
        filters=selection.FIGURES,
        searchable=True,
        rollup=rollups.FIGURES,
        places=places.FIGURE_PLACES,
        tag="figures",
    ),
    DatasetName.METRICS: Dataset(
        reference.METRICS,
        RecordPath("code", "convictions"),
        columns.METRICS,
        "code",
        tag="vocabularies",
    ),
    DatasetName.ACTIVITY_TYPES: Dataset(
        reference.ACTIVITY_TYPES,
        RecordPath("code", "mobile_court"),
        columns.ACTIVITY_TYPES,
        "code",
        tag="vocabularies",
    ),
    DatasetName.REPORTS: Dataset(
        reference.REPORTS,
        RecordPath("report_id", "crsv-2023"),
        columns.REPORTS,
        "id",
        tag="reports",
    ),
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

    def bound(self, session: Session) -> Any | None:
        """The resolved filters, when a JSON page can bind them to statements compiled once
        per shape (app/queries/pages.py): the dataset's filters bind and there is no
        full-text query; else None. Bad values are one 422, as `resolve` gives; the SQL
        conditions, which such a page never reads, are not made (on a figure page they cost
        a twentieth of a worker's CPU)."""
        declared = described(self.dataset)
        filters = declared.filters
        if filters is None or not filters.bindable or (declared.searchable and self.raw.get("q")):
            return None
        resolve = FilterResolver(session)
        values = filters.resolved(resolve, self.raw)
        resolve.check()
        return values


def resolve_selection(session: Session, dataset: str, raw: Raw) -> Selection:
    """Resolve `raw` filters of `dataset`; one 422 names every bad value."""
    resolve = FilterResolver(session)
    declared = described(dataset)
    selection = declared.filters.where(resolve, raw) if declared.filters else Selection()
    resolve.check()
    q = raw.get("q") if declared.searchable else None
    return replace(selection, q=q, rollup=None) if q else selection


MAPPABLE: tuple[DatasetName, ...] = tuple(
    name for name, d in DATASETS.items() if d.places is not None
)
"""The datasets that also answer as GeoJSON (lists and `/v1/exports/{dataset}.geojson`)."""


def described(name: str) -> Dataset:
    """The declaration of the dataset called `name` (a ValueError for an unknown one)."""
    return DATASETS[DatasetName(name)]
