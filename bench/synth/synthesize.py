"""Fill an empty database with synthetic data at scale: `synthesize(engine, figures)`.

Fills an already-migrated, empty database with 16 report editions (2015-2030), 15 missions, the
five objectives, the real metric and activity-type vocabularies, real and invented places and
partners, and `figures` figures in stories and activities whose distributions are drawn from the
real report (see `bench.synth.content`). Deterministic for a given seed.

Loading goes through PostgreSQL COPY (psycopg 3) in one transaction: the tables are truncated
first so that COPY can write frozen rows (no later hint-bit or freeze rewrite); secondary indexes
and foreign keys of the content tables are set aside meanwhile (`bench.synth.bulk`). Every CHECK
and unique constraint stays in force during the load. VACUUM ANALYZE ends the load.
"""

from __future__ import annotations

import random
from pathlib import Path

from sqlalchemy import Engine

from app.config import PROJECT_ROOT
from app.seeding.reader import read_seeds
from bench.synth.bulk import TABLES, Loader, drop_secondary
from bench.synth.content import make_plan, templates
from bench.synth.reference import MISSION_WEIGHTS, build_reference
from bench.synth.rows import (
    Progress,
    activity_lines,
    figure_lines,
    report_lines,
    rows,
    story_lines,
)


def synthesize(
    engine: Engine,
    figures: int,
    *,
    seed: int = 2023,
    progress: Progress | None = None,
    seeds_dir: Path | None = None,
) -> dict[str, int]:
    """Fill the migrated, empty database behind `engine` with `figures` synthetic figures.

    Returns the number of rows per table. Raises `ValueError` if the database already holds
    report data.
    """
    if figures < 0:
        raise ValueError("figures must be >= 0")
    seeds = read_seeds(seeds_dir or PROJECT_ROOT / "seeds")
    tpl = templates(seeds)
    ref = build_reference(seeds, random.Random(f"{seed}-reference"))
    mission_ids = [row[0] for row in ref.missions]
    weights = [float(MISSION_WEIGHTS.get(str(row[1]), 3)) for row in ref.missions]
    plan = make_plan(figures, tpl, mission_ids, weights, random.Random(f"{seed}-plan"))  # type: ignore[arg-type]

    raw = engine.raw_connection()
    try:
        conn = raw.driver_connection
        assert conn is not None
        with conn.cursor() as cur:
            for table in TABLES:
                cur.execute(f"SELECT EXISTS (SELECT FROM {table})")
                if cur.fetchone()[0]:
                    raise ValueError(f"table {table} is not empty; synthesize needs an empty DB")
            cur.execute("SET LOCAL synchronous_commit = off")
            cur.execute("SET LOCAL maintenance_work_mem = '512MB'")
            # TRUNCATE in this transaction lets COPY write frozen, all-visible rows
            cur.execute(f"TRUNCATE {', '.join(TABLES)}")
            restore = drop_secondary(cur)
            load = Loader(cur)
            load.copy("metric", rows(ref.metrics))
            load.copy("activity_type", rows(ref.activity_types))
            load.copy("objective", rows(ref.objectives))
            load.copy("country", rows(ref.countries))
            load.copy("mission", rows(ref.missions))
            load.copy("location", rows(ref.locations))
            load.copy("partner", rows(ref.partners))
            load.copy("report", report_lines(tpl))
            story_links: tuple[list[str], list[str]] = ([], [])
            load.copy(
                "story", story_lines(plan, tpl, ref, random.Random(f"{seed}-story"), story_links)
            )
            load.copy("story_mission", story_links[0])
            load.copy("story_country", story_links[1])
            del story_links
            activity_links: tuple[list[str], list[str]] = ([], [])
            load.copy(
                "activity",
                activity_lines(
                    plan, tpl, ref, random.Random(f"{seed}-activity"), activity_links, ref.type_id
                ),
            )
            load.copy("activity_location", activity_links[0])
            load.copy("activity_partner", activity_links[1])
            del activity_links
            load.copy(
                "figure",
                figure_lines(plan, tpl, ref, random.Random(f"{seed}-figure"), figures, progress),
            )
            for statement in restore:
                cur.execute(statement)
            for table in TABLES:
                if table in {
                    "story_mission",
                    "story_country",
                    "activity_location",
                    "activity_partner",
                }:
                    continue
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"coalesce(max(id), 0) + 1, false) FROM {table}"
                )
        conn.commit()
        conn.autocommit = True
        try:
            with conn.cursor() as cur:
                cur.execute(f"VACUUM (ANALYZE) {', '.join(TABLES)}")
                counts = {}
                for table in TABLES:
                    cur.execute(f"SELECT count(*) FROM {table}")
                    counts[table] = cur.fetchone()[0]
        finally:
            conn.autocommit = False
    except BaseException:
        raw.driver_connection.rollback()  # type: ignore[union-attr]
        raise
    finally:
        raw.close()
    return counts
