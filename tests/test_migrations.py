from __future__ import annotations

import subprocess
import sys

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from app.db import migrations, revisions
from app.db.base import Base


def test_upgrade_downgrade_upgrade(scratch_engine: Engine) -> None:
    assert "figure" in inspect(scratch_engine).get_table_names()
    migrations.downgrade(scratch_engine, "base")
    assert set(inspect(scratch_engine).get_table_names()) == {"alembic_version"}
    migrations.upgrade(scratch_engine)
    with scratch_engine.connect() as connection:
        assert migrations.current_revision(connection) == migrations.head_revision()


def test_models_match_migrations(scratch_engine: Engine) -> None:
    with scratch_engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_every_constraint_is_named_by_convention(scratch_engine: Engine) -> None:
    inspector = inspect(scratch_engine)
    for table in inspector.get_table_names():
        for check in inspector.get_check_constraints(table):
            assert str(check["name"]).startswith(f"ck_{table}_")
        for fk in inspector.get_foreign_keys(table):
            assert str(fk["name"]).startswith(f"fk_{table}_")
        for unique in inspector.get_unique_constraints(table):
            assert str(unique["name"]).startswith(f"uq_{table}_")


def test_the_server_reads_revisions_as_alembic_does(scratch_engine: Engine) -> None:
    assert revisions.code_head() == migrations.head_revision()
    with scratch_engine.connect() as connection:
        assert revisions.database_revision(connection) == migrations.current_revision(connection)
    migrations.downgrade(scratch_engine, "base")
    with scratch_engine.connect() as connection:
        assert revisions.database_revision(connection) is None
    migrations.upgrade(scratch_engine, "0002")
    with scratch_engine.connect() as connection:
        assert revisions.database_revision(connection) == "0002"


def test_the_api_server_does_not_load_alembic_or_xlsxwriter() -> None:
    """Each server process keeps ~14 MB less until a migration or a workbook is asked for."""
    loaded = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from app.main import create_app; create_app(); "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'alembic', 'xlsxwriter'}))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert loaded.stdout.strip() == "[]"
