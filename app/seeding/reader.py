"""Read and validate the seed tree into one `SeedSet`, or fail naming every problem.

Layout (relative to the seeds folder):
    vocabularies/metrics.yaml, vocabularies/activity_types.yaml
    reference/{objectives,countries,missions,locations,partners}.yaml
    reports/<year>/report.yaml, reports/<year>/stories/*.yaml,
    reports/<year>/number_exclusions.yaml
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, TypeAdapter, ValidationError

from app.seeding import parts
from app.seeding.errors import SeedError, SeedProblem
from app.seeding.schemas import (
    ActivitySeed,
    ActivityTypeSeed,
    CountrySeed,
    FigureSeed,
    LocationSeed,
    MetricSeed,
    MissionSeed,
    NumberExclusion,
    ObjectiveSeed,
    PartnerSeed,
    ReportSeed,
    StorySeed,
)

M = TypeVar("M", bound=BaseModel)

IDENTITY_FIELDS = ("key", "code", "iso3", "number")


@dataclass
class EditionSeeds:
    """One report edition: the report record, its stories and its number exclusions."""

    report: ReportSeed
    stories: list[StorySeed]
    exclusions: list[NumberExclusion]
    folder: Path

    def figures(self) -> Iterator[tuple[StorySeed, ActivitySeed | None, FigureSeed]]:
        for story in self.stories:
            for activity in story.activities:
                for figure in activity.figures:
                    yield story, activity, figure
            for figure in story.figures:
                yield story, None, figure


@dataclass
class SeedSet:
    metrics: list[MetricSeed] = field(default_factory=list)
    activity_types: list[ActivityTypeSeed] = field(default_factory=list)
    objectives: list[ObjectiveSeed] = field(default_factory=list)
    countries: list[CountrySeed] = field(default_factory=list)
    missions: list[MissionSeed] = field(default_factory=list)
    locations: list[LocationSeed] = field(default_factory=list)
    partners: list[PartnerSeed] = field(default_factory=list)
    editions: list[EditionSeeds] = field(default_factory=list)


class _Reader:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[SeedProblem] = []

    def rel(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root.parent))
        except ValueError:
            return str(path)

    def load_yaml(self, path: Path) -> Any:
        if not path.exists():
            self.problems.append(SeedProblem(self.rel(path), None, None, "file is missing"))
            return None
        try:
            return yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            self.problems.append(SeedProblem(self.rel(path), None, None, f"invalid YAML: {exc}"))
            return None

    def validate(self, path: Path, data: Any, model: type[M]) -> M | None:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            self._report(path, data, exc, prefix=())
            return None

    def validate_list(self, path: Path, model: type[M]) -> list[M]:
        data = self.load_yaml(path)
        if data is None:
            return []
        try:
            return TypeAdapter(list[model]).validate_python(data)  # type: ignore[valid-type]
        except ValidationError as exc:
            self._report(path, data, exc, prefix=())
            return []

    def _report(self, path: Path, data: Any, exc: ValidationError, prefix: tuple[Any, ...]) -> None:
        for error in exc.errors():
            loc = prefix + tuple(error["loc"])
            record, field_path = describe_location(data, loc)
            self.problems.append(SeedProblem(self.rel(path), record, field_path, error["msg"]))


def describe_location(data: Any, loc: tuple[Any, ...]) -> tuple[str | None, str | None]:
    """Split a validation location into the innermost identified record and its field."""
    record: str | None = None
    record_depth = 0
    node = data
    for depth, part in enumerate(loc):
        if (isinstance(node, dict) and part in node) or (
            isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        ):
            node = node[part]
        else:
            break
        if isinstance(node, dict):
            label = next((f"{k} {node[k]!r}" for k in IDENTITY_FIELDS if k in node), None)
            path = _render_path(loc[: depth + 1])
            record = f"record {label} at {path}" if label else f"record at {path}"
            record_depth = depth + 1
    field_path = _render_path(loc[record_depth:]) or None
    return record, field_path


def _render_path(parts: Iterable[Any]) -> str:
    rendered = ""
    for part in parts:
        rendered += (
            f"[{part}]" if isinstance(part, int) else (f".{part}" if rendered else str(part))
        )
    return rendered


def read_seeds(root: Path) -> SeedSet:
    """Read and validate every seed file under `root`; raise `SeedError` listing all problems."""
    reader = _Reader(root)
    seeds = SeedSet(
        metrics=reader.validate_list(root / "vocabularies" / "metrics.yaml", MetricSeed),
        activity_types=reader.validate_list(
            root / "vocabularies" / "activity_types.yaml", ActivityTypeSeed
        ),
        objectives=reader.validate_list(root / "reference" / "objectives.yaml", ObjectiveSeed),
        countries=reader.validate_list(root / "reference" / "countries.yaml", CountrySeed),
        missions=reader.validate_list(root / "reference" / "missions.yaml", MissionSeed),
        locations=reader.validate_list(root / "reference" / "locations.yaml", LocationSeed),
        partners=reader.validate_list(root / "reference" / "partners.yaml", PartnerSeed),
    )
    for folder in sorted(p for p in (root / "reports").glob("*") if p.is_dir()):
        edition = _read_edition(reader, folder)
        if edition is not None:
            seeds.editions.append(edition)
    if not reader.problems:
        reader.problems.extend(check_references(seeds, reader.rel))
    if reader.problems:
        raise SeedError(reader.problems)
    return seeds


def _read_edition(reader: _Reader, folder: Path) -> EditionSeeds | None:
    report_path = folder / "report.yaml"
    report = reader.validate(report_path, reader.load_yaml(report_path), ReportSeed)
    stories = []
    for path in sorted((folder / "stories").glob("*.yaml")):
        story = reader.validate(path, reader.load_yaml(path), StorySeed)
        if story is not None:
            stories.append(story)
    # exclusions matter only to `crsv seed check` (which then reports the uncovered numbers)
    exclusions_path = folder / "number_exclusions.yaml"
    exclusions = (
        reader.validate_list(exclusions_path, NumberExclusion) if exclusions_path.exists() else []
    )
    if report is None:
        return None
    return EditionSeeds(report=report, stories=stories, exclusions=exclusions, folder=folder)


def _part_problems(seeds: SeedSet, edition: EditionSeeds, rel: Any) -> list[SeedProblem]:
    """Each `part_of` names a figure of the edition, under the rules of app/seeding/parts.py."""
    units = {m.code: m.unit for m in seeds.metrics}
    members: dict[str, tuple[str, parts.Member]] = {}
    for story, _activity, figure in edition.figures():
        unit = figure.unit or units.get(figure.metric, "")
        member = parts.Member(
            figure.key, story.key, figure.metric, unit, figure.value, figure.part_of
        )
        members[figure.key] = (f"{rel(edition.folder)}/stories ({story.key})", member)
    wholes: dict[str, list[str]] = {}
    for _file, member in members.values():
        if member.part_of is not None:
            wholes.setdefault(member.part_of, []).append(member.key)
    problems: list[SeedProblem] = []
    for file, member in members.values():
        if member.part_of is None:
            continue
        record = f"figure {member.key!r}"
        whole = members.get(member.part_of)
        if whole is None:
            problems.append(
                SeedProblem(file, record, "part_of", f"unknown figure {member.part_of!r}")
            )
            continue
        found = parts.breaches(member, whole[1])
        if member.key in wholes:
            found.append(parts.whole_of_others(member.key, wholes[member.key]))
        problems.extend(SeedProblem(file, record, b.field, b.message) for b in found)
    return problems


def check_references(seeds: SeedSet, rel: Any) -> list[SeedProblem]:
    """Cross-file rules: identifiers unique, every reference points at an existing record."""
    problems: list[SeedProblem] = []
    reference = "seeds/reference"

    def unique(file: str, kind: str, values: Iterable[object]) -> set[Any]:
        counts = Counter(values)
        for value, count in counts.items():
            if count > 1:
                problems.append(
                    SeedProblem(file, f"{kind} {value!r}", None, f"appears {count} times")
                )
        return set(counts)

    metrics = unique("seeds/vocabularies/metrics.yaml", "metric", (m.code for m in seeds.metrics))
    types = unique(
        "seeds/vocabularies/activity_types.yaml",
        "activity type",
        (t.code for t in seeds.activity_types),
    )
    objectives = unique(
        f"{reference}/objectives.yaml", "objective", (o.number for o in seeds.objectives)
    )
    countries = unique(f"{reference}/countries.yaml", "country", (c.iso3 for c in seeds.countries))
    missions = unique(f"{reference}/missions.yaml", "mission", (m.code for m in seeds.missions))
    locations = unique(f"{reference}/locations.yaml", "location", (x.key for x in seeds.locations))
    partners = unique(f"{reference}/partners.yaml", "partner", (p.key for p in seeds.partners))
    unique("seeds/reports", "report year", (e.report.edition_year for e in seeds.editions))

    def exists(file: str, record: str, field_name: str, value: object, known: set[Any]) -> None:
        if value is not None and value not in known:
            problems.append(
                SeedProblem(file, record, field_name, f"unknown {field_name} {value!r}")
            )

    for mission in seeds.missions:
        exists(
            f"{reference}/missions.yaml",
            f"mission {mission.code!r}",
            "country",
            mission.country,
            countries,
        )
    for location in seeds.locations:
        exists(
            f"{reference}/locations.yaml",
            f"location {location.key!r}",
            "country",
            location.country,
            countries,
        )
    for partner in seeds.partners:
        exists(
            f"{reference}/partners.yaml",
            f"partner {partner.key!r}",
            "country",
            partner.country,
            countries,
        )

    content_keys: Counter[str] = Counter()
    for edition in seeds.editions:
        numbers: Counter[int] = Counter()
        positions: Counter[int] = Counter()
        for story in edition.stories:
            file = f"{rel(edition.folder)}/stories ({story.key})"
            content_keys.update([f"story {story.key}"])
            positions.update([story.position])
            if story.number is not None:
                numbers.update([story.number])
            exists(file, f"story {story.key!r}", "objective", story.objective, objectives)
            for code in story.missions:
                exists(file, f"story {story.key!r}", "missions", code, missions)
            for iso3 in story.countries:
                exists(file, f"story {story.key!r}", "countries", iso3, countries)
            for activity in story.activities:
                record = f"activity {activity.key!r}"
                content_keys.update([f"activity {activity.key}"])
                exists(file, record, "mission", activity.mission, missions)
                exists(file, record, "type", activity.type, types)
                for key in activity.locations:
                    exists(file, record, "locations", key, locations)
                for key in activity.partners:
                    exists(file, record, "partners", key, partners)
        for story, _activity, figure in edition.figures():
            file = f"{rel(edition.folder)}/stories ({story.key})"
            content_keys.update([f"figure {figure.key}"])
            exists(file, f"figure {figure.key!r}", "metric", figure.metric, metrics)
            exists(file, f"figure {figure.key!r}", "location", figure.location, locations)
        problems.extend(_part_problems(seeds, edition, rel))
        folder = rel(edition.folder)
        for number, count in numbers.items():
            if count > 1:
                problems.append(
                    SeedProblem(folder, f"story number {number}", None, f"appears {count} times")
                )
        for position, count in positions.items():
            if count > 1:
                problems.append(
                    SeedProblem(
                        folder, f"story position {position}", None, f"appears {count} times"
                    )
                )
    for label, count in content_keys.items():
        if count > 1:
            problems.append(SeedProblem("seeds/reports", label, "key", f"appears {count} times"))
    return problems
