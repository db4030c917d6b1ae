"""GeoJSON (RFC 7946): `Accept: application/geo+json` on the lists of locations, activities
and figures (one page, paginated like JSON) and `/v1/exports/{dataset}.geojson` (everything)."""

from __future__ import annotations

from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient

GEO = "application/geo+json"
ACCEPT_GEO = {"Accept": GEO, "Accept-Encoding": "identity"}


def assert_rfc7946(collection: dict[str, Any]) -> None:
    """A FeatureCollection of Point features in [longitude, latitude] order, WGS84."""
    assert collection["type"] == "FeatureCollection"
    ids = [feature["id"] for feature in collection["features"]]
    assert len(ids) == len(set(ids))
    for feature in collection["features"]:
        assert set(feature) == {"type", "id", "geometry", "properties"}
        assert feature["type"] == "Feature"
        assert feature["geometry"]["type"] == "Point"
        longitude, latitude = feature["geometry"]["coordinates"]
        # the four mission countries and New York: longitudes -74..36, latitudes -14..41;
        # swapped, Bangui (4.4 N, 18.6 E) would read as 18.6 N, 4.4 E: in the Sahara, so the
        # country checks below fail too
        assert -180 <= longitude <= 180 and -90 <= latitude <= 90


def test_locations_as_geojson(client: TestClient) -> None:
    response = client.get("/v1/locations?limit=500", headers=ACCEPT_GEO)
    assert response.status_code == 200
    assert response.headers["content-type"] == GEO
    assert "Accept" in response.headers["vary"]
    collection = response.json()
    assert_rfc7946(collection)
    assert len(collection["features"]) == collection["total"] == 44
    assert collection["without_coordinates"] == {"count": 0, "ids": []}
    bangui = next(f for f in collection["features"] if f["id"] == "bangui")
    assert bangui["geometry"]["coordinates"] == [18.55496, 4.36122]  # [lon, lat]
    assert bangui["properties"]["precision"] == "point"
    assert bangui["properties"]["country"] == {"iso3": "CAF", "name": "Central African Republic"}
    # properties are the JSON list's item, unchanged
    listed = client.get("/v1/locations?limit=500").json()["items"]
    assert [f["properties"] for f in collection["features"]] == listed


def test_pages_and_filters_match_the_json_list(client: TestClient) -> None:
    url = "/v1/activities?mission=monusco&limit=5"
    seen_json, seen_geo = [], []
    json_url: str | None = url
    geo_url: str | None = url
    while json_url and geo_url:
        page = client.get(json_url)
        geo = client.get(geo_url, headers=ACCEPT_GEO)
        assert geo.status_code == 200
        collection = geo.json()
        assert_rfc7946(collection)
        assert collection["next_cursor"] == page.json()["next_cursor"]
        assert collection["total"] == page.json()["total"]
        assert geo.headers.get("link") == page.headers.get("link")
        located = {f["properties"]["id"] for f in collection["features"]}
        unlocated = set(collection["without_coordinates"]["ids"])
        assert located | unlocated == {item["id"] for item in page.json()["items"]}
        assert not located & unlocated
        assert collection["without_coordinates"]["count"] == len(unlocated)
        seen_json += [item["id"] for item in page.json()["items"]]
        seen_geo += sorted(located | unlocated)
        cursor = page.json()["next_cursor"]
        json_url = geo_url = f"{url}&cursor={cursor}" if cursor else None
    assert sorted(seen_json) == sorted(seen_geo)
    assert len(seen_json) == client.get(url).json()["total"]


def test_an_activity_in_several_places_is_one_feature_per_place(client: TestClient) -> None:
    activity = next(
        item
        for item in client.get("/v1/activities?location=zemio&limit=500").json()["items"]
        if {loc["id"] for loc in item["locations"]} >= {"zemio", "mboki"}
    )
    collection = client.get("/v1/activities?location=zemio&limit=500", headers=ACCEPT_GEO).json()
    mine = [f for f in collection["features"] if f["properties"]["id"] == activity["id"]]
    assert {f["id"] for f in mine} == {
        f"{activity['id']}@{loc['id']}" for loc in activity["locations"]
    }
    zemio = next(f for f in mine if f["properties"]["place"]["id"] == "zemio")
    assert zemio["geometry"]["coordinates"] == [25.13614, 5.03144]
    assert zemio["properties"]["place"] == {"id": "zemio", "name": "Zemio", "precision": "point"}


def test_figures_use_their_own_place_else_their_activitys(client: TestClient) -> None:
    collection = client.get("/v1/figures?limit=500", headers=ACCEPT_GEO).json()
    assert_rfc7946(collection)
    figures = client.get("/v1/figures?limit=500").json()["items"]
    by_id: dict[str, list[dict[str, Any]]] = {}
    for feature in collection["features"]:
        by_id.setdefault(feature["properties"]["id"], []).append(feature)
    for figure in figures:
        if figure["location"] is not None:
            assert [f["properties"]["place"]["id"] for f in by_id[figure["id"]]] == [
                figure["location"]["id"]
            ]
    unlocated = collection["without_coordinates"]
    assert unlocated["count"] == len(unlocated["ids"]) == len(figures) - len(by_id)
    assert len(figures) == 49


