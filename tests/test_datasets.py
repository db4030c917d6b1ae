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


def test_the_package_holds_every_dataset_but_reports() -> None:
    assert sorted(PACKAGE_DATASETS) == sorted(set(DatasetName) - {DatasetName.REPORTS})
    resources = descriptor([])["resources"]
    assert [r["name"] for r in resources] == [
        "countries",
        "missions",
        "objectives",
        "locations",
        "partners",
        "stories",
        "activities",
        "figures",
        "metrics",
        "activity_types",
    ]
    figures = resources[7]["schema"]
    assert figures["primaryKey"] == ["id"]
    assert figures["foreignKeys"][3] == {
        "fields": ["location_id"],
        "reference": {"resource": "locations", "fields": ["id"]},
    }


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


@pytest.mark.parametrize("name", list(DatasetName))
def test_record_routes_take_the_declared_path_parameter_and_example(name: DatasetName) -> None:
    """GET of one record, and PUT, PATCH and DELETE where writable, name it as declared."""
    record = DATASETS[name].record
    app = create_app(Settings(database_url="postgresql://schema-only@localhost/none"))
    item = app.openapi()["paths"][f"/v1/{name}/{{{record.parameter}}}"]
    for method, operation in item.items():
        (parameter,) = [p for p in operation["parameters"] if p["in"] == "path"]
        assert parameter["name"] == record.parameter, method
        assert parameter["schema"]["examples"] == [record.example], method
