"""Honest totals: a part is never added to its whole, units never mix, and every breakdown
says what it is counted out of (`breakdown_base`). Values are the report's own."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest
from fastapi.testclient import TestClient


def _figures(client: TestClient, query: str = "") -> list[dict[str, Any]]:
    body = client.get(f"/v1/figures?limit=500{query}").json()
    assert body["next_cursor"] is None
    return list(body["items"])


def _groups(client: TestClient, query: str) -> tuple[list[str], list[dict[str, Any]]]:
    response = client.get(f"/v1/stats/figures?{query}&fill=none")
    assert response.status_code == 200, response.text
    body = response.json()
    return body["group_by"], body["groups"]


def test_unmiss_cases_are_the_14_of_the_report(client: TestClient) -> None:
    # "Of the 14 cases, 4 related to sexual violence": the 4 are part of the 14
    _, groups = _groups(client, "group_by=mission&metric=cases")
    unmiss = next(g for g in groups if g["mission"] == "UNMISS")
    assert (unmiss["sum"], unmiss["figures"], unmiss["unit"]) == (14, 1, "case")
    part = client.get("/v1/figures/2023-story-09-sexual-violence-cases").json()
    assert part["part_of"] == "2023-story-09-court-martial-cases"
    assert client.get("/v1/figures/2023-story-09-court-martial-cases").json()["part_of"] is None


@pytest.mark.parametrize(
    "query",
    [
        "metric=cases&q=closed%20sessions",  # found by the search, its whole is not
        "metric=cases&q=sexual",
    ],
)
def test_a_part_selected_without_its_whole_still_counts(client: TestClient, query: str) -> None:
    [figure] = _figures(client, f"&{query}")
    assert figure["id"] == "2023-story-09-sexual-violence-cases"
    _, [group] = _groups(client, query)
    assert (group["sum"], group["figures"]) == (4, 1)


def test_a_part_counts_in_a_group_its_whole_is_not_in(client: TestClient, db: Any) -> None:
    from sqlalchemy import text

    # the part worded "at least": grouped apart by qualifier filter, it answers alone
    db.execute(
        text(
            "UPDATE figure SET qualifier = 'at_least' "
            "WHERE key = '2023-story-09-sexual-violence-cases'"
        )
    )
    _, [alone] = _groups(client, "metric=cases&qualifier=at_least")
    assert (alone["sum"], alone["lower_bound"]) == (4, True)
    _, [both] = _groups(client, "metric=cases&mission=unmiss")
    assert (both["sum"], both["figures"], both["lower_bound"]) == (14, 1, False)


def test_convictions_are_split_by_unit_never_summed(client: TestClient) -> None:
    group_by, groups = _groups(client, "metric=convictions&group_by=objective")
    assert group_by == ["objective", "unit"]
    found = {(g["objective"], g["unit"]): g["sum"] for g in groups}
    # story 10: 36 + 3 + 26 persons convicted; story 9: 3 cases ended in conviction
    assert found == {(2, "person"): 65, (2, "case"): 3}
    group_by, groups = _groups(client, "metric=convictions")
    assert group_by == ["unit"]
    assert sorted((g["unit"], g["sum"]) for g in groups) == [("case", 3), ("person", 65)]
    three = client.get("/v1/figures/2023-story-09-convictions").json()
    assert (three["unit"], three["metric"]["unit"]) == ("case", "person")


def test_objective_1_trainees_give_the_base_of_their_breakdown(client: TestClient) -> None:
    # story 7: 234 police officers, 49 future inspectors (12 women); the cover's 40 women
    # trained sit under no objective
    _, [group] = _groups(client, "metric=trainees&objective=1")
    assert (group["sum"], group["women"], group["with_breakdown"]) == (283, 12, 1)
    assert group["breakdown_base"] == 49


def _expected(
    figures: list[dict[str, Any]], names: list[str]
) -> dict[tuple[Any, ...], dict[str, int]]:
    """Each group's sum and breakdown base, computed from the figures list alone."""

    def key(f: dict[str, Any]) -> tuple[Any, ...]:
        values = {"mission": f["mission"], "objective": f["objective"]}
        return (*(values[n] for n in names), f["metric"]["code"], f["unit"])

    keys = {f["id"]: key(f) for f in figures}
    totals: dict[tuple[Any, ...], dict[str, int]] = defaultdict(
        lambda: {"sum": 0, "breakdown_base": 0, "women": 0}
    )
    for f in figures:
        if f["part_of"] is not None and keys.get(f["part_of"]) == keys[f["id"]]:
            continue  # its whole is in the same group
        total = totals[keys[f["id"]]]
        total["sum"] += f["value"]
        if any(f[k] is not None for k in ("women", "men", "children")):
            total["breakdown_base"] += f["value"]
            total["women"] += f["women"] or 0
    return dict(totals)


@pytest.mark.parametrize(
    ("names", "filters"),
    [
        (["mission"], ""),
        (["objective"], ""),
        (["mission", "objective"], "&metric=trainees,participants,people_screened"),
        (["mission"], "&q=women"),  # from the rows, not the rollup
    ],
)
def test_every_breakdown_base_is_the_sum_of_its_figures_with_a_breakdown(
    client: TestClient, names: list[str], filters: str
) -> None:
    expected = _expected(_figures(client, filters), names)
    _, groups = _groups(client, f"group_by={','.join(names)},metric{filters}")
    found = {
        (*(g[n] for n in names), g["metric"], g["unit"]): {
            "sum": g["sum"],
            "breakdown_base": g["breakdown_base"],
            "women": g["women"] or 0,
        }
        for g in groups
    }
    assert found == expected
    assert any(v["breakdown_base"] for v in found.values())


