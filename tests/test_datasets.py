"""Every dataset is declared completely, once (app/queries/datasets.py), and what varies by
dataset elsewhere (routes, filter models, the Data Package) follows from that declaration."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy.orm import Session

from app.api.v1.list_queries import QUERY_MODELS, query_model
from app.api.v1.readable import READABLE
from app.config import Settings
from app.enums import StoryKind
from app.exports.datapackage import descriptor
from app.main import create_app
from app.queries.datasets import DATASETS, DatasetName
from app.queries.filters import FilterResolver
from app.queries.selection import Filters, MissionFilters, Selection


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    return create_app(Settings(database_url="postgresql://schema-only@localhost/none")).openapi()


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
    assert (declared.filters is not None) == (name in QUERY_MODELS)
    if declared.searchable:
        assert "q" in QUERY_MODELS[name].model_fields
    if declared.rollup is not None:
        assert declared.searchable


def test_every_dataset_has_its_list_record_and_export_route() -> None:
    app = create_app(Settings(database_url="postgresql://schema-only@localhost/none"))
    paths = set(app.openapi()["paths"])
    assert set(READABLE) == set(DatasetName)
    for name in DatasetName:
        assert f"/v1/{name}" in paths
        assert f"/v1/{name}/{{{DATASETS[name].record.parameter}}}" in paths
        assert f"/v1/exports/{name}.{{fmt}}" in paths


def test_the_read_routes_are_made_from_the_declarations(openapi: dict[str, Any]) -> None:
    """Names, descriptions and response models come from READABLE; lists of mappable datasets
    also offer GeoJSON; a record key declared as an integer is one, within its bounds."""
    stories = openapi["paths"]["/v1/stories"]["get"]
    assert stories["operationId"] == "listStories"
    assert stories["description"] == READABLE[DatasetName.STORIES].listed
    assert "application/geo+json" not in stories["responses"]["200"]["content"]
    figures = openapi["paths"]["/v1/figures"]["get"]["responses"]["200"]["content"]
    assert "application/geo+json" in figures
    record = openapi["paths"]["/v1/activity-types/{code}"]["get"]
    assert record["operationId"] == "getActivityType"
    assert record["summary"] == "Get Activity Type"
    assert record["tags"] == ["vocabularies"]
    [number] = openapi["paths"]["/v1/objectives/{number}"]["get"]["parameters"]
    assert (number["schema"]["type"], number["schema"]["minimum"], number["schema"]["maximum"]) == (
        "integer",
        1,
        32767,
    )


def test_the_package_holds_every_dataset_and_the_link_tables() -> None:
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


@pytest.mark.parametrize("name", list(QUERY_MODELS))
def test_the_query_model_is_made_of_the_resolved_filters(name: DatasetName) -> None:
    """Every field of the filters dataclass is a parameter, in order; `q` is searched."""
    declared = DATASETS[name]
    assert declared.filters is not None
    searched = ["q"] if declared.searchable else []
    assert list(QUERY_MODELS[name].model_fields) == declared.filters.names() + searched


@dataclass(frozen=True)
class MissionsByYearAndKind(MissionFilters):
    year: list[int] | None = None
    kind: list[StoryKind] | None = None


def test_a_filter_added_to_the_dataclass_is_a_documented_parameter_and_is_resolved(
    db: Session,
) -> None:
    seen: list[MissionsByYearAndKind] = []

    def conditions(resolved: MissionsByYearAndKind) -> Selection:
        seen.append(resolved)
        return Selection()

    filters = Filters(MissionsByYearAndKind, conditions)
    model = query_model("missions", filters, searchable=False)
    assert list(model.model_fields) == ["country", "status", "year", "kind"]
    schema = model.model_json_schema()["properties"]
    assert schema["year"]["description"].startswith("Report edition year(s).")
    assert schema["kind"]["description"].startswith("Story kind(s): numbered_story")
    resolve = FilterResolver(db)
    query = model.model_validate({"year": "2023", "kind": "Highlight_Box"})
    filters.where(resolve, query.criteria(DatasetName.MISSIONS).raw)
    resolve.check()
    assert seen == [MissionsByYearAndKind(year=[2023], kind=[StoryKind.HIGHLIGHT_BOX])]


@pytest.mark.parametrize("name", list(DatasetName))
def test_record_routes_take_the_declared_path_parameter_and_example(
    openapi: dict[str, Any], name: DatasetName
) -> None:
    """GET of one record, and PUT, PATCH and DELETE where writable, name it as declared."""
    record = DATASETS[name].record
    item = openapi["paths"][f"/v1/{name}/{{{record.parameter}}}"]
    for method, operation in item.items():
        (parameter,) = [p for p in operation["parameters"] if p["in"] == "path"]
        assert parameter["name"] == record.parameter, method
        assert parameter["schema"]["examples"] == [record.example], method
