"""The deployment files hold together (no Docker engine runs here to try them)."""

from __future__ import annotations

import yaml

from app.config import PROJECT_ROOT


def test_compose_runs_postgres_and_the_api() -> None:
    compose = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())
    db, api = compose["services"]["db"], compose["services"]["api"]
    assert db["image"].startswith("postgres:")
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert db["volumes"] == ["pgdata:/var/lib/postgresql/data"]
    assert "pgdata" in compose["volumes"]
    assert api["build"] == "."
    assert api["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert api["environment"]["CRSV_DATABASE_URL"].startswith("postgresql://crsv:crsv@db:5432/")


def test_image_migrates_seeds_and_serves() -> None:
    dockerfile = (PROJECT_ROOT / "Dockerfile").read_text()
    assert (
        'CMD ["sh", "-c", "crsv db upgrade && crsv seed --if-empty && exec crsv serve"]'
        in dockerfile
    )
    for needed in ("app", "migrations", "seeds", "alembic.ini"):
        assert needed in dockerfile
