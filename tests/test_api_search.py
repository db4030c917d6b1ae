"""Full-text search on real report wording: stemming, accents, relevance order."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.api import ids, walk


def test_mobile_court_finds_the_mobile_courts_first(client: TestClient) -> None:
    activities = ids(client, "/v1/activities?q=mobile%20court")
    assert activities[0] == "2023-story-10-mobile-courts-support"
    figures = ids(client, "/v1/figures?q=mobile%20court")
    assert figures[0] == "2023-story-10-mobile-courts-organized"


def test_english_stemming(client: TestClient) -> None:
    assert "2023-story-07-police-officers-trained" in ids(client, "/v1/figures?q=trainings")


def test_accents_are_ignored(client: TestClient) -> None:
    plain = ids(client, "/v1/stories?q=Kemo")
    accented = ids(client, "/v1/stories?q=K%C3%A9mo")
    assert plain == accented
    assert "2023-story-17" in plain


def test_phrase_and_exclusion_syntax(client: TestClient) -> None:
    phrase = ids(client, '/v1/stories?q="forced pregnancy"')
    assert phrase == ["2023-story-10"]
    excluded = ids(client, "/v1/stories?q=pregnancy%20-Raia")
    assert "2023-story-10" not in excluded


def test_search_combines_with_filters(client: TestClient) -> None:
    radio = walk(client, "/v1/activities?q=radio")
    unmiss_radio = [a["id"] for a in radio if a["mission"] == "UNMISS"]
    assert 0 < len(unmiss_radio) < len(radio)
    assert ids(client, "/v1/activities?q=radio&mission=unmiss") == unmiss_radio


def test_no_match_is_an_empty_page(client: TestClient) -> None:
    body = client.get("/v1/figures?q=zeppelin").json()
    assert body == {"items": [], "total": 0, "total_qualifier": "exact", "next_cursor": None}


TRAINING_BY_VALUE = [
    ("2023-story-14-armed-and-security-forces-trained", 3500),
    ("2023-story-07-police-officers-trained", 234),
    ("2023-story-07-future-inspectors-trained", 49),
    ("2023-cover-photo-women-trained", 40),  # ties keep report order
    ("2023-story-12-youths-trained", 40),
    ("2023-story-08-training-participants", 36),
    ("2023-dpo-minusca-focal-points-trained", 35),
    ("2023-story-15-military-officers-trained", 34),
    ("2023-story-16-magistrates-and-security-forces-trained", 30),
    ("2023-story-15-jic-components-trained", 3),
]
"""The seed figures that a search for "training" finds, largest value first."""


def test_explicit_sort_overrides_relevance(client: TestClient) -> None:
    by_value = [(f["id"], f["value"]) for f in walk(client, "/v1/figures?q=training&sort=-value")]
    assert by_value == TRAINING_BY_VALUE
    by_relevance = [(f["id"], f["value"]) for f in walk(client, "/v1/figures?q=training")]
    assert sorted(by_relevance) == sorted(TRAINING_BY_VALUE)
    assert by_relevance != by_value  # so the sort, not relevance, gave the order above


def test_a_search_is_planned_for_its_words(client: TestClient, db: Session) -> None:
    """The API's connections use generic plans; a search transaction asks for custom ones
    (the test's session is the request's, so it sees the transaction's setting)."""
    assert db.scalar(text("SHOW plan_cache_mode")) != "force_custom_plan"
    assert client.get("/v1/figures?q=court").status_code == 200
    assert db.scalar(text("SHOW plan_cache_mode")) == "force_custom_plan"
