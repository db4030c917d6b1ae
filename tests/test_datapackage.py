"""The Data Package: every dataset (reports included) and the many-to-many links as tables of
their own, with keys that resolve, row by row."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from frictionless import validate


def rows_of(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


@pytest.fixture
def package(client: TestClient, tmp_path: Path) -> tuple[dict[str, Any], Path]:
    response = client.get("/v1/exports/datapackage.zip")
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        archive.extractall(tmp_path)
    return json.loads((tmp_path / "datapackage.json").read_text()), tmp_path


def pairs(folder: Path, name: str, owner: str) -> list[tuple[str, ...]]:
    """The rows of link table `name` whose first column is `owner`, in file order."""
    rows = [tuple(row.values()) for row in rows_of(folder / f"data/{name}.csv")]
    return [row for row in rows if row[0] == owner]


def test_link_tables_hold_the_seeded_links(package: tuple[dict[str, Any], Path]) -> None:
    _, folder = package
    assert pairs(folder, "activity_partners", "2023-story-01-advocacy-for-national-measures") == [
        (
            "2023-story-01-advocacy-for-national-measures",
            "car-truth-justice-reparation-reconciliation-commission",
        ),
        (
            "2023-story-01-advocacy-for-national-measures",
            "government-of-the-central-african-republic",
        ),
    ]
    assert pairs(folder, "activity_locations", "2023-story-17-dekoa-case-screening") == [
        ("2023-story-17-dekoa-case-screening", "dekoa"),
        ("2023-story-17-dekoa-case-screening", "kemo"),
    ]
    assert pairs(folder, "story_missions", "2023-story-12") == [
        ("2023-story-12", "MINUSMA"),
        ("2023-story-12", "UNMISS"),
    ]
    assert pairs(folder, "story_countries", "2023-story-01") == [("2023-story-01", "CAF")]
    assert list(rows_of(folder / "data/activity_partners.csv")[0]) == ["activity_id", "partner_id"]
    [report] = rows_of(folder / "data/reports.csv")
    assert (report["id"], report["edition_year"], report["published_date"]) == (
        "crsv-2023",
        "2023",
        "2024-06-01",
    )


def test_flat_files_keep_the_joined_columns_and_agree(
    package: tuple[dict[str, Any], Path],
) -> None:
    _, folder = package
    linked: dict[str, list[str]] = defaultdict(list)
    for row in rows_of(folder / "data/activity_partners.csv"):
        linked[row["activity_id"]].append(row["partner_id"])
    activities = rows_of(folder / "data/activities.csv")
    assert len(activities) == 85
    for activity in activities:
        assert activity["partners"] == "; ".join(sorted(linked[activity["id"]])), activity["id"]
    missions: dict[str, list[str]] = defaultdict(list)
    for row in rows_of(folder / "data/story_missions.csv"):
        missions[row["story_id"]].append(row["mission"])
    for story in rows_of(folder / "data/stories.csv"):
        assert story["missions"] == "; ".join(missions[story["id"]]), story["id"]


def test_every_key_points_at_a_field_that_exists_and_every_row_resolves(
    package: tuple[dict[str, Any], Path],
) -> None:
    """Checked by hand, so that the package's integrity does not rest on one tool's checks."""
    descriptor, folder = package
    resources = {r["name"]: r for r in descriptor["resources"]}
    data = {name: rows_of(folder / r["path"]) for name, r in resources.items()}
    checked = 0
    for name, resource in resources.items():
        schema = resource["schema"]
        fields = [field["name"] for field in schema["fields"]]
        assert list(data[name][0]) == fields, name
        keys = [tuple(row[k] for k in schema["primaryKey"]) for row in data[name]]
        assert len(keys) == len(set(keys)), name
        for foreign in schema.get("foreignKeys", []):
            [column] = foreign["fields"]
            target = foreign["reference"]["resource"] or name  # "": the resource itself
            [target_field] = foreign["reference"]["fields"]
            assert column in fields, name
            assert target_field in [f["name"] for f in resources[target]["schema"]["fields"]]
            known = {row[target_field] for row in data[target]}
            for row in data[name]:
                assert row[column] == "" or row[column] in known, (name, column, row[column])
                checked += 1
    assert {"reports", "activity_locations", "activity_partners", "story_missions"} <= set(
        resources
    )
    assert checked > 500


def test_frictionless_validates_the_package_and_catches_a_broken_link(
    package: tuple[dict[str, Any], Path],
) -> None:
    _, folder = package
    report = validate(str(folder / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    with (folder / "data/activity_partners.csv").open("a", newline="") as file:
        file.write("2023-story-01-advocacy-for-national-measures,no-such-partner\r\n")
    broken = validate(str(folder / "datapackage.json"))
    assert not broken.valid
    assert {error[0] for error in broken.flatten(["type"])} == {"foreign-key"}
