"""A typed Python client generated from the live OpenAPI document works against the API."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.auth.service import create_key
from app.config import PROJECT_ROOT
from app.enums import Scope

CONFIG = PROJECT_ROOT / "clients" / "openapi-python-client.yaml"


@pytest.fixture
def generated(client: TestClient, tmp_path: Path) -> Iterator[ModuleType]:
    """Generate the client the way the README says, and import it."""
    spec = tmp_path / "openapi.json"
    spec.write_text(json.dumps(client.get("/openapi.json").json()))
    bin_dir = Path(sys.executable).parent  # the generator formats its output with ruff
    run = subprocess.run(
        [
            str(bin_dir / "openapi-python-client"),
            "generate",
            "--path",
            str(spec),
            "--output-path",
            str(tmp_path / "client"),
            "--meta",
            "none",
            "--config",
            str(CONFIG),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"},
        check=False,
    )
    output = run.stdout + run.stderr
    assert run.returncode == 0, output
    assert "warning" not in output.lower(), output
    (tmp_path / "client").rename(tmp_path / "crsv_data_client")
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module("crsv_data_client")
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m.startswith("crsv_data_client")]:
            del sys.modules[name]


def _api(name: str) -> Any:
    return importlib.import_module(f"crsv_data_client.api.{name}")


def test_generated_client_pages_reads_and_writes(
    generated: ModuleType, client: TestClient, db: Session
) -> None:
    anonymous = generated.Client(base_url="http://testserver").set_httpx_client(client)

    figures = _api("figures.list_figures")
    seen: list[str] = []
    cursor: Any = generated.types.UNSET
    while True:
        page = figures.sync(client=anonymous, limit=20, cursor=cursor)
        seen.extend(item.id for item in page.items)
        if not page.next_cursor:
            break
        cursor = page.next_cursor
    assert len(seen) == len(set(seen)) == 49

    mission = _api("missions.get_mission").sync(code="monusco", client=anonymous)
    assert mission.code == "MONUSCO"

    figure_id = "2023-story-17-survivors-identified"
    etag = client.get(f"/v1/figures/{figure_id}").headers["etag"]
    token = create_key(db, "generated-client", Scope.WRITE)
    keyed = generated.AuthenticatedClient(
        base_url="http://testserver",
        token=token,
        httpx_args={"transport": client._transport},  # the app under test, in process
    )
    changes = importlib.import_module("crsv_data_client.models.patch_figure_changes")
    response = _api("figures.patch_figure").sync_detailed(
        figure_id=figure_id,
        client=keyed,
        body=changes.PatchFigureChanges.from_dict({"note": "Checked by a generated client."}),
        if_match=etag,
    )
    assert response.status_code == 200, response.content
    assert response.parsed.note == "Checked by a generated client."
    assert client.get(f"/v1/figures/{figure_id}").json()["note"] == (
        "Checked by a generated client."
    )
