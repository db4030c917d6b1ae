"""Load a validated `SeedSet` into the database: upsert by stable identifier, prune the rest.

The loader only flushes; the caller owns the transaction, so a load is all-or-nothing and a
dry run is a load that is rolled back.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, Table, delete, insert, select
from sqlalchemy.orm import Session

from app import audit
from app.enums import AuditAction
from app.models import (
    Activity,
    ActivityType,
    Country,
    Figure,
    Location,
    Metric,
    Mission,
    Objective,
    Partner,
    Report,
    Story,
    activity_location,
    activity_partner,
    story_country,
    story_mission,
)
from app.seeding import guard
from app.seeding.changes import Change
from app.seeding.reader import EditionSeeds, SeedSet
from app.seeding.schemas import ActivitySeed, FigureSeed, Period, StorySeed


@dataclass
class LoadResult:
    changes: list[Change] = field(default_factory=list)
    conflicts: list[guard.Conflict] = field(default_factory=list)
    """Changes to records edited through the API since the last load (see `guard`)."""
    skipped: bool = False
    """Nothing was loaded: the database already held data (`only_if_empty`)."""

    def count(self, action: str) -> int:
        return sum(1 for change in self.changes if change.action == action)

    def summary(self) -> str:
        if not self.changes:
            return "0 changes"
        return (
            f"{len(self.changes)} changes: {self.count('create')} created, "
            f"{self.count('update')} updated, {self.count('delete')} deleted"
        )


def _period_columns(period: Period | None) -> dict[str, Any]:
    if period is None:
        return {"date_start": None, "date_end": None, "date_precision": None}
    return {"date_start": period.start, "date_end": period.end, "date_precision": period.precision}


class _Sync:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.result = LoadResult()
        self._pending_deletes: list[tuple[type[Any], list[Any]]] = []

    def rows(
        self, model: type[Any], identity: str, desired: Mapping[Any, dict[str, Any]]
    ) -> dict[Any, int]:
        """Create or update `desired` rows of `model`; return identity -> internal id."""
        table = model.__tablename__
        existing = {getattr(row, identity): row for row in self.session.scalars(select(model))}
        for ident, values in desired.items():
            row = existing.get(ident)
            if row is None:
                self.session.add(model(**{identity: ident, **values}))
                self._change(Change("create", table, str(ident)), after=values)
                continue
            changed = tuple(name for name, value in values.items() if getattr(row, name) != value)
            before = {name: getattr(row, name) for name in changed}
            for name in changed:
                setattr(row, name, values[name])
            if changed:
                self._change(
                    Change("update", table, str(ident), changed),
                    before=before,
                    after={name: values[name] for name in changed},
                )
        stale = [row for ident, row in existing.items() if ident not in desired]
        for row in stale:
            self._change(Change("delete", table, str(getattr(row, identity))))
        self._pending_deletes.append((model, stale))
        self.session.flush()
        return {
            ident: row_id
            for ident, row_id in self.session.execute(select(getattr(model, identity), model.id))
            if ident in desired
        }

    def links(
        self,
        link: Table,
        owner_table: str,
        owner_keys: Mapping[int, str],
        desired: Iterable[tuple[int, int]],
        target_name: str,
    ) -> None:
        """Make a many-to-many table hold exactly the `desired` (owner, target) pairs."""
        owner_col, target_col = (column for column in link.columns)
        wanted = set(desired)
        current = {(row[0], row[1]) for row in self.session.execute(select(owner_col, target_col))}
        created = {
            c.key for c in self.result.changes if c.table == owner_table and c.action == "create"
        }
        touched = {owner for owner, _ in wanted ^ current if owner in owner_keys}
        for owner in sorted(touched):
            if owner_keys[owner] not in created:
                self._change(
                    Change("update", owner_table, owner_keys[owner], (target_name,)),
                    note=f"{target_name} changed",
                )
        for owner, target in current - wanted:
            self.session.execute(delete(link).where(owner_col == owner, target_col == target))
        added = wanted - current
        if added:
            self.session.execute(
                insert(link), [{owner_col.name: o, target_col.name: t} for o, t in added]
            )

    def _change(
        self,
        change: Change,
        *,
        before: dict[str, Any] | None = None,
        after: dict[str, Any] | None = None,
        note: str | None = None,
    ) -> None:
        """Count the change and record it in the audit trail, attributed to the loader."""
        self.result.changes.append(change)
        audit.record(
            self.session,
            actor=audit.SEED_LOADER,
            resource=change.table,
            resource_id=change.key,
            action=AuditAction(change.action),
            before=before,
            after=after,
            note=note,
        )

    def delete_stale(self) -> None:
        """Delete rows missing from the seeds, children before parents (links cascade)."""
        for model, stale in reversed(self._pending_deletes):
            if stale:
                self.session.execute(
                    delete(model).where(model.id.in_([row.id for row in stale])),
                    execution_options={"synchronize_session": False},
                )
                for row in stale:
                    self.session.expunge(row)


def _positioned_figures(
    edition: EditionSeeds,
) -> Iterator[tuple[StorySeed, ActivitySeed | None, int, FigureSeed]]:
    """Each figure with its position inside its activity (or its story, for story figures)."""
    for story in edition.stories:
        for activity in story.activities:
            for position, figure in enumerate(activity.figures, start=1):
                yield story, activity, position, figure
        for position, figure in enumerate(story.figures, start=1):
            yield story, None, position, figure


def load_seeds(session: Session, seeds: SeedSet) -> LoadResult:
    """Make the database hold exactly the seed data; return what changed."""
    sync = _Sync(session)
    metric_ids = sync.rows(
        Metric,
        "code",
        {
            m.code: {"label": m.label, "unit": m.unit, "definition": m.definition}
            for m in seeds.metrics
        },
    )
    type_ids = sync.rows(
        ActivityType,
        "code",
        {t.code: {"label": t.label, "definition": t.definition} for t in seeds.activity_types},
    )
    objective_ids = sync.rows(
        Objective,
        "number",
        {o.number: {"title": o.title, "description": o.description} for o in seeds.objectives},
    )
    country_ids = sync.rows(Country, "iso3", {c.iso3: {"name": c.name} for c in seeds.countries})
    mission_ids = sync.rows(
        Mission,
        "code",
        {
            m.code: {
                "name": m.name,
                "country_id": country_ids[m.country],
                "status": m.status,
                "mandate_start": m.mandate_start,
                "mandate_end": m.mandate_end,
                "mandate_note": m.mandate_note,
            }
            for m in seeds.missions
        },
    )
    location_ids = sync.rows(
        Location,
        "key",
        {
            x.key: {
                "name": x.name,
                "kind": x.kind,
                "country_id": country_ids[x.country],
                "admin1": x.admin1,
                "latitude": x.latitude,
                "longitude": x.longitude,
            }
            for x in seeds.locations
        },
    )
    partner_ids = sync.rows(
        Partner,
        "key",
        {
            p.key: {
                "name": p.name,
                "acronym": p.acronym,
                "kind": p.kind,
                "country_id": country_ids[p.country] if p.country else None,
            }
            for p in seeds.partners
        },
    )
    report_ids = sync.rows(
        Report,
        "key",
        {
            e.report.key: {
                "edition_year": e.report.edition_year,
                "title": e.report.title,
                "publisher": e.report.publisher,
                "published_date": e.report.published.start,
                "published_precision": e.report.published.precision,
                "source_url": e.report.source_url,
                "licence_note": e.report.licence_note,
            }
            for e in seeds.editions
        },
    )
    stories = [(e, s) for e in seeds.editions for s in e.stories]
    story_ids = sync.rows(
        Story,
        "key",
        {
            s.key: {
                "report_id": report_ids[e.report.key],
                "number": s.number,
                "kind": s.kind,
                "position": s.position,
                "title": s.title,
                "section": s.section,
                "objective_id": objective_ids[s.objective] if s.objective else None,
                "summary": s.summary,
                "editorial_note": s.editorial_note,
            }
            for e, s in stories
        },
    )
    activities = [(s, a) for _, s in stories for a in s.activities]
    activity_ids = sync.rows(
        Activity,
        "key",
        {
            a.key: {
                "story_id": story_ids[s.key],
                "position": position,
                "mission_id": mission_ids[a.mission] if a.mission else None,
                "activity_type_id": type_ids[a.type],
                "title": a.title,
                "description": a.description,
                **_period_columns(a.period),
            }
            for _, s in stories
            for position, a in enumerate(s.activities, start=1)
        },
    )
    sync.rows(
        Figure,
        "key",
        {
            f.key: {
                "story_id": story_ids[s.key],
                "activity_id": activity_ids[a.key] if a else None,
                "position": position,
                "metric_id": metric_ids[f.metric],
                "value": f.value,
                "qualifier": f.qualifier,
                "women": f.women,
                "men": f.men,
                "children": f.children,
                "subject": f.subject,
                "location_id": location_ids[f.location] if f.location else None,
                **_period_columns(f.period),
                "evidence": f.evidence,
                "section": f.section or s.section,
                "note": f.note,
            }
            for e in seeds.editions
            for s, a, position, f in _positioned_figures(e)
        },
    )
    story_keys = {story_id: key for key, story_id in story_ids.items()}
    activity_keys = {activity_id: key for key, activity_id in activity_ids.items()}
    sync.links(
        story_mission,
        "story",
        story_keys,
        {(story_ids[s.key], mission_ids[code]) for _, s in stories for code in s.missions},
        "missions",
    )
    sync.links(
        story_country,
        "story",
        story_keys,
        {(story_ids[s.key], country_ids[iso3]) for _, s in stories for iso3 in s.countries},
        "countries",
    )
    sync.links(
        activity_location,
        "activity",
        activity_keys,
        {(activity_ids[a.key], location_ids[k]) for s, a in activities for k in a.locations},
        "locations",
    )
    sync.links(
        activity_partner,
        "activity",
        activity_keys,
        {(activity_ids[a.key], partner_ids[k]) for s, a in activities for k in a.partners},
        "partners",
    )
    sync.delete_stale()
    return sync.result


def apply_seeds(
    engine: Engine,
    seeds: SeedSet,
    *,
    dry_run: bool = False,
    force: bool = False,
    only_if_empty: bool = False,
) -> LoadResult:
    """Load `seeds` in one transaction: committed whole, or (dry run or any error) not at all.

    A load that would delete or revert an API edit made since the last load is refused
    (`SeedsWouldDiscardEdits`) unless `force`; a dry run reports those in `conflicts`.
    With `only_if_empty`, a database that holds any data is left alone (`skipped`).
    """
    with Session(engine) as session:
        try:
            audit.hold_writes_lock(session)
            if only_if_empty and guard.has_data(session):
                session.rollback()
                return LoadResult(skipped=True)
            edits = guard.edits_since_last_load(session)
            result = load_seeds(session, seeds)
            result.conflicts = guard.conflicts(result.changes, edits)
            if result.conflicts and not (force or dry_run):
                raise guard.SeedsWouldDiscardEdits(result.conflicts)
            if not dry_run:
                guard.record_load(session, len(result.changes), len(result.conflicts))
        except BaseException:
            session.rollback()
            raise
        if dry_run:
            session.rollback()
        else:
            session.commit()
    return result
