"""Plain GETs of the read routes skip FastAPI's dependency solving (app/api/read_route.py):
they must answer exactly as the full path does, and everything else must take the full path."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from app.api import read_route, v1
from app.api.read_route import HANDLED_ROUTER_DEPENDENCIES, ReadRoute, ShortPaths, _Plan
from app.api.v1 import reads, stats, writes

LISTS = [
    "/v1/figures",
    "/v1/figures?metric=trainees&mission=monusco",
    "/v1/figures?mission=MONUSCO,MINUSCA&sort=-value&limit=3",
    "/v1/figures?objective=2&year=2023&qualifier=at_least,more_than",
    "/v1/figures?date_from=2023-03-01&date_to=2023-09-30&limit=5",
    "/v1/figures?facets=mission,metric&limit=1",
    "/v1/figures?q=mobile%20court",
    "/v1/figures?q=training&sort=-value&limit=2",
    "/v1/figures?location=central-equatoria",
    "/v1/activities?mission=monusco&objective=2&limit=2",
    "/v1/activities?type=training&facets=mission,type",
    "/v1/stories?mission=unmiss&sort=-position",
    "/v1/stories?q=violence&limit=4",
    "/v1/missions",
    "/v1/missions?status=closed&facets=country",
    "/v1/objectives",
    "/v1/countries?limit=2",
    "/v1/locations?country=COD&kind=town",
    "/v1/partners?mission=monusco&limit=3",
    "/v1/reports",
    "/v1/metrics",
    "/v1/activity-types",
]
DETAILS = [
    "/v1/missions/monusco",
    "/v1/missions/MONUSCO",
    "/v1/objectives/2",
    "/v1/countries/COD",
    "/v1/locations/goma",
    "/v1/reports/2023",
    "/v1/stories/2023-story-10",
    "/v1/figures/2023-story-09-sexual-violence-cases",
    "/v1/activities/2023-story-09-yei-general-court-martial",
]
STATS = [
    "/v1/stats/figures?group_by=mission&metric=cases",
    "/v1/stats/figures?objective=2",
    "/v1/stats/figures?group_by=quarter&metric=trainees&fill=none",
    "/v1/stats/activities?group_by=objective",
    "/v1/stats/stories?group_by=country",
    "/v1/stats/overview",
]
REFUSED = [
    "/v1/figures?limit=0",
    "/v1/figures?limit=abc",
    "/v1/figures?limit=501",
    "/v1/figures?sort=bogus",
    "/v1/figures?cursor=garbage",
    "/v1/figures?misison=monusco",
    "/v1/figures?mission=",
    "/v1/figures?mission=,",
    "/v1/figures?mission=monusco&mission=unmiss",
    "/v1/figures?mission=mon%00usco",
    "/v1/figures?mission=nowhere",
    "/v1/figures?qualifier=roughly",
    "/v1/figures?date_from=yesterday",
    "/v1/figures?facets=bogus",
    "/v1/figures?bom=1",
    "/v1/figures?q=" + "-" * 40,
    "/v1/missions/nowhere",
    "/v1/objectives/9",
    "/v1/objectives/two",
    "/v1/stories/no-such-story",
    "/v1/stats/figures?group_by=colour",
]
HEADERS: list[dict[str, str]] = [
    {},
    {"Accept": "*/*"},
    {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"},
    {"Accept": "text/csv"},
    {"Accept": "application/geo+json"},
    {"Accept": "application/x-ndjson;q=1, application/json;q=0.5"},
    {"Accept": "application/json;q=0"},
    {"Accept": "image/png"},
    {"Authorization": "Bearer crsv_readroute_" + "c" * 43},
    {"Accept-Encoding": "gzip"},
]


def _answer(client: TestClient, method: str, url: str, headers: dict[str, str]) -> Any:
    response = client.request(method, url, headers=headers)
    kept = sorted(
        (name, value) for name, value in response.headers.items() if name != "x-request-id"
    )
    return response.status_code, kept, response.content


def _both(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, method: str, url: str, headers: Any
) -> tuple[Any, Any]:
    monkeypatch.setattr(ReadRoute, "fast", True)
    fast = _answer(client, method, url, headers)
    monkeypatch.setattr(ReadRoute, "fast", False)
    full = _answer(client, method, url, headers)
    return fast, full


@pytest.fixture
def short_paths(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The paths answered by the short path, as they are run."""
    taken: list[str] = []
    run: Callable[..., Any] = _Plan.run

    def counting(plan: _Plan, request: Any, arguments: dict[str, Any]) -> Any:
        taken.append(request.url.path)
        return run(plan, request, arguments)

    monkeypatch.setattr(_Plan, "run", counting)
    return taken


@pytest.mark.parametrize("url", LISTS + DETAILS + STATS)
def test_a_plain_request_takes_the_short_path_and_answers_as_the_full_path(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, short_paths: list[str], url: str
) -> None:
    fast, full = _both(client, monkeypatch, "GET", url, {})
    assert short_paths == [url.split("?")[0]], "a plain request took the full path"
    assert fast[0] == 200, fast[2][:300]
    assert fast == full


