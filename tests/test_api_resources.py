"""Every resource: its list, its detail route on the public id, and 404 for unknown ids."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import BaseModel, TypeAdapter

from app.schemas.common import Page
from app.schemas.content import ActivityDetail, ActivityOut, FigureOut, StoryDetail, StoryOut
from app.schemas.reference import (
    ActivityTypeOut,
    CountryOut,
    LocationOut,
    MetricOut,
    MissionDetail,
    MissionOut,
    ObjectiveDetail,
    ObjectiveOut,
    PartnerOut,
    ReportOut,
)
from app.seeding.reader import SeedSet

RESOURCES: list[tuple[str, type[BaseModel], str, type[BaseModel], int]] = [
    ("reports", ReportOut, "crsv-2023", ReportOut, 1),
    ("missions", MissionOut, "monusco", MissionDetail, 4),
    ("objectives", ObjectiveOut, "2", ObjectiveDetail, 5),
    ("countries", CountryOut, "cod", CountryOut, 6),
    ("locations", LocationOut, "goma", LocationOut, 44),
    ("partners", PartnerOut, "unfpa", PartnerOut, 65),
    ("stories", StoryOut, "2023-story-17", StoryDetail, 33),
    ("activities", ActivityOut, "2023-story-10-mobile-courts-support", ActivityDetail, 85),
    ("figures", FigureOut, "2023-story-17-survivors-identified", FigureOut, 49),
    ("metrics", MetricOut, "convictions", MetricOut, 21),
    ("activity-types", ActivityTypeOut, "mobile_court", ActivityTypeOut, 16),
]


@pytest.mark.parametrize(("name", "item_model", "identifier", "detail_model", "total"), RESOURCES)
def test_list_and_detail_match_their_documented_models(
    client: TestClient,
    name: str,
    item_model: type[BaseModel],
    identifier: str,
    detail_model: type[BaseModel],
    total: int,
) -> None:
    listing = client.get(f"/v1/{name}?limit=500")
    assert listing.status_code == 200
    page = TypeAdapter(Page[item_model]).validate_python(listing.json())  # type: ignore[valid-type]
    assert page.total == total == len(page.items)

    detail = client.get(f"/v1/{name}/{identifier}")
    assert detail.status_code == 200, detail.text
    detail_model.model_validate(detail.json(), strict=False)

    missing = client.get(f"/v1/{name}/9999")
    assert missing.status_code == 404
    assert missing.json()["title"] == "Resource not found"


def test_seed_counts_match_the_api(client: TestClient, seeds: SeedSet) -> None:
    edition = seeds.editions[0]
    assert client.get("/v1/figures").json()["total"] == sum(1 for _ in edition.figures())
    assert client.get("/v1/partners").json()["total"] == len(seeds.partners)


def test_unknown_id_is_a_404_problem(client: TestClient) -> None:
    response = client.get("/v1/figures/no-such-figure")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json() == {
        "type": "/problems/not-found",
        "title": "Resource not found",
        "status": 404,
        "detail": "No figure has the identifier 'no-such-figure'.",
        "instance": "/v1/figures/no-such-figure",
    }


def test_missions_by_code_in_any_case(client: TestClient) -> None:
    assert client.get("/v1/missions/monusco").json()["code"] == "MONUSCO"
    assert client.get("/v1/missions/MoNuScO").json()["code"] == "MONUSCO"


def test_mission_detail_counts(client: TestClient, seeds: SeedSet) -> None:
    edition = seeds.editions[0]
    stories = [s for s in edition.stories if "MONUSCO" in s.missions]
    activities = [a for s in edition.stories for a in s.activities if a.mission == "MONUSCO"]
    figures = [f for a in activities for f in a.figures]
    assert client.get("/v1/missions/monusco").json()["counts"] == {
        "stories": len(stories),
        "activities": len(activities),
        "figures": len(figures),
    }


def test_objective_by_number(client: TestClient) -> None:
    objective = client.get("/v1/objectives/2").json()
    assert objective["title"] == "Ending impunity for CRSV"
    assert client.get("/v1/objectives/6").status_code == 404
    assert client.get("/v1/objectives/two").status_code == 422


def test_report_by_year(client: TestClient) -> None:
    assert client.get("/v1/reports/2023").json()["id"] == "crsv-2023"
    published = client.get("/v1/reports/crsv-2023").json()["published"]
    assert published == {"start": "2024-06-01", "end": "2024-06-30", "precision": "month"}


def test_story_detail_embeds_activities_and_their_figures(client: TestClient) -> None:
    story = client.get("/v1/stories/2023-story-07").json()
    assert story["number"] == 7
    assert [a["id"] for a in story["activities"]] == [
        a["id"] for a in client.get("/v1/activities?story=2023-story-07").json()["items"]
    ]
    embedded = [f["value"] for a in story["activities"] for f in a["figures"]]
    assert embedded == [317, 234, 49]
    assert [f["value"] for f in story["figures"]] == [317, 234, 49]
    assert story["figure_count"] == 3


def test_activity_detail_embeds_figures_locations_partners(client: TestClient) -> None:
    activity = client.get("/v1/activities/2023-story-06-lra-repatriation-support").json()
    assert activity["mission"] == "MINUSCA"
    assert activity["date"] == {"start": "2023-07-01", "end": "2023-09-30", "precision": "month"}
    assert {loc["id"] for loc in activity["locations"]} >= {"zemio", "mboki"}
    assert sorted(f["value"] for f in activity["figures"]) == [3, 144]


def test_figure_names_its_context(client: TestClient) -> None:
    figure = client.get("/v1/figures/2023-story-06-people-repatriated").json()
    assert figure["mission"] == "MINUSCA"
    assert figure["objective"] == 1
    assert figure["story"]["number"] == 6
    assert figure["activity"]["type"] == "repatriation_support"
    assert figure["metric"] == {
        "code": "people_repatriated",
        "label": "People repatriated",
        "unit": "person",
    }
