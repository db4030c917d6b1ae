"""Which migration the code and a database are at, without loading Alembic.

The API server needs both for its readiness probe, and loading Alembic's script machinery just
for that costs each server process 10 MB of its memory. The migration files state their own
`revision` and `down_revision`; the alembic_version table holds the database's. Running and
managing migrations stays with Alembic (app/db/migrations.py); a test keeps the two readings
equal.
"""

from __future__ import annotations

import re

from sqlalchemy import Connection, inspect, text

from app.config import PROJECT_ROOT

VERSIONS = PROJECT_ROOT / "migrations" / "versions"
_ASSIGNED = r"^{name}\s*(?::[^=\n]*)?=\s*(?:[\"']([^\"']+)[\"']|None)"
_REVISION = re.compile(_ASSIGNED.format(name="revision"), re.MULTILINE)
_DOWN_REVISION = re.compile(_ASSIGNED.format(name="down_revision"), re.MULTILINE)


def code_head() -> str:
    """The one migration no other builds on."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in VERSIONS.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        revision, down = _REVISION.search(source), _DOWN_REVISION.search(source)
        if revision is None or down is None:
            raise RuntimeError(f"{path.name} does not state its revision and down_revision")
        revisions.add(revision.group(1))
        if down.group(1):
            parents.add(down.group(1))
    heads = revisions - parents
    if len(heads) != 1:
        raise RuntimeError(f"expected one migration head, found {sorted(heads)}")
    return heads.pop()


def database_revision(connection: Connection) -> str | None:
    """The database's migration, or None when it was never migrated."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    revision: str | None = connection.scalar(text("SELECT version_num FROM alembic_version"))
    return revision
