"""A seed load never silently deletes or reverts an API edit made since the last load."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, text, update
from sqlalchemy.orm import Session

from app import audit
from app.auth.service import create_key
from app.config import Settings
from app.db import migrations
from app.enums import AuditAction, Scope
from app.main import create_app
from app.models import AuditEvent, Figure, SeedLoad
from app.seeding.dump import dump_seeds
from app.seeding.guard import SeedsWouldDiscardEdits
from app.seeding.loader import LoadResult, apply_seeds
from app.seeding.reader import SeedSet, read_seeds

EDITED = "2023-story-17-survivors-identified"
DELETED = "2023-story-10-soldiers-convicted"
CREATED = "2023-story-17-reparations-beneficiaries"
NEW_FIGURE: dict[str, Any] = {
    "key": CREATED,
    "story": "2023-story-17",
    "activity": "2023-story-17-reparations-project-support",
    "metric": "participants",
    "value": 12,
    "women": 7,
    "subject": "curated test figure",
    "evidence": "604 CRSV survivors were identified",
}


@pytest.fixture
def loaded(scratch_engine: Engine, seeds: SeedSet) -> Engine:
    apply_seeds(scratch_engine, seeds)
    return scratch_engine


@pytest.fixture
def curator(loaded: Engine) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """The real app committing for real, and a write key's header."""
    with Session(loaded) as session:
        token = create_key(session, "editor", Scope.WRITE)
        session.commit()
    app = create_app(
        Settings(database_url=loaded.url.render_as_string(hide_password=False)), engine=loaded
    )
    with TestClient(app) as client:
        yield client, {"Authorization": f"Bearer {token}"}


def _if_match(client: TestClient, path: str) -> dict[str, str]:
    return {"If-Match": client.get(path).headers["etag"]}


def edit_through_the_api(client: TestClient, key: dict[str, str]) -> None:
    """Create one figure, edit one, delete one: each a different kind of API edit."""
    path = f"/v1/figures/{EDITED}"
    patched = client.patch(
        path, json={"note": "Curated."}, headers={**key, **_if_match(client, path)}
    )
    assert patched.status_code == 200, patched.text
    assert client.post("/v1/figures", json=NEW_FIGURE, headers=key).status_code == 201
    path = f"/v1/figures/{DELETED}"
    assert client.delete(path, headers={**key, **_if_match(client, path)}).status_code == 204


def _notes_and_keys(engine: Engine) -> tuple[str | None, set[str]]:
    with Session(engine) as session:
        note = session.scalar(select(Figure.note).where(Figure.key == EDITED))
        keys = set(session.scalars(select(Figure.key)))
    return note, keys


def _loads(engine: Engine) -> list[tuple[int, int, int]]:
    with Session(engine) as session:
        rows = session.execute(
            select(SeedLoad.audit_mark, SeedLoad.changes, SeedLoad.discarded).order_by(SeedLoad.id)
        )
        return [tuple(row) for row in rows]  # type: ignore[misc]


def _conflict_lines(result_or_error: LoadResult | SeedsWouldDiscardEdits) -> list[str]:
    return [
        f"{c.effect} {c.edit.resource} {c.edit.key} {c.edit.action} {c.edit.actor}"
        for c in result_or_error.conflicts
    ]


EXPECTED = [  # in resource and id order
    f"revert figure {DELETED} delete editor",
    f"delete figure {CREATED} create editor",
    f"revert figure {EDITED} update editor",
]


def test_each_load_marks_the_audit_trail_in_its_transaction(loaded: Engine, seeds: SeedSet) -> None:
    with Session(loaded) as session:
        highest = session.scalar(select(func.max(AuditEvent.id)))
        loaded_events = session.scalar(select(func.count()).select_from(AuditEvent))
    assert highest == loaded_events
    assert _loads(loaded) == [(highest, loaded_events, 0)]
    assert apply_seeds(loaded, seeds).changes == []
    assert _loads(loaded) == [(highest, loaded_events, 0), (highest, 0, 0)]
    apply_seeds(loaded, seeds, dry_run=True)
    assert len(_loads(loaded)) == 2


def test_a_load_that_would_lose_api_edits_is_refused_with_the_list(
    loaded: Engine, seeds: SeedSet, curator: tuple[TestClient, dict[str, str]]
) -> None:
    edit_through_the_api(*curator)
    before = _notes_and_keys(loaded)
    with pytest.raises(SeedsWouldDiscardEdits) as refused:
        apply_seeds(loaded, seeds)
    assert _conflict_lines(refused.value) == EXPECTED
    assert _notes_and_keys(loaded) == before
    assert before[0] == "Curated." and CREATED in before[1] and DELETED not in before[1]
    assert len(_loads(loaded)) == 1

    preview = apply_seeds(loaded, seeds, dry_run=True)
    assert _conflict_lines(preview) == EXPECTED
    assert preview.summary() == "3 changes: 1 created, 1 updated, 1 deleted"
    assert _notes_and_keys(loaded) == before


