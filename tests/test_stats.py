"""Dashboard aggregates: totals that match the report, flags, and refusals."""

from __future__ import annotations

from collections import Counter

from fastapi.testclient import TestClient

from app.seeding.reader import SeedSet


def _seed_figures(seeds: SeedSet, *, mission: str, metric: str) -> list[int]:
    return [
        f.value
        for _, a, f in seeds.editions[0].figures()
        if a is not None and a.mission == mission and f.metric == metric
    ]


def test_monusco_convictions_total_is_the_sum_of_its_figures(
    client: TestClient, seeds: SeedSet
) -> None:
    body = client.get(
        "/v1/stats/figures?group_by=mission,metric&metric=convictions&fill=none"
    ).json()
    groups = {g["mission"]: g for g in body["groups"]}
    assert (
        groups["MONUSCO"]["sum"]
        == sum(_seed_figures(seeds, mission="MONUSCO", metric="convictions"))
        == 36 + 3 + 26
    )
    assert groups["MONUSCO"]["figures"] == 3
    assert (groups["MONUSCO"]["women"], groups["MONUSCO"]["with_breakdown"]) == (1, 1)
    assert groups["UNMISS"]["sum"] == 3
    # MONUSCO's convictions are persons; UNMISS's are cases ending in conviction (story 9)
    assert (groups["MONUSCO"]["unit"], groups["UNMISS"]["unit"]) == ("person", "case")
    assert body["group_by"] == ["mission", "metric", "unit"]  # convictions in two units
    assert groups["MONUSCO"]["metric_label"] == "Convictions"


def test_flags_say_when_a_total_is_a_lower_bound_or_approximate(client: TestClient) -> None:
    groups = {
        g["mission"]: g
        for g in client.get("/v1/stats/figures?group_by=mission&metric=trainees").json()["groups"]
    }
    assert groups["MINUSCA"]["lower_bound"] is True  # "more than 3,500"
    assert groups["MINUSCA"]["sum"] == 3500 + 36 + 35
    assert groups["UNMISS"]["approximate"] is True  # "nearly 200"
    assert groups["MONUSCO"]["lower_bound"] is False
    assert groups["MONUSCO"]["approximate"] is False


def test_survivors_identified_with_breakdown(client: TestClient) -> None:
    [group] = client.get("/v1/stats/figures?metric=survivors_identified&group_by=year").json()[
        "groups"
    ]
    assert (group["year"], group["sum"], group["women"], group["men"]) == (2023, 604, 554, 50)


def test_grouping_by_metric_allows_mixed_metrics(client: TestClient, seeds: SeedSet) -> None:
    groups = client.get("/v1/stats/figures?group_by=metric").json()["groups"]
    # 49 figures, less the one part (story 9's 4 cases) whose whole (14 cases) is summed
    assert sum(g["figures"] for g in groups) == 48
    assert {g["metric"] for g in groups} == {f.metric for _, _, f in seeds.editions[0].figures()}


def test_several_metrics_are_split_by_metric_never_summed(client: TestClient) -> None:
    body = client.get("/v1/stats/figures?group_by=mission").json()
    assert body["group_by"] == ["mission", "metric", "unit"]
    groups = {(g["mission"], g["metric"]): g for g in body["groups"]}
    assert groups["MONUSCO", "convictions"]["sum"] == 36 + 3 + 26
    assert len({g["metric"] for g in body["groups"]}) == 21


def test_stats_without_parameters_are_one_group_per_metric(client: TestClient) -> None:
    body = client.get("/v1/stats/figures").json()
    assert body["group_by"] == ["metric", "unit"]
    # 21 metrics; convictions twice (of persons, and in cases)
    assert len(body["groups"]) == 22
    assert sum(g["figures"] for g in body["groups"]) == 48


def test_one_metric_is_not_split_further(client: TestClient) -> None:
    assert client.get("/v1/stats/figures?metric=trainees").json()["group_by"] == []


def test_unknown_dimension_is_422(client: TestClient) -> None:
    response = client.get("/v1/stats/figures?group_by=colour&metric=trainees")
    assert response.status_code == 422
    assert response.json()["errors"][0]["name"] == "group_by"


def test_stats_take_the_figure_filters(client: TestClient) -> None:
    groups = client.get(
        "/v1/stats/figures?group_by=country,location&metric=trainees&country=COD"
    ).json()["groups"]
    assert {g["country"] for g in groups} == {"COD"}
    assert sum(g["sum"] for g in groups) == 40 + 234 + 49 + 30


def test_overview_counts_match_mission_details(client: TestClient, seeds: SeedSet) -> None:
    overview = client.get("/v1/stats/overview").json()
    for row in overview["missions"]:
        detail = client.get(f"/v1/missions/{row['mission']}").json()
        assert {k: row[k] for k in ("stories", "activities", "figures")} == detail["counts"]
    monusco = next(r for r in overview["missions"] if r["mission"] == "MONUSCO")
    assert monusco["headlines"]["convictions"]["sum"] == 65
    assert monusco["headlines"]["survivors_identified"] is None
    minusca = next(r for r in overview["missions"] if r["mission"] == "MINUSCA")
    assert minusca["headlines"]["survivors_identified"]["sum"] == 604
    assert [r["objective"] for r in overview["objectives"]] == [1, 2, 3, 4, 5]
    with_objective = [f for s, _, f in seeds.editions[0].figures() if s.objective is not None]
    assert sum(r["figures"] for r in overview["objectives"]) == len(with_objective)
    stories = Counter(s.objective for s in seeds.editions[0].stories if s.objective is not None)
    for row in overview["objectives"]:
        assert row["stories"] == stories[row["objective"]] > 0
        detail = client.get(f"/v1/objectives/{row['objective']}").json()
        assert {k: row[k] for k in ("stories", "activities", "figures")} == detail["counts"]
