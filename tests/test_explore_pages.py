"""The explorer's pages over HTTP, in process: status, the numbers the API gives, no JS needed."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.explore import data, render, text

PAGES = [
    "/explore",
    "/explore/missions",
    "/explore/missions/monusco",
    "/explore/objectives",
    "/explore/objectives/2",
    "/explore/countries/COD",
    "/explore/locations",
    "/explore/locations/goma",
    "/explore/stories",
    "/explore/stories?mission=monusco&objective=2",
    "/explore/stories/2023-story-10",
    "/explore/activities",
    "/explore/activities/2023-story-10-mobile-courts-support",
    "/explore/figures",
    "/explore/figures?metric=convictions",
    "/explore/figures/2023-story-17-survivors-identified",
    "/explore/search",
    "/explore/search?q=mobile+court",
]


@pytest.mark.parametrize("path", PAGES)
def test_each_page_renders_as_html(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    assert "<main" in response.text
    assert "<script" not in response.text  # text, tables, charts and maps need no JavaScript
    assert "[" + "overview." not in response.text  # no missing label shows its key
    assert not re.search(r"\[[a-z_]+\.[a-z_]+\]", response.text), "a label is missing"


def test_the_convictions_chart_sums_monusco_from_its_figures(client: TestClient) -> None:
    html = client.get("/explore").text
    chart = html.split('data-metric="convictions" data-group-by="mission"')[1].split("</figure>")[0]
    monusco = chart.split('data-key="MONUSCO"')[1].split("</li>")[0]
    assert 'data-total="65"' in monusco
    assert re.findall(r'data-value="(\d+)"', monusco) == ["36", "3", "26"]


def test_convictions_of_persons_and_in_cases_are_two_bars_never_one_sum(
    client: TestClient,
) -> None:
    """Objective 2 holds 65 persons convicted (36 + 3 + 26) and 3 cases ending in convictions."""
    html = client.get("/explore").text
    chart = html.split('data-metric="convictions" data-group-by="objective"')[1]
    chart = chart.split("</figure>")[0]
    bars = re.findall(r'<li class="bar" data-key="2" data-unit="(\w+)" data-total="(\d+)"', chart)
    assert bars == [("case", "3"), ("person", "65")]
    persons = chart.split('data-key="2" data-unit="person"')[1].split("</li>")[0]
    assert re.findall(r'data-value="(\d+)"', persons) == ["36", "3", "26"]
    assert 'data-unit="person">persons</span>' in persons


def test_a_bar_is_made_of_its_unit_s_figures_less_parts_of_a_whole_among_them() -> None:
    def figure(key: str, unit: str, part_of: str | None = None) -> dict[str, Any]:
        return {
            "id": key,
            "metric": {"code": "cases"},
            "mission": "UNMISS",
            "unit": unit,
            "part_of": part_of,
        }

    whole, part, other = figure("14", "case"), figure("4", "case", "14"), figure("3", "trial")
    group = {"metric": "cases", "mission": "UNMISS", "unit": "case"}
    assert data._parts(group, "mission", [whole, part, other]) == [whole]
    assert data._parts(group, "mission", [part, other]) == [part]  # selected without its whole


def test_a_group_without_an_objective_is_named_not_linked(client: TestClient) -> None:
    html = client.get("/explore").text
    assert "/explore/objectives/None" not in html
    assert "No objective named" in html


def test_pages_carry_the_apis_etags_and_revalidate(client: TestClient) -> None:
    first = client.get("/explore/missions/monusco")
    etag = first.headers["etag"]
    assert first.headers["cache-control"].startswith("public")
    again = client.get("/explore/missions/monusco", headers={"If-None-Match": etag})
    assert again.status_code == 304


def test_static_files_are_served_by_the_app_and_kept_a_year(client: TestClient) -> None:
    page = client.get("/explore").text
    [href] = re.findall(r'href="(/explore/static/explore\.css\?v=[0-9a-f]+)"', page)
    css = client.get(href)
    assert css.status_code == 200
    assert css.headers["content-type"].startswith("text/css")
    assert "immutable" in css.headers["cache-control"]
    assert client.get("/explore/static/nothing.js").status_code == 404
    assert "//" not in re.sub(r"https?://127\.0\.0\.1|//[^\n]*$", "", page.split("<body>")[0])


def test_downloads_offer_geojson_where_the_rows_have_places(client: TestClient) -> None:
    figures = client.get("/explore/figures", params={"metric": "convictions"}).text
    formats = re.findall(r'href="(/v1/exports/figures\.(\w+)\?metric=convictions)"', figures)
    assert [fmt for _, fmt in formats] == ["csv", "xlsx", "geojson"]
    collection = client.get(formats[2][0]).json()
    assert collection["type"] == "FeatureCollection"
    assert {f["properties"]["metric"]["code"] for f in collection["features"]} == {"convictions"}
    stories = client.get("/explore/stories").text
    assert re.findall(r'href="/v1/exports/stories\.(\w+)"', stories) == ["csv", "xlsx"]


def test_unknown_records_and_bad_filters_are_html_errors(client: TestClient) -> None:
    missing = client.get("/explore/stories/no-such-story")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("text/html")
    assert "no-such-story" in missing.text
    bad = client.get("/explore/figures?misison=monusco")
    assert bad.status_code == 422
    assert "misison" in bad.text
    assert client.get("/explore/figures?cursor=garbage").status_code == 422
    assert client.get("/explore/search?q=court&metric=convictions").status_code == 422
    bad_path = client.get("/explore/objectives/abc")  # the path is checked like a filter
    assert bad_path.status_code == 422
    assert bad_path.headers["content-type"].startswith("text/html")
    unknown_value = client.get("/explore/figures?mission=nowhere")
    assert unknown_value.status_code == 422
    assert "nowhere" in unknown_value.text.lower()


def test_search_finds_story_10_for_mobile_court(client: TestClient) -> None:
    page = client.get("/explore/search", params={"q": "mobile court"}).text
    stories = page.split('data-dataset="stories"')[1].split("</section>")[0]
    assert 'href="/explore/stories/2023-story-10"' in stories


def test_filters_mirror_the_api(client: TestClient) -> None:
    api = client.get("/v1/figures", params={"mission": "monusco", "metric": "convictions"})
    page = client.get("/explore/figures", params={"mission": "monusco", "metric": "convictions"})
    ids = [item["id"] for item in api.json()["items"]]
    assert ids and re.findall(r'href="/explore/figures/([^"]+)"', page.text) == ids
    assert 'href="/v1/exports/figures.csv?mission=monusco&amp;metric=convictions"' in page.text


def test_the_explorer_stays_out_of_the_openapi_document(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert not [path for path in paths if path.startswith("/explore")]


def test_no_label_is_written_in_a_template() -> None:
    """Every word comes from labels/en.toml: a translation is a file, not a rewrite. What is
    left of a template without its tags and its Jinja2 expressions holds no word, and no
    attribute a reader sees (aria-label, placeholder, title, alt) is written out."""
    from app.explore.text import Translator

    worded: dict[str, list[str]] = {}
    for template in sorted((Path(render.__file__).parent / "templates").glob("*.html")):
        source = template.read_text()
        seen = re.findall(r'(?:aria-label|placeholder|title|alt)="([^"{]*[^\W\d_][^"]*)"', source)
        text = re.sub(r"\{#.*?#\}|\{\{.*?\}\}|\{%.*?%\}", " ", source, flags=re.S)
        text = re.sub(r"<[^>]*>", " ", text, flags=re.S)
        seen += re.findall(r"[^\W\d_]+", text)
        if seen:
            worded[template.name] = seen
    assert worded == {}
    t = Translator()
    assert t("nav.missions") == "Missions"
    assert t("no.such") == "[no.such]"
    assert t("unit.parsec", default="parsec") == "parsec"  # a code the labels do not know


def test_the_page_language_is_the_labels_language(client: TestClient) -> None:
    assert '<html lang="en">' in client.get("/explore").text


def test_a_figure_that_is_part_of_another_links_to_its_whole(client: TestClient) -> None:
    """UNMISS's 4 sexual violence cases are part of the 14 court-martial cases (story 9)."""
    page = client.get("/explore/figures/2023-story-09-sexual-violence-cases").text
    facts = dict(re.findall(r"<dt>([^<]+)</dt>\s*<dd[^>]*>(.*?)</dd>", page, flags=re.S))
    assert facts["Part of"] == (
        '<a href="/explore/figures/2023-story-09-court-martial-cases" rel="up">'
        'Cases: <span class="value">14</span></a>'
    )
    assert facts["Value"] == "4"
    assert facts["Qualifier"] == "exact"  # a label, like "at least" elsewhere
    assert facts["Unit"] == "cases"  # the unit's label, not its code
    whole = client.get("/explore/figures/2023-story-09-court-martial-cases").text
    assert "Part of" not in whole


