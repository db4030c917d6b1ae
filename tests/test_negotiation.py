"""List routes choose JSON, CSV or NDJSON by `Accept` with q-values, and say `Vary: Accept`."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from app.api.negotiation import preferred

LIST = "/v1/figures?metric=convictions"
PLAIN = {"Accept-Encoding": "identity"}
JSON, CSV, NDJSON = "application/json", "text/csv; charset=utf-8", "application/x-ndjson"
GEOJSON = "application/geo+json"


def vary(response: Response) -> list[str]:
    return [name.strip() for name in response.headers.get("vary", "").split(",") if name]


@pytest.mark.parametrize(
    ("accept", "content_type"),
    [
        ("text/csv;q=0, application/json", JSON),
        ("application/x-ndjson;q=0.5, text/csv;q=0.9", CSV),
        ("text/csv;q=0, */*", JSON),
        ("text/*", CSV),
        ("*/*", JSON),
        ("application/*;q=0.2, application/x-ndjson;q=0.3", NDJSON),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", JSON),
        ("text/csv, application/json", CSV),  # equal q: the one listed first
        ("*/*, application/x-ndjson", NDJSON),  # equal q: named beats wildcard
        ("TEXT/CSV;Q=1", CSV),
        ("text/csv;q=2, application/json", JSON),  # an invalid q drops its range
        ("nonsense", JSON),  # nothing valid: as if no Accept was sent
        ("application/geo+json", GEOJSON),
        ("application/json;q=0.5, application/geo+json", GEOJSON),
        ("application/*", JSON),  # a tie between JSON and GeoJSON: JSON is offered first
    ],
)
def test_accept_q_values_choose_the_representation(
    client: TestClient, accept: str, content_type: str
) -> None:
    response = client.get(LIST, headers={**PLAIN, "Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"] == content_type
    assert "Accept" in vary(response)


@pytest.mark.parametrize(
    "accept",
    ["image/png", "text/csv;q=0", "application/json;q=0, text/*;q=0, application/x-ndjson;q=0"],
)
def test_nothing_acceptable_is_406_listing_what_is_offered(client: TestClient, accept: str) -> None:
    response = client.get(LIST, headers={**PLAIN, "Accept": accept})
    assert response.status_code == 406
    assert response.headers["content-type"] == "application/problem+json"
    assert "Accept" in vary(response)
    assert response.json() == {
        "type": "/problems/not-acceptable",
        "title": "Not Acceptable",
        "status": 406,
        "detail": "None of the media types this resource offers is acceptable: "
        "application/json, text/csv, application/x-ndjson, application/geo+json.",
        "instance": "/v1/figures",
        "available": ["application/json", "text/csv", "application/x-ndjson", GEOJSON],
    }


def test_a_list_without_a_map_offers_no_geojson(client: TestClient) -> None:
    response = client.get("/v1/stories", headers={**PLAIN, "Accept": GEOJSON})
    assert response.status_code == 406
    assert response.json()["available"] == ["application/json", "text/csv", "application/x-ndjson"]


@pytest.mark.parametrize("path", ["/v1/stories", "/v1/missions", "/v1/activity-types"])
@pytest.mark.parametrize("accept", [None, "text/csv", "application/x-ndjson"])
def test_every_list_response_varies_by_accept(
    client: TestClient, path: str, accept: str | None
) -> None:
    headers = {**PLAIN, **({"Accept": accept} if accept else {})}
    first = client.get(path, headers=headers)
    assert first.status_code == 200
    assert "Accept" in vary(first)
    cached = client.get(path, headers={**headers, "If-None-Match": first.headers["etag"]})
    assert cached.status_code == 304
    assert "Accept" in vary(cached)


def test_one_representation_has_one_etag_whatever_the_accept(client: TestClient) -> None:
    plain = client.get(LIST, headers={"Accept": "text/csv"})
    weighted = client.get(LIST, headers={"Accept": "text/csv, application/json;q=0.5"})
    assert plain.headers["etag"] == weighted.headers["etag"]
    assert plain.content == weighted.content
    ndjson = client.get(LIST, headers={"Accept": "application/x-ndjson"})
    assert ndjson.headers["etag"] != plain.headers["etag"]
    revalidated = client.get(
        LIST, headers={"Accept": "text/*", "If-None-Match": plain.headers["etag"]}
    )
    assert revalidated.status_code == 304


def test_errors_of_a_list_route_vary_by_accept(client: TestClient) -> None:
    invalid = client.get("/v1/figures?limit=0&mission=nope", headers=PLAIN)
    assert invalid.status_code == 422
    assert vary(invalid) == ["Accept", "Origin"]  # Origin: Starlette's CORS always adds it


def test_compressed_lists_vary_by_both(client: TestClient) -> None:
    response = client.get("/v1/figures?limit=500", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["vary"] == "Accept, Accept-Encoding, Origin"


def test_routes_with_one_representation_do_not_vary(client: TestClient) -> None:
    item = client.get("/v1/figures/2023-story-17-survivors-identified", headers=PLAIN)
    assert item.status_code == 200
    assert "Accept" not in vary(item)
    assert "Accept" not in vary(client.get("/v1/exports/figures.csv", headers=PLAIN))


def test_preferred_without_a_header_is_the_first_offer() -> None:
    assert preferred(None, ["application/json", "text/csv"]) == "application/json"
    assert preferred("", ["application/json", "text/csv"]) == "application/json"
    assert preferred("text/csv;q=0.001", ["application/json", "text/csv"]) == "text/csv"
    assert preferred("text/csv;q=0.000", ["application/json", "text/csv"]) is None
