"""The OpenAPI document is one that Swagger UI and generated clients can use as it is."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.auth.service import create_key
from app.enums import Scope

METHODS = ("get", "post", "put", "patch", "delete")


def _operations(schema: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def test_operation_ids_are_short_stable_and_unique(client: TestClient) -> None:
    ids = [op["operationId"] for _, _, op in _operations(client.get("/openapi.json").json())]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z]+(?:[A-Z][a-z]+)*", id_) for id_ in ids), ids
    assert {
        "listActivities",
        "getMission",
        "exportFigures",
        "exportActivityTypes",
        "exportDataPackage",
        "patchFigure",
        "createStory",
        "deleteLocation",
        "getFigureStats",
        "getOverview",
        "listAuditEvents",
        "getReadiness",
        "getIndex",
    } <= set(ids)


def test_tags_come_in_reading_order_and_cover_every_operation(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    names = [tag["name"] for tag in schema["tags"]]
    assert names == [
        "index",
        "missions",
        "objectives",
        "stories",
        "activities",
        "figures",
        "stats",
        "exports",
        "places",
        "partners",
        "vocabularies",
        "reports",
        "audit",
        "health",
    ]
    assert {tag for _, _, op in _operations(schema) for tag in op["tags"]} == set(names)


def test_exactly_the_operations_that_need_a_key_declare_the_bearer_scheme(
    client: TestClient,
) -> None:
    schema = client.get("/openapi.json").json()
    assert schema["components"]["securitySchemes"]["apiKey"] | {"description": ""} == {
        "type": "http",
        "scheme": "bearer",
        "description": "",
    }
    keyed = {(method, path) for method, path, op in _operations(schema) if "security" in op}
    writes = {(method, path) for method, path, _ in _operations(schema) if method != "get"}
    assert keyed == writes | {("get", "/v1/audit")}
    assert len(keyed) == 25
    assert all(
        op["security"] == [{"apiKey": []}]
        for method, path, op in _operations(schema)
        if (method, path) in keyed
    )


def test_every_parameter_example_sent_alone_gets_a_2xx(client: TestClient, db: Session) -> None:
    admin = create_key(db, "example-walker", Scope.ADMIN)
    schema = client.get("/openapi.json").json()
    sent = 0
    for method, path, operation in _operations(schema):
        if method != "get":
            continue
        parameters = operation.get("parameters", [])
        url = path
        for parameter in parameters:
            if parameter["in"] == "path":
                example = parameter["schema"]["examples"][0]
                url = url.replace("{" + parameter["name"] + "}", str(example))
        headers = {"Authorization": f"Bearer {admin}"} if "security" in operation else {}
        assert client.get(url, headers=headers).status_code == 200, url
        for parameter in parameters:
            if parameter["in"] != "query":
                continue
            for example in parameter["schema"].get("examples", []):
                value = str(example).lower() if isinstance(example, bool) else str(example)
                response = client.get(url, params={parameter["name"]: value}, headers=headers)
                assert response.status_code == 200, (url, parameter["name"], example, response.text)
                sent += 1
    assert sent > 150


def test_sort_lists_each_dataset_s_own_fields(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()

    def sort_schema(path: str) -> dict[str, Any]:
        parameters = schema["paths"][path]["get"]["parameters"]
        return next(p["schema"] for p in parameters if p["name"] == "sort")

    figures = sort_schema("/v1/figures")
    assert figures["anyOf"][0]["enum"] == [
        "year",
        "-year",
        "position",
        "-position",
        "value",
        "-value",
        "date",
        "-date",
        "metric",
        "-metric",
        "mission",
        "-mission",
    ]
    assert re.fullmatch(figures["anyOf"][1]["pattern"], "-value,mission")
    assert not re.fullmatch(figures["anyOf"][1]["pattern"], "code")
    assert sort_schema("/v1/countries")["anyOf"][0]["enum"] == ["iso3", "-iso3", "name", "-name"]


def test_files_are_documented_as_strings_the_zip_as_binary(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    package = paths["/v1/exports/datapackage.zip"]["get"]["responses"]["200"]["content"]
    assert package == {"application/zip": {"schema": {"type": "string", "format": "binary"}}}
    files = paths["/v1/exports/figures.{fmt}"]["get"]["responses"]["200"]["content"]
    assert files["text/csv"] == {"schema": {"type": "string"}}
    sheet = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert files[sheet] == {"schema": {"type": "string", "format": "binary"}}


def test_docs_pages_load_every_asset_from_the_app_itself(client: TestClient) -> None:
    for page in ("/docs", "/redoc"):
        html = client.get(page).text
        assets = re.findall(r"""(?:src|href)=['"]([^'"]+)['"]""", html)
        assert assets, page
        assert "fonts.googleapis" not in html
        for asset in assets:
            assert asset.startswith("/docs/assets/"), (page, asset)
            response = client.get(asset)
            assert response.status_code == 200, asset
            assert len(response.content) > 1000, asset
