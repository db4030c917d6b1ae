"""Every read the explorer makes, in one module: the query layer the /v1 routes use, called
the way those routes call it, so a page never shows a number the API would not give.

Pages receive plain dicts shaped like the API's JSON. A field the API gains later (a figure's
`part_of`, coordinates' `precision`, ...) reaches the templates without a change here; the
templates show an optional field only when it is present.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from app.api.v1.list_queries import QUERY_MODELS
from app.errors import InvalidParameters, NotFound, parameter_error
from app.queries import details, stats
from app.queries.datasets import Criteria, DatasetName, described
from app.queries.listing import PageRequest, list_all, list_page

HEADLINE_METRICS = stats.HEADLINE_METRICS
SEGMENT_LIMIT = 200
"""Figures fetched to draw a chart's segments; beyond this a bar is drawn whole."""
MAP_ACTIVITY_LIMIT = 500
"""Activities whose places a page's map gathers."""


@dataclass(frozen=True)
class ListView:
    """One page of a dataset under the filters of the address."""

    dataset: str
    params: dict[str, str]
    """The address's parameters as checked by `checked_params` (the page's filters)."""
    items: list[dict[str, Any]]
    total: int
    next_cursor: str | None
    cursor: str | None = None
    total_qualifier: str = "exact"
    """`more_than` when a search has more matches than it counts (app/queries/search.py)."""


@dataclass
class Chart:
    """Bars of one headline metric, grouped by mission or objective, from /v1/stats/figures."""

    metric: str
    group_by: str
    groups: list[dict[str, Any]] = field(default_factory=list)


def checked_params(dataset: DatasetName, params: Mapping[str, str]) -> dict[str, str]:
    """The address's filters, checked by the API's own query model (the same 422s).

    `cursor` is the page; anything else the API's list would refuse is refused here too.
    """
    model = QUERY_MODELS[dataset]
    given = {name: value for name, value in params.items() if name != "cursor"}
    unknown = sorted(set(given) - set(model.model_fields))
    if unknown:
        accepted = ", ".join(model.model_fields)
        raise InvalidParameters(
            [parameter_error(name, f"not a filter here; accepted: {accepted}") for name in unknown]
        )
    try:
        query = model.model_validate(given)
    except ValidationError as exc:
        raise InvalidParameters(
            [parameter_error(str(error["loc"][0]), error["msg"]) for error in exc.errors()]
        ) from exc
    return {name: str(value) for name, value in query.model_dump(exclude_none=True).items()}


def list_view(
    session: Session,
    dataset: DatasetName,
    raw: dict[str, str],
    *,
    limit: int = 50,
    cursor: str | None = None,
) -> ListView:
    """What `GET /v1/{dataset}?{raw}` answers: one page and the total."""
    selection = Criteria(dataset, dict(raw)).resolve(session)
    declared = described(dataset)
    page = list_page(
        session,
        declared.spec,
        selection.conditions,
        PageRequest(limit, cursor),
        q=selection.q,
        total=declared.total(selection),
    )
    return ListView(
        str(dataset),
        raw,
        page.items,
        page.total,
        page.next_cursor,
        cursor,
        page.total_qualifier,
    )


def overview(session: Session) -> dict[str, list[dict[str, Any]]]:
    """`GET /v1/stats/overview`."""
    return stats.overview(session)


def headline_charts(
    session: Session, metrics: tuple[str, ...], group_bys: tuple[str, ...]
) -> dict[str, dict[str, Chart]]:
    """For each metric and dimension, the bars of
    `GET /v1/stats/figures?group_by={dimension},metric&metric={metrics}`, each group with the
    figures that make it up (`GET /v1/figures?metric={metrics}`), so a bar shows its parts.

    One stats query per dimension and one list for all the parts: the overview asks for six
    charts in a handful of statements.
    """
    raw = {"metric": ",".join(metrics)}
    selection = Criteria(DatasetName.FIGURES, raw).resolve(session)
    parts = list_view(session, DatasetName.FIGURES, raw, limit=SEGMENT_LIMIT)
    complete = parts.next_cursor is None
    charts: dict[str, dict[str, Chart]] = {metric: {} for metric in metrics}
    for group_by in group_bys:
        _, groups = stats.figure_stats(session, selection, [group_by, "metric"])
        for metric in metrics:
            chart = Chart(
                metric,
                group_by,
                _one_bar_each(group_by, [g for g in groups if g["metric"] == metric]),
            )
            for group in chart.groups:
                group["parts"] = _parts(group, group_by, parts.items) if complete else []
            charts[metric][group_by] = chart
    return charts


