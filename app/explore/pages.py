"""The explorer's pages: addresses that mirror the API's (/explore/missions/{code} beside
/v1/missions/{code}), filters in the query string, HTML rendered on the server.

Every page is a plain GET with its whole state in the address, so it can be shared, cached
(the app's ETag middleware validates it like any API response) and read without JavaScript.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session
from starlette.responses import Response

from app.api.auth import read_gate
from app.api.problems import validation_problem
from app.api.session import SessionDep
from app.api.v1.params import no_nul_bytes
from app.errors import InvalidParameters, Problem, parameter_error
from app.explore import charts, data, maps
from app.explore.render import STATIC, render, render_problem, static_response
from app.queries.datasets import DatasetName


class PageRoute(APIRoute):
    """A page's errors (an unknown record, a bad filter or path parameter) are HTML pages with
    the status the API would give, not the API's problem+json."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page(request: Request) -> Response:
            try:
                return await handler(request)
            except Problem as problem:
                return render_problem(request, problem)
            except RequestValidationError as invalid:
                return render_problem(request, validation_problem(invalid))

        return page


router = APIRouter(
    prefix="/explore",
    include_in_schema=False,
    dependencies=[Depends(no_nul_bytes), Depends(read_gate)],
    route_class=PageRoute,
)

LIST_LIMIT = 50
SECTION_LIMIT = 20
"""Rows of each section on a mission, objective, country or place page (the rest: a link)."""


def _cursor(request: Request) -> str | None:
    return request.query_params.get("cursor")


def _params(request: Request) -> dict[str, str]:
    return dict(request.query_params)


def _sections(session: Session, raw: dict[str, str]) -> dict[str, data.ListView]:
    """Stories, activities and figures under the same filters, as on /v1/{dataset}?..."""
    return {
        str(dataset): data.list_view(session, dataset, raw, limit=SECTION_LIMIT)
        for dataset in (DatasetName.STORIES, DatasetName.ACTIVITIES, DatasetName.FIGURES)
    }


def _map(session: Session, raw: dict[str, str], countries: set[str]) -> maps.Map:
    return maps.draw(data.places_of(session, raw), countries)


@router.get("")
def overview(request: Request, session: SessionDep) -> Response:
    """Headline totals per mission and per objective, and the counts behind them."""
    counts = data.overview(session)
    charts_by_metric = data.headline_charts(
        session, data.HEADLINE_METRICS, ("mission", "objective")
    )
    headline = {
        metric: {by: charts.bars(chart) for by, chart in by_dimension.items()}
        for metric, by_dimension in charts_by_metric.items()
    }
    metrics = {m["code"]: m for m in data.all_of(session, DatasetName.METRICS)}
    return render(request, "overview.html", counts=counts, headline=headline, metrics=metrics)


@router.get("/static/{name}")
def static(name: str) -> Response:
    """The explorer's own CSS, served by the app (no CDN)."""
    return static_response(name) if name in STATIC else render_problem(None, None)


@router.get("/missions")
def missions(request: Request, session: SessionDep) -> Response:
    return render(
        request, "index.html", kind="missions", rows=data.all_of(session, DatasetName.MISSIONS)
    )


@router.get("/objectives")
def objectives(request: Request, session: SessionDep) -> Response:
    return render(
        request, "index.html", kind="objectives", rows=data.all_of(session, DatasetName.OBJECTIVES)
    )


@router.get("/locations")
def places(request: Request, session: SessionDep) -> Response:
    rows = data.all_of(session, DatasetName.LOCATIONS)
    countries = {row["country"]["iso3"] for row in rows}
    return render(
        request, "index.html", kind="locations", rows=rows, map=maps.draw(rows, countries)
    )


def _entity(
    request: Request,
    session: Session,
    kind: str,
    record: Any,
    raw: dict[str, str],
    countries: set[str],
) -> Response:
    return render(
        request,
        "entity.html",
        kind=kind,
        record=record,
        raw=raw,
        sections=_sections(session, raw),
        map=_map(session, raw, countries),
    )


