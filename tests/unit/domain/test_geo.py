"""Geometry: geohash cells, exact containment and intersection, the two-level covering, and polygon input.

The covering's promise is what matching relies on: an event inside an area always shares a key with it, and a
point event finds an area under one key at most. Hypothesis tries random circles and polygons in the province.
"""

from __future__ import annotations

import math
import random
import time

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from chalicelib.domain.errors import DomainError
from chalicelib.domain.geo import (
    COARSE,
    EARTH_RADIUS_M,
    FINE,
    PROVINCE_BOUNDS,
    Circle,
    Covering,
    GeometryError,
    Polygon,
    area_m2,
    bounding_box,
    cell_bounds,
    children,
    circle,
    contains,
    covering,
    destination,
    distance_m,
    encode,
    geometry_keys,
    intersects,
    point_keys,
    polygon_from_geojson,
    polygon_to_geojson,
    require_within,
)
from chalicelib.domain.reference import Point

UTRECHT = Point(lat=52.0907, lon=5.1214)
HEUVELRUG = Point(lat=52.04, lon=5.37)
METRES_PER_DEGREE = EARTH_RADIUS_M * math.pi / 180
SOUTH, WEST, NORTH, EAST = PROVINCE_BOUNDS
FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def _offset(origin: Point, east_m: float, north_m: float) -> Point:
    """A point so many metres east and north of ``origin``, in the local plane the polygons use."""
    return Point(
        lat=origin.lat + north_m / METRES_PER_DEGREE,
        lon=origin.lon + east_m / (METRES_PER_DEGREE * math.cos(math.radians(origin.lat))),
    )


def _square(centre: Point, half_m: float) -> tuple[Point, ...]:
    """Counter-clockwise: south-west, south-east, north-east, north-west."""
    return tuple(_offset(centre, x * half_m, y * half_m) for x, y in ((-1, -1), (1, -1), (1, 1), (-1, 1)))


def _hits(area_keys: frozenset[str], event_keys: frozenset[str]) -> int:
    return len(area_keys & event_keys)


def _reference_geohash(lat: float, lon: float, precision: int) -> str:
    """The textbook algorithm, written independently: halve the ranges, alternate axes, five bits a character."""
    alphabet = "0123456789bcdefghjkmnpqrstuvwxyz"
    lat_range, lon_range = [-90.0, 90.0], [-180.0, 180.0]
    result, value, bit_count, use_lon = "", 0, 0, True
    while len(result) < precision:
        span, coordinate = (lon_range, lon) if use_lon else (lat_range, lat)
        middle = (span[0] + span[1]) / 2
        if coordinate >= middle:
            value, span[0] = value * 2 + 1, middle
        else:
            value, span[1] = value * 2, middle
        use_lon, bit_count = not use_lon, bit_count + 1
        if bit_count == 5:
            result, value, bit_count = result + alphabet[value], 0, 0
    return result


points_in_province = st.builds(Point, lat=st.floats(SOUTH, NORTH), lon=st.floats(WEST, EAST))


# --- geohash -----------------------------------------------------------------------------------------------------


def test_the_published_geohash_example_encodes_as_published():
    assert encode(Point(lat=57.64911, lon=10.40744), 11) == "u4pruydqqvj"


def test_the_centre_of_utrecht_lies_in_geohash_u178():
    assert encode(UTRECHT, 7).startswith("u178")
    assert encode(UTRECHT, 7) == _reference_geohash(UTRECHT.lat, UTRECHT.lon, 7)


@given(lat=st.floats(-90, 90, exclude_max=True), lon=st.floats(-180, 180, exclude_max=True), precision=st.integers(1, 12))
@FAST
def test_encoding_agrees_with_an_independent_implementation_everywhere(lat, lon, precision):
    assert encode(Point(lat=lat, lon=lon), precision) == _reference_geohash(lat, lon, precision)


@given(point=points_in_province, precision=st.integers(1, 9))
@FAST
def test_a_cell_contains_the_points_encoded_into_it(point, precision):
    south, west, north, east = cell_bounds(encode(point, precision))

    assert south <= point.lat <= north
    assert west <= point.lon <= east


def test_a_longer_geohash_lies_inside_its_prefix():
    assert encode(UTRECHT, FINE)[:COARSE] == encode(UTRECHT, COARSE)


