"""Facts of the 2023 report, read back through the API exactly as the report gives them."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient


def items(client: TestClient, path: str) -> list[dict[str, Any]]:
    response = client.get(path)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["next_cursor"] is None, "expected everything on one page"
    return body["items"]  # type: ignore[no-any-return]


def test_monusco_trained_234_congolese_police_officers(client: TestClient) -> None:
    figure = client.get("/v1/figures/2023-story-07-police-officers-trained").json()
    assert figure["metric"]["code"] == "trainees"
    assert (figure["value"], figure["qualifier"], figure["women"]) == (234, "exact", None)
    assert figure["mission"] == "MONUSCO"
    assert figure["objective"] == 1
    assert figure["story"]["number"] == 7
    assert figure["source"] == {
        "report": "crsv-2023",
        "edition": 2023,
        "section": "Fulfilling our objectives › Objective 1 › Story 7",
        "evidence": "234 Congolese police officers",
    }


def test_49_future_inspectors_including_12_women_is_one_figure(client: TestClient) -> None:
    trainees = items(client, "/v1/figures?story=2023-story-07&metric=trainees")
    assert sorted((f["value"], f["women"]) for f in trainees) == [(49, 12), (234, None)]


def test_story_17_identified_604_survivors(client: TestClient) -> None:
    [figure] = items(client, "/v1/figures?story=2023-story-17&metric=survivors_identified")
    assert (figure["value"], figure["women"], figure["men"], figure["children"]) == (
        604,
        554,
        50,
        None,
    )
    assert figure["mission"] == "MINUSCA"
    # "In total" for the whole reparations project: not tied to Dekoa, where cases were screened
    assert figure["location"] is None
    assert figure["activity"]["id"] == "2023-story-17-reparations-project-support"


def test_story_10_convictions(client: TestClient) -> None:
    convictions = items(client, "/v1/figures?story=2023-story-10&metric=convictions")
    assert [(f["value"], f["women"], f["mission"]) for f in convictions] == [
        (36, None, "MONUSCO"),
        (3, None, "MONUSCO"),
        (26, 1, "MONUSCO"),
    ]
    assert [f["source"]["evidence"] for f in convictions] == [
        "convicted 36 Congolese soldiers",
        "three Congolese police officers",
        "26 members of armed groups (including one woman)",
    ]


def test_qualifiers_are_kept_as_the_report_words_them(client: TestClient) -> None:
    by_evidence = {f["source"]["evidence"]: f for f in items(client, "/v1/figures?limit=500")}
    assert by_evidence["more than 50,000 visitors"]["qualifier"] == "more_than"
    assert by_evidence["more than 50,000 visitors"]["value"] == 50000
    assert by_evidence["participated by nearly 200 individuals"]["qualifier"] == "nearly"
    assert by_evidence["At least 27 women and 35 children were screened"]["qualifier"] == (
        "at_least"
    )
    around_60 = "around 60 members of NGOs, United Nations agencies and civil society organizations"
    assert by_evidence[around_60]["qualifier"] == "approximately"
    assert by_evidence["3 resulted in convictions"]["metric"]["code"] == "convictions"


def test_all_nineteen_numbered_stories(client: TestClient) -> None:
    stories = items(client, "/v1/stories?kind=numbered_story&sort=number")
    assert [s["number"] for s in stories] == list(range(1, 20))


def test_headless_stories_13_and_16_explain_where_they_are(client: TestClient) -> None:
    story_13 = client.get("/v1/stories/2023-story-13").json()
    story_16 = client.get("/v1/stories/2023-story-16").json()
    assert story_13["objective"]["number"] == 3
    assert sorted(story_13["missions"]) == ["MINUSCA", "MONUSCO"]
    assert "heading" in story_13["editorial_note"]
    assert story_16["objective"]["number"] == 4
    assert story_16["missions"] == ["MONUSCO", "UNMISS"]
    assert "heading" in story_16["editorial_note"]
    # story 16 starts at the judge advocates' workshops: its first activity
    assert story_16["activities"][0]["id"] == "2023-story-16-judge-advocates-workshops"
    assert "judge advocates" in story_16["editorial_note"]


def test_unnumbered_sections_and_overviews_are_records(client: TestClient) -> None:
    overviews = items(client, "/v1/stories?kind=overview_section")
    assert sorted(c for s in overviews for c in s["countries"]) == ["CAF", "COD", "MLI", "SSD"]
    boxes = {s["id"] for s in items(client, "/v1/stories?kind=highlight_box")}
    assert {
        "2023-un-action-exhibition",
        "2023-srsg-svc-visits",
        "2023-public-awareness-radio",
        "2023-minusma-legacy-achievements",
        "2023-minusma-legacy-withdrawal",
    } <= boxes


def test_minusma_mandate_ended_in_2023(client: TestClient) -> None:
    minusma = client.get("/v1/missions/MINUSMA").json()
    assert (minusma["status"], minusma["mandate_end"]) == ("closed", "2023-12-31")
    assert [m["code"] for m in items(client, "/v1/missions?status=active")] == [
        "MINUSCA",
        "MONUSCO",
        "UNMISS",
    ]


def test_partners_are_deduplicated(client: TestClient) -> None:
    assert [p["id"] for p in items(client, "/v1/partners?q=UNFPA")] == ["unfpa"]
    # the activities whose seeds list `unfpa` among their partners, in report order
    assert [a["id"] for a in items(client, "/v1/activities?partner=unfpa")] == [
        "2023-story-12-slam-competition",
        "2023-story-13-car-mara-working-group",
        "2023-story-18-survivors-consultation",
        "2023-minusma-legacy-wpa-colocation-unfpa",
        "2023-minusma-legacy-un-agencies-collaboration",
        "2023-dpo-minusca-focal-points-training-course",
    ]
