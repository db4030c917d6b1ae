"""The deployment files hold together (no Docker engine runs here to try them)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
import yaml
from typer.testing import CliRunner

from app.cli import cli
from app.config import PROJECT_ROOT, Settings


def test_compose_runs_postgres_and_the_api() -> None:
    compose = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())
    db, api = compose["services"]["db"], compose["services"]["api"]
    assert db["image"].startswith("postgres:")
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    assert db["volumes"][0] == "pgdata:/var/lib/postgresql/data"
    assert "pgdata" in compose["volumes"]
    assert api["build"] == "."
    assert api["depends_on"] == {"db": {"condition": "service_healthy"}}
    assert api["environment"]["CRSV_DATABASE_URL"].startswith("postgresql://crsv:crsv@db:5432/")


def test_the_scale_profile_puts_replica_pooler_instances_and_balancer_together() -> None:
    """`--profile scale`: primary `db`, its streaming replica, PgBouncer in transaction mode
    over both, two API instances reading from the replica, nginx in front of the two."""
    services = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())["services"]
    scaled = {name for name, service in services.items() if "scale" in service.get("profiles", [])}
    assert scaled == SCALED
    assert "profiles" not in services["db"] and "profiles" not in services["api"]
    for name, service in services.items():  # every file a service mounts is in the repository
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("./"):
                assert (PROJECT_ROOT / source).is_file(), (name, source)
    replica = services["db-replica"]
    script = (PROJECT_ROOT / "deploy/postgres/replica.sh").read_text()
    assert replica["entrypoint"] == ["/replica.sh"] and "pg_basebackup" in script
    assert replica["environment"]["PRIMARY_HOST"] == "db"
    assert "REPLICATION" in (PROJECT_ROOT / "deploy/postgres/replication.sh").read_text()
    bouncer = (PROJECT_ROOT / "deploy/pgbouncer/pgbouncer.ini").read_text()
    assert "pool_mode = transaction" in bouncer
    assert "host=db " in bouncer and "host=db-replica " in bouncer
    for name in ("api-1", "api-2"):
        env = services[name]["environment"]
        assert env["CRSV_DATABASE_URL"].endswith("@pgbouncer:6432/crsv")
        assert env["CRSV_DATABASE_REPLICA_URLS"].endswith("@pgbouncer:6432/crsv_replica")
        assert env["CRSV_DB_TRANSACTION_POOLER"] == "true"
        assert services[name]["depends_on"]["api"] == {"condition": "service_healthy"}
        assert set(env) <= set(Settings.model_fields) | {
            f"CRSV_{field.upper()}" for field in Settings.model_fields
        }
    nginx = (PROJECT_ROOT / "deploy/nginx/crsv.conf").read_text()
    assert "server api-1:8000" in nginx and "server api-2:8000" in nginx
    assert services["lb"]["ports"] == ["8080:80"]


SCALED = {"db-replica", "pgbouncer", "api-1", "api-2", "lb"}


@pytest.mark.scale
def test_docker_compose_config_accepts_the_file_with_the_scale_profile() -> None:
    """`docker-compose config` (Debian's docker-compose, which `make test-scale` installs)
    validates the file against the Compose schema and renders it; it needs no Docker engine.
    An unknown option or a wrong `depends_on` condition makes it fail."""
    compose = shutil.which("docker-compose")
    assert compose is not None, "docker-compose is missing: `make docker-compose` installs it"
    done = subprocess.run(
        [compose, "--file", "docker-compose.yml", "--profile", "scale", "config"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    services = yaml.safe_load(done.stdout)["services"]
    assert set(services) == {"db", "api"} | SCALED
    assert services["api-2"]["environment"] == services["api-1"]["environment"]
    assert services["lb"]["depends_on"] == {
        "api-1": {"condition": "service_healthy"},
        "api-2": {"condition": "service_healthy"},
    }


def instructions(dockerfile: str) -> list[tuple[str, str]]:
    """The Dockerfile's instructions as (KEYWORD, arguments), comments and line joins undone."""
    joined = re.sub(r"\\\n", " ", dockerfile)
    parsed = []
    for line in joined.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            keyword, _, arguments = line.strip().partition(" ")
            parsed.append((keyword.upper(), arguments.strip()))
    return parsed


def test_the_pooler_image_runs_debian_s_pgbouncer_on_the_mounted_config() -> None:
    """The `pgbouncer` service's image: Debian's package, the repository's config copied where
    the command reads it, not run as root, on the port the API instances' URLs name."""
    steps = instructions((PROJECT_ROOT / "deploy/pgbouncer/Dockerfile").read_text())
    assert steps[0] == ("FROM", "debian:bookworm-slim")
    [run] = [args.split() for keyword, args in steps if keyword == "RUN"]
    assert run[run.index("install") - 1 : run.index("install") + 1] == ["apt-get", "install"]
    assert "pgbouncer" in run[run.index("install") :]
    [copied] = [args.split() for keyword, args in steps if keyword == "COPY"]
    assert copied == ["pgbouncer.ini", "userlist.txt", "/etc/pgbouncer/"]
    assert all((PROJECT_ROOT / "deploy/pgbouncer" / source).is_file() for source in copied[:-1])
    assert ("USER", "postgres") in steps
    assert ("EXPOSE", "6432") in steps
    [cmd] = [args for keyword, args in steps if keyword == "CMD"]
    assert json.loads(cmd) == ["pgbouncer", "/etc/pgbouncer/pgbouncer.ini"]
    assert steps[-1][0] == "CMD"


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
