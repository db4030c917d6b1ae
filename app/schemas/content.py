"""Response models of stories, activities and figures."""

from __future__ import annotations

from pydantic import Field

from app.enums import LocationKind, PartnerKind, Qualifier, StoryKind
from app.schemas.common import PeriodOut, Schema, example


class MetricRef(Schema):
    code: str
    label: str
    unit: str


class StoryRef(Schema):
    id: str
    number: int | None
    title: str


class ActivityRef(Schema):
    id: str
    title: str
    type: str = Field(description="Activity type code.")


class LocationRef(Schema):
    id: str
    name: str
    country: str


class Source(Schema):
    """Where a figure comes from: the report edition, its section and the verbatim phrase."""

    report: str
    edition: int
    section: str
    evidence: str = Field(description="Shortest verbatim phrase of the report holding the number.")


FIGURE_EXAMPLE = {
    "id": "2023-story-17-survivors-identified",
    "metric": {"code": "survivors_identified", "label": "Survivors identified", "unit": "person"},
    "unit": "person",
    "value": 604,
    "part_of": None,
    "qualifier": "exact",
    "women": 554,
    "men": 50,
    "children": None,
    "subject": "CRSV survivors identified for the reparations project",
    "mission": "MINUSCA",
    "objective": 5,
    "story": {
        "id": "2023-story-17",
        "number": 17,
        "title": "MINUSCA collaborates with national civil society to support CRSV "
        "survivors receiving reparations",
    },
    "activity": {
        "id": "2023-story-17-case-screening",
        "title": "Screening of cases",
        "type": "survivor_support",
    },
    "location": {"id": "dekoa", "name": "Dekoa", "country": "CAF"},
    "date": None,
    "note": None,
    "source": {
        "report": "crsv-2023",
        "edition": 2023,
        "section": "Fulfilling our objectives › Objective 5 › Story 17",
        "evidence": "604 CRSV survivors were identified (50 men and 554 women)",
    },
}


class FigureOut(Schema):
    model_config = example(FIGURE_EXAMPLE)
    id: str
    metric: MetricRef
    unit: str = Field(
        description="What one unit of value is: the figure's own unit when it counts another "
        "thing than its metric's (convictions in cases), else the metric's."
    )
    value: int = Field(ge=0, description="The number as the report writes it.")
    part_of: str | None = Field(
        description="Id of the figure this one is a subset of; totals never add the two."
    )
    qualifier: Qualifier = Field(description="How the report words it ('at least', ...).")
    women: int | None
    men: int | None
    children: int | None
    subject: str = Field(description="What is counted.")
    mission: str | None = Field(description="Code of the mission whose activity produced it.")
    objective: int | None
    story: StoryRef
    activity: ActivityRef | None
    location: LocationRef | None
    date: PeriodOut | None = Field(
        description="The figure's period, or its activity's when only the activity is dated."
    )
    note: str | None
    source: Source


class TypeRef(Schema):
    code: str
    label: str


class ActivityLocation(Schema):
    id: str
    name: str
    kind: LocationKind
    country: str
    admin1: str | None


class ActivityPartner(Schema):
    id: str
    name: str
    acronym: str | None
    kind: PartnerKind


ACTIVITY_EXAMPLE = {
    "id": "2023-story-10-mobile-courts",
    "title": "Mobile courts",
    "description": "MONUSCO supported mobile courts trying CRSV charges.",
    "type": {"code": "mobile_court", "label": "Mobile court"},
    "mission": "MONUSCO",
    "objective": 2,
    "story": {"id": "2023-story-10", "number": 10, "title": "..."},
    "year": 2023,
    "date": {"start": "2023-01-01", "end": "2023-12-31", "precision": "year"},
    "locations": [],
    "partners": [],
    "figure_count": 2,
}


class ActivityOut(Schema):
    model_config = example(ACTIVITY_EXAMPLE)
    id: str
    title: str
    description: str
    type: TypeRef
    mission: str | None
    objective: int | None
    story: StoryRef
    year: int = Field(description="Report edition year.")
    date: PeriodOut | None
    locations: list[ActivityLocation]
    partners: list[ActivityPartner]
    figure_count: int


class ActivityDetail(ActivityOut):
    model_config = example({**ACTIVITY_EXAMPLE, "figures": [FIGURE_EXAMPLE]})
    figures: list[FigureOut]


class ObjectiveRef(Schema):
    number: int
    title: str


STORY_EXAMPLE = {
    "id": "2023-story-17",
    "number": 17,
    "kind": "numbered_story",
    "title": "MINUSCA collaborates with national civil society to support CRSV survivors "
    "receiving reparations",
    "summary": "MINUSCA helped screen cases for a reparations project...",
    "objective": {"number": 5, "title": "Empowerment of victims/survivors..."},
    "missions": ["MINUSCA"],
    "countries": ["CAF"],
    "year": 2023,
    "report": "crsv-2023",
    "section": "Fulfilling our objectives › Objective 5 › Story 17",
    "position": 28,
    "editorial_note": None,
    "activity_count": 2,
    "figure_count": 1,
}


class StoryOut(Schema):
    model_config = example(STORY_EXAMPLE)
    id: str
    number: int | None
    kind: StoryKind
    title: str
    summary: str
    objective: ObjectiveRef | None
    missions: list[str]
    countries: list[str]
    year: int
    report: str
    section: str
    position: int = Field(description="Order of appearance in the report.")
    editorial_note: str | None = Field(
        description="Curator's reasoning, e.g. for unheaded stories."
    )
    activity_count: int
    figure_count: int


class StoryActivity(ActivityOut):
    figures: list[FigureOut]


class StoryDetail(StoryOut):
    model_config = example({**STORY_EXAMPLE, "activities": [], "figures": [FIGURE_EXAMPLE]})
    activities: list[StoryActivity]
    figures: list[FigureOut] = Field(description="Every figure of the story.")
