"""Curation end to end on committed data: concurrent edits, seed dump round trip, CLI keys."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from app.auth.service import create_key
from app.cli import cli
from app.config import Settings, get_settings
from app.enums import Scope
from app.main import create_app
from app.models import AuditEvent
from app.seeding.dump import dump_seeds
from app.seeding.loader import apply_seeds
from app.seeding.reader import SeedSet, read_seeds
from tests.database import TestServer

FIGURE = "/v1/figures/2023-story-17-survivors-identified"


@pytest.fixture
def loaded(scratch_engine: Engine, seeds: SeedSet) -> Engine:
    apply_seeds(scratch_engine, seeds)
    return scratch_engine


@pytest.fixture
def live_client(loaded: Engine) -> Iterator[TestClient]:
    """The app with its real session dependency: every request commits for real."""
    app = create_app(
        Settings(database_url=loaded.url.render_as_string(hide_password=False)), engine=loaded
    )
    with TestClient(app) as client:
        yield client


def test_of_two_concurrent_updates_exactly_one_wins(
    loaded: Engine, live_client: TestClient
) -> None:
    with Session(loaded) as session:
        token = create_key(session, "racer", Scope.WRITE)
        session.commit()
    etag = live_client.get(FIGURE).headers["etag"]
    barrier = threading.Barrier(2)
    statuses: dict[str, int] = {}

    def update(note: str) -> None:
        barrier.wait()
        response = live_client.patch(
            FIGURE,
            json={"note": note},
            headers={"Authorization": f"Bearer {token}", "If-Match": etag},
        )
        statuses[note] = response.status_code

    threads = [threading.Thread(target=update, args=(note,)) for note in ("left", "right")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses.values()) == [200, 412]
    winner = next(note for note, status in statuses.items() if status == 200)
    assert live_client.get(FIGURE).json()["note"] == winner
    with loaded.connect() as connection:
        updates = connection.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.actor == "racer")
        )
    assert updates == 1


def test_seed_loader_changes_are_audited(loaded: Engine, seeds: SeedSet) -> None:
    with loaded.connect() as connection:
        events = connection.execute(
            select(AuditEvent.actor, AuditEvent.action, func.count()).group_by(
                AuditEvent.actor, AuditEvent.action
            )
        ).all()
    assert [(actor, action) for actor, action, _ in events] == [("seed-loader", "create")]
    assert apply_seeds(loaded, seeds).changes == []
    with loaded.connect() as connection:
        figure_event = connection.execute(
            select(AuditEvent.after).where(
                AuditEvent.resource == "figure",
                AuditEvent.resource_id == "2023-story-17-survivors-identified",
            )
        ).scalar_one()
    assert (figure_event["value"], figure_event["women"], figure_event["men"]) == (604, 554, 50)


def _table_contents(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every content table, ids replaced by nothing: what a round trip must reproduce."""
    queries = {
        "story": "SELECT s.key, s.number, s.kind, s.position, s.title, s.section, s.summary, "
        "s.editorial_note, o.number FROM story s LEFT JOIN objective o "
        "ON o.id = s.objective_id ORDER BY s.key",
        "activity": "SELECT a.key, s.key, a.position, a.title, a.description, a.date_start, "
        "a.date_end, a.date_precision FROM activity a JOIN story s "
        "ON s.id = a.story_id ORDER BY a.key",
        "figure": "SELECT f.key, f.value, f.qualifier, f.women, f.men, f.children, f.subject, "
        "f.evidence, f.section, f.note, f.position, f.date_start FROM figure f "
        "ORDER BY f.key",
        "links": "SELECT a.key, l.key FROM activity_location al JOIN activity a ON "
        "a.id = al.activity_id JOIN location l ON l.id = al.location_id ORDER BY 1, 2",
        "partners": "SELECT key, name, acronym, kind FROM partner ORDER BY key",
        "missions": "SELECT code, name, status, mandate_start, mandate_end FROM mission "
        "ORDER BY code",
    }
    with engine.connect() as connection:
        return {
            name: [tuple(row) for row in connection.execute(text(sql))]
            for name, sql in queries.items()
        }


def test_dump_and_reload_reproduce_the_database(
    loaded: Engine, live_client: TestClient, pg_server: TestServer, tmp_path: Path
) -> None:
    with Session(loaded) as session:
        token = create_key(session, "editor", Scope.WRITE)
        session.commit()
    edited = live_client.patch(
        FIGURE,
        json={"note": "Edited through the API."},
        headers={
            "Authorization": f"Bearer {token}",
            "If-Match": live_client.get(FIGURE).headers["etag"],
        },
    )
    assert edited.status_code == 200

    first, second = tmp_path / "first", tmp_path / "second"
    with Session(loaded) as session:
        written = dump_seeds(session, first)
    assert len(written) == 41
    story = yaml.safe_load((first / "reports/2023/stories/26-story-17.yaml").read_text())
    assert story["activities"][0]["figures"][0]["note"] == "Edited through the API."

    with pg_server.database("reload") as url:
        from tests.conftest import migrated_engine

        reloaded = migrated_engine(url)
        apply_seeds(reloaded, read_seeds(first))
        assert _table_contents(reloaded) == _table_contents(loaded)
        with Session(reloaded) as session:
            dump_seeds(session, second)
        reloaded.dispose()
    for path in first.rglob("*.yaml"):
        assert (second / path.relative_to(first)).read_text() == path.read_text(), path


def test_dumping_the_repository_seeds_changes_nothing(loaded: Engine, tmp_path: Path) -> None:
    from app.config import PROJECT_ROOT

    with Session(loaded) as session:
        dump_seeds(session, tmp_path)
    for path in tmp_path.rglob("*.yaml"):
        original = PROJECT_ROOT / "seeds" / path.relative_to(tmp_path)
        assert original.read_text() == path.read_text(), path


def test_cli_manages_keys(loaded: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CRSV_DATABASE_URL", loaded.url.render_as_string(hide_password=False))
    get_settings.cache_clear()
    runner = CliRunner()
    try:
        created = runner.invoke(cli, ["keys", "create", "--name", "analyst", "--scope", "read"])
        assert created.exit_code == 0, created.output
        token = created.stdout.strip().splitlines()[0]
        assert token.startswith("crsv_") and len(token) == 57
        listed = runner.invoke(cli, ["keys", "list"])
        assert "analyst\tread\tcrsv_" in listed.stdout
        assert token not in listed.stdout
        duplicate = runner.invoke(cli, ["keys", "create", "--name", "analyst", "--scope", "read"])
        assert duplicate.exit_code == 1
        revoked = runner.invoke(cli, ["keys", "revoke", "analyst"])
        assert revoked.exit_code == 0
        assert "revoked" in runner.invoke(cli, ["keys", "list"]).stdout
        with loaded.connect() as connection:
            stored = connection.scalar(text("SELECT secret_hash FROM api_key"))
        secret = token.split("_", 2)[2]  # the secret itself may hold "_"
        assert len(secret) == 43 and secret not in stored and stored.startswith("scrypt$")
    finally:
        get_settings.cache_clear()
