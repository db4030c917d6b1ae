"""Routes for the reference resources and vocabularies."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.api.negotiation import ListFormat, ListRepresentation, MapListFormat
from app.api.read_route import ReadRoute
from app.api.session import SessionDep
from app.api.v1 import params
from app.api.v1.content import LIST_RESPONSES, MAP_LIST_RESPONSES, NOT_FOUND
from app.api.v1.list_queries import (
    LocationParams,
    MissionParams,
    PartnerParams,
    facets_param,
    tags,
)
from app.api.v1.responses import item_response, list_response
from app.errors import NotFound
from app.queries import details
from app.queries.datasets import Criteria, DatasetName, described
from app.queries.listing import PageRequest
from app.schemas.common import Page
from app.schemas.reference import (
    ActivityTypeOut,
    CountryOut,
    LocationDetail,
    LocationOut,
    MetricOut,
    MissionDetail,
    MissionOut,
    ObjectiveDetail,
    ObjectiveOut,
    PartnerOut,
    ReportOut,
)

router = APIRouter(route_class=ReadRoute)


def _sort(dataset: DatasetName) -> Any:
    return params.sort_param(described(dataset).spec)


def _cursor(dataset: DatasetName) -> Any:
    return params.cursor_param(described(dataset).spec)


def _example(dataset: DatasetName) -> str | int:
    return described(dataset).record.example


def _found(detail: dict[str, Any] | None, resource: str, identifier: object) -> Response:
    if detail is None:
        raise NotFound(resource, identifier)
    return item_response(detail)


def _page(
    request: Request,
    session: Session,
    criteria: Criteria,
    limit: int,
    cursor: str | None,
    sort: str | None,
    fmt: ListRepresentation,
) -> Response:
    return list_response(request, session, criteria, PageRequest(limit, cursor, sort), fmt)


@router.get(
    "/reports",
    response_model=Page[ReportOut],
    responses=LIST_RESPONSES,
    tags=tags(DatasetName.REPORTS),
)
def list_reports(
    request: Request,
    fmt: ListFormat,
    session: SessionDep,
    sort: Annotated[str | None, _sort(DatasetName.REPORTS)] = None,
    limit: params.Limit = 50,
    cursor: Annotated[str | None, _cursor(DatasetName.REPORTS)] = None,
) -> Response:
    """Report editions held by the service."""
    return _page(request, session, Criteria(DatasetName.REPORTS), limit, cursor, sort, fmt)


@router.get(
    "/reports/{report_id}",
    response_model=ReportOut,
    responses=NOT_FOUND,
    tags=tags(DatasetName.REPORTS),
)
def get_report(
    report_id: Annotated[
        str,
        Path(description="Report id or edition year.", examples=[_example(DatasetName.REPORTS)]),
    ],
    session: SessionDep,
) -> Response:
    """One report edition, by id (`crsv-2023`) or edition year (`2023`)."""
    return _found(details.report_detail(session, report_id), "report", report_id)


@router.get(
    "/missions",
    response_model=Page[MissionOut],
    responses=LIST_RESPONSES,
    tags=tags(DatasetName.MISSIONS),
)
def list_missions(
    request: Request,
    fmt: ListFormat,
    session: SessionDep,
    *,
    sort: Annotated[str | None, _sort(DatasetName.MISSIONS)] = None,
    limit: params.Limit = 50,
    cursor: Annotated[str | None, _cursor(DatasetName.MISSIONS)] = None,
    facets: Annotated[str | None, facets_param(DatasetName.MISSIONS)] = None,
    query: MissionParams,
) -> Response:
    """Peacekeeping missions with a CRSV mandate."""
    return list_response(
        request,
        session,
        query.criteria(DatasetName.MISSIONS),
        PageRequest(limit, cursor, sort),
        fmt,
        facets,
    )


@router.get(
    "/missions/{code}",
    response_model=MissionDetail,
    responses=NOT_FOUND,
    tags=tags(DatasetName.MISSIONS),
)
def get_mission(
    code: Annotated[
        str, Path(description="Mission code, any case.", examples=[_example(DatasetName.MISSIONS)])
    ],
    session: SessionDep,
) -> Response:
    """A mission with its counts of stories, activities and figures."""
    return _found(details.mission_detail(session, code), "mission", code)


@router.get(
    "/objectives",
    response_model=Page[ObjectiveOut],
    responses=LIST_RESPONSES,
    tags=tags(DatasetName.OBJECTIVES),
)
def list_objectives(
    request: Request,
    fmt: ListFormat,
    session: SessionDep,
    sort: Annotated[str | None, _sort(DatasetName.OBJECTIVES)] = None,
    limit: params.Limit = 50,
    cursor: Annotated[str | None, _cursor(DatasetName.OBJECTIVES)] = None,
) -> Response:
    """The five priority objectives of the UN policy on CRSV in field missions."""
    return _page(request, session, Criteria(DatasetName.OBJECTIVES), limit, cursor, sort, fmt)


@router.get(
    "/objectives/{number}",
    response_model=ObjectiveDetail,
    responses=NOT_FOUND,
    tags=tags(DatasetName.OBJECTIVES),
)
def get_objective(
    number: Annotated[
        int,
        Path(
            description="Objective number.",
            examples=[_example(DatasetName.OBJECTIVES)],
            ge=1,
            le=32767,
        ),
    ],
    session: SessionDep,
) -> Response:
    """An objective with its counts of stories, activities and figures."""
    return _found(details.objective_detail(session, number), "objective", number)


@router.get(
    "/countries",
    response_model=Page[CountryOut],
    responses=LIST_RESPONSES,
    tags=tags(DatasetName.COUNTRIES),
)
def list_countries(
    request: Request,
    fmt: ListFormat,
    session: SessionDep,
    sort: Annotated[str | None, _sort(DatasetName.COUNTRIES)] = None,
    limit: params.Limit = 50,
    cursor: Annotated[str | None, _cursor(DatasetName.COUNTRIES)] = None,
) -> Response:
    """Countries referenced by the data."""
    return _page(request, session, Criteria(DatasetName.COUNTRIES), limit, cursor, sort, fmt)


@router.get(
    "/countries/{iso3}",
    response_model=CountryOut,
    responses=NOT_FOUND,
    tags=tags(DatasetName.COUNTRIES),
)
def get_country(
    iso3: Annotated[
        str,
        Path(description="ISO 3166-1 alpha-3 code.", examples=[_example(DatasetName.COUNTRIES)]),
    ],
    session: SessionDep,
) -> Response:
    """One country."""
    return _found(details.country_detail(session, iso3), "country", iso3)


@router.get(
    "/locations",
    response_model=Page[LocationOut],
    responses=MAP_LIST_RESPONSES,
    tags=tags(DatasetName.LOCATIONS),
)
def list_locations(
    request: Request,
    fmt: MapListFormat,
    session: SessionDep,
    *,
    sort: Annotated[str | None, _sort(DatasetName.LOCATIONS)] = None,
    limit: params.Limit = 50,
    cursor: Annotated[str | None, _cursor(DatasetName.LOCATIONS)] = None,
    facets: Annotated[str | None, facets_param(DatasetName.LOCATIONS)] = None,
    query: LocationParams,
) -> Response:
    """Places where activities happened: towns, camps, provinces, states, ..."""
    return list_response(
        request,
        session,
        query.criteria(DatasetName.LOCATIONS),
        PageRequest(limit, cursor, sort),
        fmt,
        facets,
    )


@router.get(
    "/locations/{location_id}",
    response_model=LocationDetail,
    responses=NOT_FOUND,
    tags=tags(DatasetName.LOCATIONS),
)
def get_location(
    location_id: Annotated[
        str, Path(description="Location id.", examples=[_example(DatasetName.LOCATIONS)])
    ],
    session: SessionDep,
) -> Response:
    """One location."""
    return _found(details.location_detail(session, location_id), "location", location_id)


@router.get(
    "/partners",
    response_model=Page[PartnerOut],
    responses=LIST_RESPONSES,
    tags=tags(DatasetName.PARTNERS),
)
def list_partners(
    request: Request,
    fmt: ListFormat,
    session: SessionDep,
    *,
    sort: Annotated[str | None, _sort(DatasetName.PARTNERS)] = None,
    limit: params.Limit = 50,
    cursor: Annotated[str | None, _cursor(DatasetName.PARTNERS)] = None,
    facets: Annotated[str | None, facets_param(DatasetName.PARTNERS)] = None,
    query: PartnerParams,
) -> Response:
    """Organisations the missions worked with, one record each."""
    return list_response(
        request,
        session,
        query.criteria(DatasetName.PARTNERS),
        PageRequest(limit, cursor, sort),
        fmt,
        facets,
    )


@router.get(
    "/partners/{partner_id}",
    response_model=PartnerOut,
    responses=NOT_FOUND,
    tags=tags(DatasetName.PARTNERS),
)
def get_partner(
    partner_id: Annotated[
        str, Path(description="Partner id.", examples=[_example(DatasetName.PARTNERS)])
    ],
    session: SessionDep,
) -> Response:
    """One partner organisation."""
    return _found(details.partner_detail(session, partner_id), "partner", partner_id)


@router.get(
    "/metrics",
    response_model=Page[MetricOut],
    responses=LIST_RESPONSES,
    tags=tags(DatasetName.METRICS),
)
def list_metrics(
    request: Request,
    fmt: ListFormat,
    session: SessionDep,
    sort: Annotated[str | None, _sort(DatasetName.METRICS)] = None,
    limit: params.Limit = 50,
    cursor: Annotated[str | None, _cursor(DatasetName.METRICS)] = None,
) -> Response:
    """The metric vocabulary: what figures count, with definitions."""
    return _page(request, session, Criteria(DatasetName.METRICS), limit, cursor, sort, fmt)


@router.get(
    "/metrics/{code}", response_model=MetricOut, responses=NOT_FOUND, tags=tags(DatasetName.METRICS)
)
def get_metric(
    code: Annotated[
        str, Path(description="Metric code.", examples=[_example(DatasetName.METRICS)])
    ],
    session: SessionDep,
) -> Response:
    """One metric and its definition."""
    return _found(details.metric_detail(session, code), "metric", code)


@router.get(
    "/activity-types",
    response_model=Page[ActivityTypeOut],
    responses=LIST_RESPONSES,
    tags=tags(DatasetName.ACTIVITY_TYPES),
)
def list_activity_types(
    request: Request,
    fmt: ListFormat,
    session: SessionDep,
    sort: Annotated[str | None, _sort(DatasetName.ACTIVITY_TYPES)] = None,
    limit: params.Limit = 50,
    cursor: Annotated[str | None, _cursor(DatasetName.ACTIVITY_TYPES)] = None,
) -> Response:
    """The activity-type vocabulary, with definitions."""
    return _page(request, session, Criteria(DatasetName.ACTIVITY_TYPES), limit, cursor, sort, fmt)


@router.get(
    "/activity-types/{code}",
    response_model=ActivityTypeOut,
    responses=NOT_FOUND,
    tags=tags(DatasetName.ACTIVITY_TYPES),
)
def get_activity_type(
    code: Annotated[
        str,
        Path(description="Activity type code.", examples=[_example(DatasetName.ACTIVITY_TYPES)]),
    ],
    session: SessionDep,
) -> Response:
    """One activity type and its definition."""
    return _found(details.activity_type_detail(session, code), "activity type", code)
