"""Routes for the reference resources and vocabularies."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.api.negotiation import ListFormat, MapListFormat
from app.api.v1 import params
from app.api.v1.content import LIST_RESPONSES, MAP_LIST_RESPONSES, NOT_FOUND
from app.api.v1.list_queries import (
    LocationParams,
    MissionParams,
    PartnerParams,
)
from app.api.v1.responses import item_response, list_response
from app.db.session import SessionDep
from app.errors import NotFound
from app.models import ActivityType, Country, Metric, Mission, Objective, Partner, Report
from app.queries import reference
from app.queries.datasets import Criteria, DatasetName, described
from app.queries.listing import ListSpec, PageRequest, list_all
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

router = APIRouter()


def _sort(dataset: DatasetName) -> Any:
    return params.sort_param(described(dataset).spec)


def _cursor(dataset: DatasetName) -> Any:
    return params.cursor_param(described(dataset).spec)


def _one(
    session: Session,
    spec: ListSpec,
    condition: ColumnElement[bool],
    resource: str,
    identifier: object,
) -> dict[str, Any]:
    found = list_all(session, spec, [condition])
    if not found:
        raise NotFound(resource, identifier)
    return found[0]


def _page(
    request: Request,
    session: Session,
    criteria: Criteria,
    limit: int,
    cursor: str | None,
    sort: str | None,
    fmt: str | None,
) -> Response:
    return list_response(request, session, criteria, PageRequest(limit, cursor, sort), fmt)


@router.get("/reports", response_model=Page[ReportOut], responses=LIST_RESPONSES, tags=["reports"])
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


@router.get("/reports/{report_id}", response_model=ReportOut, responses=NOT_FOUND, tags=["reports"])
def get_report(
    report_id: Annotated[
        str, Path(description="Report id or edition year.", examples=["crsv-2023"])
    ],
    session: SessionDep,
) -> Response:
    """One report edition, by id (`crsv-2023`) or edition year (`2023`)."""
    by_year = report_id.isdigit() and len(report_id) == 4
    condition = (
        Report.edition_year == int(report_id) if by_year else Report.key == report_id.lower()
    )
    return item_response(_one(session, reference.REPORTS, condition, "report", report_id))


@router.get(
    "/missions", response_model=Page[MissionOut], responses=LIST_RESPONSES, tags=["missions"]
)
def list_missions(
    request: Request,
    fmt: ListFormat,
    session: SessionDep,
    *,
    sort: Annotated[str | None, _sort(DatasetName.MISSIONS)] = None,
    limit: params.Limit = 50,
    cursor: Annotated[str | None, _cursor(DatasetName.MISSIONS)] = None,
    query: MissionParams,
) -> Response:
    """Peacekeeping missions with a CRSV mandate."""
    return _page(request, session, query.criteria(DatasetName.MISSIONS), limit, cursor, sort, fmt)


@router.get(
    "/missions/{code}", response_model=MissionDetail, responses=NOT_FOUND, tags=["missions"]
)
def get_mission(
    code: Annotated[str, Path(description="Mission code, any case.", examples=["monusco"])],
    session: SessionDep,
) -> Response:
    """A mission with its counts of stories, activities and figures."""
    item = _one(session, reference.MISSIONS, Mission.code == code.upper(), "mission", code)
    mission_id = select(Mission.id).where(Mission.code == code.upper()).scalar_subquery()
    return item_response({**item, "counts": reference.mission_counts(session, mission_id)})


@router.get(
    "/objectives", response_model=Page[ObjectiveOut], responses=LIST_RESPONSES, tags=["objectives"]
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
    "/objectives/{number}", response_model=ObjectiveDetail, responses=NOT_FOUND, tags=["objectives"]
)
def get_objective(
    number: Annotated[int, Path(description="Objective number.", examples=[2], ge=1, le=32767)],
    session: SessionDep,
) -> Response:
    """An objective with its counts of stories, activities and figures."""
    item = _one(session, reference.OBJECTIVES, Objective.number == number, "objective", number)
    objective_id = select(Objective.id).where(Objective.number == number).scalar_subquery()
    return item_response({**item, "counts": reference.objective_counts(session, objective_id)})


@router.get(
    "/countries", response_model=Page[CountryOut], responses=LIST_RESPONSES, tags=["places"]
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


@router.get("/countries/{iso3}", response_model=CountryOut, responses=NOT_FOUND, tags=["places"])
def get_country(
    iso3: Annotated[str, Path(description="ISO 3166-1 alpha-3 code.", examples=["COD"])],
    session: SessionDep,
) -> Response:
    """One country."""
    return item_response(
        _one(session, reference.COUNTRIES, Country.iso3 == iso3.upper(), "country", iso3)
    )


@router.get(
    "/locations", response_model=Page[LocationOut], responses=MAP_LIST_RESPONSES, tags=["places"]
)
def list_locations(
    request: Request,
    fmt: MapListFormat,
    session: SessionDep,
    *,
    sort: Annotated[str | None, _sort(DatasetName.LOCATIONS)] = None,
    limit: params.Limit = 50,
    cursor: Annotated[str | None, _cursor(DatasetName.LOCATIONS)] = None,
    query: LocationParams,
) -> Response:
    """Places where activities happened: towns, camps, provinces, states, ..."""
    return _page(request, session, query.criteria(DatasetName.LOCATIONS), limit, cursor, sort, fmt)


@router.get(
    "/locations/{location_id}", response_model=LocationDetail, responses=NOT_FOUND, tags=["places"]
)
def get_location(
    location_id: Annotated[str, Path(description="Location id.", examples=["goma"])],
    session: SessionDep,
) -> Response:
    """One location, with how many activities and figures it has and links to their lists."""
    detail = reference.location_detail(session, location_id.lower())
    if detail is None:
        raise NotFound("location", location_id)
    return item_response(detail)


@router.get(
    "/partners", response_model=Page[PartnerOut], responses=LIST_RESPONSES, tags=["partners"]
)
def list_partners(
    request: Request,
    fmt: ListFormat,
    session: SessionDep,
    *,
    sort: Annotated[str | None, _sort(DatasetName.PARTNERS)] = None,
    limit: params.Limit = 50,
    cursor: Annotated[str | None, _cursor(DatasetName.PARTNERS)] = None,
    query: PartnerParams,
) -> Response:
    """Organisations the missions worked with, one record each."""
    return _page(request, session, query.criteria(DatasetName.PARTNERS), limit, cursor, sort, fmt)


@router.get(
    "/partners/{partner_id}", response_model=PartnerOut, responses=NOT_FOUND, tags=["partners"]
)
def get_partner(
    partner_id: Annotated[str, Path(description="Partner id.", examples=["unfpa"])],
    session: SessionDep,
) -> Response:
    """One partner organisation."""
    return item_response(
        _one(session, reference.PARTNERS, Partner.key == partner_id.lower(), "partner", partner_id)
    )


@router.get(
    "/metrics", response_model=Page[MetricOut], responses=LIST_RESPONSES, tags=["vocabularies"]
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


@router.get("/metrics/{code}", response_model=MetricOut, responses=NOT_FOUND, tags=["vocabularies"])
def get_metric(
    code: Annotated[str, Path(description="Metric code.", examples=["convictions"])],
    session: SessionDep,
) -> Response:
    """One metric and its definition."""
    return item_response(
        _one(session, reference.METRICS, Metric.code == code.lower(), "metric", code)
    )


@router.get(
    "/activity-types",
    response_model=Page[ActivityTypeOut],
    responses=LIST_RESPONSES,
    tags=["vocabularies"],
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
    tags=["vocabularies"],
)
def get_activity_type(
    code: Annotated[str, Path(description="Activity type code.", examples=["mobile_court"])],
    session: SessionDep,
) -> Response:
    """One activity type and its definition."""
    return item_response(
        _one(
            session,
            reference.ACTIVITY_TYPES,
            ActivityType.code == code.lower(),
            "activity type",
            code,
        )
    )
