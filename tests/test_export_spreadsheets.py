"""Exports that open cleanly in a spreadsheet: CSV with a byte-order mark for Excel, and XLSX
workbooks with typed cells, a frozen header, an autofilter, fitted widths and a cover sheet."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import Engine, text
from typer.testing import CliRunner

from app.cli import cli
from app.config import get_settings
from app.exports.files import file_chunks
from app.queries.datasets import described
from app.queries.selection import Selection
from tests.api import walk

BOM = b"\xef\xbb\xbf"
EXHIBITION = "Exhibition: “A conflict-related sexual violence (CRSV) survivor’s journey”"
STORY_18 = "UNMISS brings to the fore survivors’ voices on economic empowerment and accountability"
CONSORTIUM = "Consortium émergence des femmes et des jeunes"
LICENCE_START = "The source is a United Nations publication."


def csv_rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_bom_starts_the_csv_and_the_text_decodes_exactly(client: TestClient) -> None:
    raw = client.get("/v1/exports/stories.csv?bom=1").content
    assert raw.startswith(BOM + b"id,year,")
    assert raw.count(BOM) == 1
    titles = {row["id"]: row["title"] for row in csv_rows(raw.decode("utf-8-sig"))}
    assert titles["2023-un-action-exhibition"] == EXHIBITION
    assert titles["2023-story-18"] == STORY_18
    # the same bytes as without the mark, after it
    assert raw[len(BOM) :] == client.get("/v1/exports/stories.csv").content
    partners = client.get("/v1/exports/partners.csv?bom=true&q=consortium").content
    assert partners.startswith(BOM)
    assert [row["name"] for row in csv_rows(partners.decode("utf-8-sig"))] == [CONSORTIUM]


@pytest.mark.parametrize("query", ["", "?bom=0", "?bom=false"])
def test_no_bom_unless_asked(client: TestClient, query: str) -> None:
    assert client.get(f"/v1/exports/stories.csv{query}").content.startswith(b"id,year,")


def test_bom_and_hxl_together(client: TestClient) -> None:
    lines = client.get("/v1/exports/figures.csv?bom=1&hxl=1").content.split(b"\r\n")
    assert lines[0].startswith(BOM + b"id,year,mission,")
    assert lines[1].startswith(b"#meta+id,#date+year,#org+impl,")


def test_negotiated_csv_lists_take_bom(client: TestClient) -> None:
    csv_list = client.get("/v1/locations?bom=1&q=ndele", headers={"Accept": "text/csv"})
    assert csv_list.headers["content-type"] == "text/csv; charset=utf-8"
    assert csv_list.content.startswith(BOM + b"id,name,")
    assert [row["name"] for row in csv_rows(csv_list.content.decode("utf-8-sig"))] == ["Ndélé"]
    plain = client.get("/v1/locations?bom=0&q=ndele", headers={"Accept": "text/csv"})
    assert plain.content == csv_list.content[len(BOM) :]
    assert plain.headers["etag"] != csv_list.headers["etag"]
    # `bom` asks for a mark if the answer is CSV: JSON and NDJSON answers are unchanged
    page = client.get("/v1/locations?bom=1&q=ndele")
    assert page.headers["content-type"] == "application/json"
    assert [item["name"] for item in page.json()["items"]] == ["Ndélé"]
    ndjson = client.get("/v1/locations?bom=1&q=ndele", headers={"Accept": "application/x-ndjson"})
    assert ndjson.content.startswith(b'{"id":"ndele"')


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("/v1/exports/figures.csv?bom=2", "Input should be a valid boolean"),
        ("/v1/figures?bom=maybe", "Input should be a valid boolean"),
        ("/v1/exports/figures.xlsx?bom=1", "the byte-order mark applies to CSV only"),
        ("/v1/exports/figures.json?bom=true", "the byte-order mark applies to CSV only"),
    ],
)
def test_a_bad_bom_is_a_422_problem(client: TestClient, url: str, reason: str) -> None:
    response = client.get(url, headers={"Accept": "text/csv"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    [error] = response.json()["errors"]
    assert (error["name"], error["in"]) == ("bom", "query")
    assert error["reason"].startswith(reason)


def test_bom_is_declared_and_passes_the_strict_parameter_check(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    for path in ("/v1/exports/figures.{fmt}", "/v1/figures", "/v1/missions", "/v1/reports"):
        [bom] = [p for p in schema["paths"][path]["get"]["parameters"] if p["name"] == "bom"]
        assert (bom["in"], bom["schema"]["type"], bom["schema"]["default"]) == (
            "query",
            "boolean",
            False,
        ), path
    typo = client.get("/v1/figures?bmo=1").json()
    assert typo["errors"][0]["reason"] == "unknown parameter; did you mean 'bom'?"
    assert "bom" in typo["errors"][0]["accepted"]


def workbook(client: TestClient, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 200, response.text
    return openpyxl.load_workbook(io.BytesIO(response.content))


def sheet_text(sheet: Worksheet) -> list[tuple[Any, ...]]:
    return [row for row in sheet.iter_rows(values_only=True) if any(row)]


def width(sheet: Worksheet, column: int) -> int:
    """The width set for a 1-based column (xlsxwriter merges equal neighbours into one range);
    the file stores it plus a font-dependent padding under one character."""
    for dimension in sheet.column_dimensions.values():
        if dimension.min <= column <= dimension.max:
            return int(dimension.width)
    raise AssertionError(f"no width for column {column}")


def test_the_first_sheet_names_source_edition_licence_and_filters(client: TestClient) -> None:
    book = workbook(client, "/v1/exports/figures.xlsx?mission=MONUSCO,minusca&objective=2")
    assert book.sheetnames == ["About", "figures"]
    assert book.active.title == "About"
    rows = sheet_text(book["About"])
    assert rows[0] == ("crsv-data: figures", None)
    about = rows[1:]
    assert about[0] == (
        "Source",
        "Preventing and Responding to Conflict-related Sexual Violence, 2023: Annual summaries "
        "of activities and good practices by United Nations peacekeeping operations. "
        "CRSV Team, Department of Peace Operations, United Nations.",
    )
    assert about[1:4] == [
        ("Edition", "2023"),
        ("Published", "2024-06"),
        ("Source address", "https://peacekeeping.un.org/en/conflict-related-sexual-violence"),
    ]
    assert about[4][0] == "Licence"
    assert about[4][1].startswith(LICENCE_START)
    assert about[4][1].endswith(
        "Please cite the report (CRSV Team, Department of Peace "
        "Operations, June 2024) when reusing these data."
    )
    total = len(walk(client, "/v1/figures?mission=MONUSCO,minusca&objective=2"))
    assert total == 8
    assert about[5:9] == [
        ("Filters", "mission=MONUSCO,minusca"),  # as written: case and order kept
        (None, "objective=2"),
        ("Sheet", "figures"),
        ("Rows", "8"),
    ]
    assert about[9][0] == "Data version"
    assert int(about[9][1]) == client.get("/v1").json()["data_version"]
    unfiltered = sheet_text(workbook(client, "/v1/exports/countries.xlsx")["About"])
    assert ("Filters", "none: every row") in unfiltered
    assert ("Rows", str(len(walk(client, "/v1/countries")))) in unfiltered


def test_data_cells_are_typed_from_the_registry(client: TestClient) -> None:
    sheet = workbook(client, "/v1/exports/figures.xlsx")["figures"]
    rows = list(sheet.iter_rows(values_only=True))
    columns = described("figures").columns
    assert list(rows[0]) == [column.name for column in columns]
    assert len(rows) == 1 + 49
    by_id = {row[0]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    trained = by_id["2023-story-08-training-participants"]
    assert {k: trained[k] for k in ("year", "objective", "story_number", "value", "women")} == {
        "year": 2023,
        "objective": 2,
        "story_number": 8,
        "value": 36,
        "women": 7,
    }
    assert all(type(trained[k]) is int for k in ("year", "objective", "value", "women"))
    assert trained["men"] is None  # an empty cell, not 0 or ""
    assert trained["date_start"] == datetime(2023, 5, 1)
    assert trained["date_end"] == datetime(2023, 5, 31)
    row_number = [row[0] for row in rows].index(trained["id"]) + 1
    date_start = sheet.cell(row_number, list(rows[0]).index("date_start") + 1)
    assert (date_start.is_date, date_start.number_format) == (True, "yyyy-mm-dd")
    expected: dict[str, tuple[type, ...]] = {
        "integer": (int,),
        "date": (datetime, date),
        "string": (str,),
    }
    for index, column in enumerate(columns):
        values = [row[index] for row in rows[1:] if row[index] is not None]
        assert values, column.name
        assert all(
            isinstance(v, expected[column.type]) and not isinstance(v, bool) for v in values
        ), column.name


def test_header_frozen_filtered_and_widths_fitted(client: TestClient) -> None:
    sheet = workbook(client, "/v1/exports/figures.xlsx?metric=convictions")["figures"]
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:AD5"  # 30 columns, header and 4 rows
    names = [cell.value for cell in sheet[1]]
    assert all(cell.font.b for cell in sheet[1])

    def width_of(name: str) -> int:
        return width(sheet, names.index(name) + 1)

    assert width_of("id") == len("2023-story-10-armed-group-members-convicted") + 2
    assert width_of("date_start") == len("2023-01-01") + 2
    assert width_of("men") == 6  # narrow columns keep room for the filter button
    assert width_of("story_title") == 60  # long text is cut at 60 characters on screen
    empty = workbook(client, "/v1/exports/figures.xlsx?metric=convictions&year=2023&q=zzzz")
    assert empty["figures"].auto_filter.ref == "A1:AD1"
    assert ("Rows", "0") in sheet_text(empty["About"])


def test_text_is_never_a_formula_or_a_link(scratch_engine: Engine) -> None:
    with scratch_engine.begin() as connection:
        connection.execute(text("INSERT INTO country (id, iso3, name) VALUES (1, 'COD', 'DRC')"))
        connection.execute(
            text(
                "INSERT INTO mission (code, name, country_id, status, mandate_start, "
                "mandate_note) VALUES ('MONUSCO', '=HYPERLINK(\"http://x\")', 1, 'active', "
                "'2010-07-01', 'https://example.org/mandate')"
            )
        )
    raw = b"".join(file_chunks(scratch_engine, "missions", Selection(), "xlsx"))
    book = openpyxl.load_workbook(io.BytesIO(raw))
    name, note = book["missions"]["B2"], book["missions"]["G2"]
    assert (name.value, name.data_type) == ('=HYPERLINK("http://x")', "s")
    assert (note.value, note.hyperlink) == ("https://example.org/mandate", None)
    assert book["missions"]["E2"].value == datetime(2010, 7, 1)
    about = sheet_text(book["About"])
    assert ("Source", "No report edition is loaded.") in about
    assert ("Rows", "1") in about


def test_cli_workbook_lists_its_filters_and_csv_takes_bom(
    tmp_path: Path, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CRSV_DATABASE_URL", engine.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    target = tmp_path / "convictions.xlsx"
    try:
        outcome = CliRunner().invoke(
            cli,
            [
                "export",
                "figures",
                "-f",
                "xlsx",
                "--filter",
                "metric=convictions",
                "-o",
                str(target),
            ],
        )
        refused = CliRunner().invoke(cli, ["export", "figures", "-f", "xlsx", "--bom"])
        stories = tmp_path / "stories.csv"
        with_bom = CliRunner().invoke(cli, ["export", "stories", "--bom", "-o", f"{stories}"])
    finally:
        get_settings.cache_clear()
    assert outcome.exit_code == 0, outcome.output
    book = openpyxl.load_workbook(target)
    assert ("Filters", "metric=convictions") in sheet_text(book["About"])
    assert [row[17] for row in book["figures"].iter_rows(min_row=2, values_only=True)] == [
        3,
        36,
        3,
        26,
    ]
    assert with_bom.exit_code == 0, with_bom.output
    assert stories.read_bytes().startswith(BOM + b"id,year,")
    assert refused.exit_code == 2
    assert "HXL and BOM are CSV-only" in refused.output
