"""Validation: circles within the radius limits, GeoJSON polygons in and out, and places within the province."""

from __future__ import annotations

import math

import pytest

from chalicelib.domain.errors import DomainError
from chalicelib.domain.geo.geometry import contains
from chalicelib.domain.geo.shapes import Circle, GeometryError, Polygon
from chalicelib.domain.geo.validation import circle, polygon_from_geojson, polygon_to_geojson, require_within
from chalicelib.domain.reference import Point
from tests.unit.domain.geo.places import HEUVELRUG, NORTH, RING, UTRECHT, square

# --- circles -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("radius", [100, 2500, 10_000])
def test_a_circle_with_a_radius_within_the_limits_is_accepted(radius):
    assert circle(UTRECHT, radius) == Circle(UTRECHT, radius)


@pytest.mark.parametrize("radius", [99.9, 10_001, 0, -5, math.nan, math.inf])
def test_a_circle_with_a_radius_outside_the_limits_is_refused(radius):
    with pytest.raises(GeometryError) as error:
        circle(UTRECHT, radius)

    assert error.value.reason == "radius_out_of_range"
    assert error.value.code == "invalid_geometry"
    assert isinstance(error.value, DomainError)


def test_a_circle_around_an_impossible_centre_is_refused():
    with pytest.raises(GeometryError) as error:
        circle(Point(lat=95.0, lon=5.0), 500)

    assert error.value.reason == "bad_coordinates"


# --- polygon input -----------------------------------------------------------------------------------------------


def _lonlat(x: float, y: float) -> list[float]:
    """A GeoJSON position on a grid of 0.01 degrees around the Heuvelrug."""
    return [round(5.37 + x * 0.01, 6), round(52.04 + y * 0.01, 6)]


def _closed(*corners: tuple[float, float]) -> list[list[float]]:
    return [_lonlat(x, y) for x, y in (*corners, corners[0])]


EXTERIOR_CCW = _closed((0, 0), (4, 0), (4, 4), (0, 4))
HOLE_CW = _closed((1, 1), (1, 2), (2, 2), (2, 1))


def _geojson(*rings: list) -> dict:
    return {"type": "Polygon", "coordinates": list(rings)}


@pytest.mark.parametrize(
    "rings",
    [(EXTERIOR_CCW, HOLE_CW), (EXTERIOR_CCW[::-1], HOLE_CW[::-1])],
    ids=["right-hand rule", "left-hand rule"],
)
def test_a_valid_polygon_with_a_hole_is_accepted_in_either_orientation(rings):
    polygon = polygon_from_geojson(_geojson(*rings))

    assert len(polygon.exterior) == 4
    assert len(polygon.holes) == 1
    assert contains(polygon, Point(lat=52.055, lon=5.395))
    assert not contains(polygon, Point(lat=52.055, lon=5.385))
    assert polygon_to_geojson(polygon) == _geojson(*rings)


def test_a_stored_polygon_reads_back_the_same():
    polygon = polygon_from_geojson(_geojson(EXTERIOR_CCW, HOLE_CW))

    assert polygon_from_geojson(polygon_to_geojson(polygon)) == polygon
    assert polygon_to_geojson(polygon)["coordinates"][0][0] == [5.37, 52.04]


def test_altitudes_are_ignored_and_repeated_positions_dropped():
    ring = [[*position, 3.5] for position in EXTERIOR_CCW]
    ring.insert(1, ring[0])

    assert polygon_from_geojson(_geojson(ring)) == polygon_from_geojson(_geojson(EXTERIOR_CCW))


