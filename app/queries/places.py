"""Where each row of a mappable dataset is: a jsonb array of its places that have coordinates.

GeoJSON answers (app/exports/geojson.py) read this one column; the JSON lists never select it,
so they cost what they cost before. A row's places are:

- a location: itself;
- an activity: each of its locations (an activity in three towns is three points);
- a figure: its own location when it has one, else its activity's locations, which is also what
  the figures' `location` filter matches.

Places without coordinates are left out here, so an empty array means "nowhere to draw".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import ColumnElement, case, func, literal_column, select
from sqlalchemy.orm import aliased

from app.models import Activity, Figure, Location, activity_location
from app.queries.listing import ListSpec
from app.queries.shapes import EMPTY_JSON_ARRAY, json_objects

PLACES = "_places"
"""The key under which an item carries its places, for the GeoJSON writer only."""


def _place(location: Any) -> ColumnElement[Any]:
    return func.jsonb_build_object(
        "id",
        location.key,
        "name",
        location.name,
        "latitude",
        location.latitude,
        "longitude",
        location.longitude,
        "precision",
        location.precision,
    )


def _located_places(owner_activity: Any) -> ColumnElement[Any]:
    place = aliased(Location)
    return (
        select(
            json_objects(
                "id",
                place.key,
                "name",
                place.name,
                "latitude",
                place.latitude,
                "longitude",
                place.longitude,
                "precision",
                place.precision,
                order_by=place.key,
            )
        )
        .select_from(activity_location)
        .join(place, activity_location.c.location_id == place.id)
        .where(activity_location.c.activity_id == owner_activity, place.latitude.is_not(None))
        .scalar_subquery()
    )


LOCATION_PLACES: ColumnElement[Any] = case(
    (Location.latitude.is_not(None), func.jsonb_build_array(_place(Location))),
    else_=EMPTY_JSON_ARRAY,
)

ACTIVITY_PLACES: ColumnElement[Any] = _located_places(Activity.id)

_own = aliased(Location)
FIGURE_PLACES: ColumnElement[Any] = case(
    (
        Figure.location_id.is_not(None),
        select(
            case(
                (_own.latitude.is_not(None), func.jsonb_build_array(_place(_own))),
                else_=literal_column("'[]'::jsonb"),
            )
        )
        .where(_own.id == Figure.location_id)
        .scalar_subquery(),
    ),
    else_=func.coalesce(_located_places(Figure.activity_id), EMPTY_JSON_ARRAY),
)


def with_places(spec: ListSpec, places: ColumnElement[Any]) -> ListSpec:
    """`spec` whose rows also select their places, and whose items carry them (`PLACES`)."""
    base = spec.to_item
    position = len(spec.select.selected_columns)  # the places column comes after the item's

    def to_item(row: Sequence[Any]) -> dict[str, Any]:
        return {**base(row), PLACES: row[position]}

    return replace(spec, select=spec.select.add_columns(places.label(PLACES)), to_item=to_item)
