"""`crsv`: the operator's command line (database, seeds, server)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from sqlalchemy import Engine

from app.config import get_settings
from app.enums import Scope
from app.logging import configure_logging

if TYPE_CHECKING:
    from app.seeding.guard import Conflict

cli = typer.Typer(help="Operate the crsv-data service.", no_args_is_help=True)
db_cli = typer.Typer(help="Database schema migrations.", no_args_is_help=True)
seed_cli = typer.Typer(help="Load the curated seed data (run without a subcommand to load).")
cli.add_typer(db_cli, name="db")
keys_cli = typer.Typer(help="API keys for the write API and the audit trail.", no_args_is_help=True)
cli.add_typer(seed_cli, name="seed")
cli.add_typer(keys_cli, name="keys")


@contextmanager
def _engine() -> Iterator[Engine]:
    """An engine for one command, disposed (connections closed) when it is done."""
    from app.db.engine import build_engine
    from app.db.url import resolve_database_url

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    engine = build_engine(resolve_database_url(settings), settings)
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def _refused_migrations() -> Iterator[None]:
    """Alembic's refusals (an unknown revision, say) in one line, as `crsv seed` refuses."""
    from alembic.util import CommandError

    try:
        yield
    except CommandError as exc:
        typer.echo(f"crsv db: {exc}", err=True)
        raise typer.Exit(1) from exc


