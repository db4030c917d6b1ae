"""Figure stats a chart can draw as they are: one row per metric, zero-filled groups, labels,
time series that honour each figure's date precision.

Expected values come from the figures list (`/v1/figures`), grouped here in Python, and a few
are written out from the report itself.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from datetime import date
from typing import Any

from fastapi.testclient import TestClient


def _figures(client: TestClient, query: str = "") -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = client.get(f"/v1/figures?limit=500&{query}").json()["items"]
    return items


def _sums(figures: list[dict[str, Any]], key: Any) -> dict[Any, tuple[int, int]]:
    """(sum, count) per key, computed from the list items."""
    found: dict[Any, list[int]] = defaultdict(lambda: [0, 0])
    for figure in figures:
        found[key(figure)][0] += figure["value"]
        found[key(figure)][1] += 1
    return {k: (v[0], v[1]) for k, v in found.items()}


def _rows(client: TestClient, url: str, *names: str) -> list[tuple[Any, ...]]:
    body = client.get(url).json()
    return [(*(g[n] for n in names), g["sum"], g["figures"]) for g in body["groups"]]


def test_without_a_metric_each_metric_is_its_own_row(client: TestClient) -> None:
    body = client.get("/v1/stats/figures?objective=2").json()
    # convictions count persons (story 10) and cases (story 9): split by unit as well
    assert body["group_by"] == ["metric", "unit"]
    assert [(g["metric"], g["unit"], g["sum"], g["figures"]) for g in body["groups"]] == [
        ("cases", "case", 14, 1),  # the 4 sexual violence cases are part of the 14
        ("convictions", "case", 3, 1),
        ("convictions", "person", 36 + 3 + 26, 3),
        ("defendants", "person", 16, 1),
        ("focal_points", "person", 32, 1),
        ("investigation_missions", "event", 11, 1),
        ("mobile_courts", "event", 20, 1),
        ("trainees", "person", 36, 1),
    ]


def test_every_mission_appears_zero_filled(client: TestClient) -> None:
    rows = _rows(client, "/v1/stats/figures?group_by=mission&metric=convictions", "mission", "unit")
    assert rows == [
        ("MINUSCA", "case", 0, 0),
        ("MINUSCA", "person", 0, 0),
        ("MINUSMA", "case", 0, 0),
        ("MINUSMA", "person", 0, 0),
        ("MONUSCO", "case", 0, 0),
        ("MONUSCO", "person", 36 + 3 + 26, 3),
        ("UNMISS", "case", 3, 1),
        ("UNMISS", "person", 0, 0),
    ]
    rows = _rows(client, "/v1/stats/figures?group_by=mission&metric=trainees", "mission")
    expected = _sums(_figures(client, "metric=trainees"), lambda f: f["mission"])
    missions = [m["code"] for m in client.get("/v1/missions").json()["items"]]
    assert rows == [(code, *expected.get(code, (0, 0))) for code in sorted(missions)]
    empty = client.get("/v1/stats/figures?group_by=mission&metric=convictions").json()
    assert empty["groups"][0] == {
        "mission": "MINUSCA",
        "mission_name": "United Nations Multidimensional Integrated Stabilization Mission "
        "in the Central African Republic",
        "unit": "case",
        "sum": 0,
        "figures": 0,
        "women": None,
        "men": None,
        "children": None,
        "with_breakdown": 0,
        "breakdown_base": 0,
        "lower_bound": False,
        "approximate": False,
        "upper_bound": False,
    }


def test_a_zero_filled_group_names_the_unit_its_zero_counts_in(client: TestClient) -> None:
    # UNMISS's 14 cases (story 9) beside three missions at 0 cases, not at 0 of nothing
    rows = _rows(client, "/v1/stats/figures?group_by=mission&metric=cases", "mission", "unit")
    assert rows == [
        ("MINUSCA", "case", 0, 0),
        ("MINUSMA", "case", 0, 0),
        ("MONUSCO", "case", 0, 0),
        ("UNMISS", "case", 14, 1),
    ]
    # nothing selected at all: the unit of the one metric filtered on
    url = "/v1/stats/figures?group_by=objective&metric=cases&mission=minusca"
    assert _rows(client, url, "objective", "unit") == [(n, "case", 0, 0) for n in range(1, 6)]
    # months of trainees: every month counts persons, those of no training too
    url = "/v1/stats/figures?group_by=month&metric=trainees"
    assert {g["unit"] for g in client.get(url).json()["groups"]} == {"person"}
    # grouped by metric: a metric with no figure in the group takes its own unit
    url = "/v1/stats/figures?group_by=mission,metric&mission=minusma&metric=cases,trainees"
    assert _rows(client, url, "mission", "metric", "unit") == [
        ("MINUSMA", "cases", "case", 0, 0),
        ("MINUSMA", "trainees", "person", 40, 1),
    ]


def test_fill_none_keeps_only_groups_with_figures(client: TestClient) -> None:
    url = "/v1/stats/figures?group_by=mission&metric=convictions&fill=none"
    assert _rows(client, url, "mission", "unit") == [
        ("MONUSCO", "person", 65, 3),
        ("UNMISS", "case", 3, 1),
    ]


def test_a_filter_on_the_grouped_dimension_limits_its_values(client: TestClient) -> None:
    url = "/v1/stats/figures?group_by=mission&metric=convictions&mission=monusco,minusca"
    assert _rows(client, url, "mission") == [("MINUSCA", 0, 0), ("MONUSCO", 65, 3)]
    url = "/v1/stats/figures?group_by=objective,year&metric=convictions&objective=2,4"
    assert _rows(client, url, "objective", "year", "unit") == [
        (2, 2023, "case", 3, 1),
        (2, 2023, "person", 65, 3),
        (4, 2023, "case", 0, 0),
        (4, 2023, "person", 0, 0),
    ]


def test_the_metric_split_adds_only_the_metrics_present(client: TestClient) -> None:
    body = client.get("/v1/stats/figures?group_by=mission&objective=5").json()
    assert body["group_by"] == ["mission", "metric"]
    present = sorted({f["metric"]["code"] for f in _figures(client, "objective=5")})
    assert present == ["legal_instruments", "participants", "survivors_identified"]
    missions = sorted(m["code"] for m in client.get("/v1/missions").json()["items"])
    assert [(g["mission"], g["metric"]) for g in body["groups"]] == [
        (m, code) for m in missions for code in present
    ]
    totals = {(g["mission"], g["metric"]): g["sum"] for g in body["groups"]}
    assert totals["MINUSCA", "survivors_identified"] == 604
    assert totals["MONUSCO", "survivors_identified"] == 0


def test_every_group_carries_its_labels(client: TestClient) -> None:
    url = "/v1/stats/figures?group_by=objective,country,activity_type,metric&fill=none"
    groups = client.get(url).json()["groups"]
    objectives = {o["number"]: o["title"] for o in client.get("/v1/objectives").json()["items"]}
    countries = {c["iso3"]: c["name"] for c in client.get("/v1/countries").json()["items"]}
    types = {
        t["code"]: t["label"] for t in client.get("/v1/activity-types?limit=500").json()["items"]
    }
    metrics = {m["code"]: m for m in client.get("/v1/metrics?limit=500").json()["items"]}
    for group in groups:
        assert group["objective_title"] == objectives.get(group["objective"])
        assert group["country_name"] == countries.get(group["country"])
        assert group["activity_type_label"] == types[group["activity_type"]]
        assert group["metric_label"] == metrics[group["metric"]]["label"]
        # story 9's convictions count cases, the metric persons (a figure's own unit)
        own = (group["metric"], group["unit"]) == ("convictions", "case")
        assert own or group["unit"] == metrics[group["metric"]]["unit"]
    # 49 figures, less story 9's 4 cases: part of the 14 cases in the same group
    assert sum(g["figures"] for g in groups) == 48
    cod = next(g for g in groups if g["country"] == "COD")
    assert cod["country_name"] == countries["COD"]
    assert any(g["objective"] is None and g["objective_title"] is None for g in groups)


def _bucket(period: dict[str, str] | None, grain: str) -> str | None:
    """Where the figure lands, computed from its period in the list (independently of SQL)."""
    if period is None:
        return None
    start, end = date.fromisoformat(period["start"]), date.fromisoformat(period["end"])
    year = str(start.year) if start.year == end.year else f"{start.year}/{end.year}"
    if grain == "month" and period["precision"] != "year" and start.month == end.month:
        return f"{start.year}-{start.month:02d}"
    quarter = (start.month - 1) // 3
    if grain == "quarter" and period["precision"] != "year" and quarter == (end.month - 1) // 3:
        return f"{start.year}-Q{quarter + 1}"
    return year


def test_months_honour_each_figure_s_precision(client: TestClient) -> None:
    url = "/v1/stats/figures?group_by=month&metric=trainees"
    rows = _rows(client, url, "month")
    expected = _sums(_figures(client, "metric=trainees"), lambda f: _bucket(f["date"], "month"))
    months = [f"2023-{m:02d}" for m in range(1, 13)]
    assert rows == [(k, *expected.get(k, (0, 0))) for k in [*months, "2023", None]]
    # May: the DPO course (35) and story 8's training (36); known only to the year: 40 + 200
    assert (rows[4], rows[12]) == (("2023-05", 71, 2), ("2023", 40 + 200, 2))
    labels = [g["month_label"] for g in client.get(url).json()["groups"]]
    assert labels[:2] == ["January 2023", "February 2023"]
    assert labels[12:] == ["2023, not within one month", "no date"]


def test_a_period_over_several_months_lands_in_no_month(client: TestClient) -> None:
    # "people repatriated" covers July to September 2023: Q3, but no single month
    by_month = _rows(client, "/v1/stats/figures?group_by=month&metric=people_repatriated", "month")
    assert [row for row in by_month if row[2]] == [("2023", 144, 1)]
    by_quarter = "/v1/stats/figures?group_by=quarter&metric=people_engaged,personnel_deployed"
    groups = client.get(by_quarter).json()["groups"]
    found = {(g["quarter"], g["metric"]): (g["sum"], g["quarter_label"]) for g in groups}
    assert found["2023-Q2", "people_engaged"] == (150 + 60, "Q2 2023")  # April to June
    assert found["2023", "personnel_deployed"] == (2, "2023, not within one quarter")  # Jul-Dec
    expected = _sums(_figures(client), lambda f: _bucket(f["date"], "quarter"))
    everything = client.get("/v1/stats/figures?group_by=quarter,metric&fill=none").json()
    totals: dict[Any, int] = defaultdict(int)
    for group in everything["groups"]:
        totals[group["quarter"]] += group["figures"]
    counted = {k: v[1] for k, v in expected.items()}
    counted[None] -= 1  # story 9's 4 cases, undated, are part of the 14 in the same group
    assert totals == counted


def test_date_filters_bound_the_filled_months(client: TestClient) -> None:
    url = "/v1/stats/figures?group_by=month&metric=trainees&date_from=2023-06-01"
    rows = _rows(client, url, "month")
    assert rows == [*((f"2023-{m:02d}", 0, 0) for m in range(6, 13)), ("2023", 240, 2)]


def test_period_years(client: TestClient) -> None:
    rows = _rows(client, "/v1/stats/figures?group_by=period_year&metric=trainees", "period_year")
    assert rows == [("2023", 36 + 35 + 40 + 200, 4), (None, 3500 + 40 + 234 + 49 + 34 + 30, 6)]


def test_calendar_labels_name_the_month(client: TestClient) -> None:
    groups = client.get("/v1/stats/figures?group_by=month&metric=legal_instruments").json()
    september = next(g for g in groups["groups"] if g["month"] == "2023-09")
    assert (september["month_label"], september["sum"]) == (f"{calendar.month_name[9]} 2023", 2)


def test_a_time_dimension_given_twice_is_422(client: TestClient) -> None:
    response = client.get("/v1/stats/figures?group_by=month,month")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    response = client.get("/v1/stats/figures?group_by=week")
    assert response.status_code == 422
    assert "month, quarter, period_year" in response.json()["errors"][0]["reason"]
    assert client.get("/v1/stats/figures?fill=some").status_code == 422


def test_too_many_filled_groups_is_a_422_naming_fill(client: TestClient) -> None:
    url = "/v1/stats/figures?group_by=mission,objective,country,metric,activity_type,month"
    response = client.get(url)  # 4 x 5 x 6 x 21 x 16 x (12 months and "2023") groups
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert error["name"] == "fill"
    assert "524,160 groups" in error["reason"]
    unfilled = client.get(url + "&fill=none").json()["groups"]
    assert sum(g["figures"] for g in unfilled) == 48  # story 9's part left out
