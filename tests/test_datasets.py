"""Every dataset is declared completely, once (app/queries/datasets.py), and what varies by
dataset elsewhere (routes, filter models, the Data Package) follows from that declaration."""

from __future__ import annotations

from dataclasses import fields

import pytest

from app.api.v1.list_queries import QUERY_MODELS
from app.config import Settings
from app.exports.datapackage import PACKAGE_DATASETS, descriptor
from app.main import create_app
from app.queries import activities, figures, stories
from app.queries.datasets import DATASETS, DatasetName
from app.queries.selection import no_filters


def test_every_name_has_one_declaration() -> None:
    assert list(DATASETS) == list(DatasetName)


@pytest.mark.parametrize("name", list(DatasetName))
def test_each_declaration_is_complete(name: DatasetName) -> None:
    declared = DATASETS[name]
    column_names = [column.name for column in declared.columns]
    assert len(column_names) == len(set(column_names))
    assert declared.primary_key == column_names[0]
    for key in declared.foreign_keys:
        assert key.column in column_names
        assert key.target in DATASETS
        assert key.target_field in [column.name for column in DATASETS[key.target].columns]
    assert declared.spec.default_sort.lstrip("-") in declared.spec.sort_fields
    # a dataset that resolves filters has a query model for them, and only such a one
    assert (declared.where is not no_filters) == (name in QUERY_MODELS)
    if declared.searchable:
        assert "q" in QUERY_MODELS[name].model_fields
    if declared.rollup is not None:
        assert declared.searchable


def test_every_dataset_has_its_list_and_export_route() -> None:
    app = create_app(Settings(database_url="postgresql://schema-only@localhost/none"))
    paths = set(app.openapi()["paths"])
    for name in DatasetName:
        assert f"/v1/{name}" in paths
        assert f"/v1/exports/{name}.{{fmt}}" in paths


def test_the_package_holds_every_dataset_and_the_link_tables() -> None:
    assert list(PACKAGE_DATASETS) == list(DatasetName)
    resources = descriptor([])["resources"]
    assert [r["name"] for r in resources] == [
        "missions",
        "objectives",
        "countries",
        "locations",
        "partners",
        "stories",
        "activities",
        "figures",
        "metrics",
        "activity_types",
        "reports",
        "activity_locations",
        "activity_partners",
        "story_missions",
        "story_countries",
    ]
    figures = resources[7]["schema"]
    assert figures["primaryKey"] == ["id"]
    assert figures["foreignKeys"][0] == {
        "fields": ["year"],
        "reference": {"resource": "reports", "fields": ["edition_year"]},
    }
    assert figures["foreignKeys"][4] == {
        "fields": ["location_id"],
        "reference": {"resource": "locations", "fields": ["id"]},
    }
    partners = resources[12]["schema"]
    assert partners["primaryKey"] == ["activity_id", "partner_id"]
    assert [key["reference"] for key in partners["foreignKeys"]] == [
        {"resource": "activities", "fields": ["id"]},
        {"resource": "partners", "fields": ["id"]},
    ]


@pytest.mark.parametrize(
    ("name", "resolved"),
    [
        (DatasetName.STORIES, stories.StoryFilters),
        (DatasetName.ACTIVITIES, activities.ActivityFilters),
        (DatasetName.FIGURES, figures.FigureFilters),
    ],
)
def test_the_query_model_and_the_resolved_filters_name_the_same_parameters(
    name: DatasetName, resolved: type
) -> None:
    """`q` is searched, not resolved; every other parameter becomes a resolved field."""
    assert list(QUERY_MODELS[name].model_fields) == [f.name for f in fields(resolved)] + ["q"]
