"""Each list's filters are declared once (app/api/v1/list_queries.py): its list route, its export
route and (for figures) the stats route take exactly the model's fields, in its order."""

from __future__ import annotations

from typing import Any

import pytest

from app.api.v1.list_queries import QUERY_MODELS, ListQuery
from app.config import Settings
from app.main import create_app
from app.queries.datasets import DatasetName
from app.queries.facets import FACETS


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    return create_app(Settings(database_url="postgresql://schema-only@localhost/none")).openapi()


def _query_names(openapi: dict[str, Any], path: str) -> list[str]:
    parameters = openapi["paths"][path]["get"].get("parameters", [])
    return [p["name"] for p in parameters if p["in"] == "query"]


@pytest.mark.parametrize("dataset", list(DatasetName))
def test_list_and_export_routes_take_the_model_s_filters(
    openapi: dict[str, Any], dataset: DatasetName
) -> None:
    filters = list(QUERY_MODELS.get(dataset, ListQuery).model_fields)
    facets = ["facets"] if dataset in FACETS else []
    assert _query_names(openapi, f"/v1/{dataset}") == [
        "sort",
        "limit",
        "cursor",
        *facets,
        *filters,
        "bom",
    ]
    assert _query_names(openapi, f"/v1/exports/{dataset}.{{fmt}}") == ["hxl", "bom", *filters]


def test_figure_stats_take_the_figure_filters(openapi: dict[str, Any]) -> None:
    filters = list(QUERY_MODELS[DatasetName.FIGURES].model_fields)
    assert _query_names(openapi, "/v1/stats/figures") == ["group_by", "fill", *filters]
    assert filters == [
        "mission",
        "objective",
        "country",
        "location",
        "partner",
        "story",
        "activity",
        "type",
        "metric",
        "qualifier",
        "year",
        "date_from",
        "date_to",
        "q",
    ]


def test_only_given_filters_reach_the_selection() -> None:
    query = QUERY_MODELS[DatasetName.MISSIONS].model_validate({"country": "COD"})
    assert query.criteria(DatasetName.MISSIONS).raw == {"country": "COD"}
    assert query.criteria(DatasetName.MISSIONS).dataset == "missions"


@pytest.mark.parametrize(
    ("path", "dataset"),
    [("/v1/stats/activities", DatasetName.ACTIVITIES), ("/v1/stats/stories", DatasetName.STORIES)],
)
def test_count_stats_take_their_list_s_filters(
    openapi: dict[str, Any], path: str, dataset: DatasetName
) -> None:
    filters = list(QUERY_MODELS[dataset].model_fields)
    assert _query_names(openapi, path) == ["group_by", "fill", *filters]


def test_every_list_with_filters_has_facets_named_after_them() -> None:
    for dataset, facets in FACETS.items():
        assert set(facets) <= set(QUERY_MODELS[dataset].model_fields), dataset
    assert set(FACETS) == set(QUERY_MODELS)