def test_a_bar_says_how_much_of_its_total_has_a_sex_breakdown(client: TestClient) -> None:
    """Of MONUSCO's 65 convictions, the report breaks down the 26 of armed group members."""
    html = client.get("/explore").text
    chart = html.split('data-metric="convictions" data-group-by="mission"')[1].split("</figure>")[0]
    monusco = chart.split('data-key="MONUSCO"')[1].split("</li>")[0]
    assert re.findall(r'<span class="breakdown"[^>]*>([^<]*)</span>', monusco) == [
        "26 of 65 broken down by sex (1 of 3 figures: women 1, men —)"
    ]
    assert re.findall(r'<rect class="hatch" x="([\d.]+)" width="([\d.]+)"', monusco) == [
        ("60.000", "40.000")  # the last 26 of 65: 40% of the bar
    ]


def test_every_download_link_on_every_page_answers(client: TestClient) -> None:
    """Each page's CSV, XLSX and GeoJSON links are export routes that take its filters."""
    links = sorted(
        {
            href.replace("&amp;", "&")
            for path in PAGES
            for href in re.findall(r'href="(/v1/exports/[^"]+)"', client.get(path).text)
        }
    )
    assert "/v1/exports/stories.csv?q=mobile+court" in links
    assert "/v1/exports/activities.geojson?mission=MONUSCO" in links
    failed = {href: status for href in links if (status := client.get(href).status_code) != 200}
    assert failed == {}


