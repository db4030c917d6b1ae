"""Facets: how many records of a list hold each value of a filter, under the current filters.

As Datasette and ReliefWeb do, `?facets=mission,type` adds, beside a page, the counts a
filter sidebar shows. A facet is named after the filter it feeds, so each value can be sent
back as that filter. Counts come from the rollups when the selection allows it (see
queries/grouping.py); a record linked to several values (a story of two missions) is counted
under each.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import distinct, func, or_
from sqlalchemy.orm import Session, aliased

from app.errors import InvalidParameters, parameter_error
from app.models import Country, Figure, Location, Mission, Partner, activity_location
from app.queries import figures, reference
from app.queries.axes import REFERENCE_AXES
from app.queries.counts import ACTIVITIES, STORIES
from app.queries.datasets import DatasetName
from app.queries.filters import split_values
from app.queries.grouping import Grouping, GroupKey
from app.queries.selection import Selection
from app.queries.stats import FIGURES

MOST_VALUES = 100
"""Values listed per facet, the most frequent first; `truncated` says when there were more."""


@dataclass(frozen=True)
class Facet:
    grouping: Grouping
    key: str
    """The grouping's key counted."""
    axis: str | None = None
    """The axis whose first label names each value (mission name, metric label, ...)."""


MISSIONS = Grouping(
    reference.MISSIONS,
    {"country": GroupKey(Country.iso3), "status": GroupKey(Mission.status)},
    "missions",
    func.count(distinct(Mission.id)),
)
LOCATIONS = Grouping(
    reference.LOCATIONS,
    {"country": GroupKey(Country.iso3), "kind": GroupKey(Location.kind)},
    "locations",
    func.count(distinct(Location.id)),
)
PARTNERS = Grouping(
    reference.PARTNERS,
    {"country": GroupKey(reference.PartnerCountry.iso3), "kind": GroupKey(Partner.kind)},
    "partners",
    func.count(distinct(Partner.id)),
)

_FigureLink = activity_location.alias("facet_activity_location")
_FigurePlace = aliased(Location, name="facet_figure_place")
FIGURE_PLACES = Grouping(
    figures.SPEC,
    {
        "location": GroupKey(
            _FigurePlace.key,
            joins=(
                (_FigureLink, _FigureLink.c.activity_id == Figure.activity_id),
                (
                    _FigurePlace,
                    or_(
                        _FigurePlace.id == Figure.location_id,
                        _FigurePlace.id == _FigureLink.c.location_id,
                    ),
                ),
            ),
        )
    },
    "figures",
    func.count(distinct(Figure.id)),
)
"""Figures per place as the figures' `location` filter matches them: the figure's own place
and its activity's places, each figure once under each (so a value sent back as the filter
lists as many figures as its count says). Stats group a figure by its own place only."""


def _shared(grouping: Grouping) -> dict[str, Facet]:
    return {
        "mission": Facet(grouping, "mission", "mission"),
        "objective": Facet(grouping, "objective", "objective"),
        "country": Facet(grouping, "country", "country"),
    }


FACETS: dict[DatasetName, dict[str, Facet]] = {
    DatasetName.FIGURES: {
        **_shared(FIGURES),
        "location": Facet(FIGURE_PLACES, "location", "location"),
        "type": Facet(FIGURES, "activity_type", "activity_type"),
        "metric": Facet(FIGURES, "metric", "metric"),
        "qualifier": Facet(FIGURES, "qualifier"),
        "year": Facet(FIGURES, "year"),
    },
    DatasetName.ACTIVITIES: {
        **_shared(ACTIVITIES),
        "location": Facet(ACTIVITIES, "location", "location"),
        "partner": Facet(ACTIVITIES, "partner", "partner"),
        "type": Facet(ACTIVITIES, "activity_type", "activity_type"),
        "year": Facet(ACTIVITIES, "year"),
    },
    DatasetName.STORIES: {
        **_shared(STORIES),
        "kind": Facet(STORIES, "kind"),
        "year": Facet(STORIES, "year"),
    },
    DatasetName.MISSIONS: {
        "country": Facet(MISSIONS, "country", "country"),
        "status": Facet(MISSIONS, "status"),
    },
    DatasetName.LOCATIONS: {
        "country": Facet(LOCATIONS, "country", "country"),
        "kind": Facet(LOCATIONS, "kind"),
    },
    DatasetName.PARTNERS: {
        "country": Facet(PARTNERS, "country", "country"),
        "kind": Facet(PARTNERS, "kind"),
    },
}
"""Each list's facets: named after its filters. Lists without filters have none."""


def parse_facets(dataset: str, text: str | None) -> list[str]:
    """`facets`' comma list, each a facet of this list, none twice; else a 422."""
    names = split_values(text)
    allowed = list(FACETS.get(DatasetName(dataset), {}))
    unknown = [name for name in names if name not in allowed]
    if unknown:
        reason = f"unknown facet(s): {', '.join(unknown)}; allowed: {', '.join(allowed)}"
        raise InvalidParameters([parameter_error("facets", reason)])
    if len(set(names)) != len(names):
        raise InvalidParameters([parameter_error("facets", "a facet is given twice")])
    return names


def facet_counts(
    session: Session, dataset: str, selection: Selection, names: list[str]
) -> dict[str, Any]:
    """Per facet: its values, most records first, each with its label and count."""
    return {name: _facet(session, FACETS[DatasetName(dataset)][name], selection) for name in names}


def _facet(session: Session, facet: Facet, selection: Selection) -> dict[str, Any]:
    rows = facet.grouping.rows(session, selection, [facet.key])
    count = facet.grouping.count_name
    rows.sort(key=lambda row: (-row[count], row[facet.key] is None, row[facet.key] or 0))
    shown = rows[:MOST_VALUES]
    labels: Mapping[Any, dict[str, Any]] = {}
    if facet.axis is not None:
        labels = REFERENCE_AXES[facet.axis].labels_of(session, [r[facet.key] for r in shown])
    return {
        "values": [
            {
                "value": row[facet.key],
                "label": next(iter(labels.get(row[facet.key], {}).values()), None),
                "count": row[count],
            }
            for row in shown
        ],
        "truncated": len(rows) > MOST_VALUES,
    }