def test_a_polygon_with_up_to_the_maximum_number_of_vertices_is_accepted():
    ring = [[5.37 + 0.01 * math.cos(k * math.pi / 250), 52.04 + 0.01 * math.sin(k * math.pi / 250)] for k in range(500)]

    assert len(polygon_from_geojson(_geojson([*ring, ring[0]])).exterior) == 500


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        pytest.param({"type": "MultiPolygon", "coordinates": [[EXTERIOR_CCW]]}, "not_a_polygon", id="multipolygon"),
        pytest.param({"type": "Point", "coordinates": [5.37, 52.04]}, "not_a_polygon", id="point"),
        pytest.param([EXTERIOR_CCW], "not_a_polygon", id="bare coordinates"),
        pytest.param({"type": "Polygon"}, "not_a_polygon", id="no coordinates"),
        pytest.param({"type": "Polygon", "coordinates": []}, "not_a_polygon", id="no rings"),
        pytest.param(_geojson(EXTERIOR_CCW[:-1]), "not_closed", id="not closed"),
        pytest.param(_geojson(_closed((0, 0), (1, 0))), "too_few_positions", id="three positions"),
        pytest.param(_geojson(_closed((0, 0), (0, 0), (1, 0))), "too_few_positions", id="two distinct"),
        pytest.param(_geojson(_closed((0, 0), (1, 1), (1, 0), (0, 1))), "self_intersecting", id="bow-tie"),
        pytest.param(_geojson(_closed((0, 0), (2, 0), (2, 2), (2, 1))), "self_intersecting", id="spike back"),
        pytest.param(_geojson(_closed((0, 0), (2, 0), (1, 1), (2, 2), (0, 2), (1, 1))), "self_intersecting", id="pinch"),
        pytest.param(_geojson(_closed((0, 0), (1, 0), (2, 0))), "zero_area", id="collinear"),
        pytest.param(_geojson(EXTERIOR_CCW, _closed((5, 5), (6, 5), (6, 6))), "hole_outside_exterior", id="hole outside"),
        pytest.param(_geojson(EXTERIOR_CCW, _closed((3, 1), (5, 1), (5, 2))), "hole_outside_exterior", id="hole crossing"),
        pytest.param(_geojson(EXTERIOR_CCW, _closed((0, 0), (1, 1), (1, 2))), "hole_outside_exterior", id="hole touching"),
        pytest.param(
            _geojson(EXTERIOR_CCW, _closed((1, 1), (3, 1), (3, 3)), _closed((1.5, 1.2), (2.8, 1.2), (2.8, 2.5))),
            "hole_outside_exterior",
            id="hole in a hole",
        ),
        pytest.param(
            _geojson(EXTERIOR_CCW, _closed((1, 1), (2, 1), (2, 2)), _closed((1.5, 1.2), (3, 1.2), (3, 2))),
            "self_intersecting",
            id="holes crossing",
        ),
        pytest.param(_geojson([["5.37", 52.04], *EXTERIOR_CCW[1:]]), "bad_coordinates", id="text"),
        pytest.param(_geojson([[math.nan, 52.04], *EXTERIOR_CCW[1:]]), "bad_coordinates", id="nan"),
        pytest.param(_geojson([[True, 52.04], *EXTERIOR_CCW[1:]]), "bad_coordinates", id="boolean"),
        pytest.param(_geojson([[181.0, 52.04], *EXTERIOR_CCW[1:]]), "bad_coordinates", id="longitude 181"),
        pytest.param(_geojson([[5.37, 90.5], *EXTERIOR_CCW[1:]]), "bad_coordinates", id="latitude 90.5"),
        pytest.param(_geojson([[5.37], *EXTERIOR_CCW[1:]]), "bad_coordinates", id="one number"),
        pytest.param(_geojson([[5.37, 52.04, 1, 2], *EXTERIOR_CCW[1:]]), "bad_coordinates", id="four numbers"),
        pytest.param({"type": "Polygon", "coordinates": ["ring"]}, "bad_coordinates", id="ring not a list"),
    ],
)
def test_an_invalid_polygon_is_refused_with_its_reason(data, reason):
    with pytest.raises(GeometryError) as error:
        polygon_from_geojson(data)

    assert error.value.reason == reason
    assert error.value.code == "invalid_geometry"


def test_a_polygon_with_too_many_vertices_is_refused():
    with pytest.raises(GeometryError) as error:
        polygon_from_geojson(_geojson(EXTERIOR_CCW, HOLE_CW), max_vertices=7)

    assert error.value.reason == "too_many_vertices"
    assert polygon_from_geojson(_geojson(EXTERIOR_CCW, HOLE_CW), max_vertices=8).holes


# --- the province ------------------------------------------------------------------------------------------------


def test_a_polygon_near_amsterdam_is_outside_the_province():
    with pytest.raises(GeometryError) as error:
        require_within(Polygon(square(Point(lat=52.50, lon=4.90), 500)))

    assert error.value.reason == "outside_province"


def test_a_polygon_on_the_utrechtse_heuvelrug_is_inside_the_province():
    require_within(RING)
    require_within(Circle(HEUVELRUG, 10_000))
    require_within(HEUVELRUG)


def test_a_circle_reaching_over_the_provinces_edge_is_refused():
    near_edge = Point(lat=NORTH - 0.01, lon=5.2)

    with pytest.raises(GeometryError, match="outside_province"):
        require_within(Circle(near_edge, 2000))
    require_within(Circle(near_edge, 500))