def test_overview_headlines_are_the_figure_stats(client: TestClient) -> None:
    overview = client.get("/v1/stats/overview").json()
    missions = {row["mission"]: row["headlines"] for row in overview["missions"]}
    trainees = missions["MONUSCO"]["trainees"]
    # 40 women (cover) + 234 + 49 (12 women) + 30; the 52 women come from 40 + 49 = 89
    assert (trainees["sum"], trainees["women"], trainees["breakdown_base"]) == (353, 52, 89)
    assert (trainees["with_breakdown"], trainees["upper_bound"], trainees["unit"]) == (
        2,
        False,
        "person",
    )
    assert missions["UNMISS"]["convictions"] is None
    assert missions["UNMISS"]["convictions:case"]["sum"] == 3
    assert missions["UNMISS"]["trainees"]["approximate"] is True  # "nearly 200"
    objectives = {row["objective"]: row["headlines"] for row in overview["objectives"]}
    assert objectives[2]["convictions"]["sum"] == 65
    assert objectives[2]["convictions:case"]["sum"] == 3
    assert objectives[1]["trainees"]["breakdown_base"] == 49
    for row in overview["missions"]:
        _, groups = _groups(client, f"mission={row['mission']}&metric=trainees")
        if groups:
            [group] = groups
            assert row["headlines"]["trainees"] == {
                k: group[k] for k in row["headlines"]["trainees"]
            }


def test_data_corrections_checked_against_the_report(client: TestClient) -> None:
    leaders = client.get("/v1/figures/2023-story-03-women-leaders-targeted").json()
    assert (leaders["value"], leaders["women"]) == (237, 237)
    cover = client.get("/v1/stories/2023-cover-photo-monusco-ituri-training").json()
    assert cover["objective"] is None
    assert client.get("/v1/figures/2023-cover-photo-women-trained").json()["objective"] is None
    activity = client.get("/v1/activities/2023-cover-photo-women-conflict-prevention-training")
    assert activity.json()["objective"] is None
    intro = client.get("/v1/stories/2023-introduction-photo-monusco-protection-mapping").json()
    assert (intro["position"], intro["objective"], intro["missions"]) == (2, None, ["MONUSCO"])
    [mapping] = intro["activities"]
    assert (mapping["mission"], mapping["type"]["code"]) == ("MONUSCO", "community_protection")
    legacy = client.get("/v1/activities/2023-minusma-legacy-commitments-by-parties").json()
    assert [p["id"] for p in legacy["partners"]] == ["government-of-mali"]


SUMMED_TOGETHER = {
    # story, metric, unit: the figures a sum of one story adds up, each checked in the report
    ("2023-story-06", "people_screened", "person"): {"women-screened", "children-screened"},
    # "234 Congolese police officers ... Additionally, 49 future inspectors"
    ("2023-story-07", "trainees", "person"): {
        "police-officers-trained",
        "future-inspectors-trained",
    },
    # "Of the 14 cases, 4 related to sexual violence": the one nested pair
    ("2023-story-09", "cases", "case"): {"court-martial-cases", "sexual-violence-cases"},
    ("2023-story-10", "convictions", "person"): {
        "soldiers-convicted",
        "police-officers-convicted",
        "armed-group-members-convicted",
    },
    # 40 youths in Mali (MINUSMA), nearly 200 in South Sudan (UNMISS)
    ("2023-story-12", "trainees", "person"): {
        "youths-trained",
        "unmiss-capacity-building-participants",
    },
    # seven capacity-building activities, and (besides them) four talk shows, four events
    ("2023-story-12", "events", "event"): {
        "unmiss-capacity-building-activities",
        "radio-talk-shows",
        "public-events",
    },
    ("2023-story-15", "localities_covered", "locality"): {
        "states-covered",
        "administrative-areas-covered",
    },
    ("2023-dpo-surge-capacity-minusca", "people_engaged", "person"): {
        "minusca-personnel-engaged",
        "field-partners-engaged",
    },
}


def test_every_pair_a_sum_could_nest_was_reviewed(client: TestClient) -> None:
    """The review of all 49 figures for nested pairs: only figures of one story, metric and
    unit are ever added up in one group; of these eight sets, only story 9's 4 cases are part
    of another figure. A new set (or a new figure in one) fails here until it is reviewed."""
    figures = _figures(client)
    assert len(figures) == 49
    together: dict[tuple[str, str, str], set[str]] = defaultdict(set)
    for f in figures:
        if f["story"] is not None:
            key = (f["story"]["id"], f["metric"]["code"], f["unit"])
            prefix = "2023-dpo-surge-" if key[0].startswith("2023-dpo-surge") else key[0] + "-"
            together[key].add(f["id"].removeprefix(prefix))
    assert {k: v for k, v in together.items() if len(v) > 1} == SUMMED_TOGETHER
    assert {(f["id"], f["part_of"]) for f in figures if f["part_of"]} == {
        ("2023-story-09-sexual-violence-cases", "2023-story-09-court-martial-cases")
    }
