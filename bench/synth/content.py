"""Templates taken from the real report, and the plan of the synthetic editions.

Every synthetic story, activity and figure is drawn from a real one (its "template"), so the
joint distributions of the real report carry over: a figure's metric, qualifier, value (with a
log-normal jitter), breakdown shape (women / men / children present or not, and their shares),
whether it has its own place and period, its subject and evidence wording; an activity's type,
wording, period precision and numbers of places and partners; a story's kind, objective, number
of missions and wording.

What is deliberately NOT the real ratio is the density of figures: the 2023 report has 0.58
figures per activity, which at a million figures would mean 1.7 million activities and more
stories per edition than a `smallint` position allows. Synthetic activities carry 1.8 figures on
average (`FIGURES_PER_ACTIVITY`), so a million figures come with about 555,000 activities and
215,000 stories over 16 editions.
"""

from __future__ import annotations

import math
import random
import re
from dataclasses import dataclass, field
from datetime import date

from app.seeding.reader import SeedSet
from app.seeding.schemas import ActivitySeed, FigureSeed, Period, StorySeed

YEARS = list(range(2015, 2031))
FIGURES_PER_ACTIVITY = ((0, 25), (1, 25), (2, 20), (3, 15), (4, 10), (6, 5))
"""(figures in the activity, weight): mean 1.8."""
NO_MISSION_RATE = 3 / 84
"""Share of activities without a mission in the real report."""
VALUE_SIGMA = 0.45
"""Spread of the log-normal factor applied to a template's value."""

_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
MISSION_MARK = "\x01"
YEAR_MARK = "\x02"


def tsv(text: str | None) -> str:
    """A text value escaped for COPY's text format (NULL as \\N)."""
    if text is None:
        return "\\N"
    return text.translate(_ESCAPES)


def _marked(text: str, real_missions: list[str]) -> str:
    """Escape `text` and put markers where a real mission code and the year 2023 appear."""
    text = tsv(text)
    for code in real_missions:
        text = re.sub(rf"\b{code}\b", MISSION_MARK, text)
    return text.replace("2023", YEAR_MARK)


@dataclass(frozen=True)
class FigureTemplate:
    metric: str
    value: int
    qualifier: str
    shares: tuple[float | None, float | None, float | None]
    has_location: bool
    precision: str | None
    subject: str
    evidence_before: str
    evidence_after: str
    comma: bool
    note: str


@dataclass(frozen=True)
class ActivityTemplate:
    type: str
    title: str
    description: str
    precision: str | None
    months: int
    locations: int
    partners: int


@dataclass(frozen=True)
class StoryTemplate:
    kind: str
    objective: int | None
    missions: int
    countries: int
    title: str
    section: str
    summary: str
    editorial_note: str
    activities: int


def _share(part: int | None, value: int) -> float | None:
    if part is None:
        return None
    return part / value if value else 0.0


def _months(period: Period | None) -> int:
    if period is None:
        return 0
    return (period.end.year - period.start.year) * 12 + period.end.month - period.start.month + 1


def figure_template(f: FigureSeed, real_missions: list[str]) -> FigureTemplate:
    evidence = tsv(f.evidence)
    before, after, comma = "", " " + tsv(f.subject), False
    for text, is_comma in ((f"{f.value:,}", True), (str(f.value), False)):
        at = evidence.find(text)
        if at >= 0:
            before, after, comma = evidence[:at], evidence[at + len(text) :], is_comma
            break
    return FigureTemplate(
        metric=f.metric,
        value=f.value,
        qualifier=f.qualifier.value,
        shares=(_share(f.women, f.value), _share(f.men, f.value), _share(f.children, f.value)),
        has_location=f.location is not None,
        precision=f.period.precision.value if f.period else None,
        subject=tsv(f.subject),
        evidence_before=before,
        evidence_after=after,
        comma=comma,
        note=tsv(f.note),
    )


def activity_template(a: ActivitySeed, real_missions: list[str]) -> ActivityTemplate:
    return ActivityTemplate(
        type=a.type,
        title=_marked(a.title, real_missions),
        description=_marked(a.description, real_missions),
        precision=a.period.precision.value if a.period else None,
        months=_months(a.period),
        locations=len(a.locations),
        partners=len(a.partners),
    )


def story_template(s: StorySeed, real_missions: list[str]) -> StoryTemplate:
    return StoryTemplate(
        kind=s.kind.value,
        objective=s.objective,
        missions=len(s.missions),
        countries=len(s.countries),
        title=_marked(s.title, real_missions),
        section=_marked(re.sub(r"Story \d+", "Story \x03", s.section), real_missions),
        summary=_marked(s.summary, real_missions),
        editorial_note=_marked(s.editorial_note, real_missions) if s.editorial_note else "\\N",
        activities=len(s.activities),
    )