def test_force_loads_and_records_what_it_discarded(
    loaded: Engine, seeds: SeedSet, curator: tuple[TestClient, dict[str, str]]
) -> None:
    seeded = _notes_and_keys(loaded)
    edit_through_the_api(*curator)
    forced = apply_seeds(loaded, seeds, force=True)
    assert _conflict_lines(forced) == EXPECTED
    assert _notes_and_keys(loaded) == seeded
    assert [(changes, discarded) for _, changes, discarded in _loads(loaded)][1:] == [(3, 3)]
    again = apply_seeds(loaded, seeds)
    assert (again.changes, again.conflicts) == ([], [])


def test_edits_the_seeds_already_hold_never_block_a_load(
    loaded: Engine, curator: tuple[TestClient, dict[str, str]], tmp_path: Path
) -> None:
    """The curation loop: edit, `crsv seed dump`, load the dumped seeds without --force."""
    edit_through_the_api(*curator)
    with Session(loaded) as session:
        dump_seeds(session, tmp_path)
    result = apply_seeds(loaded, read_seeds(tmp_path))
    assert result.conflicts == []
    # the figures after the deleted one move up a place in its activity's list
    assert [str(change) for change in result.changes] == [
        "~ figure 2023-story-10-police-officers-convicted (position)",
        "~ figure 2023-story-10-armed-group-members-convicted (position)",
    ]
    assert _notes_and_keys(loaded)[0] == "Curated."


def test_an_edit_undone_through_the_api_does_not_block(
    loaded: Engine, seeds: SeedSet, curator: tuple[TestClient, dict[str, str]]
) -> None:
    client, key = curator
    path = f"/v1/figures/{EDITED}"
    for note in ("Curated.", _notes_and_keys(loaded)[0]):
        response = client.patch(
            path, json={"note": note}, headers={**key, **_if_match(client, path)}
        )
        assert response.status_code == 200
    result = apply_seeds(loaded, seeds)
    assert (result.changes, result.conflicts) == ([], [])


def test_only_if_empty_loads_an_empty_database_and_leaves_data_alone(
    scratch_engine: Engine, seeds: SeedSet
) -> None:
    with Session(scratch_engine) as session:
        create_key(session, "made-before-the-first-start", Scope.WRITE)
        session.commit()
    first = apply_seeds(scratch_engine, seeds, only_if_empty=True)
    assert not first.skipped
    assert first.summary() == "329 changes: 329 created, 0 updated, 0 deleted"
    with Session(scratch_engine) as session:
        session.execute(update(Figure).where(Figure.key == EDITED).values(note="By hand."))
        session.commit()
    second = apply_seeds(scratch_engine, seeds, only_if_empty=True)
    assert second.skipped and second.changes == []
    assert _notes_and_keys(scratch_engine)[0] == "By hand."
    assert len(_loads(scratch_engine)) == 1


def test_a_database_seeded_before_the_marks_counts_later_edits(
    loaded: Engine, seeds: SeedSet, curator: tuple[TestClient, dict[str, str]]
) -> None:
    edit_through_the_api(*curator)
    migrations.downgrade(loaded, "0006")
    migrations.upgrade(loaded)
    with Session(loaded) as session:
        last_seed_event = session.scalar(
            select(func.max(AuditEvent.id)).where(AuditEvent.actor == audit.SEED_LOADER)
        )
    assert [mark for mark, _, _ in _loads(loaded)] == [last_seed_event]
    with pytest.raises(SeedsWouldDiscardEdits) as refused:
        apply_seeds(loaded, seeds)
    assert _conflict_lines(refused.value) == EXPECTED


def test_a_load_waits_for_a_write_in_flight_and_then_sees_it(
    loaded: Engine, seeds: SeedSet
) -> None:
    """Without the lock the load would read the old row, wait on its row lock, then
    overwrite the committed edit without a word."""
    outcome: list[BaseException | LoadResult] = []
    with Session(loaded) as writer:
        audit.share_writes_lock(writer)  # as every API write does first
        writer.execute(update(Figure).where(Figure.key == EDITED).values(note="In flight."))
        audit.record(
            writer,
            actor="editor",
            resource="figure",
            resource_id=EDITED,
            action=AuditAction.UPDATE,
        )
        writer.flush()

        def load() -> None:
            try:
                outcome.append(apply_seeds(loaded, seeds))
            except BaseException as exc:  # handed to the test thread
                outcome.append(exc)

        loader = threading.Thread(target=load)
        loader.start()
        time.sleep(0.5)
        assert loader.is_alive() and outcome == []
        writer.commit()
    loader.join(timeout=30)
    assert not loader.is_alive()
    assert isinstance(outcome[0], SeedsWouldDiscardEdits)
    assert _conflict_lines(outcome[0]) == [f"revert figure {EDITED} update editor"]
    assert _notes_and_keys(loaded)[0] == "In flight."
    with loaded.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM seed_load")) == 1
