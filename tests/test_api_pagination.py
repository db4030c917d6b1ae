"""Keyset pagination: pages chain without duplicates or gaps, in a stable order."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.api import ids


@pytest.mark.parametrize(
    "path",
    [
        "/v1/activities",
        "/v1/activities?sort=-date,title",
        "/v1/activities?sort=mission,-year",
        "/v1/figures?sort=-value",
        "/v1/figures?sort=date,metric",
        "/v1/figures?q=training",
        "/v1/stories?sort=-number",
        "/v1/partners?sort=kind",
        "/v1/locations",
    ],
)
def test_pages_cover_everything_once(client: TestClient, path: str) -> None:
    everything = ids(client, path + ("&" if "?" in path else "?") + "limit=500")
    paged = ids(client, path + ("&" if "?" in path else "?") + "limit=7")
    assert paged == everything
    assert len(set(paged)) == len(paged)


def test_default_order_is_report_order(client: TestClient) -> None:
    stories = client.get("/v1/stories?limit=3").json()["items"]
    assert [s["position"] for s in stories] == [1, 2, 3]
    figures = client.get("/v1/figures?story=2023-story-07").json()["items"]
    assert [f["value"] for f in figures] == [317, 234, 49]


def test_sort_by_value_descending(client: TestClient) -> None:
    values = [f["value"] for f in client.get("/v1/figures?sort=-value&limit=3").json()["items"]]
    assert values == [50000, 3500, 604]


def test_nullable_sort_keys_put_nulls_last(client: TestClient) -> None:
    for sort in ("date", "-date"):
        dates = [
            a["date"] for a in client.get(f"/v1/activities?sort={sort}&limit=500").json()["items"]
        ]
        first_null = dates.index(None)
        assert all(d is None for d in dates[first_null:])
        starts = [d["start"] for d in dates[:first_null]]
        assert starts == sorted(starts, reverse=sort.startswith("-"))


def test_link_header_points_to_the_next_page(client: TestClient) -> None:
    first = client.get("/v1/figures?metric=trainees&limit=2")
    cursor = first.json()["next_cursor"]
    assert first.headers["link"] == (
        f'<http://testserver/v1/figures?metric=trainees&limit=2&cursor={cursor}>; rel="next"'
    )
    second = client.get(f"/v1/figures?metric=trainees&limit=2&cursor={cursor}")
    assert second.status_code == 200
    assert {f["id"] for f in second.json()["items"]}.isdisjoint(
        f["id"] for f in first.json()["items"]
    )


def test_last_page_has_no_link_and_no_cursor(client: TestClient) -> None:
    response = client.get("/v1/missions")
    assert response.json()["next_cursor"] is None
    assert "link" not in response.headers
    assert response.json()["total"] == 4


def test_default_and_maximum_limit(client: TestClient) -> None:
    assert len(client.get("/v1/activities").json()["items"]) == 50
    assert len(client.get("/v1/activities?limit=500").json()["items"]) == 85


def test_a_cursor_only_works_for_its_own_sort(client: TestClient) -> None:
    cursor = client.get("/v1/figures?limit=2").json()["next_cursor"]
    response = client.get(f"/v1/figures?limit=2&sort=-value&cursor={cursor}")
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"name": "cursor", "in": "query", "reason": "this cursor belongs to another sort or query"}
    ]


def test_a_forged_cursor_is_refused_not_a_server_error(client: TestClient) -> None:
    import base64

    forged = base64.urlsafe_b64encode(b'{"s":"position","v":["x","y"]}').decode()
    response = client.get(f"/v1/figures?cursor={forged}")
    assert response.status_code == 422
    assert response.json()["errors"][0]["reason"] == "malformed cursor"
