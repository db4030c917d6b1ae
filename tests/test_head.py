"""HEAD on every GET route: the GET's status and headers without the body (RFC 9110 §9.3.2)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.client import HTTPConnection
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.api.v1 import responses
from app.config import Settings
from app.exports.files import file_chunks
from app.main import create_app
from tests.live_server import free_port

SAME_ID = {"X-Request-ID": "head-vs-get"}
FIGURE = "/v1/figures/2023-story-17-survivors-identified"


def get_paths(spec: dict[str, Any]) -> list[str]:
    """Every GET path of the OpenAPI document, its path parameters filled with their examples."""
    paths = []
    for template, operations in spec["paths"].items():
        if "get" not in operations:
            continue
        examples = {
            parameter["name"]: parameter["schema"]["examples"][0]
            for parameter in operations["get"].get("parameters", [])
            if parameter["in"] == "path"
        }
        path = template
        for name, example in examples.items():
            path = path.replace(f"{{{name}}}", str(example))
        assert "{" not in path, f"{template} lacks a documented example"
        paths.append(path)
    return paths


def test_head_answers_every_get_route_like_the_get(client: TestClient) -> None:
    paths = get_paths(client.get("/openapi.json").json())
    assert len(paths) == 2 + 1 + 22 + 4 + 12 + 1  # health, index, reads, stats, exports, audit
    for path in paths:
        get = client.get(path, headers=SAME_ID)
        head = client.head(path, headers=SAME_ID)
        assert head.status_code == get.status_code, path
        assert sorted(head.headers.multi_items()) == sorted(get.headers.multi_items()), path
        assert head.content == b"", path


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        (FIGURE, {}),
        ("/v1/figures?metric=convictions", {}),
        ("/v1/figures?metric=convictions", {"Accept": "text/csv"}),
        ("/v1/exports/figures.ndjson?metric=convictions", {}),
        ("/v1/exports/datapackage.zip", {}),
    ],
)
def test_head_revalidates_with_if_none_match(
    client: TestClient, path: str, headers: dict[str, str]
) -> None:
    etag = client.head(path, headers=headers).headers["etag"]
    assert etag == client.get(path, headers=headers).headers["etag"]
    cached = client.head(path, headers={**headers, "If-None-Match": etag})
    assert cached.status_code == 304
    assert cached.headers["etag"] == etag
    assert cached.content == b""


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/v1/exports/figures.csv", {}),
        ("/v1/exports/figures.xlsx", {}),
        ("/v1/figures", {"Accept": "application/x-ndjson"}),
    ],
)
def test_head_on_an_export_runs_no_query(
    client: TestClient, monkeypatch: pytest.MonkeyPatch, path: str, headers: dict[str, str]
) -> None:
    started: list[str] = []
    made = file_chunks

    def watched(*args: Any, **kwargs: Any) -> Iterator[bytes]:
        started.append(args[1])  # runs on the first chunk asked for, not when created
        yield from made(*args, **kwargs)

    monkeypatch.setattr(responses, "file_chunks", watched)
    head = client.head(path, headers=headers)
    assert head.status_code == 200
    assert started == []
    assert client.get(path, headers=headers).content
    assert started == ["figures"]


def test_head_of_an_unknown_record_is_the_404_without_its_body(client: TestClient) -> None:
    get = client.get("/v1/figures/nope", headers=SAME_ID)
    head = client.head("/v1/figures/nope", headers=SAME_ID)
    assert (head.status_code, get.status_code) == (404, 404)
    assert head.headers["content-type"] == "application/problem+json"
    assert head.headers["content-length"] == get.headers["content-length"] == str(len(get.content))
    assert head.content == b""


@pytest.fixture
def server(engine: Engine, settings: Settings) -> Iterator[int]:
    """The app in a real uvicorn server on a free loopback port, stopped however the test ends."""
    port = free_port()
    config = uvicorn.Config(
        create_app(settings, engine=engine), host="127.0.0.1", port=port, log_level="warning"
    )
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not running.started:
            assert time.monotonic() < deadline, "uvicorn did not start in 20 s"
            assert thread.is_alive(), "uvicorn stopped while starting"
            time.sleep(0.05)
        yield port
    finally:
        running.should_exit = True
        thread.join(timeout=20)
        assert not thread.is_alive(), "uvicorn did not stop in 20 s"


def test_readme_curl_head_recipe_over_a_real_server(server: int) -> None:
    """`curl -sI` gets the ETag; the keep-alive connection stays usable, so no body was sent."""
    connection = HTTPConnection("127.0.0.1", server, timeout=10)
    try:
        for path in (FIGURE, "/v1/exports/figures.csv", "/v1/figures?metric=convictions"):
            connection.request("HEAD", path)
            head = connection.getresponse()
            assert head.status == 200
            assert head.read() == b""
            connection.request("GET", path)
            get = connection.getresponse()
            body = get.read()
            assert get.status == 200
            assert head.getheader("etag") == get.getheader("etag")
            assert head.getheader("content-length") == get.getheader("content-length")
            assert head.getheader("content-type") == get.getheader("content-type")
            if get.getheader("content-length") is not None:
                assert int(get.getheader("content-length") or 0) == len(body)
    finally:
        connection.close()