@pytest.mark.parametrize("parent", ["u178k", "u178kd"])
def test_the_32_children_of_a_cell_tile_it(parent):
    south, west, north, east = cell_bounds(parent)
    kids = children(parent)
    boxes = [cell_bounds(kid) for kid in kids]

    assert len(set(kids)) == 32
    assert all(kid.startswith(parent) and len(kid) == len(parent) + 1 for kid in kids)
    assert all(south <= s < n <= north and west <= w < e <= east for s, w, n, e in boxes)
    assert sum((n - s) * (e - w) for s, w, n, e in boxes) == pytest.approx((north - south) * (east - west))
    for index, (s1, w1, n1, e1) in enumerate(boxes):
        for s2, w2, n2, e2 in boxes[index + 1 :]:
            assert min(n1, n2) <= max(s1, s2) or min(e1, e2) <= max(w1, w2), "children overlap"


def test_a_child_is_the_cell_its_middle_encodes_to():
    for kid in children("u178kd"):
        s, w, n, e = cell_bounds(kid)
        assert encode(Point(lat=(s + n) / 2, lon=(w + e) / 2), 7) == kid


@pytest.mark.parametrize("geohash", ["", "u178a", "U178"])
def test_a_string_that_is_not_a_geohash_is_refused(geohash):
    with pytest.raises(ValueError, match="not a geohash"):
        cell_bounds(geohash)


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


# --- polygons ----------------------------------------------------------------------------------------------------

OUTER = _square(HEUVELRUG, 1000)
HOLE = _square(HEUVELRUG, 300)
RING = Polygon(exterior=OUTER, holes=(HOLE,))
BLOCK = Polygon(exterior=OUTER)


def test_a_point_in_a_hole_is_outside_the_polygon():
    assert not contains(RING, HEUVELRUG)
    assert not contains(RING, _offset(HEUVELRUG, 299, 0))


def test_a_point_on_the_edge_of_a_hole_or_the_exterior_is_inside_the_polygon():
    assert contains(RING, _offset(HEUVELRUG, 300, 0))
    assert contains(RING, HOLE[2])
    assert contains(RING, _offset(HEUVELRUG, 1000, 123))
    assert contains(RING, OUTER[0])


def test_a_point_between_the_rings_is_inside_and_beyond_the_exterior_outside():
    assert contains(RING, _offset(HEUVELRUG, 600, -200))
    assert not contains(RING, _offset(HEUVELRUG, 1001, 0))
    assert not contains(RING, _offset(HEUVELRUG, 5000, 5000))


def test_an_event_polygon_entirely_inside_a_hole_does_not_meet_the_polygon():
    assert not intersects(RING, Polygon(_square(HEUVELRUG, 200)))


def test_an_event_polygon_across_the_edge_of_a_hole_meets_the_polygon():
    assert intersects(RING, Polygon(_square(_offset(HEUVELRUG, 300, 0), 50)))


def test_an_event_polygon_whose_own_hole_surrounds_the_area_does_not_meet_it():
    small = Polygon(_square(HEUVELRUG, 100))
    doughnut = Polygon(exterior=_square(HEUVELRUG, 2000), holes=(_square(HEUVELRUG, 500),))

    assert not intersects(small, doughnut)
    assert intersects(BLOCK, doughnut)


def test_polygons_far_apart_do_not_meet():
    assert not intersects(BLOCK, Polygon(_square(_offset(HEUVELRUG, 3000, 0), 500)))


def test_polygons_touching_at_one_corner_meet():
    corner = OUTER[2]
    beyond = Polygon((corner, _offset(corner, 100, 0), _offset(corner, 100, 100), _offset(corner, 0, 100)))

    assert intersects(BLOCK, beyond)
    assert not intersects(BLOCK, Polygon(tuple(_offset(p, 1, 1) for p in beyond.exterior)))


def test_polygons_sharing_an_edge_meet():
    south_east, north_east = OUTER[1], OUTER[2]
    neighbour = Polygon((south_east, _offset(south_east, 400, 0), _offset(north_east, 400, 0), north_east))

    assert intersects(BLOCK, neighbour)


def test_polygons_with_crossing_edges_meet():
    assert intersects(BLOCK, Polygon(_square(_offset(HEUVELRUG, 1000, 1000), 200)))


def test_a_polygon_meets_the_polygons_it_contains_and_those_containing_it():
    small = Polygon(_square(_offset(HEUVELRUG, 500, 500), 100))

    assert intersects(BLOCK, small)
    assert intersects(small, BLOCK)


def test_a_circle_far_from_a_polygon_does_not_meet_it():
    assert not intersects(Circle(_offset(HEUVELRUG, 3000, 0), 500), BLOCK)


