"""Synthetic data at scale for benchmarks: `synthesize(engine, figures)`.

Fills an already-migrated, empty database with 16 report editions (2015-2030), 15 missions, the
five objectives, the real metric and activity-type vocabularies, real and invented places and
partners, and `figures` figures in stories and activities whose distributions are drawn from the
real report (see `app.synth.content`). Deterministic for a given seed.

Loading goes through PostgreSQL COPY (psycopg 3) in one transaction: the tables are truncated
first so that COPY can write frozen rows (no later hint-bit or freeze rewrite); secondary indexes
and foreign keys of the content tables are dropped for the load and re-created after it, which
builds them in bulk and re-validates every foreign key against the loaded rows. Every CHECK and
unique constraint stays in force during the load. VACUUM ANALYZE ends the load.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Engine

from app.config import PROJECT_ROOT
from app.seeding.reader import read_seeds
from app.synth.content import (
    MISSION_MARK,
    VALUE_SIGMA,
    YEAR_MARK,
    YEARS,
    Plan,
    Templates,
    make_plan,
    random_period,
    templates,
    tsv,
)
from app.synth.reference import MISSION_WEIGHTS, Reference, build_reference

__all__ = ["synthesize"]

Progress = Callable[[int, int], None]

TABLES = [
    "metric",
    "activity_type",
    "objective",
    "country",
    "mission",
    "location",
    "partner",
    "report",
    "story",
    "story_mission",
    "story_country",
    "activity",
    "activity_location",
    "activity_partner",
    "figure",
]
CONTENT_TABLES = [
    "story",
    "story_mission",
    "story_country",
    "activity",
    "activity_location",
    "activity_partner",
    "figure",
]
COLUMNS = {
    "metric": "id, code, label, unit, definition",
    "activity_type": "id, code, label, definition",
    "objective": "id, number, title, description",
    "country": "id, iso3, name",
    "mission": "id, code, name, country_id, status, mandate_start, mandate_end, mandate_note",
    "location": "id, key, name, kind, country_id, admin1, latitude, longitude",
    "partner": "id, key, name, acronym, kind, country_id",
    "report": "id, key, edition_year, title, publisher, published_date, published_precision, "
    "source_url, licence_note",
    "story": "id, key, report_id, number, kind, position, title, section, objective_id, summary, "
    "editorial_note",
    "story_mission": "story_id, mission_id",
    "story_country": "story_id, country_id",
    "activity": "id, key, story_id, position, mission_id, activity_type_id, title, description, "
    "date_start, date_end, date_precision",
    "activity_location": "activity_id, location_id",
    "activity_partner": "activity_id, partner_id",
    "figure": "id, key, story_id, activity_id, position, metric_id, value, qualifier, women, men, "
    "children, subject, location_id, date_start, date_end, date_precision, evidence, section, "
    "note",
}
BATCH = 1 << 20  # characters per COPY write


def _cell(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return tsv(value)
    return str(value)


def _rows(rows: Iterable[tuple[Any, ...]]) -> Iterator[str]:
    for row in rows:
        yield "\t".join(_cell(v) for v in row) + "\n"


class _Loader:
    def __init__(self, cursor: Any) -> None:
        self.cursor = cursor

    def copy(self, table: str, lines: Iterable[str]) -> None:
        with self.cursor.copy(f"COPY {table} ({COLUMNS[table]}) FROM STDIN (FREEZE)") as copy:
            chunk: list[str] = []
            size = 0
            for line in lines:
                chunk.append(line)
                size += len(line)
                if size >= BATCH:
                    copy.write("".join(chunk))
                    chunk, size = [], 0
            if chunk:
                copy.write("".join(chunk))


def _story_lines(
    plan: Plan,
    tpl: Templates,
    ref: Reference,
    rng: random.Random,
    links: tuple[list[str], list[str]],
) -> Iterator[str]:
    mission_code = {cast(int, row[0]): cast(str, row[1]) for row in ref.missions}
    country_ids = [cast(int, row[0]) for row in ref.countries]
    story_mission, story_country = links
    for index, t_index in enumerate(plan.story_template):
        story_id = index + 1
        t = tpl.stories[t_index]
        year = str(YEARS[plan.story_report[index] - 1])
        missions = plan.story_missions[index]
        code = mission_code[missions[0]] if missions else "the mission"
        number = plan.story_number[index]
        key = f"{year}-story-{plan.story_position[index]}"
        objective = ref.objective_id[t.objective] if t.objective else None

        def fill(text: str) -> str:
            return text.replace(MISSION_MARK, code).replace(YEAR_MARK, year)  # noqa: B023

        section = fill(t.section).replace("\x03", str(number or ""))
        yield (
            f"{story_id}\t{key}\t{plan.story_report[index]}\t{_cell(number)}\t{t.kind}\t"
            f"{plan.story_position[index]}\t{fill(t.title)}\t{section}\t{_cell(objective)}\t"
            f"{fill(t.summary)}\t{fill(t.editorial_note)}\n"
        )
        countries = []
        for mission in missions:
            story_mission.append(f"{story_id}\t{mission}\n")
            country = ref.mission_country[mission]
            if country not in countries:
                countries.append(country)
        while len(countries) < t.countries:
            pick = rng.choice(country_ids)
            if pick not in countries:
                countries.append(pick)
        for country in countries:
            story_country.append(f"{story_id}\t{country}\n")


def _activity_lines(
    plan: Plan,
    tpl: Templates,
    ref: Reference,
    rng: random.Random,
    links: tuple[list[str], list[str]],
    type_ids: dict[str, int],
) -> Iterator[str]:
    mission_code = {cast(int, row[0]): cast(str, row[1]) for row in ref.missions}
    activity_location, activity_partner = links
    for index, t_index in enumerate(plan.activity_template):
        activity_id = index + 1
        t = tpl.activities[t_index]
        story = plan.activity_story[index]
        year = YEARS[plan.story_report[story - 1] - 1]
        mission = plan.activity_mission[index]
        code = mission_code[mission] if mission else "the mission"
        key = f"{year}-story-{plan.story_position[story - 1]}-a{plan.activity_position[index]}"
        if t.precision:
            start, end, precision = random_period(rng, year, t.precision, t.months)
        else:
            start = end = precision = "\\N"
        ys = str(year)
        title = t.title.replace(MISSION_MARK, code).replace(YEAR_MARK, ys)
        description = t.description.replace(MISSION_MARK, code).replace(YEAR_MARK, ys)
        yield (
            f"{activity_id}\t{key}\t{story}\t{plan.activity_position[index]}\t{_cell(mission)}\t"
            f"{type_ids[t.type]}\t{title}\t{description}\t{start}\t{end}\t{precision}\n"
        )
        if t.locations:
            pool = ref.locations_by_country.get(ref.mission_country.get(mission or 0, 0), [])
            pool = pool if len(pool) >= t.locations else ref.location_ids
            for location in rng.sample(pool, t.locations):
                activity_location.append(f"{activity_id}\t{location}\n")
        if t.partners:
            for partner in rng.sample(ref.partner_ids, t.partners):
                activity_partner.append(f"{activity_id}\t{partner}\n")


def _figure_lines(
    plan: Plan,
    tpl: Templates,
    ref: Reference,
    rng: random.Random,
    total: int,
    progress: Progress | None,
) -> Iterator[str]:
    sections: dict[int, str] = {}
    figure_id = 0
    gauss, randrange = rng.gauss, rng.randrange
    n_templates = len(tpl.figures)
    metric_ids = ref.metric_id
    for index, n in enumerate(plan.activity_figures):
        if not n:
            continue
        activity_id = index + 1
        story = plan.activity_story[index]
        year = YEARS[plan.story_report[story - 1] - 1]
        mission = plan.activity_mission[index]
        pool = ref.locations_by_country.get(ref.mission_country.get(mission or 0, 0)) or (
            ref.location_ids
        )
        section = sections.get(story)
        if section is None:
            section = _story_section(plan, tpl, ref, story)
            sections = {story: section}
        key = f"{year}-story-{plan.story_position[story - 1]}-a{plan.activity_position[index]}"
        for position in range(1, n + 1):
            figure_id += 1
            t = tpl.figures[randrange(n_templates)]
            value = max(1, round(t.value * math.exp(gauss(0.0, VALUE_SIGMA))))
            women, men, children = (
                "\\N" if share is None else str(math.floor(value * share)) for share in t.shares
            )
            location = str(pool[randrange(len(pool))]) if t.has_location else "\\N"
            if t.precision:
                start, end, precision = random_period(rng, year, t.precision)
            else:
                start = end = precision = "\\N"
            number = f"{value:,}" if t.comma else str(value)
            evidence = t.evidence_before + number + t.evidence_after
            yield (
                f"{figure_id}\t{key}-f{position}\t{story}\t{activity_id}\t{position}\t"
                f"{metric_ids[t.metric]}\t{value}\t{t.qualifier}\t{women}\t{men}\t{children}\t"
                f"{t.subject}\t{location}\t{start}\t{end}\t{precision}\t{evidence}\t{section}\t"
                f"{t.note}\n"
            )
            if progress is not None and figure_id % 20_000 == 0:
                progress(figure_id, total)
    if progress is not None:
        progress(figure_id, total)


def _story_section(plan: Plan, tpl: Templates, ref: Reference, story: int) -> str:
    t = tpl.stories[plan.story_template[story - 1]]
    year = str(YEARS[plan.story_report[story - 1] - 1])
    missions = plan.story_missions[story - 1]
    code = next(
        (row[1] for row in ref.missions if missions and row[0] == missions[0]), "the mission"
    )
    number = plan.story_number[story - 1]
    return (
        t.section.replace(MISSION_MARK, str(code))
        .replace(YEAR_MARK, year)
        .replace("\x03", str(number or ""))
    )


def _report_lines(tpl: Templates) -> Iterator[str]:
    for report_id, year in enumerate(YEARS, start=1):
        title = tpl.report_title.replace(YEAR_MARK, str(year)).replace(MISSION_MARK, "mission")
        yield (
            f"{report_id}\tcrsv-{year}\t{year}\t{title}\t{tpl.report_publisher}\t"
            f"{year + 1}-06-01\tmonth\t{tpl.report_url}\t{tpl.report_licence}\n"
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
            restore = _drop_secondary(cur)
            load = _Loader(cur)
            load.copy("metric", _rows(ref.metrics))
            load.copy("activity_type", _rows(ref.activity_types))
            load.copy("objective", _rows(ref.objectives))
            load.copy("country", _rows(ref.countries))
            load.copy("mission", _rows(ref.missions))
            load.copy("location", _rows(ref.locations))
            load.copy("partner", _rows(ref.partners))
            load.copy("report", _report_lines(tpl))
            story_links: tuple[list[str], list[str]] = ([], [])
            load.copy(
                "story", _story_lines(plan, tpl, ref, random.Random(f"{seed}-story"), story_links)
            )
            load.copy("story_mission", story_links[0])
            load.copy("story_country", story_links[1])
            del story_links
            activity_links: tuple[list[str], list[str]] = ([], [])
            load.copy(
                "activity",
                _activity_lines(
                    plan, tpl, ref, random.Random(f"{seed}-activity"), activity_links, ref.type_id
                ),
            )
            load.copy("activity_location", activity_links[0])
            load.copy("activity_partner", activity_links[1])
            del activity_links
            load.copy(
                "figure",
                _figure_lines(plan, tpl, ref, random.Random(f"{seed}-figure"), figures, progress),
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


def _drop_secondary(cur: Any) -> list[str]:
    """Drop the content tables' FKs and non-constraint indexes; return the SQL re-creating them."""
    cur.execute(
        "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) ORDER BY conrelid, conname",
        (CONTENT_TABLES,),
    )
    fks = cur.fetchall()
    cur.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT EXISTS "
        "(SELECT FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY 1",
        (CONTENT_TABLES,),
    )
    indexes = cur.fetchall()
    for table, name, _ in fks:
        cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in indexes:
        cur.execute(f"DROP INDEX {name}")
    return [definition for _, definition in indexes] + [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}'
        for table, name, definition in fks
    ]


def timed_synthesize(engine: Engine, figures: int, **kwargs: Any) -> tuple[dict[str, int], float]:
    started = time.perf_counter()
    counts = synthesize(engine, figures, **kwargs)
    return counts, time.perf_counter() - started
