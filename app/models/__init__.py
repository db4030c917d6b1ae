"""All ORM models; importing this package registers every table on `Base.metadata`."""

from app.models.access import ApiKey, AuditEvent, AuthFailure
from app.models.content import (
    Activity,
    Figure,
    Report,
    Story,
    activity_location,
    activity_partner,
    story_country,
    story_mission,
)
from app.models.reference import Country, Location, Mission, Objective, Partner
from app.models.rollups import activity_rollup, figure_rollup, story_rollup
from app.models.seeding import SeedLoad
from app.models.vocabulary import ActivityType, Metric

__all__ = [
    "Activity",
    "ActivityType",
    "ApiKey",
    "AuditEvent",
    "AuthFailure",
    "Country",
    "Figure",
    "Location",
    "Metric",
    "Mission",
    "Objective",
    "Partner",
    "Report",
    "SeedLoad",
    "Story",
    "activity_location",
    "activity_partner",
    "activity_rollup",
    "figure_rollup",
    "story_country",
    "story_mission",
    "story_rollup",
]