def test_a_circle_reaching_exactly_to_a_polygons_edge_meets_it_and_a_metre_less_does_not():
    centre = _offset(HEUVELRUG, 0, 1500)
    edge = Point(lat=OUTER[2].lat, lon=centre.lon)
    reach = distance_m(centre, edge)

    assert reach == pytest.approx(500, abs=0.01)
    assert intersects(Circle(centre, reach), BLOCK)
    assert not intersects(Circle(centre, reach - 1), BLOCK)


def _foot_on_meridian(centre: Point, lon: float) -> Point:
    """The point of a meridian nearest to ``centre`` (spherical right triangle: tan foot = tan lat / cos dlon)."""
    foot = math.atan(math.tan(math.radians(centre.lat)) / math.cos(math.radians(lon - centre.lon)))
    return Point(lat=math.degrees(foot), lon=lon)


def test_a_large_circle_reaching_exactly_to_a_long_straight_edge_meets_it_and_a_centimetre_less_does_not():
    centre = Point(lat=52.0, lon=5.0)
    edge_lon = 5.0 + 20_000 / (METRES_PER_DEGREE * math.cos(math.radians(52.0)))
    nearest = _foot_on_meridian(centre, edge_lon)
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
    assert intersects(Circle(_offset(HEUVELRUG, 1000, 0), 100), BLOCK)


def test_a_circle_meets_a_polygon_it_contains_and_one_containing_it():
    assert intersects(Circle(HEUVELRUG, 5000), BLOCK)
    assert intersects(Circle(_offset(HEUVELRUG, 500, 500), 100), BLOCK)


def test_a_circle_inside_a_hole_does_not_meet_the_polygon_until_it_reaches_the_holes_edge():
    to_hole_edge = distance_m(HEUVELRUG, Point(lat=HOLE[2].lat, lon=HEUVELRUG.lon))

    assert not intersects(Circle(HEUVELRUG, 250), RING)
    assert intersects(Circle(HEUVELRUG, to_hole_edge), RING)


def test_a_point_event_meets_an_area_exactly_when_the_area_contains_it():
    assert intersects(RING, _offset(HEUVELRUG, 600, 0))
    assert not intersects(RING, HEUVELRUG)
    assert intersects(Circle(UTRECHT, 500), destination(UTRECHT, 10, 500))


def test_the_area_of_a_polygon_excludes_its_holes():
    assert area_m2(BLOCK) == pytest.approx(4_000_000, rel=1e-3)
    assert area_m2(RING) == pytest.approx(4_000_000 - 360_000, rel=1e-3)


# --- coverings ---------------------------------------------------------------------------------------------------


def _check_shape(cover: Covering) -> None:
    assert all(len(cell) == COARSE for cell in cover.inside | cover.partial)
    assert all(len(cell) == FINE and cell[:COARSE] in cover.partial for cell in cover.fine)
    assert not cover.inside & cover.partial
    assert len(cover.keys()) == len(cover.inside) + len(cover.fine) + len(cover.partial)


def test_covering_keys_name_their_level():
    cover = covering(Circle(UTRECHT, 1500))

    assert cover.inside
    assert cover.partial
    assert cover.fine
    assert cover.keys() == (
        {f"6:{c}" for c in cover.inside} | {f"7:{c}" for c in cover.fine} | {f"6p:{c}" for c in cover.partial}
    )
    _check_shape(cover)


def test_a_point_event_reads_its_coarse_and_fine_cell():
    assert point_keys(UTRECHT) == {f"6:{encode(UTRECHT, 6)}", f"7:{encode(UTRECHT, 7)}"}
    assert geometry_keys(UTRECHT) == point_keys(UTRECHT)


def test_a_parcel_reads_both_keys_of_every_coarse_cell_it_meets():
    parcel = Polygon(_square(HEUVELRUG, 40))
    cells = {encode(p, COARSE) for p in parcel.exterior}

    assert geometry_keys(parcel) == {f"6:{c}" for c in cells} | {f"6p:{c}" for c in cells}


def test_a_polygon_event_meeting_too_many_cells_is_refused():
    with pytest.raises(GeometryError) as error:
        geometry_keys(Polygon(_square(HEUVELRUG, 3000)), max_cells=64)

    assert error.value.reason == "too_large"


def test_covering_a_huge_circle_is_refused_once_it_needs_too_many_keys():
    with pytest.raises(GeometryError) as error:
        covering(Circle(UTRECHT, 50_000), max_keys=1000)

    assert error.value.reason == "too_large"
    assert error.value.params["max_keys"] == 1000


