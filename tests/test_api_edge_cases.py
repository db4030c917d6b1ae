"""Edge cases the fuzzer found; each failed before its fix."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_nul_characters_are_422_not_a_server_error(client: TestClient) -> None:
    response = client.get("/v1/figures?location=go%00ma")
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"name": "location", "in": "query", "reason": "must not contain NUL characters"}
    ]
    assert client.get("/v1/figures/abc%00def").status_code == 422


def test_dates_must_be_iso_dates(client: TestClient) -> None:
    response = client.get("/v1/figures?date_to=0")
    assert response.status_code == 422
    assert response.json()["errors"][0]["reason"] == (
        "Value error, must be a date written YYYY-MM-DD"
    )


def test_405_lists_every_method_of_the_path(client: TestClient) -> None:
    collection = client.request("OPTIONS", "/v1/reports")
    assert collection.status_code == 405
    assert collection.headers["allow"] == "GET, HEAD, POST"
    record = client.request("OPTIONS", "/v1/figures/2023-story-17-survivors-identified")
    assert record.headers["allow"] == "DELETE, GET, HEAD, PATCH, PUT"


def test_stats_over_nothing_is_an_empty_list(client: TestClient) -> None:
    body = client.get("/v1/stats/figures?metric=trainees&year=2023&date_from=2030-01-01").json()
    assert body == {"group_by": [], "groups": []}


def test_every_error_is_documented_as_problem_json(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    for path in spec["paths"].values():
        for operation in path.values():
            for status, response in operation["responses"].items():
                if status.startswith(("4", "5")):
                    assert list(response["content"]) == ["application/problem+json"]
