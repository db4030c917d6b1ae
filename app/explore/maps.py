"""Small offline maps: places drawn from their coordinates over shipped country outlines.

No tile server and no script: the server projects longitude and latitude onto an SVG
(equirectangular, x scaled by the cosine of the middle latitude, which is true enough at the
scale of a country). Outlines come from a GeoJSON file shipped inside `app/` when there is
one; without it the map still shows every located place.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

APP = Path(__file__).resolve().parent.parent
WIDTH = 320.0
MARGIN = 12.0
OUTLINE_GLOB = "*outline*.geojson"
"""Where shipped outlines are found under app/ (features keyed by ISO3 in `iso3`, `ISO_A3`,
`iso_a3`, `ADM0_A3` or the feature's `id`)."""
MIN_SPAN = 1.0
"""Degrees: a map of one place still shows its surroundings."""


@dataclass(frozen=True)
class Point:
    id: str
    name: str
    x: float
    y: float


@dataclass
class Map:
    width: float
    height: float
    points: list[Point] = field(default_factory=list)
    outlines: list[str] = field(default_factory=list)
    unlocated: list[dict[str, Any]] = field(default_factory=list)


@cache
def outline_features() -> tuple[dict[str, Any], ...]:
    """Country outlines shipped with the app (any `OUTLINE_GLOB` file under app/)."""
    features: list[dict[str, Any]] = []
    for path in sorted(APP.rglob(OUTLINE_GLOB)):
        features.extend(json.loads(path.read_text()).get("features", []))
    return tuple(features)


def _iso3(feature: dict[str, Any]) -> str | None:
    properties = feature.get("properties") or {}
    for key in ("iso3", "ISO_A3", "iso_a3", "ADM0_A3"):
        if isinstance(properties.get(key), str):
            return str(properties[key]).upper()
    identifier = feature.get("id")
    return identifier.upper() if isinstance(identifier, str) else None


def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    if geometry.get("type") == "Polygon":
        return list(geometry["coordinates"])
    if geometry.get("type") == "MultiPolygon":
        return [ring for polygon in geometry["coordinates"] for ring in polygon]
    return []


def located(place: dict[str, Any]) -> bool:
    return place.get("latitude") is not None and place.get("longitude") is not None


def draw(
    places: list[dict[str, Any]],
    countries: set[str],
    features: tuple[dict[str, Any], ...] | None = None,
) -> Map:
    """A map of `places` over the outlines of `countries` (ISO3 codes), from `features` or
    else the shipped outlines."""
    on_map = [place for place in places if located(place)]
    rings = [
        ring
        for feature in (outline_features() if features is None else features)
        if _iso3(feature) in countries
        for ring in _rings(feature.get("geometry") or {})
    ]
    lons = [float(p["longitude"]) for p in on_map] + [pt[0] for ring in rings for pt in ring]
    lats = [float(p["latitude"]) for p in on_map] + [pt[1] for ring in rings for pt in ring]
    unlocated = [place for place in places if not located(place)]
    if not lons:
        return Map(WIDTH, 0.0, unlocated=unlocated)
    west, east = min(lons), max(lons)
    south, north = min(lats), max(lats)
    if east - west < MIN_SPAN:
        west, east = (west + east - MIN_SPAN) / 2, (west + east + MIN_SPAN) / 2
    if north - south < MIN_SPAN:
        south, north = (south + north - MIN_SPAN) / 2, (south + north + MIN_SPAN) / 2
    squeeze = math.cos(math.radians((north + south) / 2))
    scale = (WIDTH - 2 * MARGIN) / ((east - west) * squeeze)
    height = (north - south) * scale + 2 * MARGIN

    def project(lon: float, lat: float) -> tuple[float, float]:
        return (MARGIN + (lon - west) * squeeze * scale, MARGIN + (north - lat) * scale)

    points = [
        Point(
            place["id"],
            place["name"],
            *project(float(place["longitude"]), float(place["latitude"])),
        )
        for place in on_map
    ]
    outlines = [
        "M"
        + "L".join(f"{x:.1f},{y:.1f}" for x, y in (project(lon, lat) for lon, lat, *_ in ring))
        + "Z"
        for ring in rings
    ]
    return Map(WIDTH, round(height, 1), points, outlines, unlocated)