def test_covering_a_huge_polygon_is_refused_once_it_needs_too_many_keys():
    with pytest.raises(GeometryError) as error:
        covering(Polygon(_square(HEUVELRUG, 20_000)), max_keys=1000)

    assert error.value.reason == "too_large"


def test_a_3_km_circle_is_covered_mostly_by_whole_cells_and_quickly():
    area = Circle(UTRECHT, 3000)
    durations = []
    for _ in range(3):
        started = time.perf_counter()
        cover = covering(area)
        durations.append(time.perf_counter() - started)

    assert len(cover.inside) > 20
    assert min(durations) < 0.1, f"covering a 3 km circle took {min(durations) * 1000:.1f} ms"


def _over_read(area: Circle | Polygon, samples: int = 20_000) -> tuple[float, int]:
    """Among uniform points in the area's box whose keys hit the covering, the fraction not in the area; and how
    many points in the area the keys missed (must be none)."""
    keys = covering(area).keys()
    south, west, north, east = bounding_box(area)
    rng = random.Random(7)  # noqa: S311 - reproducible sample points, not secrets
    hits = wasted = missed = 0
    for _ in range(samples):
        point = Point(lat=rng.uniform(south, north), lon=rng.uniform(west, east))
        hit, inside = bool(point_keys(point) & keys), contains(area, point)
        hits += hit
        wasted += hit and not inside
        missed += inside and not hit
    return wasted / hits, missed


def test_point_events_read_few_entries_of_a_3_km_circle_they_are_not_in():
    over_read, missed = _over_read(Circle(UTRECHT, 3000))

    assert missed == 0
    assert over_read < 0.15, f"over-read {over_read:.1%}"


def test_point_events_read_few_entries_of_a_polygon_they_are_not_in():
    over_read, missed = _over_read(RING)

    assert missed == 0
    assert over_read < 0.25, f"over-read {over_read:.1%}"


def test_cells_a_polygon_covers_only_partly_are_refined_and_its_hole_is_left_out():
    cover = covering(RING)
    keys = cover.keys()
    _check_shape(cover)

    assert encode(HEUVELRUG, 6) not in cover.inside
    assert not point_keys(HEUVELRUG) & keys
    assert point_keys(_offset(HEUVELRUG, 600, 600)) & keys


def test_points_on_cell_corners_near_a_circles_edge_still_find_the_circle():
    area = Circle(UTRECHT, 1000)
    keys = covering(area).keys()
    south, west, north, east = bounding_box(area)
    s0, w0, n0, e0 = cell_bounds(encode(Point(lat=south, lon=west), FINE))
    height, width = n0 - s0, e0 - w0
    checked = 0
    for row in range(round((north - s0) / height) + 2):
        for column in range(round((east - w0) / width) + 2):
            corner = Point(lat=s0 + row * height, lon=w0 + column * width)
            if contains(area, corner):
                checked += 1
                assert _hits(keys, point_keys(corner)) == 1, corner
    assert checked > 100


def test_a_point_on_a_cell_boundary_within_the_tolerance_beyond_a_circles_edge_still_finds_the_circle():
    # Such a point is inside (boundaries count, to a millimetre) and is encoded into the cell beyond the boundary,
    # whose nearest point to the centre is the point itself.
    east_boundary = cell_bounds(encode(destination(UTRECHT, 90, 1000), FINE))[1]
    north_boundary = cell_bounds(encode(destination(UTRECHT, 0, 1000), FINE))[0]
    for point in (_foot_on_meridian(UTRECHT, east_boundary), Point(lat=north_boundary, lon=UTRECHT.lon)):
        area = Circle(UTRECHT, distance_m(UTRECHT, point) - 0.0005)

        assert contains(area, point)
        assert _hits(covering(area).keys(), point_keys(point)) == 1


@pytest.mark.parametrize("area", [Circle(HEUVELRUG, 100), Polygon(_square(HEUVELRUG, 50))], ids=["circle", "polygon"])
def test_an_event_polygon_around_a_whole_small_area_still_finds_it(area):
    event = Polygon(_square(HEUVELRUG, 1600))

    assert intersects(area, event)
    assert _hits(covering(area).keys(), geometry_keys(event)) > 0


# --- covering invariants, by hypothesis --------------------------------------------------------------------------

circles = st.builds(Circle, points_in_province, st.floats(100, 5000))
fractions = st.one_of(st.floats(0, 1.4), st.just(1.0), st.just(0.0))
bearings = st.floats(0, 360, exclude_max=True)


