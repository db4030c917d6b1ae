"""The explorer's pages over HTTP, in process: status, the numbers the API gives, no JS needed."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

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
    assert "[" + "overview." not in response.text  # no missing label shows its key
    assert not re.search(r"\[[a-z_]+\.[a-z_]+\]", response.text), "a label is missing"
