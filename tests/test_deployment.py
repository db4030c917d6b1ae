"""The deployment files hold together (no Docker engine runs here to try them)."""

from __future__ import annotations

import json
import re

import yaml
from typer.testing import CliRunner

from app.cli import cli
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


def instructions(dockerfile: str) -> list[tuple[str, str]]:
    """The Dockerfile's instructions as (KEYWORD, arguments), comments and line joins undone."""
    joined = re.sub(r"\\\n", " ", dockerfile)
    parsed = []
    for line in joined.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            keyword, _, arguments = line.strip().partition(" ")
            parsed.append((keyword.upper(), arguments.strip()))
    return parsed


def test_image_migrates_seeds_and_serves() -> None:
    steps = instructions((PROJECT_ROOT / "Dockerfile").read_text())
    copied = [args.split() for keyword, args in steps if keyword == "COPY"]
    assert copied == [
        ["pyproject.toml", "README.md", "alembic.ini", "./"],
        ["app", "app"],
        ["migrations", "migrations"],
        ["seeds", "seeds"],
    ]
    for *sources, _ in copied:
        assert all((PROJECT_ROOT / source).exists() for source in sources), sources
    [cmd] = [args for keyword, args in steps if keyword == "CMD"]
    assert json.loads(cmd) == [
        "sh",
        "-c",
        "crsv db upgrade && crsv seed --if-empty && exec crsv serve",
    ]
    [env] = [args for keyword, args in steps if keyword == "ENV" and "CRSV_" in args]
    assert dict(pair.split("=", 1) for pair in env.split()) == {
        "CRSV_HOST": "0.0.0.0",
        "CRSV_PORT": "8000",
        "CRSV_LOG_FORMAT": "json",
    }
    assert ("EXPOSE", "8000") in steps
    assert ("USER", "crsv") in steps
    assert [keyword for keyword, _ in steps][-1] == "CMD"


def test_the_image_command_runs_commands_that_exist() -> None:
    """Each `crsv` step of the image's CMD is a command the CLI has, with its options."""
    [cmd] = [
        args
        for keyword, args in instructions((PROJECT_ROOT / "Dockerfile").read_text())
        if keyword == "CMD"
    ]
    script = json.loads(cmd)[2]
    for step in script.split(" && "):
        words = step.removeprefix("exec ").split()
        assert words[0] == "crsv", step
        outcome = CliRunner().invoke(cli, [*words[1:], "--help"])
        assert outcome.exit_code == 0, (step, outcome.output)
