"""FastAPI dependencies that read each dataset's filter parameters into `Filters`.

One dependency per dataset, shared by its list route and its export route, so both accept
exactly the same filters. They only gather parameters FastAPI has validated, so they are async
(no thread hop); the route resolves them against the data (`Filters.resolve`) in its own
worker thread, with its session.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends

from app.api.v1 import params
from app.queries.selection import Filters


async def figure_filters(
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
) -> Filters:
    return Filters(
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


async def activity_filters(
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
) -> Filters:
    return Filters(
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


async def story_filters(
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
) -> Filters:
    return Filters(
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


async def mission_filters(
    country: params.Country = None,
    status: Annotated[str | None, params.listed("Status(es): active, closed.", "closed")] = None,
) -> Filters:
    return Filters("missions", {"country": country, "status": status})


async def location_filters(
    country: params.Country = None,
    kind: Annotated[str | None, params.listed("Location kind(s).", "camp")] = None,
    q: params.NameSearch = None,
) -> Filters:
    return Filters("locations", {"country": country, "kind": kind, "q": q})


async def partner_filters(
    mission: params.Mission = None,
    country: params.Country = None,
    kind: Annotated[str | None, params.listed("Partner kind(s).", "un_entity")] = None,
    q: params.NameSearch = None,
) -> Filters:
    return Filters("partners", {"mission": mission, "country": country, "kind": kind, "q": q})


def unfiltered(dataset: str) -> Callable[[], Awaitable[Filters]]:
    """The dependency of a dataset that takes no filters (its export route's)."""

    async def dependency() -> Filters:
        return Filters(dataset)

    return dependency


FigureFilterParams = Annotated[Filters, Depends(figure_filters)]
ActivityFilterParams = Annotated[Filters, Depends(activity_filters)]
StoryFilterParams = Annotated[Filters, Depends(story_filters)]
MissionFilterParams = Annotated[Filters, Depends(mission_filters)]
LocationFilterParams = Annotated[Filters, Depends(location_filters)]
PartnerFilterParams = Annotated[Filters, Depends(partner_filters)]

FILTER_DEPENDENCIES: dict[str, Callable[..., Awaitable[Filters]]] = {
    "figures": figure_filters,
    "activities": activity_filters,
    "stories": story_filters,
    "missions": mission_filters,
    "locations": location_filters,
    "partners": partner_filters,
}
