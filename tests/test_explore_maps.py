"""The explorer's offline maps: every located place is a point inside the drawing."""

from __future__ import annotations

from typing import Any

from app.explore import maps

GOMA = {"id": "goma", "name": "Goma", "latitude": -1.68, "longitude": 29.22}
BUKAVU = {"id": "bukavu", "name": "Bukavu", "latitude": -2.51, "longitude": 28.86}
NOWHERE = {"id": "ituri", "name": "Ituri", "latitude": None, "longitude": None}
SQUARE: dict[str, Any] = {
    "type": "Feature",
    "properties": {"iso3": "COD"},
    "geometry": {
        "type": "Polygon",
        "coordinates": [[[28.0, -3.0], [30.0, -3.0], [30.0, -1.0], [28.0, -1.0], [28.0, -3.0]]],
    },
}


def test_every_located_place_is_a_point_and_the_rest_are_listed() -> None:
    drawn = maps.draw([GOMA, BUKAVU, NOWHERE], {"COD"}, features=())
    assert [point.id for point in drawn.points] == ["goma", "bukavu"]
    assert [place["id"] for place in drawn.unlocated] == ["ituri"]
    for point in drawn.points:
        assert 0 <= point.x <= drawn.width and 0 <= point.y <= drawn.height
    goma, bukavu = drawn.points
    assert goma.y < bukavu.y  # north is up
    assert goma.x > bukavu.x  # east is right


def test_outlines_of_the_named_countries_frame_the_places() -> None:
    drawn = maps.draw([GOMA], {"COD"}, features=(SQUARE,))
    assert len(drawn.outlines) == 1 and drawn.outlines[0].startswith("M")
    assert maps.draw([GOMA], {"CAF"}, features=(SQUARE,)).outlines == []


def test_a_single_place_still_gets_a_map() -> None:
    drawn = maps.draw([GOMA], set(), features=())
    assert drawn.height > 0 and len(drawn.points) == 1


def test_no_located_place_draws_nothing() -> None:
    drawn = maps.draw([NOWHERE], {"COD"}, features=())
    assert drawn.points == [] and drawn.height == 0
