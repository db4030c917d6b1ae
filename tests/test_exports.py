"""Exports: every format opens, rows equal the API's, HXL and the data package validate."""

from __future__ import annotations

import csv
import io
import json
import time
import zipfile
from pathlib import Path

import hxl
import openpyxl
import pytest
from fastapi.testclient import TestClient
from frictionless import validate
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from app.cli import cli
from app.config import get_settings
from app.exports.files import file_chunks
from app.exports.stream import export_statement, stream_rows
from app.queries.datasets import described
from app.queries.selection import Selection
from tests.api import walk

DATASETS = [
    "missions",
    "objectives",
    "countries",
    "locations",
    "partners",
    "stories",
    "activities",
    "figures",
    "metrics",
    "activity-types",
    "reports",
]
ID_COLUMN = {
    "missions": "code",
    "objectives": "number",
    "countries": "iso3",
    "metrics": "code",
    "activity-types": "code",
}


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


@pytest.mark.parametrize("dataset", DATASETS)
def test_every_format_holds_the_same_rows_as_the_api(client: TestClient, dataset: str) -> None:
    api_ids = [str(item["id"]) for item in walk(client, f"/v1/{dataset}?limit=500")]
    id_column = ID_COLUMN.get(dataset, "id")

    csv_response = client.get(f"/v1/exports/{dataset}.csv")
    assert csv_response.headers["content-type"] == "text/csv; charset=utf-8"
    assert csv_response.headers["content-disposition"] == (
        f'attachment; filename="crsv-{dataset}.csv"'
    )
    assert [row[id_column] for row in csv_rows(csv_response.text)] == api_ids

    ndjson = client.get(f"/v1/exports/{dataset}.ndjson").text.splitlines()
    assert [str(json.loads(line)[id_column]) for line in ndjson] == api_ids

    as_json = client.get(f"/v1/exports/{dataset}.json").json()
    assert [str(row[id_column]) for row in as_json] == api_ids

    workbook = openpyxl.load_workbook(
        io.BytesIO(client.get(f"/v1/exports/{dataset}.xlsx").content), read_only=True
    )
    assert workbook.sheetnames == ["About", dataset]
    sheet_rows = list(workbook[dataset].iter_rows(values_only=True))
    assert list(sheet_rows[0]) == [column.name for column in described(dataset).columns]
    assert [str(row[0]) for row in sheet_rows[1:]] == api_ids


def test_figure_csv_is_flat_and_self_explaining(client: TestClient) -> None:
    rows = {r["id"]: r for r in csv_rows(client.get("/v1/exports/figures.csv").text)}
    row = rows["2023-story-10-armed-group-members-convicted"]
    assert {
        k: row[k]
        for k in (
            "mission",
            "objective",
            "story_id",
            "country",
            "metric",
            "metric_label",
            "qualifier",
            "value",
            "women",
            "men",
            "evidence",
        )
    } == {
        "mission": "MONUSCO",
        "objective": "2",
        "story_id": "2023-story-10",
        "country": "COD",
        "metric": "convictions",
        "metric_label": "Convictions",
        "qualifier": "exact",
        "value": "26",
        "women": "1",
        "men": "",
        "evidence": "26 members of armed groups (including one woman)",
    }
    assert row["section"] == "Fulfilling our objectives › Objective 2 › Story 10"


def test_csv_quotes_per_rfc_4180(client: TestClient) -> None:
    raw = client.get("/v1/exports/figures.csv?metric=convictions").content
    assert raw.count(b"\r\n") == 1 + 4  # header and four rows, CRLF line ends
    text = raw.decode("utf-8")
    assert (
        '"National court convicts an armed group leader for forced pregnancy in the '
        'Democratic Republic of the Congo"' not in text
    )  # no comma: not quoted
    assert '"Fulfilling our objectives › Objective 2 › Story 10"' not in text
    quoted = [r for r in csv_rows(text) if "," in r["evidence"] or "," in r["story_title"]]
    for row in quoted:
        assert f'"{row["story_title"]}"' in text or "," not in row["story_title"]


