"""A search ranks a bounded window of its matches (queries/search.py); pages still walk them all.

The real data is small, so the window is made small here (`RANKED`): the window's matches
must come first in exact relevance order, the rest after them in id order, and a walk with
any page size must give every match exactly once, with the same total on every page: exact
within the window, else "more than RANKED" (`total_qualifier`), since only RANKED + 1 matches
are counted."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Activity, Figure, Story
from app.queries import search
from app.queries.activities import SPEC as ACTIVITIES
from app.queries.figures import SPEC as FIGURES
from app.queries.listing import ListSpec
from app.queries.stories import SPEC as STORIES
from tests.api import ids, walk

CASES = [
    ("/v1/figures?q=training", FIGURES, Figure),
    ("/v1/figures?q=trained%20OR%20court", FIGURES, Figure),
    ("/v1/activities?q=training", ACTIVITIES, Activity),
    ("/v1/stories?q=violence", STORIES, Story),
]


@pytest.mark.parametrize(("path", "spec", "model"), CASES)
def test_a_small_window_ranks_its_matches_and_walks_every_match_once(
    client: TestClient,
    db: Session,
    monkeypatch: pytest.MonkeyPatch,
    path: str,
    spec: ListSpec,
    model: type[Figure | Activity | Story],
) -> None:
    exact = ids(client, path)  # every match ranked: the window holds them all
    assert len(exact) > 4, "the case needs more matches than the window below"
    internal = {key: id_ for key, id_ in db.execute(select(model.key, model.id))}

    monkeypatch.setattr(search, "RANKED", 3)
    bound = sorted(internal[key] for key in exact)[3]  # the window: the first 4 by id
    window = [key for key in exact if internal[key] <= bound]
    rest = sorted((key for key in exact if internal[key] > bound), key=internal.__getitem__)
    assert len(window) == 4 and rest
    for limit in (1, 2, 3, 5, 50):
        walked = ids(client, f"{path}&limit={limit}")  # checks the total on every page
        assert walked == window + rest
        assert len(set(walked)) == len(walked) and set(walked) == set(exact)


@pytest.mark.parametrize("sort", ["", "&sort=-value"])
def test_a_search_counts_its_matches_up_to_the_window_and_says_more_than_beyond(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, sort: str
) -> None:
    everything = client.get(f"/v1/figures?q=training{sort}&limit=100").json()
    matches = len(everything["items"])
    assert matches > 4 and everything["total"] == matches
    assert everything["total_qualifier"] == "exact"

    monkeypatch.setattr(search, "RANKED", matches)  # every match counted: still exact
    body = client.get(f"/v1/figures?q=training{sort}&limit=2").json()
    assert (body["total"], body["total_qualifier"]) == (matches, "exact")

    monkeypatch.setattr(search, "RANKED", matches - 1)
    body = client.get(f"/v1/figures?q=training{sort}&limit=2").json()
    assert (body["total"], body["total_qualifier"]) == (matches - 1, "more_than")
    assert len(walk(client, f"/v1/figures?q=training{sort}&limit=2")) == matches

    geo = client.get(
        f"/v1/figures?q=training{sort}&limit=2", headers={"Accept": "application/geo+json"}
    ).json()
    assert (geo["total"], geo["total_qualifier"]) == (matches - 1, "more_than")
    # every match stays one request away: the export of the same query holds them all
    exported = client.get("/v1/exports/figures.ndjson?q=training")
    assert len(exported.text.splitlines()) == matches


def test_the_documented_bound_is_the_window() -> None:
    from app.schemas.common import Page

    described = Page[dict[str, object]].model_fields["total_qualifier"].description or ""
    assert f"more than {search.RANKED:,} matches" in described


def test_a_search_within_the_window_is_exactly_ranked(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    exact = ids(client, "/v1/figures?q=training")
    monkeypatch.setattr(search, "RANKED", len(exact))
    assert ids(client, "/v1/figures?q=training&limit=3") == exact


def test_an_explicit_sort_is_not_windowed(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    by_value = ids(client, "/v1/figures?q=training&sort=-value")
    monkeypatch.setattr(search, "RANKED", 2)
    assert ids(client, "/v1/figures?q=training&sort=-value&limit=3") == by_value


def test_a_walk_by_relevance_passes_ranks_that_a_real_cannot_hold(client: TestClient) -> None:
    """Ranks such as 1.4 are not exact in `real`: the cursor must still move on."""
    exact = ids(client, "/v1/figures?q=training")
    assert ids(client, "/v1/figures?q=training&limit=3") == exact
