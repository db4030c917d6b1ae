"""Pydantic models of the seed files: the one set of rules for curated data.

The seed loader validates every file against these models before it touches the database, and
the curator write API reuses them, so a rule lives in exactly one place.
"""

from __future__ import annotations

import calendar
import re
from datetime import date
from typing import Annotated, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    ValidationInfo,
    field_validator,
    model_validator,
)

from app.enums import (
    CoordinatePrecision,
    DatePrecision,
    LocationKind,
    MissionStatus,
    PartnerKind,
    Qualifier,
    StoryKind,
)

KEY_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
CODE_PATTERN = r"^[a-z][a-z0-9_]*$"

Key = Annotated[str, StringConstraints(pattern=KEY_PATTERN, max_length=120)]
"""A stable public identifier chosen by the curator: lower-case words joined by hyphens."""

Code = Annotated[str, StringConstraints(pattern=CODE_PATTERN, max_length=60)]
"""A vocabulary code: lower-case snake_case."""

MissionCode = Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9-]{1,19}$")]
Iso3 = Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]


def _no_nul(text: str) -> str:
    """PostgreSQL text cannot hold NUL: refused here, named by its field, never a 500."""
    if "\x00" in text:
        raise ValueError("must not contain NUL characters")
    return text


Text = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(_no_nul)
]
ShortText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=300),
    AfterValidator(_no_nul),
]
SourceText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=500),
    AfterValidator(_no_nul),
]
"""Where a value comes from, in a sentence (a `varchar(500)` column)."""

# Numbers are strict (JSON `true` or "12" is not a number) and bounded by their columns, so the
# schema, and the OpenAPI built from it, says what the database can hold.
INTEGER_MAX = 2**31 - 1
"""Largest PostgreSQL `integer`."""
SMALLINT_MAX = 2**15 - 1
"""Largest PostgreSQL `smallint`."""

Count = Annotated[int, Strict(), Field(ge=0, le=INTEGER_MAX)]
"""A figure's value or part of its breakdown: an `integer` column."""
Ordinal = Annotated[int, Strict(), Field(ge=1, le=SMALLINT_MAX)]
"""A story's number or position: a `smallint` column."""
ObjectiveNumber = Annotated[int, Strict(), Field(ge=1, le=5)]


def _iso_date(value: object) -> object:
    """JSON has no dates: accept 'YYYY-MM-DD' text (a YAML date is already one), nothing else;
    lax parsing would read the number 0 as 1970-01-01."""
    if isinstance(value, str) and _ISO_DATE.fullmatch(value):
        return date.fromisoformat(value)
    return value


_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
IsoDate = Annotated[date, Strict(), BeforeValidator(_iso_date)]


