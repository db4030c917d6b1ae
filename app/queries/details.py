"""Detail representations shared by GET routes and by writes (whose ETags must match GET's)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy.orm import Session

from app.models import Activity, Figure, Story
from app.queries import activities, figures, stories
from app.queries.listing import list_all


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
