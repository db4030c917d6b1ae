"""The explorer in a real browser (Debian's chromium), on the real data.

Each test reads what the page shows and compares it with what the API answers, so a page can
neither invent a number nor drop a flag the API gives.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import axe_playwright_python
import httpx
import pytest
from openpyxl import load_workbook
from playwright.sync_api import Browser, expect

from tests.browser.conftest import SCREENSHOTS, Watched

PAGES = [
    "/explore",
    "/explore/missions",
    "/explore/missions/MONUSCO",
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
    "/explore/figures/2023-story-09-sexual-violence-cases",
    "/explore/figures/2023-story-17-survivors-identified",
    "/explore/search",
    "/explore/search?q=mobile+court",
]


def api(base_url: str, path: str, **params: str) -> Any:
    response = httpx.get(base_url + path, params=params, timeout=30)
    response.raise_for_status()
    return response.json()


@pytest.mark.parametrize("path", PAGES)
def test_each_page_renders_with_no_console_error_and_no_failed_request(
    watched: Watched, path: str
) -> None:
    response = watched.page.goto(path)
    assert response is not None and response.status == 200
    expect(watched.page.locator("main h1")).to_be_visible()
    watched.assert_clean()


@pytest.mark.parametrize("path", PAGES)
def test_each_page_fits_375_px_without_sideways_scrolling(
    browser: Browser, base_url: str, path: str
) -> None:
    """Wide tables scroll in their own box; the page itself never does."""
    context = browser.new_context(base_url=base_url, viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.goto(path)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
    context.close()


def test_the_convictions_chart_reads_monusco_65_from_its_three_figures(watched: Watched) -> None:
    watched.page.goto("/explore")
    chart = watched.page.locator('figure.chart[data-metric="convictions"][data-group-by="mission"]')
    bar = chart.locator('li.bar[data-key="MONUSCO"]')
    expect(bar.locator(".total")).to_have_text("65")
    assert bar.locator(".parts a").all_inner_texts() == ["36", "3", "26"]
    expect(bar.locator(".parts")).to_have_text("= 36 + 3 + 26")
    # exact figures: no flag; the 26 the report breaks down by sex is said, not only hatched
    expect(bar.locator(".flag")).to_have_count(0)
    expect(bar.locator(".breakdown")).to_have_text(
        "26 of 65 broken down by sex (1 of 3 figures: women 1, men —)"
    )


def test_every_bar_says_what_the_api_flags_and_nothing_else(
    watched: Watched, base_url: str
) -> None:
    """ "At least", "nearly", "up to": each bar carries exactly the flags of its stats group."""
    watched.page.goto("/explore")
    flagged = 0
    for chart in watched.page.locator("figure.chart").all():
        metric = chart.get_attribute("data-metric") or ""
        group_by = chart.get_attribute("data-group-by") or ""
        groups = api(base_url, "/v1/stats/figures", metric=metric, group_by=group_by)["groups"]
        # one bar per value and unit holding figures; a value with none in any unit: one empty bar
        held = {g[group_by] for g in groups if g["figures"]}
        drawn: list[dict[str, Any]] = []
        empty: set[Any] = set()
        for group in groups:
            if group["figures"] or group[group_by] not in held | empty:
                drawn.append(group)
                empty |= set() if group["figures"] else {group[group_by]}
        bars = chart.locator("li.bar")
        shown = [(b.get_attribute("data-key"), b.get_attribute("data-unit")) for b in bars.all()]
        assert [key for key, _ in shown] == [
            "" if g[group_by] is None else str(g[group_by]) for g in drawn
        ]
        # an empty bar counts nothing, so only a bar holding figures must name their unit
        assert [unit for (_, unit), g in zip(shown, drawn, strict=True) if g["figures"]] == [
            g["unit"] for g in drawn if g["figures"]
        ]
        for group, bar in zip(drawn, bars.all(), strict=True):
            assert bar.locator(".total").inner_text() == f"{group['sum']:,}"
            for flag, css, words in (
                ("lower_bound", "lower", "at least"),
                ("approximate", "approx", "nearly"),
                ("upper_bound", "upper", "up to"),
            ):
                marks = bar.locator(f".bar-total .flag.{css}")
                symbols = bar.locator(f".bar-total .mark.{css}")  # ▲ ~ ▼ beside the total
                if group[flag]:
                    flagged += 1
                    expect(marks).to_have_text(words)
                    expect(symbols).to_have_count(1)
                else:
                    expect(marks).to_have_count(0)
                    expect(symbols).to_have_count(0)
    assert flagged, "the headline charts hold lower bounds (trainees: 'more than')"


def test_a_story_page_shows_each_evidence_phrase_word_for_word(
    watched: Watched, base_url: str
) -> None:
    story = api(base_url, "/v1/stories/2023-story-10")
    watched.page.goto("/explore/stories/2023-story-10")
    shown = watched.page.locator("q.evidence").all_inner_texts()
    expected = [figure["source"]["evidence"] for figure in story["figures"]]
    assert expected and sorted(shown) == sorted(expected)
    expect(watched.page.locator("main")).to_contain_text("26 members of armed groups")


def test_a_figure_page_shows_value_qualifier_and_provenance(
    watched: Watched, base_url: str
) -> None:
    figure = api(base_url, "/v1/figures/2023-story-17-survivors-identified")
    watched.page.goto("/explore/figures/2023-story-17-survivors-identified")
    assert watched.page.locator("[data-value]").get_attribute("data-value") == str(figure["value"])
    expect(watched.page.locator("blockquote.evidence")).to_have_text(figure["source"]["evidence"])
    expect(watched.page.locator(".provenance")).to_contain_text(figure["source"]["section"])


@pytest.mark.parametrize("path", ["/explore/locations", "/explore/missions/MONUSCO"])
def test_the_map_shows_every_located_place(watched: Watched, base_url: str, path: str) -> None:
    """Every place with coordinates that the page lists is a point on its map."""
    watched.page.goto(path)
    listed = {
        href.rsplit("/", 1)[-1]
        for href in watched.page.locator('main a[href^="/explore/locations/"]').evaluate_all(
            "links => links.map(a => a.getAttribute('href'))"
        )
    }
    places = api(base_url, "/v1/locations", limit="500")["items"]
    located = {p["id"] for p in places if p["id"] in listed and p.get("latitude") is not None}
    points = {
        g.get_attribute("data-location") for g in watched.page.locator("svg.map g.place").all()
    }
    assert located  # every location has coordinates: an empty map would be a regression
    assert points == located


def test_searching_mobile_court_finds_story_10(watched: Watched) -> None:
    page = watched.page
    page.goto("/explore")
    page.get_by_role("searchbox").first.fill("mobile court")
    page.keyboard.press("Enter")
    page.wait_for_url("**/explore/search?q=mobile+court")
    stories = page.locator('section[data-dataset="stories"]')
    expect(stories.locator('a[href="/explore/stories/2023-story-10"]')).to_be_visible()


def test_downloads_open_as_valid_csv_and_xlsx(
    watched: Watched, base_url: str, tmp_path: Path
) -> None:
    page = watched.page
    page.goto("/explore/figures?metric=convictions")
    total = api(base_url, "/v1/figures", metric="convictions")["total"]
    with page.expect_download() as csv_download:
        page.locator('.downloads a[data-format="csv"]').click()
    rows = list(csv.DictReader(io.StringIO(Path(csv_download.value.path()).read_text())))
    assert len(rows) == total and {row["metric"] for row in rows} == {"convictions"}
    with page.expect_download() as xlsx_download:
        page.locator('.downloads a[data-format="xlsx"]').click()
    target = tmp_path / "figures.xlsx"
    xlsx_download.value.save_as(target)
    workbook = load_workbook(target, read_only=True)
    assert workbook.sheetnames == ["About", "figures"]  # what the data is, then the data
    sheet = workbook["figures"]
    assert sheet.max_row == total + 1  # a header, then one row per figure
    assert [cell.value for cell in next(sheet.iter_rows(max_row=1))][:2] == ["id", "year"]


@pytest.mark.parametrize(
    "path",
    [
        "/explore",
        "/explore/figures?metric=convictions",
        "/explore/stories/2023-story-10",
        "/explore/missions/MONUSCO",
        "/explore/search?q=mobile+court",
    ],
)
def test_the_keyboard_reaches_every_control(watched: Watched, path: str) -> None:
    page = watched.page
    page.goto(path)
    count = page.evaluate(
        """() => {
        const controls = 'a[href], button, input:not([type=hidden]), select';
        const all = [...document.querySelectorAll(controls)]
          .filter(el => el.getClientRects().length > 0 || el.classList.contains('skip'));
        all.forEach((el, i) => el.setAttribute('data-kbd', String(i)));
        return all.length;
    }"""
    )
    reached = set()
    for _ in range(count + 5):
        page.keyboard.press("Tab")
        index = page.evaluate("() => document.activeElement.getAttribute('data-kbd')")
        if index is not None:
            reached.add(int(index))
    assert reached == set(range(count))


AXE = Path(str(axe_playwright_python.__file__)).with_name("axe.min.js")
"""axe-core, pinned by the `axe-playwright-python` wheel pinned in pyproject.toml."""


@pytest.mark.parametrize(
    ("path", "width"),
    [
        ("/explore", 1280),
        ("/explore", 375),
        ("/explore/stories/2023-story-10", 1280),
        ("/explore/figures?metric=convictions", 1280),
        ("/explore/missions/MONUSCO", 375),
    ],
)
def test_axe_finds_no_serious_or_critical_violation(
    watched: Watched, path: str, width: int
) -> None:
    page = watched.page
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(path)
    page.add_script_tag(content=AXE.read_text())
    result = page.evaluate("async () => await axe.run(document)")
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == []


def test_the_pages_work_without_javascript(browser: Browser, base_url: str) -> None:
    context = browser.new_context(base_url=base_url, java_script_enabled=False)
    page = context.new_page()
    page.goto("/explore")
    bar = page.locator('figure.chart[data-metric="convictions"] li.bar[data-key="MONUSCO"]')
    expect(bar.locator(".total")).to_have_text("65")
    page.goto("/explore/figures?metric=convictions&mission=monusco")
    expect(page.locator("table.figures tbody tr")).to_have_count(3)
    context.close()


@pytest.mark.parametrize("width", [375, 1280])
def test_overview_screenshots_fit_the_width(browser: Browser, base_url: str, width: int) -> None:
    context = browser.new_context(base_url=base_url, viewport={"width": width, "height": 800})
    page = context.new_page()
    page.goto("/explore")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target = SCREENSHOTS / f"overview-{width}.png"
    page.screenshot(path=str(target), full_page=True)
    assert target.stat().st_size > 0
    context.close()