class SeedModel(BaseModel):
    """Base for seed records: unknown fields are errors, so a typo never loads silently."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


_PERIOD_PART = re.compile(r"^(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


class Period(SeedModel):
    """A date or date range at the precision the report gives it.

    `start` is the first day and `end` the last day covered: 'May 2023' is 2023-05-01 to
    2023-05-31 with precision `month`.
    """

    start: IsoDate
    end: IsoDate
    precision: DatePrecision

    @model_validator(mode="before")
    @classmethod
    def _from_text(cls, data: object) -> object:
        """Seed files write periods compactly: '2023-07/2023-09'."""
        if isinstance(data, str):
            return _period_fields(data)
        return data

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if self.end < self.start:
            raise ValueError("end must not be before start")
        return self

    def render(self) -> str:
        """The compact form `parse` reads, used when seeds are written back."""
        width = {DatePrecision.YEAR: 4, DatePrecision.MONTH: 7, DatePrecision.DAY: 10}
        first = self.start.isoformat()[: width[self.precision]]
        last = self.end.isoformat()[: width[self.precision]]
        return first if first == last else f"{first}/{last}"


def _period_fields(text: str) -> dict[str, object]:
    """Read '2023', '2023-05', '2023-05-12' or a range 'A/B' of two such parts."""
    first, _, last = text.partition("/")
    start, precision = _parse_part(first, at_end=False)
    end, end_precision = _parse_part(last or first, at_end=True)
    if end_precision != precision:
        raise ValueError(f"both ends of {text!r} must have the same precision")
    return {"start": start, "end": end, "precision": precision}


def _parse_part(part: str, *, at_end: bool) -> tuple[date, DatePrecision]:
    match = _PERIOD_PART.match(part.strip())
    if not match:
        raise ValueError(f"{part!r} is not YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = match.groups()
    if day is not None:
        return date(int(year), int(month), int(day)), DatePrecision.DAY
    if month is not None:
        last_day = calendar.monthrange(int(year), int(month))[1]
        return date(int(year), int(month), last_day if at_end else 1), DatePrecision.MONTH
    return date(int(year), 12 if at_end else 1, 31 if at_end else 1), DatePrecision.YEAR


# --- vocabularies and reference data -------------------------------------------------------


class MetricSeed(SeedModel):
    code: Code
    label: ShortText
    unit: Code = Field(description="what one unit of value is: person, event, case, ...")
    definition: Text


class ActivityTypeSeed(SeedModel):
    code: Code
    label: ShortText
    definition: Text


class ObjectiveSeed(SeedModel):
    number: ObjectiveNumber
    title: ShortText
    description: Text


class CountrySeed(SeedModel):
    iso3: Iso3
    name: ShortText


class MissionSeed(SeedModel):
    code: MissionCode
    name: ShortText
    country: Iso3
    status: MissionStatus
    mandate_start: IsoDate
    mandate_end: IsoDate | None = None
    mandate_note: Text | None = Field(default=None, description="where the mandate dates come from")

    @model_validator(mode="after")
    def _mandate_consistent(self) -> Self:
        if self.mandate_end is not None and self.mandate_end < self.mandate_start:
            raise ValueError("mandate_end must not be before mandate_start")
        if self.status is MissionStatus.CLOSED and self.mandate_end is None:
            raise ValueError("a closed mission needs a mandate_end")
        return self


class LocationSeed(SeedModel):
    key: Key
    name: ShortText
    kind: LocationKind
    country: Iso3
    admin1: ShortText | None = Field(
        default=None, description="first-level administrative area (province, state, ...)"
    )
    latitude: float | None = Field(default=None, ge=-90, le=90, strict=True)
    longitude: float | None = Field(default=None, ge=-180, le=180, strict=True)
    precision: CoordinatePrecision | None = Field(
        default=None,
        description="what the coordinates stand for: point (the place), centroid (the middle "
        "of an area) or approximate (a nearby known point); required with coordinates",
    )
    coordinate_source: SourceText | None = Field(
        default=None,
        description="where the coordinates come from: the gazetteer and its entry, or why "
        "they were recorded by hand; required with coordinates",
    )

    @model_validator(mode="after")
    def _both_coordinates(self) -> Self:
        if (self.latitude is None) != (self.longitude is None):
            raise ValueError("give both latitude and longitude, or neither")
        located = self.latitude is not None
        if located and (self.precision is None or self.coordinate_source is None):
            raise ValueError("coordinates need a precision and a coordinate_source")
        if not located and (self.precision is not None or self.coordinate_source is not None):
            raise ValueError("precision and coordinate_source describe coordinates: give them too")
        return self


class PartnerSeed(SeedModel):
    key: Key
    name: ShortText
    acronym: ShortText | None = None
    kind: PartnerKind
    country: Iso3 | None = Field(default=None, description="home country of a national body")


# --- the report and its content ------------------------------------------------------------


class ReportSeed(SeedModel):
    key: Key
    edition_year: int = Field(ge=2000, le=2100, strict=True)
    title: ShortText
    publisher: ShortText
    published: Period
    source_url: Text
    licence_note: Text


class FigureSeed(SeedModel):
    """A figure's own fields, shared by seed files and the write API."""

    key: Key
    metric: Code
    unit: Code | None = Field(
        default=None,
        description="what one unit of value is, when not the metric's unit (convictions "
        "counted in cases, not persons); sums never add figures of different units",
    )
    value: Count
    part_of: Key | None = Field(
        default=None,
        description="id of the figure this one is a subset of (same story, metric and unit, "
        "not larger); totals never add a part to its whole",
    )
    qualifier: Qualifier = Qualifier.EXACT
    women: Count | None = None
    men: Count | None = None
    children: Count | None = None
    subject: ShortText = Field(description="what is counted, in a few words")
    location: Key | None = None
    period: Period | None = None
    evidence: Text = Field(description="shortest verbatim phrase holding the number")
    section: ShortText | None = Field(
        default=None, description="section of the report; defaults to the story's section"
    )
    note: Text | None = None

    @model_validator(mode="after")
    def _breakdown_fits(self) -> Self:
        parts = sum(p or 0 for p in (self.women, self.men, self.children))
        if parts > self.value:
            raise ValueError(f"women + men + children ({parts}) exceed the value ({self.value})")
        return self

    @field_validator("part_of")
    @classmethod
    def _not_own_part(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None and value == info.data.get("key"):
            raise ValueError("a figure cannot be part of itself (part_of is its own id)")
        return value


class ActivityFields(SeedModel):
    """An activity's own fields, shared by seed files and the write API."""

    key: Key
    mission: MissionCode | None = None
    type: Code
    title: ShortText
    description: Text
    period: Period | None = None
    locations: list[Key] = Field(default_factory=list)
    partners: list[Key] = Field(default_factory=list)


class ActivitySeed(ActivityFields):
    """An activity in a story file, with its figures nested."""

    figures: list[FigureSeed] = Field(default_factory=list)


class StoryFields(SeedModel):
    """A story's own fields, shared by seed files and the write API."""

    key: Key
    number: Ordinal | None = None
    kind: StoryKind
    position: Ordinal = Field(description="order of appearance in the report")
    title: ShortText
    section: ShortText = Field(description="where the story sits in the report")
    objective: ObjectiveNumber | None = None
    missions: list[MissionCode] = Field(default_factory=list)
    countries: list[Iso3] = Field(default_factory=list)
    summary: Text
    editorial_note: Text | None = Field(
        default=None, description="curator's reasoning, e.g. where an unheaded story starts"
    )

    @model_validator(mode="after")
    def _numbered_iff_story(self) -> Self:
        if (self.kind is StoryKind.NUMBERED_STORY) != (self.number is not None):
            raise ValueError("a numbered_story needs a number, and only it may have one")
        return self


class StorySeed(StoryFields):
    """A story file: the story with its activities (and their figures) nested."""

    activities: list[ActivitySeed] = Field(default_factory=list)
    figures: list[FigureSeed] = Field(
        default_factory=list, description="figures of the story not tied to one activity"
    )


class NumberExclusion(SeedModel):
    """A number in the report that is deliberately not a figure, with the reason why."""

    phrase: Text = Field(description="verbatim phrase of the report holding the number(s)")
    reason: ShortText
