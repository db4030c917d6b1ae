"""Facets: counts per filter value under the current filters, checked against the lists."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.queries.datasets import resolve_selection
from app.queries.facets import facet_counts


def _all(client: TestClient, path: str, query: str = "") -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = client.get(f"{path}?limit=500&{query}").json()["items"]
    return items


def _facet(body: dict[str, Any], name: str) -> list[tuple[Any, int]]:
    return [(v["value"], v["count"]) for v in body["facets"][name]["values"]]


def _ranked(counter: Counter[Any]) -> list[tuple[Any, int]]:
    """Most records first, then by value, records without a value last among equals."""
    return sorted(counter.items(), key=lambda p: (-p[1], p[0] is None, p[0] or 0))


def test_figure_facets_follow_the_filters(client: TestClient) -> None:
    body = client.get("/v1/figures?objective=2&facets=mission,metric,type,qualifier&limit=2").json()
    figures = _all(client, "/v1/figures", "objective=2")
    assert body["total"] == len(figures) == 11
    assert len(body["items"]) == 2
    assert _facet(body, "mission") == _ranked(Counter(f["mission"] for f in figures))
    assert _facet(body, "mission") == [("MONUSCO", 6), ("UNMISS", 3), ("MINUSCA", 2)]
    assert _facet(body, "metric") == _ranked(Counter(f["metric"]["code"] for f in figures))
    assert _facet(body, "type") == _ranked(Counter(f["activity"]["type"] for f in figures))
    assert _facet(body, "qualifier") == [("exact", 11)]
    metric = body["facets"]["metric"]
    assert metric["values"][0] == {"value": "convictions", "label": "Convictions", "count": 4}
    assert metric["truncated"] is False


def test_a_facet_value_filters_to_its_count(client: TestClient) -> None:
    body = client.get("/v1/figures?metric=trainees&facets=country,location").json()
    for name in ("country", "location"):
        for value, count in _facet(body, name):
            if value is None:
                continue
            total = client.get(f"/v1/figures?metric=trainees&{name}={value}").json()["total"]
            assert total == count, value


def test_a_figure_counts_under_its_own_place_and_its_activity_s(client: TestClient) -> None:
    """Story 9's three figures give Yei; their court martial is in Yei, Central Equatoria: the
    location filter lists them under both, so the facet counts them under both (it said 0 for
    Central Equatoria, whose filter lists 3)."""
    body = client.get("/v1/figures?story=2023-story-09&facets=location").json()
    assert _facet(body, "location") == [("central-equatoria", 3), ("yei", 3)]
    for value, count in _facet(body, "location"):
        url = f"/v1/figures?story=2023-story-09&location={value}"
        assert client.get(url).json()["total"] == count
    # the cover's 40 women: Ituri is the figure's place, Djugu and Irumu its activity's
    body = client.get("/v1/figures?metric=trainees&mission=monusco&facets=location").json()
    counts = dict(_facet(body, "location"))
    assert (counts["ituri"], counts["djugu"], counts["irumu"]) == (1, 1, 1)


def test_search_and_facets_agree_with_the_list(client: TestClient) -> None:
    body = client.get("/v1/stories?q=court&facets=mission,kind,objective").json()
    stories = _all(client, "/v1/stories", "q=court")
    missions = Counter(m for s in stories for m in (s["missions"] or [None]))
    assert _facet(body, "mission") == _ranked(missions)
    assert _facet(body, "kind") == _ranked(Counter(s["kind"] for s in stories))
    objectives = Counter(s["objective"]["number"] if s["objective"] else None for s in stories)
    assert _facet(body, "objective") == _ranked(objectives)


def test_activity_facets_count_each_partner(client: TestClient) -> None:
    body = client.get("/v1/activities?mission=monusco&facets=partner,type,year").json()
    activities = _all(client, "/v1/activities", "mission=monusco")
    partners = Counter(p["id"] for a in activities for p in a["partners"])
    partners.update(None for a in activities if not a["partners"])
    assert _facet(body, "partner") == _ranked(partners)
    assert _facet(body, "type") == _ranked(Counter(a["type"]["code"] for a in activities))
    assert _facet(body, "year") == [(2023, 27)]
    labels = {v["value"]: v["label"] for v in body["facets"]["partner"]["values"]}
    assert labels["unjhro"] == "United Nations Joint Human Rights Office"


def test_reference_list_facets(client: TestClient) -> None:
    body = client.get("/v1/missions?facets=status,country").json()
    assert _facet(body, "status") == [("active", 3), ("closed", 1)]
    assert {v for v, _ in _facet(body, "country")} == {"CAF", "COD", "MLI", "SSD"}
    partners = _all(client, "/v1/partners")
    body = client.get("/v1/partners?facets=kind&limit=1").json()
    assert _facet(body, "kind") == _ranked(Counter(p["kind"] for p in partners))
    locations = _all(client, "/v1/locations", "country=COD")
    body = client.get("/v1/locations?country=COD&facets=kind").json()
    assert _facet(body, "kind") == _ranked(Counter(loc["kind"] for loc in locations))


def test_without_facets_the_page_is_unchanged(client: TestClient) -> None:
    assert "facets" not in client.get("/v1/figures?limit=1").json()


@pytest.mark.parametrize(
    "url",
    [
        "/v1/figures?facets=colour",
        "/v1/figures?facets=mission,mission",
        "/v1/stories?facets=metric",
        "/v1/missions?facets=kind",
    ],
)
def test_an_unknown_facet_is_a_422_problem(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert error["name"] == "facets"


def test_lists_without_filters_take_no_facets(client: TestClient) -> None:
    response = client.get("/v1/metrics?facets=unit")
    assert response.status_code == 422
    assert response.json()["type"] == "/problems/unknown-parameters"


def test_facets_are_checked_for_files_too(client: TestClient) -> None:
    csv = {"Accept": "text/csv"}
    assert client.get("/v1/figures?facets=colour", headers=csv).status_code == 422
    response = client.get("/v1/figures?facets=mission&metric=convictions", headers=csv)
    assert response.status_code == 200
    assert response.text.count("\n") == 1 + 4  # header and the four convictions figures


@pytest.mark.parametrize(
    ("dataset", "raw", "names"),
    [
        ("figures", {"objective": "2,3"}, ["mission", "objective", "metric", "qualifier", "year"]),
        ("activities", {"mission": "MINUSCA"}, ["mission", "objective", "type", "year"]),
    ],
)
def test_facets_from_the_rollup_equal_facets_from_the_rows(
    db: Session, dataset: str, raw: dict[str, str], names: list[str]
) -> None:
    selection = resolve_selection(db, dataset, raw)
    assert selection.rollup is not None
    from_rollup = facet_counts(db, dataset, selection, names)
    from_rows = facet_counts(db, dataset, replace(selection, rollup=None), names)
    assert from_rollup == from_rows
    assert all(facet["values"] for facet in from_rollup.values())
