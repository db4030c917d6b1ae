"""How many activities and stories per group: the counting side of the dashboard stats.

An activity is in every country of its places and its mission; a story belongs to every
mission and country it names, and holds every type of its activities. Grouped by one of those,
a record is counted once under each of its values, so the groups may add up to more than the
`total` of records selected, which the answer gives too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import BigInteger, cast, distinct, func, select, true, union
from sqlalchemy.orm import Session, aliased

from app.models import (
    Activity,
    ActivityType,
    Country,
    Location,
    Mission,
    Objective,
    Partner,
    Report,
    Story,
    activity_location,
    activity_partner,
    activity_rollup,
    story_country,
    story_mission,
    story_rollup,
)
from app.queries import activities, stories
from app.queries.axes import TIME_AXES, arrange
from app.queries.grouping import Grouping, GroupKey
from app.queries.listing import search_condition
from app.queries.selection import Selection

ACTIVITY_ROLLUP_FROM = (
    select(activity_rollup)
    .outerjoin(Mission, Mission.id == activity_rollup.c.mission_id)
    .outerjoin(Objective, Objective.id == activity_rollup.c.objective_id)
    .outerjoin(ActivityType, ActivityType.id == activity_rollup.c.activity_type_id)
)

_activity_countries = union(
    select(Activity.id.label("activity_id"), Mission.country_id.label("country_id")).join(
        Mission, Mission.id == Activity.mission_id
    ),
    select(activity_location.c.activity_id, Location.country_id).join(
        Location, Location.id == activity_location.c.location_id
    ),
).subquery("activity_country")
"""Each activity's countries: its mission's, and those of its places."""
_ActivityCountry = aliased(Country, name="group_country")
_ActivityLink = activity_location.alias("group_activity_location")
_ActivityLocation = aliased(Location, name="group_location")
_ActivityPartnerLink = activity_partner.alias("group_activity_partner")
_ActivityPartner = aliased(Partner, name="group_partner")


def _activity_period(axis: str) -> GroupKey:
    key = TIME_AXES[axis].key(Activity.date_start, Activity.date_end, Activity.date_precision)
    return GroupKey(key)


ACTIVITIES = Grouping(
    activities.SPEC,
    {
        "mission": GroupKey(Mission.code, rollup=Mission.code),
        "objective": GroupKey(Objective.number, rollup=Objective.number),
        "country": GroupKey(
            _ActivityCountry.iso3,
            (
                (_activity_countries, _activity_countries.c.activity_id == Activity.id),
                (_ActivityCountry, _ActivityCountry.id == _activity_countries.c.country_id),
            ),
        ),
        "activity_type": GroupKey(ActivityType.code, rollup=ActivityType.code),
        "year": GroupKey(Activity.edition_year, rollup=activity_rollup.c.edition_year),
        "month": _activity_period("month"),
        "quarter": _activity_period("quarter"),
        "period_year": _activity_period("period_year"),
        "location": GroupKey(
            _ActivityLocation.key,
            (
                (_ActivityLink, _ActivityLink.c.activity_id == Activity.id),
                (_ActivityLocation, _ActivityLocation.id == _ActivityLink.c.location_id),
            ),
        ),
        "partner": GroupKey(
            _ActivityPartner.key,
            (
                (_ActivityPartnerLink, _ActivityPartnerLink.c.activity_id == Activity.id),
                (_ActivityPartner, _ActivityPartner.id == _ActivityPartnerLink.c.partner_id),
            ),
        ),
    },
    "activities",
    func.count(distinct(Activity.id)),
    ACTIVITY_ROLLUP_FROM,
    cast(func.sum(activity_rollup.c.activities), BigInteger),
)

_StoryMissionLink = story_mission.alias("group_story_mission")
_StoryMission = aliased(Mission, name="group_mission")
_StoryCountryLink = story_country.alias("group_story_country")
_StoryCountry = aliased(Country, name="group_country")
_StoryActivity = aliased(Activity, name="group_activity")
_StoryType = aliased(ActivityType, name="group_activity_type")

STORY_ROLLUP_FROM = (
    select(story_rollup)
    .join(Report, Report.id == story_rollup.c.report_id)
    .outerjoin(Objective, Objective.id == story_rollup.c.objective_id)
)


def _unnested(column: Any, name: str) -> Any:
    """Each id of a story set (`mission_ids`) as a row: a group's stories count once under
    each of its missions; an empty set gives one NULL, as the rows' outer join does."""
    return func.unnest(column).table_valued(name).render_derived().lateral(f"group_rollup_{name}")


_RollupMissions = _unnested(story_rollup.c.mission_ids, "mission_id")
_RollupCountries = _unnested(story_rollup.c.country_ids, "country_id")

STORIES = Grouping(
    stories.SPEC,
    {
        "mission": GroupKey(
            _StoryMission.code,
            (
                (_StoryMissionLink, _StoryMissionLink.c.story_id == Story.id),
                (_StoryMission, _StoryMission.id == _StoryMissionLink.c.mission_id),
            ),
            rollup=_StoryMission.code,
            rollup_joins=(
                (_RollupMissions, true()),
                (_StoryMission, _StoryMission.id == _RollupMissions.c.mission_id),
            ),
        ),
        "objective": GroupKey(Objective.number, rollup=Objective.number),
        "country": GroupKey(
            _StoryCountry.iso3,
            (
                (_StoryCountryLink, _StoryCountryLink.c.story_id == Story.id),
                (_StoryCountry, _StoryCountry.id == _StoryCountryLink.c.country_id),
            ),
            rollup=_StoryCountry.iso3,
            rollup_joins=(
                (_RollupCountries, true()),
                (_StoryCountry, _StoryCountry.id == _RollupCountries.c.country_id),
            ),
        ),
        "activity_type": GroupKey(
            _StoryType.code,
            (
                (_StoryActivity, _StoryActivity.story_id == Story.id),
                (_StoryType, _StoryType.id == _StoryActivity.activity_type_id),
            ),
        ),
        "year": GroupKey(Report.edition_year, rollup=Report.edition_year),
        "kind": GroupKey(Story.kind, rollup=story_rollup.c.kind),
    },
    "stories",
    func.count(distinct(Story.id)),
    STORY_ROLLUP_FROM,
    cast(func.sum(story_rollup.c.stories), BigInteger),
)

ACTIVITY_DIMENSIONS = (
    "mission",
    "objective",
    "country",
    "activity_type",
    "year",
    "month",
    "quarter",
    "period_year",
)
STORY_DIMENSIONS = ("mission", "objective", "country", "activity_type", "year")


def count_stats(
    session: Session,
    grouping: Grouping,
    selection: Selection,
    group_by: list[str],
    raw: Mapping[str, Any],
    *,
    fill: bool,
) -> dict[str, Any]:
    """Records per group (zero-filled like the figure stats), and the records selected."""
    rows = grouping.rows(session, selection, group_by)
    groups = arrange(session, group_by, rows, raw, lambda: {grouping.count_name: 0}, fill=fill)
    return {"group_by": group_by, "total": total(session, grouping, selection), "groups": groups}


def total(session: Session, grouping: Grouping, selection: Selection) -> int:
    """How many records the selection holds (each once, whatever its groups)."""
    if grouping.uses_rollup(selection, []):
        statement = grouping.base(selection, [], session).with_only_columns(
            func.coalesce(grouping.rollup_count, 0)
        )
    else:
        conditions = list(selection.conditions)
        if selection.q:
            conditions.append(search_condition(grouping.spec, selection.q))
        statement = select(func.count(distinct(grouping.spec.id_column))).where(*conditions)
    return int(session.scalar(statement) or 0)