def test_a_filtered_export_returns_exactly_the_filtered_list(client: TestClient) -> None:
    query = "mission=monusco,minusca&objective=1,2&metric=trainees,convictions"
    listed = [item["id"] for item in walk(client, f"/v1/figures?{query}")]
    exported = [row["id"] for row in csv_rows(client.get(f"/v1/exports/figures.csv?{query}").text)]
    assert exported == listed
    assert 0 < len(listed) < 49
    searched = [item["id"] for item in walk(client, "/v1/activities?q=radio")]
    exported_search = {
        json.loads(line)["id"]
        for line in client.get("/v1/exports/activities.ndjson?q=radio").text.splitlines()
    }
    assert exported_search == set(searched)


def test_bad_filters_on_exports_are_422(client: TestClient) -> None:
    response = client.get("/v1/exports/figures.csv?mission=nope")
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"name": "mission", "in": "query", "reason": "unknown mission: NOPE"}
    ]
    assert client.get("/v1/exports/figures.pdf").status_code == 422
    assert client.get("/v1/exports/people.csv").status_code == 404
    assert client.get("/v1/exports/figures.xlsx?hxl=1").status_code == 422


@pytest.mark.parametrize(
    ("accept", "fmt"), [("text/csv", "csv"), ("application/x-ndjson", "ndjson")]
)
def test_list_routes_negotiate_whole_files(client: TestClient, accept: str, fmt: str) -> None:
    response = client.get("/v1/figures?metric=trainees&limit=1", headers={"Accept": accept})
    assert response.headers["content-type"].startswith(accept)
    rows = (
        csv_rows(response.text)
        if fmt == "csv"
        else [json.loads(line) for line in response.text.splitlines()]
    )
    assert len(rows) == client.get("/v1/figures?metric=trainees").json()["total"] > 1
    json_response = client.get("/v1/figures?limit=1", headers={"Accept": "application/json"})
    assert len(json_response.json()["items"]) == 1


def test_hxl_row_is_read_by_libhxl(client: TestClient) -> None:
    raw = client.get("/v1/exports/figures.csv?hxl=1&metric=trainees").content
    dataset = hxl.data(io.BytesIO(raw)).cache()
    tags = {column.display_tag for column in dataset.columns if column.tag}
    assert {
        "#org+impl",
        "#country+code",
        "#adm1+name",
        "#loc+name",
        "#activity+type",
        "#indicator+code",
        "#reached+total",
        "#reached+f",
        "#reached+m",
        "#date+start",
        "#meta+id",
        "#meta+source",
    } <= tags
    values = [int(row.get("#reached+total")) for row in dataset]
    assert sorted(values) == sorted(
        f["value"] for f in client.get("/v1/figures?metric=trainees").json()["items"]
    )
    monusco = dataset.with_rows("#org+impl=MONUSCO")
    assert sorted(int(r.get("#reached+total")) for r in monusco) == [30, 40, 49, 234]


def test_datapackage_validates_with_frictionless(client: TestClient, tmp_path: Path) -> None:
    response = client.get("/v1/exports/datapackage.zip")
    assert response.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        archive.extractall(tmp_path)
    descriptor = json.loads((tmp_path / "datapackage.json").read_text())
    assert descriptor["sources"][0]["path"] == (
        "https://peacekeeping.un.org/en/conflict-related-sexual-violence"
    )
    figures = next(r for r in descriptor["resources"] if r["name"] == "figures")
    assert figures["schema"]["primaryKey"] == ["id"]
    report = validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert len(csv_rows((tmp_path / "data/figures.csv").read_text())) == 49


def test_closing_an_export_early_releases_its_cursor(engine: Engine) -> None:
    before = engine.pool.checkedout()  # type: ignore[attr-defined]
    rows = stream_rows(engine, export_statement("figures", Selection()))
    next(rows)  # the query runs on a server-side cursor; one batch fetched
    assert engine.pool.checkedout() == before + 1  # type: ignore[attr-defined]
    rows.close()  # what the response does when the client goes away
    assert engine.pool.checkedout() == before  # type: ignore[attr-defined]


