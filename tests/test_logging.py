from __future__ import annotations

import json
import logging

import pytest
from fastapi.testclient import TestClient

from app.logging import JsonFormatter, RequestIdFilter, request_id_var


def test_json_lines_carry_the_request_id() -> None:
    record = logging.LogRecord("crsv.access", logging.INFO, __file__, 1, "GET %s", ("/x",), None)
    token = request_id_var.set("abc123")
    try:
        RequestIdFilter().filter(record)
    finally:
        request_id_var.reset(token)
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "abc123"
    assert line["message"] == "GET /x"
    assert line["level"] == "INFO"


def test_access_log_names_the_request(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.handler.addFilter(RequestIdFilter())
    with caplog.at_level(logging.INFO, logger="crsv.access"):
        client.get("/healthz", headers={"X-Request-ID": "trace-me"})
    records = [r for r in caplog.records if r.name == "crsv.access"]
    assert records, "no access log line"
    assert records[-1].getMessage().startswith("GET /healthz 200")
    assert getattr(records[-1], "request_id") == "trace-me"  # noqa: B009
    assert getattr(records[-1], "status") == 200  # noqa: B009
