"""Activity and story counts per group, checked against the lists they count."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.queries import counts
from app.queries.datasets import resolve_selection


def _items(client: TestClient, path: str, query: str = "") -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = client.get(f"{path}?limit=500&{query}").json()["items"]
    return items


def _counts(client: TestClient, url: str, name: str, counted: str) -> list[tuple[Any, int]]:
    body = client.get(url).json()
    return [(g[name], g[counted]) for g in body["groups"]]


def _in_order(counter: Counter[Any], domain: list[Any]) -> list[tuple[Any, int]]:
    """Every value of the domain in order (zero-filled), then the null group if any."""
    rows = [(value, counter.get(value, 0)) for value in domain]
    return rows + ([(None, counter[None])] if counter.get(None) else [])


def test_activities_per_mission(client: TestClient) -> None:
    activities = _items(client, "/v1/activities")
    missions = sorted(m["code"] for m in _items(client, "/v1/missions"))
    expected = _in_order(Counter(a["mission"] for a in activities), missions)
    rows = _counts(client, "/v1/stats/activities?group_by=mission", "mission", "activities")
    assert rows == expected
    assert rows == [("MINUSCA", 26), ("MINUSMA", 17), ("MONUSCO", 27), ("UNMISS", 12), (None, 3)]
    assert client.get("/v1/stats/activities").json() == {
        "group_by": [],
        "total": 85,
        "groups": [{"activities": 85}],
    }


def test_activities_per_country_count_each_place_s_country(client: TestClient) -> None:
    based = {m["code"]: m["country"]["iso3"] for m in _items(client, "/v1/missions")}
    counter: Counter[Any] = Counter()
    for activity in _items(client, "/v1/activities"):
        countries = {loc["country"] for loc in activity["locations"]}
        if activity["mission"]:
            countries.add(based[activity["mission"]])
        counter.update(countries or {None})
    domain = sorted(c["iso3"] for c in _items(client, "/v1/countries"))
    url = "/v1/stats/activities?group_by=country"
    assert _counts(client, url, "country", "activities") == _in_order(counter, domain)
    labelled = client.get(url).json()["groups"]
    assert {g["country"]: g["country_name"] for g in labelled}["SSD"] == "South Sudan"


def test_activity_types_of_one_mission_zero_filled_with_labels(client: TestClient) -> None:
    url = "/v1/stats/activities?group_by=activity_type&mission=monusco"
    body = client.get(url).json()
    types = {t["code"]: t["label"] for t in _items(client, "/v1/activity-types")}
    counter = Counter(
        a["type"]["code"] for a in _items(client, "/v1/activities", "mission=monusco")
    )
    assert [(g["activity_type"], g["activities"]) for g in body["groups"]] == _in_order(
        counter, sorted(types)
    )
    assert all(g["activity_type_label"] == types[g["activity_type"]] for g in body["groups"])
    assert body["total"] == 27  # with the introduction caption's activity
    none = client.get(url + "&fill=none").json()["groups"]
    assert [g["activity_type"] for g in none] == sorted(counter)


def test_stories_per_mission_count_every_mission_a_story_names(client: TestClient) -> None:
    stories = _items(client, "/v1/stories")
    counter = Counter(m for s in stories for m in (s["missions"] or [None]))
    missions = sorted(m["code"] for m in _items(client, "/v1/missions"))
    rows = _counts(client, "/v1/stats/stories?group_by=mission", "mission", "stories")
    assert rows == _in_order(counter, missions)
    assert client.get("/v1/stats/stories?group_by=mission").json()["total"] == len(stories) == 33
    one = _counts(client, "/v1/stats/stories?group_by=mission&mission=unmiss", "mission", "stories")
    assert one == [("UNMISS", counter["UNMISS"])]


def test_stories_per_objective_and_year(client: TestClient) -> None:
    stories = _items(client, "/v1/stories", "kind=numbered_story")
    counter = Counter((s["objective"]["number"], s["year"]) for s in stories)
    body = client.get("/v1/stats/stories?group_by=objective,year&kind=numbered_story").json()
    rows = [((g["objective"], g["year"]), g["stories"]) for g in body["groups"]]
    assert rows == [((n, 2023), counter[n, 2023]) for n in range(1, 6)]
    assert sum(count for _, count in rows) == 19
    titles = {o["number"]: o["title"] for o in _items(client, "/v1/objectives")}
    assert [g["objective_title"] for g in body["groups"]] == [titles[n] for n in range(1, 6)]


def test_activities_per_objective_and_year(client: TestClient) -> None:
    activities = _items(client, "/v1/activities")
    counter = Counter(a["objective"] for a in activities)
    url = "/v1/stats/activities?group_by=objective"
    rows = _counts(client, url, "objective", "activities")
    assert rows == _in_order(counter, [1, 2, 3, 4, 5])
    # the captions, overviews, legacy and DPO sections sit under no objective heading
    assert rows == [(1, 23), (2, 11), (3, 12), (4, 9), (5, 7), (None, 23)]
    url = "/v1/stats/activities?group_by=year,objective&objective=2"
    assert _counts(client, url, "year", "activities") == [(2023, 11)]


def test_stories_per_country_count_every_country_a_story_names(client: TestClient) -> None:
    stories = _items(client, "/v1/stories")
    counter = Counter(c for s in stories for c in (s["countries"] or [None]))
    domain = sorted(c["iso3"] for c in _items(client, "/v1/countries"))
    rows = _counts(client, "/v1/stats/stories?group_by=country", "country", "stories")
    assert rows == _in_order(counter, domain)
    assert rows == [("CAF", 12), ("COD", 12), ("MLI", 5), ("SSD", 7), ("UGA", 1), ("USA", 2)]


def test_stories_per_activity_type(client: TestClient) -> None:
    counter: Counter[Any] = Counter()
    for story in _items(client, "/v1/stories", "objective=2"):
        detail = client.get(f"/v1/stories/{story['id']}").json()
        counter.update({a["type"]["code"] for a in detail["activities"]})
    url = "/v1/stats/stories?group_by=activity_type&objective=2&fill=none"
    assert _counts(client, url, "activity_type", "stories") == sorted(counter.items())


def test_story_stats_take_the_search(client: TestClient) -> None:
    found = _items(client, "/v1/stories", "q=court")
    body = client.get("/v1/stats/stories?group_by=objective&q=court&fill=none").json()
    assert body["total"] == len(found)
    assert [(g["objective"], g["stories"]) for g in body["groups"]] == sorted(
        Counter(s["objective"]["number"] if s["objective"] else None for s in found).items(),
        key=lambda pair: (pair[0] is None, pair[0] or 0),
    )


@pytest.mark.parametrize(
    "url",
    [
        "/v1/stats/activities?group_by=metric",
        "/v1/stats/stories?group_by=month",
        "/v1/stats/stories?group_by=mission,mission",
        "/v1/stats/activities?mission=nowhere",
        "/v1/stats/stories?group_by=mission&typo=1",
    ],
)
def test_bad_parameters_are_422_problems(client: TestClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


def test_stats_answer_with_an_etag(client: TestClient) -> None:
    response = client.get("/v1/stats/activities?group_by=year")
    etag = response.headers["etag"]
    again = client.get("/v1/stats/activities?group_by=year", headers={"If-None-Match": etag})
    assert again.status_code == 304


@pytest.mark.parametrize(
    ("group_by", "raw"),
    [
        (["mission", "activity_type"], {}),
        (["objective", "year"], {"mission": "MONUSCO,UNMISS"}),
        (["activity_type"], {"type": "training,patrol", "objective": "4"}),
    ],
)
def test_activity_counts_from_the_rollup_equal_counts_from_the_rows(
    db: Session, group_by: list[str], raw: dict[str, str]
) -> None:
    selection = resolve_selection(db, "activities", raw)
    assert selection.rollup is not None
    assert counts.ACTIVITIES.uses_rollup(selection, group_by)
    from_rollup = counts.count_stats(db, counts.ACTIVITIES, selection, group_by, raw, fill=True)
    rows = replace(selection, rollup=None)
    from_rows = counts.count_stats(db, counts.ACTIVITIES, rows, group_by, raw, fill=True)
    assert from_rollup == from_rows
    assert from_rollup["total"] > 0
