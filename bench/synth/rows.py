"""The synthetic rows of each table, as lines of COPY text, drawn from the plan and templates."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Iterable, Iterator
from typing import Any, cast

from bench.synth.content import (
    MISSION_MARK,
    VALUE_SIGMA,
    YEAR_MARK,
    YEARS,
    Plan,
    Templates,
    random_period,
    tsv,
)
from bench.synth.reference import Reference

Progress = Callable[[int, int], None]
"""Called with (figures written, figures wanted) as the figure rows are written."""


def cell(value: Any) -> str:
    """One value as COPY text (NULL as \\N)."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return tsv(value)
    return str(value)


def rows(values: Iterable[tuple[Any, ...]]) -> Iterator[str]:
    """Reference rows (tuples of values) as lines of COPY text."""
    for row in values:
        yield "\t".join(cell(v) for v in row) + "\n"


def story_lines(
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
            f"{story_id}\t{key}\t{plan.story_report[index]}\t{cell(number)}\t{t.kind}\t"
            f"{plan.story_position[index]}\t{fill(t.title)}\t{section}\t{cell(objective)}\t"
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


def activity_lines(
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
            f"{activity_id}\t{key}\t{story}\t{plan.activity_position[index]}\t{cell(mission)}\t"
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


def figure_lines(
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


def report_lines(tpl: Templates) -> Iterator[str]:
    for report_id, year in enumerate(YEARS, start=1):
        title = tpl.report_title.replace(YEAR_MARK, str(year)).replace(MISSION_MARK, "mission")
        yield (
            f"{report_id}\tcrsv-{year}\t{year}\t{title}\t{tpl.report_publisher}\t"
            f"{year + 1}-06-01\tmonth\t{tpl.report_url}\t{tpl.report_licence}\n"
        )
