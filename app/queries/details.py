"""Each resource's record as GET answers it (writes answer the same, so their ETags match).

A route only names the record; finding it is SQL, and all SQL lives in `app/queries`.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import ColumnElement, bindparam, func, select
from sqlalchemy.orm import Session

from app.db.precompiled import Precompiled
from app.models import (
    Activity,
    ActivityType,
    Country,
    Figure,
    Location,
    Metric,
    Mission,
    Objective,
    Partner,
    Report,
    Story,
)
from app.queries import activities, figures, reference, stories
from app.queries.listing import ListSpec, Records, list_all

STORY = Records(stories.SPEC, Story.key)
STORY_FIGURES = Records(figures.SPEC, Story.key)
STORY_ACTIVITIES = Records(activities.SPEC, Story.key)
ACTIVITY = Records(activities.SPEC, Activity.key)
ACTIVITY_FIGURES = Records(figures.SPEC, Activity.key)
FIGURE = Records(figures.SPEC, Figure.key)
MISSION = Records(reference.MISSIONS, Mission.code)
MISSION_COUNTS = Precompiled(
    reference.mission_counts_statement(
        select(Mission.id).where(Mission.code == bindparam("code")).scalar_subquery()
    )
)
"""The hot records, compiled at start-up; the rarer ones below build their statement."""


def story_detail(session: Session, key: str) -> dict[str, Any] | None:
    """A story with its activities, each with its figures, and all the story's figures."""
    found = STORY(session, key)
    if not found:
        return None
    story_figures = STORY_FIGURES(session, key)
    by_activity: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for figure in story_figures:
        if figure["activity"]:
            by_activity[figure["activity"]["id"]].append(figure)
    story_activities = [
        {**activity, "figures": by_activity[activity["id"]]}
        for activity in STORY_ACTIVITIES(session, key)
    ]
    return {**found[0], "activities": story_activities, "figures": story_figures}


def activity_detail(session: Session, key: str) -> dict[str, Any] | None:
    """An activity with its figures, locations and partners."""
    found = ACTIVITY(session, key)
    if not found:
        return None
    return {**found[0], "figures": ACTIVITY_FIGURES(session, key)}


def figure_detail(session: Session, key: str) -> dict[str, Any] | None:
    found = FIGURE(session, key)
    return found[0] if found else None


def _first(
    session: Session, spec: ListSpec, condition: ColumnElement[bool]
) -> dict[str, Any] | None:
    found = list_all(session, spec, [condition])
    return found[0] if found else None


def report_detail(session: Session, report_id: str) -> dict[str, Any] | None:
    """A report edition by id (`crsv-2023`) or edition year (`2023`)."""
    by_year = report_id.isdigit() and len(report_id) == 4
    condition = (
        Report.edition_year == int(report_id) if by_year else Report.key == report_id.lower()
    )
    return _first(session, reference.REPORTS, condition)


def mission_detail(session: Session, code: str) -> dict[str, Any] | None:
    """A mission (code in any case) with its counts of stories, activities and figures."""
    found = MISSION(session, code.upper())
    if not found:
        return None
    (counts,) = MISSION_COUNTS.rows(session, {"code": code.upper()})
    return {**found[0], "counts": reference.counts(counts)}


def objective_detail(session: Session, number: int) -> dict[str, Any] | None:
    """An objective with its counts of stories, activities and figures."""
    item = _first(session, reference.OBJECTIVES, Objective.number == number)
    if item is None:
        return None
    objective_id = select(Objective.id).where(Objective.number == number).scalar_subquery()
    return {**item, "counts": reference.objective_counts(session, objective_id)}


def country_detail(session: Session, iso3: str) -> dict[str, Any] | None:
    return _first(session, reference.COUNTRIES, Country.iso3 == iso3.upper())


def location_detail(session: Session, key: str) -> dict[str, Any] | None:
    """A location with how many activities and figures it has, and the lists of them.

    Each count is the `total` of the list its link names: both are built from the lists' own
    `location` filter, so a figure counted here is one the linked list shows (its own place,
    or one of its activity's places), and a dashboard never reads 0 beside a list of 1.
    The links are paths (`/v1/activities?location=goma`), as the `Location` header of a write
    is: the same for every client, so the detail's ETag is what a write's `If-Match` compares.
    """
    item = _first(session, reference.LOCATIONS, Location.key == key.lower())
    if item is None:
        return None
    place = [session.execute(select(Location.id).where(Location.key == item["id"])).scalar_one()]
    in_activities = activities.conditions(activities.ActivityFilters(location=place))
    in_figures = figures.conditions(figures.FigureFilters(location=place))
    n_activities, n_figures = session.execute(
        select(
            select(func.count()).select_from(Activity).where(*in_activities).scalar_subquery(),
            select(func.count()).select_from(Figure).where(*in_figures).scalar_subquery(),
        )
    ).one()
    return {
        **item,
        "counts": {"activities": n_activities, "figures": n_figures},
        "links": {
            "activities": f"/v1/activities?location={item['id']}",
            "figures": f"/v1/figures?location={item['id']}",
        },
    }


def locations(session: Session, keys: list[str]) -> list[dict[str, Any]]:
    """The locations of `keys` as `GET /v1/locations` lists them (the explorer's maps)."""
    if not keys:
        return []
    return list_all(session, reference.LOCATIONS, [Location.key.in_(keys)])


def partner_detail(session: Session, key: str) -> dict[str, Any] | None:
    return _first(session, reference.PARTNERS, Partner.key == key.lower())


def metric_detail(session: Session, code: str) -> dict[str, Any] | None:
    return _first(session, reference.METRICS, Metric.code == code.lower())


def activity_type_detail(session: Session, code: str) -> dict[str, Any] | None:
    return _first(session, reference.ACTIVITY_TYPES, ActivityType.code == code.lower())