def _one_bar_each(group_by: str, groups: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One bar per value and unit that holds figures: a metric counted in two units
    (convictions of persons, and convictions in cases) is two bars, never one sum. A value with
    no figure in any unit keeps one empty bar (the zero-filled units of it are dropped)."""
    held = {group[group_by] for group in groups if group["figures"]}
    kept: list[dict[str, Any]] = []
    empty: set[Any] = set()
    for group in groups:
        value = group[group_by]
        if group["figures"]:
            kept.append(group)
        elif value not in held and value not in empty:
            empty.add(value)
            kept.append(group)
    return kept


def _parts(
    group: dict[str, Any], group_by: str, figures: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """The figures a bar's sum is made of: those of its metric, value and unit, less any part
    whose whole is among them (the API's stats never add a part to its whole)."""
    mine = [
        item
        for item in figures
        if item["metric"]["code"] == group["metric"]
        and _group_key(item, group_by) == group[group_by]
        and item["unit"] == group["unit"]
    ]
    ids = {item["id"] for item in mine}
    return [item for item in mine if item.get("part_of") not in ids]


def _group_key(item: dict[str, Any], group_by: str) -> Any:
    return item.get(group_by)


def story(session: Session, story_id: str) -> dict[str, Any]:
    """`GET /v1/stories/{id}`."""
    return _found(details.story_detail(session, story_id.lower()), "story", story_id)


def activity(session: Session, activity_id: str) -> dict[str, Any]:
    """`GET /v1/activities/{id}`."""
    return _found(details.activity_detail(session, activity_id.lower()), "activity", activity_id)


def figure(session: Session, figure_id: str) -> dict[str, Any]:
    """`GET /v1/figures/{id}`, and the figure it is part of when the API names one."""
    return _found(details.figure_detail(session, figure_id.lower()), "figure", figure_id)


def related_figure(session: Session, reference_value: Any) -> dict[str, Any] | None:
    """The figure a `part_of` names (an id, or an object with an `id`), if it exists."""
    key = reference_value.get("id") if isinstance(reference_value, dict) else reference_value
    if not isinstance(key, str):
        return None
    return details.figure_detail(session, key.lower())


def mission(session: Session, code: str) -> dict[str, Any]:
    """`GET /v1/missions/{code}`."""
    return _found(details.mission_detail(session, code), "mission", code)


def objective(session: Session, number: int) -> dict[str, Any]:
    """`GET /v1/objectives/{number}`."""
    return _found(details.objective_detail(session, number), "objective", number)


def country(session: Session, iso3: str) -> dict[str, Any]:
    """`GET /v1/countries/{iso3}`."""
    return _found(details.country_detail(session, iso3), "country", iso3)


def location(session: Session, location_id: str) -> dict[str, Any]:
    """`GET /v1/locations/{id}` (with its counts of activities and figures)."""
    return _found(details.location_detail(session, location_id), "location", location_id)


def locations(session: Session, keys: list[str]) -> list[dict[str, Any]]:
    """The location records (with their coordinates, when the API gives them) of `keys`."""
    return details.locations(session, keys)


def _found(record: dict[str, Any] | None, resource: str, identifier: object) -> dict[str, Any]:
    if record is None:
        raise NotFound(resource, identifier)
    return record


def all_of(session: Session, dataset: DatasetName) -> list[dict[str, Any]]:
    """Every record of a small reference dataset (missions, objectives, metrics, ...)."""
    return list_all(session, described(dataset).spec, [])


def places_of(session: Session, raw: dict[str, str]) -> list[dict[str, Any]]:
    """The places of the activities under `raw` (as `GET /v1/activities?...` lists them)."""
    view = list_view(session, DatasetName.ACTIVITIES, raw, limit=MAP_ACTIVITY_LIMIT)
    keys = sorted({place["id"] for item in view.items for place in item.get("locations") or []})
    return locations(session, keys)