def test_a_next_page_by_cursor_takes_the_short_path(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, short_paths: list[str]
) -> None:
    first = client.get("/v1/figures?mission=monusco&limit=2").json()
    url = f"/v1/figures?mission=monusco&limit=2&cursor={first['next_cursor']}"
    short_paths.clear()
    fast, full = _both(client, monkeypatch, "GET", url, {})
    assert short_paths == ["/v1/figures"]
    assert fast[0] == 200 and fast == full


@pytest.mark.parametrize("url", REFUSED)
def test_a_request_the_full_path_refuses_is_refused_the_same_way(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, short_paths: list[str], url: str
) -> None:
    fast, full = _both(client, monkeypatch, "GET", url, {})
    assert fast == full
    assert fast[0] in (200, 404, 422), fast[2][:300]  # a repeated parameter: the last counts


@pytest.mark.parametrize("headers", HEADERS, ids=lambda h: ",".join(h.values()) or "none")
@pytest.mark.parametrize("url", ["/v1/figures?mission=monusco&limit=2", "/v1/missions/unmiss"])
def test_every_accept_and_credential_answers_as_the_full_path(
    client: TestClient,
    monkeypatch: pytest.MonkeyPatch,
    short_paths: list[str],
    url: str,
    headers: dict[str, str],
) -> None:
    fast, full = _both(client, monkeypatch, "GET", url, headers)
    assert fast == full
    if "Authorization" in headers:
        assert fast[0] == 401 and short_paths == []


def test_head_answers_as_the_full_path_without_a_body(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, short_paths: list[str]
) -> None:
    """HeadMiddleware runs a HEAD as the GET and drops the body, so the route sees a GET."""
    fast, full = _both(client, monkeypatch, "HEAD", "/v1/figures?mission=monusco", {})
    assert fast == full and fast[0] == 200 and fast[2] == b""
    assert short_paths == ["/v1/figures"]


def test_a_query_strings_validation_is_kept_and_a_refused_one_stays_refused(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, short_paths: list[str]
) -> None:
    """The short path keeps what it validated by query string, at most VALIDATED_KEPT of
    them; a query string it refused keeps taking the full path (and its 422)."""
    figures = next(
        route
        for route in reads.router.routes
        if isinstance(route, ReadRoute) and route.path == "/figures"
    )
    assert figures.plan is not None
    monkeypatch.setattr(read_route, "VALIDATED_KEPT", 3)
    figures.plan.validated.clear()
    url = "/v1/figures?mission=monusco&limit=2"
    first, again = client.get(url), client.get(url)
    assert short_paths == ["/v1/figures", "/v1/figures"]
    assert first.status_code == 200 and first.content == again.content
    assert figures.plan.validated[b"mission=monusco&limit=2"] is not None
    short_paths.clear()
    for _ in range(2):
        refused = client.get("/v1/figures?limit=0")
        assert refused.status_code == 422
        assert refused.json()["errors"][0]["name"] == "limit"
    assert short_paths == [] and figures.plan.validated[b"limit=0"] is None
    for limit in (1, 2, 3, 4):
        page = client.get(f"/v1/figures?mission=unmiss&limit={limit}").json()
        assert len(page["items"]) == limit
        assert len(figures.plan.validated) <= 3
    long = "/v1/figures?mission=" + ",".join(["unmiss"] * 80)  # 559 bytes: answered, not kept
    figures.plan.validated.clear()
    assert client.get(long).status_code == 200
    assert figures.plan.validated == {}


def test_every_read_route_is_found_by_its_path_and_nothing_else_is() -> None:
    """ShortPaths finds each planned read route of /v1 by its full path, a parameter filled
    in as the route's own pattern reads it; the paths of other routes are left to the
    router."""
    routes = list(v1.hot_read_routes())
    short = ShortPaths(lambda scope, receive, send: None, iter(routes))  # type: ignore[arg-type, return-value]
    planned = [(path, route) for path, route in routes if route.plan is not None]
    assert len(planned) >= 26
    for path, route in planned:
        concrete = re.sub(r"\{(\w+)\}", "12", path)
        found = short._find(concrete)
        assert found is not None and found[0] is route.plan, path
        if "{" in path:
            assert list(found[1].values()) == ["12"] or list(found[1].values()) == [12], path
    for elsewhere in ("/v1", "/v1/exports/figures.csv", "/v1/audit", "/v1/figures/", "/healthz"):
        assert short._find(elsewhere) is None, elsewhere


def test_the_short_path_stands_for_exactly_the_v1_routers_dependencies() -> None:
    """A dependency added to the /v1 router would be skipped by plain requests: it must be
    added to what read_route.py handles first."""
    calls = {dependency.dependency for dependency in v1.router.dependencies}
    assert calls == set(HANDLED_ROUTER_DEPENDENCIES)


def test_the_hot_read_routes_have_a_short_path_and_writes_none() -> None:
    routes = [
        route
        for router in (reads.router, stats.router, writes.router)
        for route in router.routes
        if isinstance(route, APIRoute)
    ]
    planned = {route.path for route in routes if isinstance(route, ReadRoute) and _Plan.of(route)}
    for path in ("/figures", "/activities", "/stories", "/missions/{code}", "/stats/overview"):
        assert path in planned
    written = [route for route in routes if "GET" not in (route.methods or set())]
    assert written and not any(isinstance(route, ReadRoute) for route in written)
