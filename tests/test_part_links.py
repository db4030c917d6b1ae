"""The write API keeps `part_of` links sound: same story, metric and unit, never larger than
the whole, one level deep (no chain, no cycle, no self-link). A breach is a 422 problem."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.writing import body_errors, with_etag, write_key_headers

WHOLE = "2023-story-09-court-martial-cases"
PART = "2023-story-09-sexual-violence-cases"
NEW: dict[str, Any] = {
    "key": "2023-story-09-test-part",
    "story": "2023-story-09",
    "activity": "2023-story-09-yei-general-court-martial",
    "metric": "cases",
    "value": 2,
    "part_of": WHOLE,
    "subject": "cases in a test",
    "evidence": "Of the 14 cases",
}


@pytest.fixture
def headers(db: Session) -> dict[str, str]:
    return write_key_headers(db)


@pytest.mark.parametrize(
    ("change", "pointer", "words"),
    [
        ({"metric": "convictions"}, "/metric", "count the same metric"),
        ({"unit": "person"}, "/unit", "count in the same unit"),
        ({"value": 15}, "/value", "its value 15 is larger than its whole's 14"),
        (
            {"story": "2023-story-10", "activity": None},
            "/part_of",
            "from the same story",
        ),
        ({"part_of": PART}, "/part_of", f"'{PART}' is itself part of '{WHOLE}'"),
        ({"part_of": NEW["key"]}, "/part_of", "cannot be part of itself"),
    ],
)
def test_a_broken_link_is_a_422_naming_the_rule(
    client: TestClient, headers: dict[str, str], change: dict[str, Any], pointer: str, words: str
) -> None:
    response = client.post("/v1/figures", json={**NEW, **change}, headers=headers)
    assert response.status_code == 422, response.text
    errors = body_errors(response)
    assert any(p == pointer and words in reason for p, reason in errors), errors
    assert client.get(f"/v1/figures/{NEW['key']}").status_code == 404


def test_a_valid_part_is_stored_and_left_out_of_totals(
    client: TestClient, headers: dict[str, str]
) -> None:
    response = client.post("/v1/figures", json=NEW, headers=headers)
    assert response.status_code == 201, response.text
    assert response.json()["part_of"] == WHOLE
    groups = client.get("/v1/stats/figures?group_by=mission&metric=cases").json()["groups"]
    unmiss = next(g for g in groups if g["mission"] == "UNMISS")
    assert (unmiss["sum"], unmiss["figures"]) == (14, 1)


def test_exports_carry_part_of_and_unit(client: TestClient) -> None:
    rows = {
        row["id"]: row
        for row in csv.DictReader(io.StringIO(client.get("/v1/exports/figures.csv").text))
    }
    assert (rows[PART]["part_of"], rows[PART]["unit"]) == (WHOLE, "case")
    assert (rows[WHOLE]["part_of"], rows["2023-story-09-convictions"]["unit"]) == ("", "case")
    assert rows["2023-story-10-soldiers-convicted"]["unit"] == "person"
    lines = client.get("/v1/exports/figures.ndjson?metric=cases").text.splitlines()
    assert {json.loads(line)["part_of"] for line in lines} == {None, WHOLE}
    package = zipfile.ZipFile(io.BytesIO(client.get("/v1/exports/datapackage.zip").content))
    descriptor = json.loads(package.read("datapackage.json"))
    figures = next(r for r in descriptor["resources"] if r["path"] == "data/figures.csv")
    assert {"fields": ["part_of"], "reference": {"resource": "", "fields": ["id"]}} in figures[
        "schema"
    ]["foreignKeys"]


def test_a_whole_cannot_shrink_below_a_part_or_become_a_part(
    client: TestClient, headers: dict[str, str]
) -> None:
    path = f"/v1/figures/{WHOLE}"
    response = client.patch(path, json={"value": 3}, headers=with_etag(client, path, headers))
    assert response.status_code == 422
    assert any("its value 4 is larger than its whole's 3" in r for _, r in body_errors(response))
    response = client.patch(
        path,
        json={"part_of": "2023-story-09-convictions"},
        headers=with_etag(client, path, headers),
    )
    assert response.status_code == 422
    assert client.get(path).json()["value"] == 14


def test_a_link_to_a_missing_figure_is_409(client: TestClient, headers: dict[str, str]) -> None:
    response = client.post("/v1/figures", json={**NEW, "part_of": "2023-no-such"}, headers=headers)
    assert response.status_code == 409
    assert response.json()["detail"] == "The figure '2023-no-such' does not exist."


def test_a_whole_with_parts_cannot_be_deleted(client: TestClient, headers: dict[str, str]) -> None:
    path = f"/v1/figures/{WHOLE}"
    response = client.delete(path, headers=with_etag(client, path, headers))
    assert response.status_code == 409
    part = f"/v1/figures/{PART}"
    assert client.delete(part, headers=with_etag(client, part, headers)).status_code == 204
    assert client.delete(path, headers=with_etag(client, path, headers)).status_code == 204