@dataclass
class Templates:
    figures: list[FigureTemplate]
    activities: list[ActivityTemplate]
    stories: list[StoryTemplate]
    report_title: str
    report_publisher: str
    report_url: str
    report_licence: str


def templates(seeds: SeedSet) -> Templates:
    real = [m.code for m in seeds.missions]
    stories = [s for e in seeds.editions for s in e.stories]
    edition = seeds.editions[0].report
    return Templates(
        figures=[figure_template(f, real) for e in seeds.editions for _, _, f in e.figures()],
        activities=[activity_template(a, real) for s in stories for a in s.activities],
        stories=[story_template(s, real) for s in stories],
        report_title=_marked(edition.title, real),
        report_publisher=tsv(edition.publisher),
        report_url=tsv(edition.source_url),
        report_licence=tsv(edition.licence_note),
    )


# --- the plan: which story, activity and figure exist, with ids --------------------------------


@dataclass
class Plan:
    """The skeleton of the synthetic content, small enough to keep in memory at 1M figures."""

    # per story (index = story id - 1)
    story_report: list[int] = field(default_factory=list)
    story_template: list[int] = field(default_factory=list)
    story_position: list[int] = field(default_factory=list)
    story_number: list[int | None] = field(default_factory=list)
    story_missions: list[tuple[int, ...]] = field(default_factory=list)
    # per activity (index = activity id - 1)
    activity_story: list[int] = field(default_factory=list)
    activity_position: list[int] = field(default_factory=list)
    activity_template: list[int] = field(default_factory=list)
    activity_mission: list[int | None] = field(default_factory=list)
    activity_figures: list[int] = field(default_factory=list)


def make_plan(
    figures: int,
    tpl: Templates,
    mission_ids: list[int],
    mission_weights: list[float],
    rng: random.Random,
) -> Plan:
    plan = Plan()
    counts, weights = zip(*FIGURES_PER_ACTIVITY, strict=True)
    # more than ~2M figures would overflow a smallint story position: put more in each story
    density = max(1, math.ceil(figures / 2_000_000))
    per_edition = [
        figures // len(YEARS) + (1 if i < figures % len(YEARS) else 0) for i in range(len(YEARS))
    ]
    for report_id, target in enumerate(per_edition, start=1):
        done = 0
        position = 0
        number = 0
        while done < target:
            position += 1
            t_index = rng.randrange(len(tpl.stories))
            t = tpl.stories[t_index]
            story_id = len(plan.story_report) + 1
            plan.story_report.append(report_id)
            plan.story_template.append(t_index)
            plan.story_position.append(position)
            if t.kind == "numbered_story":
                number += 1
                plan.story_number.append(number)
            else:
                plan.story_number.append(None)
            missions: list[int] = []
            while len(missions) < min(t.missions, len(mission_ids)):
                pick = rng.choices(mission_ids, mission_weights)[0]
                if pick not in missions:
                    missions.append(pick)
            plan.story_missions.append(tuple(missions))
            n_activities = t.activities * density
            n_figures = rng.choices(counts, weights, k=n_activities) if n_activities else []
            for a_position, n in enumerate(n_figures, start=1):
                n = min(n, target - done)
                done += n
                plan.activity_story.append(story_id)
                plan.activity_position.append(a_position)
                plan.activity_template.append(rng.randrange(len(tpl.activities)))
                if missions and rng.random() >= NO_MISSION_RATE:
                    plan.activity_mission.append(rng.choice(missions))
                else:
                    plan.activity_mission.append(None)
                plan.activity_figures.append(n)
    return plan


def random_period(
    rng: random.Random, year: int, precision: str, months: int = 1
) -> tuple[str, str, str]:
    """(start, end, precision) inside `year`, as COPY text."""
    if precision == "year":
        return f"{year}-01-01", f"{year}-12-31", "year"
    if precision == "month":
        months = max(1, min(months, 12))
        first = rng.randint(1, 13 - months)
        last = first + months - 1
        end_day = date(year + (last == 12), last % 12 + 1, 1).toordinal() - 1
        return f"{year}-{first:02d}-01", date.fromordinal(end_day).isoformat(), "month"
    day = date(year, 1, 1).toordinal() + rng.randrange(365)
    text = date.fromordinal(day).isoformat()
    return text, text, "day"