@pytest.mark.parametrize("dataset", ["locations", "activities", "figures"])
def test_export_is_the_whole_collection(client: TestClient, dataset: str) -> None:
    response = client.get(f"/v1/exports/{dataset}.geojson")
    assert response.status_code == 200
    assert response.headers["content-type"] == GEO
    assert f'filename="crsv-{dataset}.geojson"' in response.headers["content-disposition"]
    collection = orjson.loads(response.content)
    assert_rfc7946(collection)
    pages = client.get(f"/v1/{dataset}?limit=500", headers=ACCEPT_GEO).json()
    assert collection["features"] == pages["features"]
    assert collection["without_coordinates"] == pages["without_coordinates"]
    head = client.head(f"/v1/exports/{dataset}.geojson")
    assert head.status_code == 200 and head.headers["content-type"] == GEO


def test_export_takes_the_list_filters(client: TestClient) -> None:
    collection = client.get("/v1/exports/locations.geojson?country=SSD").json()
    assert {f["properties"]["country"]["iso3"] for f in collection["features"]} == {"SSD"}
    assert len(collection["features"]) == 10
    bad = client.get("/v1/exports/locations.geojson?country=XXX")
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "application/problem+json"


def test_other_datasets_offer_no_geojson(client: TestClient) -> None:
    response = client.get("/v1/missions", headers={"Accept": GEO})
    assert response.status_code == 406
    assert GEO not in response.json()["available"]
    assert client.get("/v1/exports/missions.geojson").status_code == 422
    only_geo = client.get("/v1/figures", headers={"Accept": f"{GEO}, application/json;q=0"})
    assert only_geo.headers["content-type"] == GEO
    refused = client.get("/v1/figures", headers={"Accept": "application/geo+json;q=0"})
    assert refused.status_code == 406
    assert GEO in refused.json()["available"]


def test_location_detail_links_its_activities_and_figures(client: TestClient) -> None:
    detail = client.get("/v1/locations/yei").json()
    assert detail["precision"] == "point"
    assert detail["coordinate_source"].startswith("GeoNames 363619 (Yei)")
    activities = client.get(detail["links"]["activities"]).json()
    figures = client.get(detail["links"]["figures"]).json()
    assert detail["links"]["activities"] == "/v1/activities?location=yei"
    assert detail["counts"]["activities"] == activities["total"] == 3
    # three figures give Yei as their own place (story 9's court martial), two more are
    # figures of activities held there (story 18): the count is the linked list's total
    own = [f for f in figures["items"] if f["location"] and f["location"]["id"] == "yei"]
    assert len(own) == 3
    assert detail["counts"]["figures"] == figures["total"] == 5


@pytest.mark.parametrize(
    ("location", "activities", "figures"),
    [("goma", 4, 1), ("ituri", 2, 2), ("bangui", 5, 4), ("kidal", 1, 1)],
)
def test_a_location_s_counts_are_the_totals_of_its_links(
    client: TestClient, location: str, activities: int, figures: int
) -> None:
    """Goma's one figure (story 5's localities) has no place of its own but its activity's:
    the detail used to say 0 beside a link that lists it."""
    detail = client.get(f"/v1/locations/{location}").json()
    assert detail["counts"] == {"activities": activities, "figures": figures}
    for name, count in detail["counts"].items():
        assert client.get(detail["links"][name]).json()["total"] == count


def test_geojson_pages_have_their_own_etag(client: TestClient) -> None:
    geo = client.get("/v1/locations", headers=ACCEPT_GEO)
    plain = client.get("/v1/locations", headers={"Accept-Encoding": "identity"})
    assert geo.headers["etag"] != plain.headers["etag"]
    again = client.get(
        "/v1/locations", headers={**ACCEPT_GEO, "If-None-Match": geo.headers["etag"]}
    )
    assert again.status_code == 304


def test_the_index_links_the_geojson_exports(client: TestClient) -> None:
    exports = client.get("/v1").json()["exports"]
    geojson = {name for name, formats in exports.items() if "geojson" in formats}
    assert geojson == {"locations", "activities", "figures"}
    assert exports["figures"]["geojson"].endswith("/v1/exports/figures.geojson")


def test_openapi_documents_geojson(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    for dataset in ("locations", "activities", "figures"):
        listed = paths[f"/v1/{dataset}"]["get"]["responses"]["200"]["content"]
        assert GEO in listed
        exported = paths[f"/v1/exports/{dataset}.geojson"]["get"]
        assert list(exported["responses"]["200"]["content"]) == [GEO]
        assert exported["operationId"] == f"export{dataset.capitalize()}Geojson"
    assert GEO not in paths["/v1/stories"]["get"]["responses"]["200"].get("content", {})
    assert "/v1/exports/stories.geojson" not in paths