@pytest.fixture
def french(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The explorer served with CRSV_EXPLORE_LANGUAGE=fr and a partial fr.toml beside en.toml."""
    shutil.copy(text.LABELS / "en.toml", tmp_path / "en.toml")
    (tmp_path / "fr.toml").write_text('[nav]\nmissions = "Missions (fr)"\n', encoding="utf-8")
    monkeypatch.setattr(text, "LABELS", tmp_path)
    monkeypatch.setattr(render, "get_settings", lambda: SimpleNamespace(explore_language="fr"))
    text.labels.cache_clear()
    render.environment.cache_clear()
    yield
    text.labels.cache_clear()
    render.environment.cache_clear()


@pytest.mark.usefixtures("french")
def test_a_translation_is_a_file_and_a_setting(client: TestClient) -> None:
    """No template changes: the French words where fr.toml has them, English where not yet."""
    page = client.get("/explore/missions").text
    assert '<html lang="fr">' in page
    assert "<h1>Missions (fr)</h1>" in page
    assert ">Stories</a>" in page  # not translated yet: English, never a missing-key marker
    assert not re.search(r"\[[a-z_]+\.[a-z_]+\]", page)


@pytest.mark.parametrize(
    ("page", "api"),
    [
        ("/explore/missions/monusco", "/v1/missions/monusco"),
        ("/explore/objectives/2", "/v1/objectives/2"),
        ("/explore/locations/goma", "/v1/locations/goma"),
    ],
)
def test_a_place_or_mission_page_counts_what_its_api_record_counts(
    client: TestClient, page: str, api: str
) -> None:
    """The explorer reads a record through the very function its /v1 route calls."""
    counts = client.get(api).json()["counts"]
    html = client.get(page).text
    [shown] = re.findall(r"<dt>Count</dt><dd>([^<]*)</dd>", html)
    assert shown == ", ".join(f"{n} {key}" for key, n in counts.items())