@db_cli.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Migrate the database schema up to REVISION (default: the latest)."""
    from app.db import migrations

    with _engine() as engine, _refused_migrations():
        migrations.upgrade(engine, revision)
    typer.echo(f"database upgraded to {revision}")


@db_cli.command("downgrade")
def db_downgrade(revision: Annotated[str, typer.Argument()] = "-1") -> None:
    """Migrate the database schema down to REVISION (default: one step)."""
    from app.db import migrations

    with _engine() as engine, _refused_migrations():
        migrations.downgrade(engine, revision)
    typer.echo(f"database downgraded to {revision}")


@db_cli.command("current")
def db_current() -> None:
    """Print the migration the database is at, and the latest one."""
    from app.db import migrations

    with _engine() as engine, engine.connect() as connection:
        current = migrations.current_revision(connection)
    typer.echo(f"current: {current}  head: {migrations.head_revision()}")


@seed_cli.callback(invoke_without_command=True)
def seed(
    ctx: typer.Context,
    dry_run: Annotated[bool, typer.Option(help="Show what would change; write nothing.")] = False,
    seeds_dir: Annotated[Path | None, typer.Option(help="Seed folder (default: seeds/).")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List every change.")] = False,
    force: Annotated[
        bool, typer.Option(help="Load even if that deletes or reverts API edits.")
    ] = False,
    if_empty: Annotated[
        bool, typer.Option(help="Load only into a database with no data yet (as `up` does).")
    ] = False,
) -> None:
    """Load the seeds in one transaction: upsert by identifier, remove what left the seeds.

    Refused, with the list, if that would delete or revert records edited through the API
    since the last load: `crsv seed dump` them into the seeds first, or `--force`.
    """
    if ctx.invoked_subcommand is None:
        _load_seeds(
            dry_run=dry_run, seeds_dir=seeds_dir, verbose=verbose, force=force, if_empty=if_empty
        )


def _load_seeds(
    *,
    dry_run: bool,
    seeds_dir: Path | None,
    verbose: bool,
    force: bool = False,
    if_empty: bool = False,
) -> None:
    from app.seeding.errors import SeedError
    from app.seeding.guard import SeedsWouldDiscardEdits
    from app.seeding.loader import apply_seeds
    from app.seeding.reader import read_seeds

    try:
        seeds = read_seeds(seeds_dir or get_settings().seeds_dir)
    except SeedError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    with _engine() as engine:
        try:
            result = apply_seeds(
                engine, seeds, dry_run=dry_run, force=force, only_if_empty=if_empty
            )
        except SeedsWouldDiscardEdits as exc:
            _echo_conflicts(exc.conflicts, "refused, nothing written: the seeds would")
            typer.echo(
                "Save these edits first: `crsv seed dump`, review `git diff seeds/`, commit; "
                "or discard them with `crsv seed --force`.",
                err=True,
            )
            raise typer.Exit(1) from exc
    if result.skipped:
        typer.echo(
            "seeds not loaded: the database already holds data, which is kept as it is "
            "(`crsv seed` loads seed changes)"
        )
        return
    if dry_run or verbose:
        for change in result.changes:
            typer.echo(str(change))
    if result.conflicts:
        _echo_conflicts(
            result.conflicts,
            "without --force, refused: the seeds would" if dry_run else "forced: the seeds",
        )
    done = "dry run, nothing written" if dry_run else "seeds loaded"
    typer.echo(("empty database, " if if_empty else "") + f"{done}: {result.summary()}")


def _echo_conflicts(conflicts: Sequence[Conflict], lead: str) -> None:
    typer.echo(
        f"{lead} delete or revert {len(conflicts)} records edited through the API "
        "since the last seed load:",
        err=True,
    )
    for conflict in conflicts:
        typer.echo(f"  {conflict}", err=True)


@seed_cli.command("dump")
def seed_dump(
    seeds_dir: Annotated[Path | None, typer.Option(help="Seed folder (default: seeds/).")] = None,
) -> None:
    """Write the database back to seed files, so API edits can be reviewed and committed."""
    from sqlalchemy.orm import Session

    from app.seeding.dump import dump_seeds

    root = seeds_dir or get_settings().seeds_dir
    with _engine() as engine, Session(engine) as session:
        written = dump_seeds(session, root)
    typer.echo(f"{len(written)} seed files written under {root}")


@seed_cli.command("check")
def seed_check(
    report: Annotated[Path, typer.Option(help="Markdown text of the report edition.")],
    edition: Annotated[int, typer.Option(help="Edition year of the seeds to check.")] = 2023,
    seeds_dir: Annotated[Path | None, typer.Option(help="Seed folder (default: seeds/).")] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List every number.")] = False,
) -> None:
    """Prove every figure against the report text and account for every number in it."""
    from app.seeding.errors import SeedError
    from app.seeding.reader import read_seeds
    from app.seeding.source_check import check_edition

    if not report.is_file():
        typer.echo(
            f"No report text at {report}: "
            "pass --report PATH, PATH being the edition's Markdown text.",
            err=True,
        )
        raise typer.Exit(2)
    try:
        seeds = read_seeds(seeds_dir or get_settings().seeds_dir)
    except SeedError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(1) from exc
    matching = [e for e in seeds.editions if e.report.edition_year == edition]
    if not matching:
        typer.echo(f"no seeds for the {edition} edition", err=True)
        raise typer.Exit(1)
    result = check_edition(matching[0], report)
    if verbose:
        for number in result.numbers:
            typer.echo(f"{number.token:>8}  {number.covered_by or 'UNCOVERED'}")
    for miss in result.misses:
        typer.echo(f"MISS {miss}", err=True)
    typer.echo(result.coverage_line())
    if not result.ok:
        raise typer.Exit(1)


@keys_cli.command("create")
def keys_create(
    name: Annotated[str, typer.Option(help="Who or what uses the key (shown in the audit).")],
    scope: Annotated[Scope, typer.Option(help="read, write or admin")],
) -> None:
    """Create a key and print it once; only its hash is kept."""
    from sqlalchemy.orm import Session

    from app.auth.service import KeyNameTaken, create_key

    with _engine() as engine, Session(engine) as session:
        try:
            token = create_key(session, name, scope)
        except KeyNameTaken as exc:
            typer.echo(f"a key named {name!r} already exists", err=True)
            raise typer.Exit(1) from exc
        session.commit()
    typer.echo(token)
    typer.echo(f"key {name!r} ({scope}) created; store it now, it cannot be shown again", err=True)


@keys_cli.command("list")
def keys_list() -> None:
    """List keys: name, scope, creation, last use, revocation (never the secret)."""
    from sqlalchemy.orm import Session

    from app.auth.service import list_keys

    with _engine() as engine, Session(engine) as session:
        for key in list_keys(session):
            state = f"revoked {key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "active"
            used = f"{key.last_used_at:%Y-%m-%d %H:%M}" if key.last_used_at else "never"
            typer.echo(
                f"{key.name}\t{key.scope}\tcrsv_{key.prefix}_…\tcreated "
                f"{key.created_at:%Y-%m-%d}\tlast used {used}\t{state}"
            )


@keys_cli.command("revoke")
def keys_revoke(name: Annotated[str, typer.Argument(help="Name of the key.")]) -> None:
    """Revoke a key at once; it is kept for the audit trail."""
    from sqlalchemy.orm import Session

    from app.auth.service import revoke_key

    with _engine() as engine, Session(engine) as session:
        revoked = revoke_key(session, name)
        session.commit()
    if not revoked:
        typer.echo(f"no active key named {name!r}", err=True)
        raise typer.Exit(1)
    typer.echo(f"key {name!r} revoked")


@cli.command("serve")
def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
    workers: Annotated[int | None, typer.Option(help="Worker processes.")] = None,
) -> None:
    """Serve the API with uvicorn (starting the embedded database when none is configured)."""
    import uvicorn

    from app.db.supervisor import supervised
    from app.db.url import embedded_server, resolve_database_url
    from app.http_protocol import HeaderTimeoutProtocol

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    resolve_database_url(settings)  # start the embedded server once, in this process
    workers = workers or settings.workers
    if workers > 1 and embedded_server() is None:
        _fork_preloaded_workers()
    with supervised(embedded_server()):  # restarted if it dies while the API runs
        uvicorn.run(
            "app.main:create_app",
            factory=True,
            host=host or settings.host,
            port=port or settings.port,
            workers=workers,
            log_config=None,
            http=HeaderTimeoutProtocol,
            # the app believes X-Forwarded-For only from CRSV_TRUSTED_PROXIES (app.main);
            # uvicorn's own handling would believe any local peer (its forwarded_allow_ips)
            proxy_headers=False,
            server_header=False,
        )


def _fork_preloaded_workers() -> None:
    """Start uvicorn's workers by forking this process once it has imported the app, rather
    than as fresh interpreters that each import it again (uvicorn's `spawn`).

    The modules' code, classes and the Pydantic and SQLAlchemy structures built at import
    (about 60 MB) are then pages the workers share with this process until one writes to
    them, and `gc.freeze()` keeps the collector from writing to every object it scans: idle
    PSS per worker drops from about 88 to about 60 MB (bench/memory.py, notes in README).
    Each worker still builds its own app, engine, pool and threads in `create_app` and its
    lifespan, after the fork, and starts with the signal dispositions of a fresh interpreter,
    not the supervisor's. Only with a configured database: with the embedded server this
    process also runs the watchdog thread and SIGTERM handling a fork must not copy. A SIGHUP
    (uvicorn's restart of every worker) forks the code already loaded: restart `crsv serve`
    itself to run new code.
    """
    import gc
    import multiprocessing
    import os
    import signal

    import uvicorn._subprocess
    from uvicorn.supervisors.multiprocess import SIGNALS

    import app.main  # noqa: F401  (the imports each worker would otherwise repeat)

    def fresh_signals() -> None:
        """Undo, in a forked worker, the handlers uvicorn's supervisor set for itself."""
        for number in SIGNALS:
            default = signal.default_int_handler if number == signal.SIGINT else signal.SIG_DFL
            signal.signal(number, default)

    os.register_at_fork(after_in_child=fresh_signals)
    gc.collect()
    gc.freeze()
    # uvicorn's supervisor starts (and restarts) every worker through this context
    uvicorn._subprocess.spawn = multiprocessing.get_context("fork")  # type: ignore[assignment]


@cli.command("export")
def export(
    dataset: Annotated[
        str,
        typer.Argument(
            help="missions, objectives, countries, locations, "
            "partners, stories, activities, figures, ..."
        ),
    ],
    fmt: Annotated[str, typer.Option("--format", "-f", help="csv, ndjson, json or xlsx")] = "csv",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File (default: stdout)")
    ] = None,
    filters: Annotated[
        list[str] | None,
        typer.Option(
            "--filter", help="NAME=VALUES, as in the API (mission=monusco,minusca); repeatable."
        ),
    ] = None,
    hxl: Annotated[bool, typer.Option(help="CSV: add the HXL hashtag row.")] = False,
    bom: Annotated[
        bool, typer.Option(help="CSV: start with the UTF-8 byte-order mark, for Excel.")
    ] = False,
) -> None:
    """Export a dataset like GET /v1/exports/DATASET.FORMAT, with a progress bar on a terminal."""
    from datetime import date

    from app.exports.writers import MEDIA_TYPES
    from app.queries.datasets import DatasetName

    csv_only = (hxl or bom) and fmt != "csv"
    if dataset not in list(DatasetName) or fmt not in MEDIA_TYPES or csv_only:
        typer.echo(
            f"unknown dataset or format: {dataset} {fmt} (datasets: {', '.join(DatasetName)}; "
            f"formats: {', '.join(MEDIA_TYPES)}; HXL and BOM are CSV-only)",
            err=True,
        )
        raise typer.Exit(2)
    raw: dict[str, object] = {}
    given: list[tuple[str, str]] = []
    for item in filters or []:
        name, _, value = item.partition("=")
        raw[name] = date.fromisoformat(value) if name in ("date_from", "date_to") else value
        given.append((name, value))
    with _engine() as engine:
        total = _write_export(engine, dataset, raw, fmt, output, hxl=hxl, bom=bom, given=given)
    if output:
        typer.echo(f"{total} {dataset} written to {output}", err=True)


def _write_export(
    engine: Engine,
    dataset: str,
    raw: dict[str, object],
    fmt: str,
    output: Path | None,
    *,
    hxl: bool,
    bom: bool,
    given: list[tuple[str, str]],
) -> int:
    import sys

    from rich.progress import Progress
    from sqlalchemy import func, select
    from sqlalchemy.orm import Session

    from app.errors import InvalidParameters
    from app.exports.files import file_chunks
    from app.exports.stream import export_statement
    from app.queries.datasets import resolve_selection

    with Session(engine) as session:
        try:
            selection = resolve_selection(session, dataset, raw)
        except InvalidParameters as exc:
            for error in exc.errors or []:
                typer.echo(f"--filter {error['name']}: {error['reason']}", err=True)
            raise typer.Exit(2) from exc
        statement = export_statement(dataset, selection)
        total = session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    row_end = {"csv": b"\r\n", "ndjson": b"\n"}.get(fmt)
    chunks = file_chunks(engine, dataset, selection, fmt, hxl=hxl, bom=bom, given=given)
    sink = output.open("wb") if output else sys.stdout.buffer
    show_progress = output is not None and sys.stderr.isatty()
    try:
        with Progress(disable=not show_progress, transient=True) as progress:
            task = progress.add_task(f"{dataset}.{fmt}", total=total)
            for chunk in chunks:
                sink.write(chunk)
                if row_end:  # one per record (a CSV's header lines count too)
                    progress.advance(task, chunk.count(row_end))
    finally:
        chunks.close()
        if output:
            sink.close()
    return total


@cli.command("up")
def up(
    host: Annotated[str | None, typer.Option(help="Interface to bind.")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on.")] = None,
) -> None:
    """Everything `make run` needs: migrate, load the seeds into an empty database, serve.

    A database with data keeps it: a restart never deletes or reverts an API edit.
    """
    db_upgrade("head")
    _load_seeds(dry_run=False, seeds_dir=None, verbose=False, if_empty=True)
    serve(host=host, port=port, workers=None)


def main() -> None:
    cli()
