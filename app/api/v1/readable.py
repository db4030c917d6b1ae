"""What the read routes of each dataset say and answer with, beside its registry entry.

`app/queries/datasets.py` declares how a dataset is listed, filtered and exported; the API
layer adds here what only HTTP needs: the text of its list and record routes (their OpenAPI
descriptions), their response models, and how one record is looked up. app/api/v1/reads.py
makes the routes from both, in the order of `READABLE`, so a new dataset needs an entry here
and no route code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel
from sqlalchemy.orm import Session

from app.queries import details
from app.queries.datasets import DatasetName
from app.schemas.content import ActivityDetail, ActivityOut, FigureOut, StoryDetail, StoryOut
from app.schemas.reference import (
    ActivityTypeOut,
    CountryOut,
    LocationDetail,
    LocationOut,
    MetricOut,
    MissionDetail,
    MissionOut,
    ObjectiveDetail,
    ObjectiveOut,
    PartnerOut,
    ReportOut,
)

K = TypeVar("K", str, int)


@dataclass(frozen=True)
class Lookup(Generic[K]):
    """How the record route finds one record by its path parameter (named in the registry's
    `RecordPath`)."""

    key: type[K]
    description: str
    """The path parameter's description."""
    find: Callable[[Session, K], dict[str, Any] | None]
    noun: str
    """What a 404 calls the record; the route is named `get_<noun>`."""
    lowercase: bool = False
    """Look up the key lowercased (ids are lowercase; the 404 names the key as given)."""
    bounds: tuple[int, int] | None = None
    """Inclusive bounds of an integer key (out of them: a 422, not a lookup)."""


@dataclass(frozen=True)
class Readable:
    """A dataset's list route (`GET /v1/{dataset}`) and record route."""

    item: type[BaseModel]
    """One row of the list (`Page[item]`)."""
    listed: str
    """The list route's description."""
    lookup: Lookup[Any]
    record: type[BaseModel]
    """The record route's response model."""
    found: str
    """The record route's description."""


READABLE: dict[DatasetName, Readable] = {
    DatasetName.REPORTS: Readable(
        ReportOut,
        "Report editions held by the service.",
        Lookup(str, "Report id or edition year.", details.report_detail, "report"),
        ReportOut,
        "One report edition, by id (`crsv-2023`) or edition year (`2023`).",
    ),
    DatasetName.MISSIONS: Readable(
        MissionOut,
        "Peacekeeping missions with a CRSV mandate.",
        Lookup(str, "Mission code, any case.", details.mission_detail, "mission"),
        MissionDetail,
        "A mission with its counts of stories, activities and figures.",
    ),
    DatasetName.OBJECTIVES: Readable(
        ObjectiveOut,
        "The five priority objectives of the UN policy on CRSV in field missions.",
        Lookup(int, "Objective number.", details.objective_detail, "objective", bounds=(1, 32767)),
        ObjectiveDetail,
        "An objective with its counts of stories, activities and figures.",
    ),
    DatasetName.COUNTRIES: Readable(
        CountryOut,
        "Countries referenced by the data.",
        Lookup(str, "ISO 3166-1 alpha-3 code.", details.country_detail, "country"),
        CountryOut,
        "One country.",
    ),
    DatasetName.LOCATIONS: Readable(
        LocationOut,
        "Places where activities happened: towns, camps, provinces, states, ...",
        Lookup(str, "Location id.", details.location_detail, "location"),
        LocationDetail,
        "One location.",
    ),
    DatasetName.PARTNERS: Readable(
        PartnerOut,
        "Organisations the missions worked with, one record each.",
        Lookup(str, "Partner id.", details.partner_detail, "partner"),
        PartnerOut,
        "One partner organisation.",
    ),
    DatasetName.METRICS: Readable(
        MetricOut,
        "The metric vocabulary: what figures count, with definitions.",
        Lookup(str, "Metric code.", details.metric_detail, "metric"),
        MetricOut,
        "One metric and its definition.",
    ),
    DatasetName.ACTIVITY_TYPES: Readable(
        ActivityTypeOut,
        "The activity-type vocabulary, with definitions.",
        Lookup(str, "Activity type code.", details.activity_type_detail, "activity type"),
        ActivityTypeOut,
        "One activity type and its definition.",
    ),
    DatasetName.STORIES: Readable(
        StoryOut,
        "Stories, highlight boxes and overview sections of the reports.",
        Lookup(str, "Story id.", details.story_detail, "story", lowercase=True),
        StoryDetail,
        "A story with its activities, each with its figures, and all the story's figures.",
    ),
    DatasetName.ACTIVITIES: Readable(
        ActivityOut,
        "What the missions did: trainings, patrols, mobile courts, consultations, ...",
        Lookup(str, "Activity id.", details.activity_detail, "activity", lowercase=True),
        ActivityDetail,
        "An activity with its figures, locations and partners.",
    ),
    DatasetName.FIGURES: Readable(
        FigureOut,
        "The numbers the report gives, each with its qualifier, breakdown and evidence.",
        Lookup(str, "Figure id.", details.figure_detail, "figure", lowercase=True),
        FigureOut,
        "One figure with its source.",
    ),
}
"""Each dataset's read routes, in the order they are served and documented."""
