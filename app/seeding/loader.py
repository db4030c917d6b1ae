"""Load a validated `SeedSet` into the database: upsert by stable identifier, prune the rest.

The loader only flushes; the caller owns the transaction, so a load is all-or-nothing and a
dry run is a load that is rolled back.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Engine, Table, delete, insert, select, update
from sqlalchemy.orm import Session

from app import audit
from app.enums import AuditAction
from app.models import Figure
from app.seeding import guard, mapping
from app.seeding.changes import Change
from app.seeding.reader import EditionSeeds, SeedSet
from app.seeding.schemas import ActivitySeed, FigureSeed, StorySeed


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


class _Load:
    """One load: each entity's rows synced in dependency order, references resolved through
    the ids of the rows synced before."""

    def __init__(self, session: Session) -> None:
        self.sync = _Sync(session)
        self.ids: dict[type[Any], dict[Any, int]] = {}

    def resolve(self, ref: mapping.Ref, value: Any) -> int | None:
        if ref.model is Figure:  # a figure's `part_of`: its whole may not be written yet
            return self.ids[Figure].get(value)
        return self.ids[ref.model][value]

    def parts(self, figures: Iterable[FigureSeed]) -> None:
        """Link the parts whose whole did not exist before this load, now that it does."""
        ids = self.ids[Figure]
        for figure in figures:
            if figure.part_of is None:
                continue
            self.sync.session.execute(
                update(Figure)
                .where(
                    Figure.id == ids[figure.key],
                    Figure.part_of_id.is_distinct_from(ids[figure.part_of]),
                )
                .values(part_of_id=ids[figure.part_of])
            )

    def rows(
        self, entity: mapping.Entity, records: Iterable[tuple[BaseModel, dict[str, Any]]]
    ) -> None:
        """Sync `entity`'s rows to the (record, given fields) pairs."""
        desired = {
            getattr(record, entity.identity): entity.columns(record, self.resolve, given)
            for record, given in records
        }
        self.ids[entity.model] = self.sync.rows(entity.model, entity.identity, desired)

    def links(self, entity: mapping.Entity, records: list[Any]) -> None:
        """Sync `entity`'s many-to-many tables to the records' lists of public ids."""
        ids = self.ids[entity.model]
        keys = {row_id: key for key, row_id in ids.items()}
        for link in entity.links:
            targets = self.ids[link.model]
            pairs = {
                (ids[getattr(record, entity.identity)], targets[code])
                for record in records
                for code in getattr(record, link.field)
            }
            self.sync.links(link.table, entity.table, keys, pairs, link.field)


def load_seeds(session: Session, seeds: SeedSet) -> LoadResult:
    """Make the database hold exactly the seed data; return what changed."""
    load = _Load(session)
    load.rows(mapping.METRIC, ((m, {}) for m in seeds.metrics))
    load.rows(mapping.ACTIVITY_TYPE, ((t, {}) for t in seeds.activity_types))
    load.rows(mapping.OBJECTIVE, ((o, {}) for o in seeds.objectives))
    load.rows(mapping.COUNTRY, ((c, {}) for c in seeds.countries))
    load.rows(mapping.MISSION, ((m, {}) for m in seeds.missions))
    load.rows(mapping.LOCATION, ((x, {}) for x in seeds.locations))
    load.rows(mapping.PARTNER, ((p, {}) for p in seeds.partners))
    load.rows(mapping.REPORT, ((e.report, {}) for e in seeds.editions))
    stories = [(e, s) for e in seeds.editions for s in e.stories]
    load.rows(mapping.STORY, ((s, {"report": e.report.key}) for e, s in stories))
    activities = [
        (s, position, a) for _, s in stories for position, a in enumerate(s.activities, start=1)
    ]
    load.rows(mapping.ACTIVITY, ((a, {"story": s.key, "position": p}) for s, p, a in activities))
    figures = [f for e in seeds.editions for f in _positioned_figures(e)]
    load.ids[Figure] = {
        key: row_id for key, row_id in session.execute(select(Figure.key, Figure.id))
    }
    load.rows(
        mapping.FIGURE,
        (
            (
                f,
                {
                    "story": s.key,
                    "activity": a.key if a else None,
                    "position": position,
                    "section": f.section or s.section,
                },
            )
            for s, a, position, f in figures
        ),
    )
    load.parts(f for _, _, _, f in figures)
    load.links(mapping.STORY, [s for _, s in stories])
    load.links(mapping.ACTIVITY, [a for _, _, a in activities])
    load.sync.delete_stale()
    return load.sync.result


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
