"""The write API's check of `part_of` links: every link a write touches obeys the part rules.

Run after the write is flushed, so it sees the record as written: the figure's own link to its
whole, and the links of the figures that are part of it (a PATCH of a whole's value, metric,
unit or story must keep its parts valid). A breach is a 422 naming the field.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from app.errors import Problem
from app.models import Figure, Metric, Story
from app.seeding import parts

Part = aliased(Figure)
Whole = aliased(Figure)
PartMetric = aliased(Metric)
WholeMetric = aliased(Metric)
PartStory = aliased(Story)
WholeStory = aliased(Story)
Above = aliased(Figure)


def _member(row: Any, prefix: str) -> parts.Member:
    return parts.Member(
        row[f"{prefix}_key"],
        row[f"{prefix}_story"],
        row[f"{prefix}_metric"],
        row[f"{prefix}_unit"],
        row[f"{prefix}_value"],
        row[f"{prefix}_part_of"],
    )


def check(session: Session, figure: Figure) -> None:
    """Raise a 422 problem when a link from or to `figure` breaks a rule of app/seeding/parts."""
    session.flush()
    statement = (
        select(
            Part.key.label("part_key"),
            PartStory.key.label("part_story"),
            PartMetric.code.label("part_metric"),
            func.coalesce(Part.unit, PartMetric.unit).label("part_unit"),
            Part.value.label("part_value"),
            Whole.key.label("part_part_of"),
            Whole.key.label("whole_key"),
            WholeStory.key.label("whole_story"),
            WholeMetric.code.label("whole_metric"),
            func.coalesce(Whole.unit, WholeMetric.unit).label("whole_unit"),
            Whole.value.label("whole_value"),
            Above.key.label("whole_part_of"),
        )
        .select_from(Part)
        .join(Whole, Whole.id == Part.part_of_id)
        .join(PartStory, PartStory.id == Part.story_id)
        .join(WholeStory, WholeStory.id == Whole.story_id)
        .join(PartMetric, PartMetric.id == Part.metric_id)
        .join(WholeMetric, WholeMetric.id == Whole.metric_id)
        .outerjoin(Above, Above.id == Whole.part_of_id)
        .where(or_(Part.id == figure.id, Whole.id == figure.id))
        .order_by(Part.key)
    )
    found: list[parts.Breach] = []
    # a link to a whole that is itself a part shows twice (from either end): once is enough
    for row in session.execute(statement).mappings():
        found.extend(parts.breaches(_member(row, "part"), _member(row, "whole")))
    if found:
        unique = list(dict.fromkeys(found))
        raise Problem(
            422,
            "The figure breaks the rules of part_of: " + "; ".join(b.message for b in unique),
            slug="invalid-body",
            title="Invalid request body",
            errors=[{"pointer": f"/{b.field}", "reason": b.message} for b in unique],
        )
