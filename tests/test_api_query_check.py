"""Typos are caught: an unknown query parameter or an empty value is a 422, on every route."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

ACTIVITY_PARAMETERS = [
    "bom",
    "country",
    "cursor",
    "date_from",
    "date_to",
    "facets",
    "limit",
    "location",
    "mission",
    "objective",
    "partner",
    "q",
    "sort",
    "story",
    "type",
    "year",
]


def test_a_misspelt_filter_is_named_with_a_suggestion(client: TestClient) -> None:
    response = client.get("/v1/activities?misison=monusco")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "/problems/unknown-parameters",
        "title": "Unknown query parameters",
        "status": 422,
        "detail": "Unknown query parameter: misison. /v1/activities accepts: "
        + ", ".join(ACTIVITY_PARAMETERS)
        + ".",
        "instance": "/v1/activities",
        "errors": [
            {
                "name": "misison",
                "in": "query",
                "reason": "unknown parameter; did you mean 'mission'?",
                "accepted": ACTIVITY_PARAMETERS,
            }
        ],
    }


def test_every_unknown_parameter_is_named_once(client: TestClient) -> None:
    response = client.get("/v1/figures?fields=x&metric=trainees&fields=y&zzz=1")
    assert response.status_code == 422
    body = response.json()
    assert body["detail"].startswith("Unknown query parameter: fields, zzz. /v1/figures accepts: ")
    assert [(e["name"], e["reason"]) for e in body["errors"]] == [
        ("fields", "unknown parameter"),
        ("zzz", "unknown parameter"),
    ]


def test_an_empty_filter_value_is_refused(client: TestClient) -> None:
    for query in ("objective=", "objective=%20", "objective=,%20,"):
        response = client.get(f"/v1/activities?mission=monusco&{query}")
        assert response.status_code == 422, query
        assert response.json() == {
            "type": "/problems/invalid-parameters",
            "title": "Invalid request parameters",
            "status": 422,
            "detail": "Invalid value for: objective.",
            "instance": "/v1/activities",
            "errors": [
                {
                    "name": "objective",
                    "in": "query",
                    "reason": "must not be empty; leave it out instead",
                }
            ],
        }


def _example(parameter: dict[str, Any]) -> str:
    return str(parameter.get("examples", parameter["schema"].get("examples", ["x"]))[0])


def test_every_route_refuses_parameters_it_does_not_declare(client: TestClient) -> None:
    """The accepted names each route reports are exactly the query parameters it documents."""
    spec = client.get("/openapi.json").json()
    checked = 0
    for template, operations in spec["paths"].items():
        if "get" not in operations:
            continue
        parameters = operations["get"].get("parameters", [])
        path = template
        for parameter in parameters:
            if parameter["in"] == "path":
                path = path.replace("{" + parameter["name"] + "}", _example(parameter))
        response = client.get(f"{path}?not_a_parameter=1")
        assert response.status_code == 422, (path, response.text)
        [error] = response.json()["errors"]
        assert error["name"] == "not_a_parameter"
        assert error["accepted"] == sorted(p["name"] for p in parameters if p["in"] == "query")
        checked += 1
    assert checked == 2 + 1 + 22 + 4 + 12 + 1  # health, index, reads, stats, exports, audit


def test_declared_parameters_keep_working(client: TestClient) -> None:
    first = client.get("/v1/figures?metric=trainees&limit=2&sort=-value")
    assert first.status_code == 200
    cursor = first.json()["next_cursor"]
    second = client.get(f"/v1/figures?metric=trainees&limit=2&sort=-value&cursor={cursor}")
    assert second.status_code == 200
    assert client.get("/v1/stats/figures?metric=trainees&group_by=mission").status_code == 200
    export = client.get("/v1/exports/figures.csv?metric=trainees&hxl=true")
    assert export.status_code == 200
    assert export.text.splitlines()[1].startswith("#")
    assert client.get("/v1/figures?mission=monusco,minusca&mission=unmiss").status_code == 200
