"""An answer kept per version of the data (app/queries/versions.py, the overview's): computed
once while nothing is written, again after an audited write, and never kept from a snapshot in
which a write transaction was under way."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from app import audit
from app.enums import AuditAction
from app.models import Country
from app.queries.versions import PerVersion, settled_version


class Counted:
    """The number of countries, and how many times it was read."""

    def __init__(self) -> None:
        self.reads = 0

    def __call__(self, session: Session) -> dict[str, int]:
        self.reads += 1
        return {"countries": session.scalar(select(func.count()).select_from(Country)) or 0}


@pytest.fixture
def kept(scratch_engine: Engine) -> Iterator[tuple[PerVersion, Counted]]:
    counted = Counted()
    yield PerVersion(counted), counted


def _read(engine: Engine, per_version: PerVersion) -> dict[str, int]:
    with Session(engine) as session:
        answer: dict[str, int] = per_version(session)
        return answer


def _add_country(engine: Engine, iso3: str, *, audited: bool = True) -> None:
    with Session(engine) as session:
        session.add(Country(iso3=iso3, name=f"Country {iso3}"))
        if audited:
            audit.record(
                session, actor="test", resource="countries", resource_id=iso3,
                action=AuditAction.CREATE,
            )  # fmt: skip
        session.commit()


def test_an_answer_is_read_once_per_version_and_again_after_an_audited_write(
    scratch_engine: Engine, kept: tuple[PerVersion, Counted]
) -> None:
    per_version, counted = kept
    assert _read(scratch_engine, per_version) == {"countries": 0}
    assert _read(scratch_engine, per_version) == {"countries": 0}
    assert counted.reads == 1
    _add_country(scratch_engine, "AAA")
    assert _read(scratch_engine, per_version) == {"countries": 1}
    assert _read(scratch_engine, per_version) == {"countries": 1}
    assert counted.reads == 2


def test_each_caller_gets_its_own_copy(
    scratch_engine: Engine, kept: tuple[PerVersion, Counted]
) -> None:
    per_version, _ = kept
    first = _read(scratch_engine, per_version)
    first["countries"] = 99
    assert _read(scratch_engine, per_version) == {"countries": 0}


def test_nothing_is_kept_while_a_write_transaction_is_under_way(
    scratch_engine: Engine, kept: tuple[PerVersion, Counted]
) -> None:
    """A write in progress may audit a lower id than a later one yet commit after it: the
    version read beside it names no single state of the data."""
    per_version, counted = kept
    with scratch_engine.connect() as writer:
        writer.execute(text("SELECT pg_current_xact_id()"))  # a transaction id: a writer
        with Session(scratch_engine) as session:
            assert settled_version(session) is None
        assert _read(scratch_engine, per_version) == {"countries": 0}
        assert _read(scratch_engine, per_version) == {"countries": 0}
        assert counted.reads == 2
        writer.rollback()
    assert _read(scratch_engine, per_version) == {"countries": 0}
    assert _read(scratch_engine, per_version) == {"countries": 0}
    assert counted.reads == 3


def test_a_transaction_that_wrote_reads_its_own_answer_and_keeps_none(
    scratch_engine: Engine, kept: tuple[PerVersion, Counted]
) -> None:
    per_version, counted = kept
    with Session(scratch_engine) as session:
        session.add(Country(iso3="BBB", name="Country BBB"))
        session.flush()
        assert per_version(session) == {"countries": 1}
        assert per_version(session) == {"countries": 1}
        session.rollback()
    assert counted.reads == 2
    assert _read(scratch_engine, per_version) == {"countries": 0}
    assert counted.reads == 3


def test_a_database_made_again_is_not_taken_for_the_one_before(
    scratch_engine: Engine,
) -> None:
    """The version is kept with the database's oid: a database dropped and created again
    under the same name starts at version 0 again, with other data."""
    with Session(scratch_engine) as session:
        found = settled_version(session)
        oid = session.scalar(text("SELECT oid FROM pg_database WHERE datname = current_database()"))
    assert found == (oid, 0)