@pytest.mark.parametrize("fmt", ["csv", "ndjson"])
def test_closing_a_copy_export_early_cancels_it(engine: Engine, fmt: str) -> None:
    before = engine.pool.checkedout()  # type: ignore[attr-defined]
    chunks = file_chunks(engine, "figures", Selection(), fmt)
    next(chunks)  # the COPY's first block (a CSV's header comes with it)
    assert engine.pool.checkedout() == before + 1  # type: ignore[attr-defined]
    chunks.close()
    assert engine.pool.checkedout() == before  # type: ignore[attr-defined]
    assert running_copies(engine) == 0


def running_copies(engine: Engine, seconds: float = 10.0) -> int:
    """COPYs still running in this test's database, once the server had `seconds` to end them.

    The server ends a backend whose client hung up a moment later, not at once; and other
    databases on the server (other tests, other sessions) may run COPYs of their own.
    """
    deadline = time.monotonic() + seconds
    with engine.connect() as connection:
        while True:
            running = connection.scalar(  # (an idle connection still shows its last query)
                text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND state <> 'idle' AND query LIKE 'COPY (SELECT%'"
                )
            )
            connection.rollback()  # a new snapshot of pg_stat_activity each time
            if running == 0 or time.monotonic() > deadline:
                return int(running or 0)
            time.sleep(0.05)


def test_copy_csv_keeps_line_breaks_and_quotes_inside_values(scratch_engine: Engine) -> None:
    tricky = 'Mandate "renewed", then\nextended;\r\nsee S/RES/2709'
    with scratch_engine.begin() as connection:
        connection.execute(text("INSERT INTO country (id, iso3, name) VALUES (1, 'COD', 'DRC')"))
        connection.execute(
            text(
                "INSERT INTO mission (code, name, country_id, status, mandate_start, "
                "mandate_note) VALUES ('MONUSCO', '', 1, 'active', '2010-07-01', :note)"
            ),
            {"note": tricky},
        )
    raw = b"".join(file_chunks(scratch_engine, "missions", Selection(), "csv"))
    assert raw.count(b"\r\n") == 3  # the header, the row, and the CRLF inside the note
    assert raw.endswith(b',"Mandate ""renewed"", then\nextended;\r\nsee S/RES/2709"\r\n')
    [row] = csv_rows(raw.decode("utf-8"))
    assert row["mandate_note"] == tricky
    assert (row["name"], row["mandate_end"]) == ("", "")  # '' and NULL: both an empty cell
    [line] = b"".join(file_chunks(scratch_engine, "missions", Selection(), "ndjson")).splitlines()
    assert json.loads(line)["mandate_note"] == tricky


def test_cli_export_writes_the_file(
    tmp_path: Path, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the command reads its database from the settings: point them at the test database
    monkeypatch.setenv("CRSV_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    target = tmp_path / "convictions.csv"
    try:
        outcome = CliRunner().invoke(
            cli, ["export", "figures", "--filter", "metric=convictions", "-o", str(target)]
        )
    finally:
        get_settings.cache_clear()
    assert outcome.exit_code == 0, outcome.output
    assert "4 figures written to" in outcome.output
    assert [r["value"] for r in csv_rows(target.read_text())] == ["3", "36", "3", "26"]


def test_exports_carry_an_etag_and_revalidate(client: TestClient) -> None:
    first = client.get("/v1/exports/figures.csv?metric=convictions")
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "public, max-age=300, stale-while-revalidate=60"
    again = client.get(
        "/v1/exports/figures.csv?metric=convictions", headers={"If-None-Match": etag}
    )
    assert again.status_code == 304
    assert again.content == b""
    other = client.get("/v1/exports/figures.csv?metric=trainees", headers={"If-None-Match": etag})
    assert other.status_code == 200
    package = client.get("/v1/exports/datapackage.zip")
    assert (
        client.get(
            "/v1/exports/datapackage.zip", headers={"If-None-Match": package.headers["etag"]}
        ).status_code
        == 304
    )
