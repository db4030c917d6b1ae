"""`crsv seed dump`: write the database back to seed files, in the layout the loader reads.

Edits made through the API can then be reviewed and committed like any seed change. The
number exclusions are editorial notes about the report's text, not data, and are left as they
are.
"""

from __future__ import annotations

from collections import defaultdict
from enum import Enum
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Activity, Figure, Report, Story
from app.seeding import snapshot
from app.seeding.schemas import ActivitySeed, Period, StorySeed

HEADER = "# Written by `crsv seed dump`; edit freely, then load with `crsv seed`.\n"


def _plain(model: BaseModel) -> Any:
    """JSON-like data of a seed model, defaults left out and periods in their compact form."""
    return _compact(model.model_dump(mode="python", exclude_defaults=True))


def _compact(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"start", "end", "precision"}:
            return Period(**value).render()
        return {k: _compact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_compact(v) for v in value]
    if isinstance(value, Enum):
        return value.value
    return value  # dates stay dates: YAML writes them unquoted


def _write(path: Path, data: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    path.write_text(HEADER + text, encoding="utf-8")
    return path


def story_files(session: Session, report: Report) -> dict[str, StorySeed]:
    """File name -> story (with its activities and figures) for one report edition."""
    stories = snapshot.story_records(session, Story.report_id == report.id)
    story_ids = [s["_id"] for s in stories]
    activities = snapshot.activity_records(session, Activity.story_id.in_(story_ids))
    figures = snapshot.figure_records(session, Figure.story_id.in_(story_ids))
    sections = {s["_id"]: s["section"] for s in stories}
    by_activity: dict[int | None, list[dict[str, Any]]] = defaultdict(list)
    story_level: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for figure in figures:
        if figure["_activity_id"] is None:
            story_level[figure["_story_id"]].append(figure)
        else:
            by_activity[figure["_activity_id"]].append(figure)
    activities_of: dict[int, list[ActivitySeed]] = defaultdict(list)
    for activity in activities:
        fields = {k: v for k, v in snapshot.public(activity).items() if k != "story"}
        nested = [
            snapshot.figure_seed(f, sections[activity["_story_id"]])
            for f in by_activity[activity["_id"]]
        ]
        activities_of[activity["_story_id"]].append(ActivitySeed(**fields, figures=nested))
    files = {}
    for story in stories:
        fields = {k: v for k, v in snapshot.public(story).items() if k != "report"}
        seed = StorySeed(
            **fields,
            activities=activities_of[story["_id"]],
            figures=[snapshot.figure_seed(f, story["section"]) for f in story_level[story["_id"]]],
        )
        slug = story["key"].removeprefix(f"{report.edition_year}-")
        files[f"{story['position']:02d}-{slug}.yaml"] = seed
    return files


def dump_seeds(session: Session, root: Path) -> list[Path]:
    """Write every seed file under `root`; return the files written."""
    written = [
        _write(
            root / "vocabularies" / "metrics.yaml", [_plain(m) for m in snapshot.metrics(session)]
        ),
        _write(
            root / "vocabularies" / "activity_types.yaml",
            [_plain(t) for t in snapshot.activity_types(session)],
        ),
        _write(
            root / "reference" / "objectives.yaml",
            [_plain(o) for o in snapshot.objectives(session)],
        ),
        _write(
            root / "reference" / "countries.yaml", [_plain(c) for c in snapshot.countries(session)]
        ),
        _write(
            root / "reference" / "missions.yaml", [_plain(m) for m in snapshot.missions(session)]
        ),
        _write(
            root / "reference" / "locations.yaml", [_plain(x) for x in snapshot.locations(session)]
        ),
        _write(
            root / "reference" / "partners.yaml", [_plain(p) for p in snapshot.partners(session)]
        ),
    ]
    for report in session.scalars(select(Report).order_by(Report.edition_year)):
        [report_seed] = snapshot.reports(session, Report.id == report.id)
        folder = root / "reports" / str(report.edition_year)
        written.append(_write(folder / "report.yaml", _plain(report_seed)))
        stories_folder = folder / "stories"
        files = story_files(session, report)
        for stale in stories_folder.glob("*.yaml"):
            if stale.name not in files:
                stale.unlink()
        written.extend(_write(stories_folder / name, _plain(seed)) for name, seed in files.items())
    return written
