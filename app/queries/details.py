"""Each resource's record as GET answers it (writes answer the same, so their ETags match).

A route only names the record; finding it is SQL, and all SQL lives in `app/queries`.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

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
from app.queries.listing import ListSpec, list_all


def story_detail(session: Session, key: str) -> dict[str, Any] | None:
    """A story with its activities, each with its figures, and all the story's figures."""
    found = list_all(session, stories.SPEC, [Story.key == key])
    if not found:
        return None
    story_figures = list_all(session, figures.SPEC, [Story.key == key])
    by_activity: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for figure in story_figures:
        if figure["activity"]:
            by_activity[figure["activity"]["id"]].append(figure)
    story_activities = [
        {**activity, "figures": by_activity[activity["id"]]}
        for activity in list_all(session, activities.SPEC, [Story.key == key])
    ]
    return {**found[0], "activities": story_activities, "figures": story_figures}


def activity_detail(session: Session, key: str) -> dict[str, Any] | None:
    """An activity with its figures, locations and partners."""
    found = list_all(session, activities.SPEC, [Activity.key == key])
    if not found:
        return None
    return {**found[0], "figures": list_all(session, figures.SPEC, [Activity.key == key])}


def figure_detail(session: Session, key: str) -> dict[str, Any] | None:
    found = list_all(session, figures.SPEC, [Figure.key == key])
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
    item = _first(session, reference.MISSIONS, Mission.code == code.upper())
    if item is None:
        return None
    mission_id = select(Mission.id).where(Mission.code == code.upper()).scalar_subquery()
    return {**item, "counts": reference.mission_counts(session, mission_id)}


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
    return _first(session, reference.LOCATIONS, Location.key == key.lower())


def partner_detail(session: Session, key: str) -> dict[str, Any] | None:
    return _first(session, reference.PARTNERS, Partner.key == key.lower())


def metric_detail(session: Session, code: str) -> dict[str, Any] | None:
    return _first(session, reference.METRICS, Metric.code == code.lower())


def activity_type_detail(session: Session, code: str) -> dict[str, Any] | None:
    return _first(session, reference.ACTIVITY_TYPES, ActivityType.code == code.lower())
