"""Geometry: distances, exact containment and intersection of circles, polygons with holes and points, and areas."""

from __future__ import annotations

import math

import pytest

from chalicelib.domain.geo.geometry import area_m2, contains, destination, distance_m, intersects
from chalicelib.domain.geo.shapes import Circle, Polygon
from chalicelib.domain.reference import Point
from tests.unit.domain.geo.places import (
    BLOCK,
    HEUVELRUG,
    HOLE,
    METRES_PER_DEGREE,
    OUTER,
    RING,
    UTRECHT,
    foot_on_meridian,
    offset,
    square,
)

# --- distances ---------------------------------------------------------------------------------------------------


def test_one_degree_of_latitude_is_about_111_km():
    assert distance_m(Point(lat=52.0, lon=5.0), Point(lat=53.0, lon=5.0)) == pytest.approx(111_195, abs=1)


@pytest.mark.parametrize("bearing", [0, 37, 90, 181, 270, 333])
def test_a_destination_3_km_away_is_3_km_away(bearing):
    assert abs(distance_m(UTRECHT, destination(UTRECHT, bearing, 3000)) - 3000) < 1e-3


def test_a_destination_due_east_keeps_nearly_the_same_latitude_and_gains_longitude():
    east = destination(UTRECHT, 90, 1000)

    assert east.lon > UTRECHT.lon
    assert east.lat == pytest.approx(UTRECHT.lat, abs=1e-4)


# --- circles -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("bearing", [0, 45, 90, 200, 359])
def test_a_point_exactly_on_a_circles_edge_is_inside_and_one_metre_further_is_outside(bearing):
    area = Circle(UTRECHT, 750)

    assert contains(area, destination(UTRECHT, bearing, 750))
    assert contains(area, destination(UTRECHT, bearing, 749))
    assert not contains(area, destination(UTRECHT, bearing, 751))


# --- polygons ----------------------------------------------------------------------------------------------------


def test_a_point_in_a_hole_is_outside_the_polygon():
    assert not contains(RING, HEUVELRUG)
    assert not contains(RING, offset(HEUVELRUG, 299, 0))


def test_a_point_on_the_edge_of_a_hole_or_the_exterior_is_inside_the_polygon():
    assert contains(RING, offset(HEUVELRUG, 300, 0))
    assert contains(RING, HOLE[2])
    assert contains(RING, offset(HEUVELRUG, 1000, 123))
    assert contains(RING, OUTER[0])


def test_a_point_between_the_rings_is_inside_and_beyond_the_exterior_outside():
    assert contains(RING, offset(HEUVELRUG, 600, -200))
    assert not contains(RING, offset(HEUVELRUG, 1001, 0))
    assert not contains(RING, offset(HEUVELRUG, 5000, 5000))


def test_an_event_polygon_entirely_inside_a_hole_does_not_meet_the_polygon():
    assert not intersects(RING, Polygon(square(HEUVELRUG, 200)))


def test_an_event_polygon_across_the_edge_of_a_hole_meets_the_polygon():
    assert intersects(RING, Polygon(square(offset(HEUVELRUG, 300, 0), 50)))


def test_an_event_polygon_whose_own_hole_surrounds_the_area_does_not_meet_it():
    small = Polygon(square(HEUVELRUG, 100))
    doughnut = Polygon(exterior=square(HEUVELRUG, 2000), holes=(square(HEUVELRUG, 500),))

    assert not intersects(small, doughnut)
    assert intersects(BLOCK, doughnut)


def test_polygons_far_apart_do_not_meet():
    assert not intersects(BLOCK, Polygon(square(offset(HEUVELRUG, 3000, 0), 500)))


def test_polygons_touching_at_one_corner_meet():
    corner = OUTER[2]
    beyond = Polygon((corner, offset(corner, 100, 0), offset(corner, 100, 100), offset(corner, 0, 100)))

    assert intersects(BLOCK, beyond)
    assert not intersects(BLOCK, Polygon(tuple(offset(p, 1, 1) for p in beyond.exterior)))


def test_polygons_sharing_an_edge_meet():
    south_east, north_east = OUTER[1], OUTER[2]
    neighbour = Polygon((south_east, offset(south_east, 400, 0), offset(north_east, 400, 0), north_east))

    assert intersects(BLOCK, neighbour)


def test_polygons_with_crossing_edges_meet():
    assert intersects(BLOCK, Polygon(square(offset(HEUVELRUG, 1000, 1000), 200)))


def test_a_polygon_meets_the_polygons_it_contains_and_those_containing_it():
    small = Polygon(square(offset(HEUVELRUG, 500, 500), 100))

    assert intersects(BLOCK, small)
    assert intersects(small, BLOCK)


def test_a_circle_far_from_a_polygon_does_not_meet_it():
    assert not intersects(Circle(offset(HEUVELRUG, 3000, 0), 500), BLOCK)


def test_a_circle_reaching_exactly_to_a_polygons_edge_meets_it_and_a_metre_less_does_not():
    centre = offset(HEUVELRUG, 0, 1500)
    edge = Point(lat=OUTER[2].lat, lon=centre.lon)
    reach = distance_m(centre, edge)

    assert reach == pytest.approx(500, abs=0.01)
    assert intersects(Circle(centre, reach), BLOCK)
    assert not intersects(Circle(centre, reach - 1), BLOCK)


def test_a_large_circle_reaching_exactly_to_a_long_straight_edge_meets_it_and_a_centimetre_less_does_not():
    centre = Point(lat=52.0, lon=5.0)
    edge_lon = 5.0 + 20_000 / (METRES_PER_DEGREE * math.cos(math.radians(52.0)))
    nearest = foot_on_meridian(centre, edge_lon)
    reach = distance_m(centre, nearest)
    field = Polygon(
        (
            Point(lat=51.8, lon=edge_lon),
            Point(lat=51.8, lon=edge_lon + 0.05),
            Point(lat=52.2, lon=edge_lon + 0.05),
            Point(lat=52.2, lon=edge_lon),
        )
    )

    assert distance_m(centre, Point(lat=centre.lat, lon=edge_lon)) - reach > 0.01  # not straight east
    assert intersects(Circle(centre, reach), field)
    assert not intersects(Circle(centre, reach - 0.01), field)


def test_a_circle_across_a_polygons_edge_meets_it():
    assert intersects(Circle(offset(HEUVELRUG, 1000, 0), 100), BLOCK)


def test_a_circle_meets_a_polygon_it_contains_and_one_containing_it():
    assert intersects(Circle(HEUVELRUG, 5000), BLOCK)
    assert intersects(Circle(offset(HEUVELRUG, 500, 500), 100), BLOCK)


def test_a_circle_inside_a_hole_does_not_meet_the_polygon_until_it_reaches_the_holes_edge():
    to_hole_edge = distance_m(HEUVELRUG, Point(lat=HOLE[2].lat, lon=HEUVELRUG.lon))

    assert not intersects(Circle(HEUVELRUG, 250), RING)
    assert intersects(Circle(HEUVELRUG, to_hole_edge), RING)


def test_a_point_event_meets_an_area_exactly_when_the_area_contains_it():
    assert intersects(RING, offset(HEUVELRUG, 600, 0))
    assert not intersects(RING, HEUVELRUG)
    assert intersects(Circle(UTRECHT, 500), destination(UTRECHT, 10, 500))


def test_the_area_of_a_polygon_excludes_its_holes():
    assert area_m2(BLOCK) == pytest.approx(4_000_000, rel=1e-3)
    assert area_m2(RING) == pytest.approx(4_000_000 - 360_000, rel=1e-3)
