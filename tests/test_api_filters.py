"""Every filter, checked against what the seed data says should match."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from app.seeding.reader import SeedSet
from app.seeding.schemas import ActivitySeed, FigureSeed, StorySeed
from tests.api import ids

Rows = Iterator[tuple[StorySeed, ActivitySeed | None, FigureSeed]]


def seed_activities(seeds: SeedSet) -> Iterator[tuple[StorySeed, ActivitySeed]]:
    for story in seeds.editions[0].stories:
        for activity in story.activities:
            yield story, activity


def expected_activities(
    seeds: SeedSet, keep: Callable[[StorySeed, ActivitySeed], bool]
) -> set[str]:
    return {a.key for s, a in seed_activities(seeds) if keep(s, a)}


def expected_figures(
    seeds: SeedSet, keep: Callable[[StorySeed, ActivitySeed | None, FigureSeed], bool]
) -> set[str]:
    return {f.key for s, a, f in seeds.editions[0].figures() if keep(s, a, f)}


def test_activities_of_monusco_under_objective_2(client: TestClient, seeds: SeedSet) -> None:
    found = ids(client, "/v1/activities?mission=monusco&objective=2")
    assert set(found) == expected_activities(
        seeds, lambda s, a: a.mission == "MONUSCO" and s.objective == 2
    )
    assert len(found) == 4


def test_several_values_or_within_a_filter(client: TestClient, seeds: SeedSet) -> None:
    found = set(ids(client, "/v1/activities?mission=minusca,UNMISS"))
    assert found == expected_activities(seeds, lambda s, a: a.mission in {"MINUSCA", "UNMISS"})


def test_activity_filters_on_relations(client: TestClient, seeds: SeedSet) -> None:
    cases: dict[str, Callable[[StorySeed, ActivitySeed], bool]] = {
        "location=goma": lambda s, a: "goma" in a.locations,
        "partner=unfpa,unicef": lambda s, a: bool({"unfpa", "unicef"} & set(a.partners)),
        "story=2023-story-12": lambda s, a: s.key == "2023-story-12",
        "type=training": lambda s, a: a.type == "training",
        "year=2023": lambda s, a: True,
        "objective=5&type=survivor_support": lambda s, a: (
            s.objective == 5 and a.type == "survivor_support"
        ),
    }
    for query, keep in cases.items():
        assert set(ids(client, f"/v1/activities?{query}")) == expected_activities(seeds, keep), (
            query
        )


def test_activity_country_means_its_places_or_its_mission(
    client: TestClient, seeds: SeedSet
) -> None:
    locations = {loc.key: loc.country for loc in seeds.locations}
    missions = {m.code: m.country for m in seeds.missions}
    found = set(ids(client, "/v1/activities?country=UGA,usa"))
    assert found == expected_activities(
        seeds,
        lambda s, a: (
            bool({"UGA", "USA"} & {locations[k] for k in a.locations})
            or missions.get(a.mission or "") in {"UGA", "USA"}
        ),
    )
    assert "2023-un-action-exhibition-survivors-journey" in found


def test_activity_date_window_overlaps(client: TestClient, seeds: SeedSet) -> None:
    start, end = date(2023, 5, 1), date(2023, 6, 30)
    found = set(ids(client, "/v1/activities?date_from=2023-05-01&date_to=2023-06-30"))
    assert found == expected_activities(
        seeds, lambda s, a: a.period is not None and a.period.end >= start and a.period.start <= end
    )
    assert "2023-story-08-victim-witness-protection-training" in found


def test_figure_filters(client: TestClient, seeds: SeedSet) -> None:
    missions = {m.code: m.country for m in seeds.missions}
    locations = {loc.key: loc.country for loc in seeds.locations}
    cases: dict[str, Callable[[StorySeed, ActivitySeed | None, FigureSeed], bool]] = {
        "metric=convictions": lambda s, a, f: f.metric == "convictions",
        "metric=trainees&mission=monusco": lambda s, a, f: (
            f.metric == "trainees" and a is not None and a.mission == "MONUSCO"
        ),
        "qualifier=at_least,more_than": lambda s, a, f: f.qualifier in {"at_least", "more_than"},
        "objective=3": lambda s, a, f: s.objective == 3,
        "type=training": lambda s, a, f: a is not None and a.type == "training",
        "partner=unfpa": lambda s, a, f: a is not None and "unfpa" in a.partners,
        "activity=2023-story-12-unmiss-capacity-building": lambda s, a, f: (
            a is not None and a.key == "2023-story-12-unmiss-capacity-building"
        ),
        "location=yei": lambda s, a, f: (
            f.location == "yei" or (a is not None and "yei" in a.locations)
        ),
        "country=SSD": lambda s, a, f: (
            (locations[f.location] if f.location else missions.get(a.mission or "") if a else None)
            == "SSD"
        ),
    }
    for query, keep in cases.items():
        expected = expected_figures(seeds, keep)
        assert expected, f"no seed figure for {query}"
        assert set(ids(client, f"/v1/figures?{query}")) == expected, query


def test_story_filters(client: TestClient, seeds: SeedSet) -> None:
    stories = seeds.editions[0].stories
    assert set(ids(client, "/v1/stories?mission=unmiss")) == {
        s.key for s in stories if "UNMISS" in s.missions
    }
    assert set(ids(client, "/v1/stories?country=MLI&objective=3")) == {
        s.key for s in stories if "MLI" in s.countries and s.objective == 3
    }
    assert set(ids(client, "/v1/stories?partner=unfpa")) == {
        s.key for s in stories if any("unfpa" in a.partners for a in s.activities)
    }
    assert set(ids(client, "/v1/stories?location=kinshasa")) == {
        s.key for s in stories if any("kinshasa" in a.locations for a in s.activities)
    }


def test_reference_filters(client: TestClient, seeds: SeedSet) -> None:
    assert ids(client, "/v1/missions?country=cod") == ["MONUSCO"]
    assert set(ids(client, "/v1/locations?country=SSD&kind=state")) == {
        loc.key for loc in seeds.locations if loc.country == "SSD" and loc.kind == "state"
    }
    assert "ndele" in ids(client, "/v1/locations?q=ndele")  # accent-insensitive: Ndélé
    unmiss_partners = {
        p for s, a in seed_activities(seeds) if a.mission == "UNMISS" for p in a.partners
    }
    assert set(ids(client, "/v1/partners?mission=UNMISS")) == unmiss_partners


@pytest.mark.parametrize(
    ("query", "name", "reason"),
    [
        ("mission=unicorn", "mission", "unknown mission: UNICORN"),
        ("objective=7", "objective", "unknown objective: 7"),
        ("objective=two", "objective", "'two' is not a valid objective"),
        ("metric=smiles", "metric", "unknown metric: smiles"),
        ("year=1999", "year", "unknown report edition year: 1999"),
        (
            "qualifier=roughly",
            "qualifier",
            "unknown qualifier: roughly; allowed: approximately, at_least, exact, more_than, "
            "nearly, up_to",
        ),
        (
            "date_from=2023-13-01",
            "date_from",
            "Input should be a valid date or datetime, "
            "month value is outside expected range of 1-12",
        ),
        ("limit=501", "limit", "Input should be less than or equal to 500"),
        (
            "sort=-colour",
            "sort",
            "unknown sort field 'colour'; allowed: date, metric, mission, position, value, year",
        ),
        ("sort=value,value", "sort", "'value' is given twice"),
        ("cursor=%25%25%25", "cursor", "malformed cursor"),
    ],
)
def test_bad_parameters_are_422_problems(
    client: TestClient, query: str, name: str, reason: str
) -> None:
    response = client.get(f"/v1/figures?{query}")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "/problems/invalid-parameters"
    assert body["detail"] == f"Invalid value for: {name}."
    assert body["errors"] == [{"name": name, "in": "query", "reason": reason}]


def test_every_bad_filter_is_named_at_once(client: TestClient) -> None:
    body = client.get("/v1/activities?mission=nope&type=dance&country=XXX").json()
    assert [error["name"] for error in body["errors"]] == ["mission", "country", "type"]


def test_filter_codes_are_resolved_in_one_query(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every statement the driver runs, the precompiled ones included (they bypass
    SQLAlchemy's execution events): one look-up for all four filters, as a prepared
    statement binding each filter's values whole."""
    statements: list[str] = []
    execute = psycopg.Cursor.execute

    def record(cursor: psycopg.Cursor[Any], query: Any, *args: Any, **kwargs: Any) -> Any:
        statements.append(str(query))
        return execute(cursor, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.Cursor, "execute", record)
    response = client.get("/v1/figures?mission=monusco&objective=1&metric=trainees&year=2023")
    monkeypatch.undo()
    assert response.status_code == 200
    assert response.json()["total"] == 2  # story 7's (the cover's 40 women: no objective)
    lookups = [s for s in statements if "FROM mission" in s or "FROM metric" in s]
    assert len(lookups) == 1
    assert lookups[0].count("= ANY (") == 4
    assert lookups[0].count("UNION ALL") == 3
