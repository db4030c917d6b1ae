"""FastAPI dependencies that read each dataset's filter parameters into a `Selection`.

One dependency per dataset, shared by its list route and its export route, so both accept
exactly the same filters.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends

from app.api.v1 import params
from app.db.session import SessionDep
from app.queries.selection import Selection, select


def figure_selection(
    session: SessionDep,
    mission: params.Mission = None,
    objective: params.ObjectiveNumber = None,
    country: params.Country = None,
    location: params.Location = None,
    partner: params.Partner = None,
    story: params.StoryId = None,
    activity: params.ActivityId = None,
    type: params.ActivityTypeCode = None,
    metric: params.MetricCode = None,
    qualifier: params.QualifierCode = None,
    year: params.Year = None,
    date_from: params.DateFrom = None,
    date_to: params.DateTo = None,
    q: params.SearchText = None,
) -> Selection:
    return select(
        session,
        "figures",
        {
            "mission": mission,
            "objective": objective,
            "country": country,
            "location": location,
            "partner": partner,
            "story": story,
            "activity": activity,
            "type": type,
            "metric": metric,
            "qualifier": qualifier,
            "year": year,
            "date_from": date_from,
            "date_to": date_to,
            "q": q,
        },
    )


def activity_selection(
    session: SessionDep,
    mission: params.Mission = None,
    objective: params.ObjectiveNumber = None,
    country: params.Country = None,
    location: params.Location = None,
    partner: params.Partner = None,
    story: params.StoryId = None,
    type: params.ActivityTypeCode = None,
    year: params.Year = None,
    date_from: params.DateFrom = None,
    date_to: params.DateTo = None,
    q: params.SearchText = None,
) -> Selection:
    return select(
        session,
        "activities",
        {
            "mission": mission,
            "objective": objective,
            "country": country,
            "location": location,
            "partner": partner,
            "story": story,
            "type": type,
            "year": year,
            "date_from": date_from,
            "date_to": date_to,
            "q": q,
        },
    )


def story_selection(
    session: SessionDep,
    mission: params.Mission = None,
    objective: params.ObjectiveNumber = None,
    country: params.Country = None,
    location: params.Location = None,
    partner: params.Partner = None,
    kind: params.StoryKindCode = None,
    year: params.Year = None,
    date_from: params.DateFrom = None,
    date_to: params.DateTo = None,
    q: params.SearchText = None,
) -> Selection:
    return select(
        session,
        "stories",
        {
            "mission": mission,
            "objective": objective,
            "country": country,
            "location": location,
            "partner": partner,
            "kind": kind,
            "year": year,
            "date_from": date_from,
            "date_to": date_to,
            "q": q,
        },
    )


def mission_selection(
    session: SessionDep,
    country: params.Country = None,
    status: Annotated[str | None, params.listed("Status(es): active, closed.", "closed")] = None,
) -> Selection:
    return select(session, "missions", {"country": country, "status": status})


def location_selection(
    session: SessionDep,
    country: params.Country = None,
    kind: Annotated[str | None, params.listed("Location kind(s).", "camp")] = None,
    q: params.NameSearch = None,
) -> Selection:
    return select(session, "locations", {"country": country, "kind": kind, "q": q})


def partner_selection(
    session: SessionDep,
    mission: params.Mission = None,
    country: params.Country = None,
    kind: Annotated[str | None, params.listed("Partner kind(s).", "un_entity")] = None,
    q: params.NameSearch = None,
) -> Selection:
    return select(
        session, "partners", {"mission": mission, "country": country, "kind": kind, "q": q}
    )


def no_selection() -> Selection:
    return Selection()


FigureSelection = Annotated[Selection, Depends(figure_selection)]
ActivitySelection = Annotated[Selection, Depends(activity_selection)]
StorySelection = Annotated[Selection, Depends(story_selection)]
MissionSelection = Annotated[Selection, Depends(mission_selection)]
LocationSelection = Annotated[Selection, Depends(location_selection)]
PartnerSelection = Annotated[Selection, Depends(partner_selection)]
Everything = Annotated[Selection, Depends(no_selection)]

SELECTION_DEPENDENCIES: dict[str, Callable[..., Selection]] = {
    "figures": figure_selection,
    "activities": activity_selection,
    "stories": story_selection,
    "missions": mission_selection,
    "locations": location_selection,
    "partners": partner_selection,
}