@st.composite
def star_polygons(draw, min_radius=150.0, max_radius=4000.0, holes=True):
    """A random star-shaped polygon (simple by construction), sometimes with a hole around its middle."""
    centre = draw(points_in_province)
    count = draw(st.integers(4, 12))
    step = 360 / count
    exterior = []
    for index in range(count):
        angle = math.radians((index + draw(st.floats(0, 0.5))) * step)
        radius = draw(st.floats(min_radius, max_radius))
        exterior.append(_offset(centre, radius * math.sin(angle), radius * math.cos(angle)))
    polygon_holes: tuple[tuple[Point, ...], ...] = ()
    if holes and draw(st.booleans()):
        smallest = min(distance_m(centre, p) for p in exterior)
        size = smallest * draw(st.floats(0.05, 0.3))
        sides = draw(st.integers(3, 6))
        angles = [k * 2 * math.pi / sides for k in range(sides)]
        polygon_holes = (tuple(_offset(centre, size * math.sin(a), size * math.cos(a)) for a in angles),)
    polygon = Polygon(tuple(exterior), polygon_holes)
    try:
        polygon_from_geojson(polygon_to_geojson(polygon))
    except GeometryError:
        assume(False)
    return polygon


def _centre(area: Circle | Polygon) -> tuple[Point, float]:
    if isinstance(area, Circle):
        return area.center, area.radius_m
    south, west, north, east = bounding_box(area)
    middle = Point(lat=(south + north) / 2, lon=(west + east) / 2)
    return middle, max(distance_m(middle, p) for p in area.exterior)


@st.composite
def events_near(draw, area: Circle | Polygon):
    """Small polygon events around the area: anywhere near it, at its middle, or touching one of its vertices."""
    middle, extent = _centre(area)
    kind = draw(st.sampled_from(["near", "middle", "vertex"]))
    size = draw(st.floats(5, 400))
    if kind == "vertex" and isinstance(area, Polygon):
        vertex = draw(st.sampled_from(area.exterior))
        bearing = math.radians(draw(bearings))
        spread = math.radians(draw(st.floats(10, 120)))
        return Polygon(
            (
                vertex,
                _offset(vertex, size * math.sin(bearing), size * math.cos(bearing)),
                _offset(vertex, size * math.sin(bearing + spread), size * math.cos(bearing + spread)),
            )
        )
    at = middle if kind == "middle" else destination(middle, draw(bearings), draw(fractions) * (extent + size))
    return Polygon(_square(at, size))


def _points_near(area: Circle | Polygon, choices: list[tuple[float, float]]) -> list[Point]:
    middle, extent = _centre(area)
    points = [destination(middle, bearing, fraction * extent) for bearing, fraction in choices]
    if isinstance(area, Polygon):
        points.extend(p for ring in area.rings for p in ring)
    return points


@given(area=st.one_of(circles, star_polygons()), choices=st.lists(st.tuples(bearings, fractions), min_size=1, max_size=20))
@FAST
def test_a_point_in_a_circle_or_polygon_always_shares_exactly_one_key_with_it(area, choices):
    keys = covering(area).keys()

    for point in _points_near(area, choices):
        shared = _hits(keys, point_keys(point))
        assert shared <= 1
        if contains(area, point):
            assert shared == 1, (area, point)


@given(area=circles, data=st.data())
@FAST
def test_a_polygon_event_meeting_a_circle_always_shares_a_key_with_it(area, data):
    keys = covering(area).keys()

    for _ in range(5):
        event = data.draw(events_near(area))
        if intersects(area, event):
            assert _hits(keys, geometry_keys(event)) > 0, (area, event)


@given(area=star_polygons(), data=st.data())
@FAST
def test_a_polygon_event_meeting_a_polygon_always_shares_a_key_with_it(area, data):
    keys = covering(area).keys()

    for _ in range(5):
        event = data.draw(events_near(area))
        if intersects(area, event):
            assert _hits(keys, geometry_keys(event)) > 0, (area, event)


@given(area=st.one_of(circles, star_polygons()))
@FAST
def test_cells_classified_as_inside_lie_wholly_inside_the_area(area):
    cover = covering(area)
    _check_shape(cover)

    for cell in cover.inside:
        s, w, n, e = cell_bounds(cell)
        corners = [Point(lat=lat, lon=lon) for lat in (s, n) for lon in (w, e)]
        assert all(contains(area, p) for p in [*corners, Point(lat=(s + n) / 2, lon=(w + e) / 2)]), cell


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
        require_within(Polygon(_square(Point(lat=52.50, lon=4.90), 500)))

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