@router.get("/missions/{code}")
def mission(request: Request, session: SessionDep, code: str) -> Response:
    record = data.mission(session, code)
    raw = {"mission": record["code"]}
    return _entity(request, session, "mission", record, raw, {record["country"]["iso3"]})


@router.get("/objectives/{number}")
def objective(
    request: Request, session: SessionDep, number: Annotated[int, Path(ge=1, le=32767)]
) -> Response:
    record = data.objective(session, number)
    return _entity(request, session, "objective", record, {"objective": str(number)}, set())


@router.get("/countries/{iso3}")
def country(request: Request, session: SessionDep, iso3: str) -> Response:
    record = data.country(session, iso3)
    raw = {"country": record["iso3"]}
    return _entity(request, session, "country", record, raw, {record["iso3"]})


@router.get("/locations/{location_id}")
def location(request: Request, session: SessionDep, location_id: str) -> Response:
    record = data.location(session, location_id)
    raw = {"location": record["id"]}
    return render(
        request,
        "entity.html",
        kind="location",
        record=record,
        raw=raw,
        sections=_sections(session, raw),
        map=maps.draw([record], {record["country"]["iso3"]}),
    )


@router.get("/stories/{story_id}")
def story(request: Request, session: SessionDep, story_id: str) -> Response:
    record = data.story(session, story_id)
    keys = sorted(
        {place["id"] for item in record["activities"] for place in item.get("locations") or []}
    )
    places_ = data.locations(session, keys)
    countries = set(record.get("countries") or []) | {p["country"]["iso3"] for p in places_}
    return render(request, "story.html", record=record, map=maps.draw(places_, countries))


@router.get("/activities/{activity_id}")
def activity(request: Request, session: SessionDep, activity_id: str) -> Response:
    record = data.activity(session, activity_id)
    places_ = data.locations(session, [p["id"] for p in record.get("locations") or []])
    countries = {p["country"]["iso3"] for p in places_}
    return render(request, "activity.html", record=record, map=maps.draw(places_, countries))


@router.get("/figures/{figure_id}")
def figure(request: Request, session: SessionDep, figure_id: str) -> Response:
    record = data.figure(session, figure_id)
    part_of = data.related_figure(session, record["part_of"]) if record.get("part_of") else None
    return render(request, "figure.html", record=record, part_of=part_of)


def _list(request: Request, session: Session, dataset: DatasetName) -> Response:
    raw = data.checked_params(dataset, _params(request))
    view = data.list_view(session, dataset, raw, limit=LIST_LIMIT, cursor=_cursor(request))
    choices = {
        "mission": data.all_of(session, DatasetName.MISSIONS),
        "objective": data.all_of(session, DatasetName.OBJECTIVES),
        "metric": data.all_of(session, DatasetName.METRICS),
    }
    return render(request, "list.html", view=view, choices=choices)


@router.get("/stories")
def stories(request: Request, session: SessionDep) -> Response:
    return _list(request, session, DatasetName.STORIES)


@router.get("/activities")
def activities(request: Request, session: SessionDep) -> Response:
    return _list(request, session, DatasetName.ACTIVITIES)


@router.get("/figures")
def figures(request: Request, session: SessionDep) -> Response:
    return _list(request, session, DatasetName.FIGURES)


SEARCH_FILTERS = ("q", "mission", "objective", "country", "location", "partner", "year")
"""What a search across stories, activities and figures may be narrowed by: the filters all
three lists take."""


@router.get("/search")
def search(request: Request, session: SessionDep) -> Response:
    """Full-text search across stories, activities and figures (`q`, as on the API)."""
    params = _params(request)
    extra = sorted(set(params) - set(SEARCH_FILTERS))
    if extra:
        raise InvalidParameters(
            [
                parameter_error(name, f"not a filter here; accepted: {', '.join(SEARCH_FILTERS)}")
                for name in extra
            ]
        )
    raw = data.checked_params(DatasetName.STORIES, params)
    sections = _sections(session, raw) if raw.get("q", "").strip() else {}
    return render(request, "search.html", q=raw.get("q", ""), raw=raw, sections=sections)
