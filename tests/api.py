"""Helpers for reading the API in tests."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient


def walk(client: TestClient, path: str) -> list[dict[str, Any]]:
    """Every item of a list route, following `next_cursor` page after page."""
    collected: list[dict[str, Any]] = []
    url: str | None = path
    total = qualifier = None
    while url is not None:
        response = client.get(url)
        assert response.status_code == 200, response.text
        body = response.json()
        total = body["total"] if total is None else total
        qualifier = body["total_qualifier"] if qualifier is None else qualifier
        assert body["total"] == total, "total changed between pages"
        assert body["total_qualifier"] == qualifier, "total_qualifier changed between pages"
        collected.extend(body["items"])
        cursor = body["next_cursor"]
        url = f"{path}{'&' if '?' in path else '?'}cursor={cursor}" if cursor else None
    if qualifier == "more_than":  # a search counted up to its bound: more were walked
        assert total is not None and len(collected) > total
    else:
        assert qualifier == "exact" and len(collected) == total
    return collected


def ids(client: TestClient, path: str) -> list[str]:
    return [item["id"] for item in walk(client, path)]
