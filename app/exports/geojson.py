"""GeoJSON (RFC 7946) for the mappable datasets: one Point feature per row and place.

A feature's `properties` are the row as its JSON list gives it, plus `place` (the location the
point stands for, with its `precision`) for activities and figures. An activity held in three
towns is three features, each with its own place and id (`activity-id@location-id`): a
MultiPoint would lose which point is which town, and a map clusters and labels points, not
parts. Rows with no place that has coordinates are left out, and the collection says so in the
foreign member `without_coordinates` (their count and ids). Positions are [longitude, latitude]
as RFC 7946 requires, in WGS84.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import orjson
from sqlalchemy import ColumnElement, Engine, Select
from sqlalchemy.orm import Session

from app.exports.stream import BATCH_ROWS
from app.queries.datasets import DatasetName, described
from app.queries.keyset import parse_sort
from app.queries.listing import Page, search_condition
from app.queries.places import PLACES
from app.queries.selection import Selection

MEDIA_TYPE = "application/geo+json"
CHUNK_FEATURES = 500


@dataclass
class Unlocated:
    """The rows left out because they have nowhere to draw."""

    ids: list[str] = field(default_factory=list)

    def member(self) -> dict[str, Any]:
        return {"count": len(self.ids), "ids": self.ids}


def features(dataset: str, item: dict[str, Any]) -> list[dict[str, Any]]:
    """The features of one list item (carrying its places); none when it has no coordinates."""
    properties = {k: v for k, v in item.items() if k != PLACES}
    own = dataset == DatasetName.LOCATIONS  # a location's only place is itself
    return [
        {
            "type": "Feature",
            "id": item["id"] if own else f"{item['id']}@{place['id']}",
            "geometry": {"type": "Point", "coordinates": [place["longitude"], place["latitude"]]},
            "properties": properties if own else {**properties, "place": _place(place)},
        }
        for place in item[PLACES]
    ]


def _place(place: dict[str, Any]) -> dict[str, Any]:
    return {"id": place["id"], "name": place["name"], "precision": place["precision"]}


def page_collection(dataset: str, page: Page) -> dict[str, Any]:
    """One list page as a FeatureCollection, with the page's `total` and `next_cursor`."""
    unlocated = Unlocated()
    collected: list[dict[str, Any]] = []
    for item in page.items:
        found = features(dataset, item)
        collected.extend(found)
        if not found:
            unlocated.ids.append(item["id"])
    return {
        "type": "FeatureCollection",
        "features": collected,
        "total": page.total,
        "total_qualifier": page.total_qualifier,
        "next_cursor": page.next_cursor,
        "without_coordinates": unlocated.member(),
    }


def geojson_statement(dataset: str, selection: Selection) -> Select[Any]:
    """The list SELECT of `dataset` with its places, restricted to `selection`, in list order."""
    spec = described(dataset).geo_spec
    conditions: list[ColumnElement[bool]] = list(selection.conditions)
    if selection.q:
        conditions.append(search_condition(spec, selection.q))
    sort = parse_sort(spec.default_sort, spec.sort_fields, spec.id_column)
    return spec.select.where(*conditions).order_by(*sort.order_by())


def collection_chunks(dataset: str, items: Iterable[dict[str, Any]]) -> Iterator[bytes]:
    """A whole FeatureCollection, written piece by piece. Nothing is yielded before the first
    rows are read, so a query that fails at once fails before the response starts."""
    unlocated = Unlocated()
    first = True
    chunk: list[bytes] = []
    for item in items:
        found = features(dataset, item)
        if not found:
            unlocated.ids.append(item["id"])
        chunk.extend(orjson.dumps(feature) for feature in found)
        if len(chunk) >= CHUNK_FEATURES:
            yield (b'{"type":"FeatureCollection","features":[' if first else b",") + b",".join(
                chunk
            )
            first, chunk = False, []
    head = b'{"type":"FeatureCollection","features":[' if first else (b"," if chunk else b"")
    tail = b'],"without_coordinates":' + orjson.dumps(unlocated.member()) + b"}"
    yield head + b",".join(chunk) + tail


def geojson_chunks(engine: Engine, dataset: str, selection: Selection) -> Iterator[bytes]:
    """The export of `selection` as one FeatureCollection, streamed from a server-side cursor.

    An ORM session, not a bare connection: list items are built from ORM rows (`Location`).
    Closing the iterator (the client went away) closes the cursor and ends the query.
    """
    spec = described(dataset).geo_spec
    with Session(engine) as session:
        result = session.execute(
            geojson_statement(dataset, selection),
            execution_options={"stream_results": True, "yield_per": BATCH_ROWS},
        )
        try:
            yield from collection_chunks(dataset, (spec.to_item(row) for row in result))
        finally:
            result.close()
