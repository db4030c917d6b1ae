"""Bodies of the write API: the seed models (one source of rules) plus where a record belongs."""

from __future__ import annotations

from pydantic import Field

from app.seeding.schemas import (
    ActivityFields,
    FigureSeed,
    Key,
    LocationSeed,
    PartnerSeed,
    ReportSeed,
    StoryFields,
)


class FigureWrite(FigureSeed):
    story: Key = Field(description="Id of the story the figure belongs to.")
    activity: Key | None = Field(default=None, description="Id of its activity, if any.")


class ActivityWrite(ActivityFields):
    story: Key = Field(description="Id of the story the activity belongs to.")


class StoryWrite(StoryFields):
    report: Key = Field(description="Id of the report edition, e.g. crsv-2023.")


ReportWrite = ReportSeed
LocationWrite = LocationSeed
PartnerWrite = PartnerSeed
