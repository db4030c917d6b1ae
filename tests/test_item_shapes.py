"""A list item's JSON is declared once, by its response model (app/queries/items.py): the
SELECT and the item builder follow the model, and so does the OpenAPI document."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel
from sqlalchemy.orm import Session

from app.models import Metric, Story
from app.queries import stories
from app.queries.datasets import DATASETS, DatasetName
from app.queries.items import From, Shape
from app.queries.listing import PageRequest, list_page
from app.schemas.common import Schema
from app.schemas.content import StoryOut
from app.schemas.reference import MetricOut


def _keys(schema: dict[str, Any], openapi: dict[str, Any]) -> Any:
    """The nested key structure a JSON schema describes (objects only, lists as their item)."""
    if "$ref" in schema:
        return _keys(openapi["components"]["schemas"][schema["$ref"].split("/")[-1]], openapi)
    if "anyOf" in schema:
        shapes = [
            _keys(option, openapi) for option in schema["anyOf"] if option != {"type": "null"}
        ]
        return shapes[0]
    if schema.get("type") == "array":
        return [_keys(schema["items"], openapi)]
    if "properties" in schema:
        return {name: _keys(sub, openapi) for name, sub in schema["properties"].items()}
    return None


def _shape(value: Any) -> Any:
    if isinstance(value, dict):
        return {name: _shape(sub) for name, sub in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value else None
    return None


def _same(documented: Any, actual: Any, ordered: bool = True) -> bool:
    """`actual` (an item, nulls and empty lists unknown) fits `documented`, keys in order but
    in lists, whose objects PostgreSQL builds as jsonb (which keeps no key order)."""
    if actual is None:
        return True
    if isinstance(actual, list):
        return isinstance(documented, list) and _same(documented[0], actual[0], ordered=False)
    if isinstance(actual, dict):
        keys = (list(documented), list(actual)) if ordered else (set(documented), set(actual))
        return (
            isinstance(documented, dict)
            and keys[0] == keys[1]
            and all(_same(documented[key], actual[key], ordered) for key in actual)
        )
    return documented is None


@pytest.mark.parametrize("name", list(DatasetName))
def test_every_list_item_is_what_the_openapi_document_says(
    client: TestClient, name: DatasetName
) -> None:
    openapi = client.get("/openapi.json").json()
    page = openapi["paths"][f"/v1/{name}"]["get"]["responses"]["200"]["content"]
    documented = _keys(page["application/json"]["schema"], openapi)["items"][0]
    items = client.get(f"/v1/{name}", params={"limit": 200}).json()["items"]
    assert items
    for item in items:
        assert _same(documented, _shape(item)), item


class StoryWithOrder(StoryOut):
    """A story with one more field: nothing but this declaration names it."""

    order_key: int


def test_a_field_added_to_the_model_is_selected_and_in_every_item(db: Session) -> None:
    shape = Shape(StoryWithOrder, stories.ITEM.source)
    assert "order_key" in [column.key for column in shape.columns]
    spec = DATASETS[DatasetName.STORIES].spec
    statement = stories.SELECT.with_only_columns(*shape.columns).order_by(Story.order_key)
    items = [shape.to_item(row) for row in db.execute(statement)]
    listed = list_page(db, spec, [], PageRequest(limit=200)).items
    assert len(items) == len(listed) == 33
    by_id = {item["id"]: item for item in items}
    for story in listed:
        extended = by_id[story["id"]]
        assert list(extended) == [*story, "order_key"]
        assert {**story, "order_key": extended["order_key"]} == extended
        assert isinstance(extended["order_key"], int)
    assert "order_key" in StoryWithOrder.model_json_schema()["properties"]


def test_items_are_built_without_validating_each_row() -> None:
    """The builder is a dict literal compiled once from the model, not a model per row."""
    code = stories.ITEM.source_code
    assert code.startswith("def to_item(row):\n    return {'id': row[0], 'number': row[1], ")
    assert "model_validate" not in code and "StoryOut" not in code


class Unsourced(Schema):
    code: str
    nowhere: str


def test_a_field_no_column_feeds_fails_at_import() -> None:
    with pytest.raises(TypeError, match="no column for field 'nowhere'"):
        Shape(Unsourced, From(Metric))


def test_a_source_for_a_field_the_model_lacks_fails_at_import() -> None:
    with pytest.raises(TypeError, match="MetricOut has no field colour"):
        Shape(MetricOut, From(Metric, id=Metric.code, colour=Metric.label))


class Nested(BaseModel):
    metric: MetricOut | None


def test_a_nullable_object_is_null_when_its_first_field_is() -> None:
    shape = Shape(Nested, From(metric=From(Metric, id=Metric.code)))
    empty = (None,) * len(shape.columns)
    assert shape.to_item(empty) == {"metric": None}
    full = ("x",) * len(shape.columns)
    assert shape.to_item(full)["metric"]["id"] == "x"
