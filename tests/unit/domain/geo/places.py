"""Places the geo tests share: two positions in the province, a square polygon with a square hole around one of
them, and helpers that lay out positions in metres."""

from __future__ import annotations

import math

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from chalicelib.domain.geo import EARTH_RADIUS_M, PROVINCE_BOUNDS, Polygon
from chalicelib.domain.reference import Point

UTRECHT = Point(lat=52.0907, lon=5.1214)
HEUVELRUG = Point(lat=52.04, lon=5.37)
METRES_PER_DEGREE = EARTH_RADIUS_M * math.pi / 180
SOUTH, WEST, NORTH, EAST = PROVINCE_BOUNDS
FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


def offset(origin: Point, east_m: float, north_m: float) -> Point:
    """A point so many metres east and north of ``origin``, in the local plane the polygons use."""
    return Point(
        lat=origin.lat + north_m / METRES_PER_DEGREE,
        lon=origin.lon + east_m / (METRES_PER_DEGREE * math.cos(math.radians(origin.lat))),
    )


def square(centre: Point, half_m: float) -> tuple[Point, ...]:
    """Counter-clockwise: south-west, south-east, north-east, north-west."""
    return tuple(offset(centre, x * half_m, y * half_m) for x, y in ((-1, -1), (1, -1), (1, 1), (-1, 1)))


def foot_on_meridian(centre: Point, lon: float) -> Point:
    """The point of a meridian nearest to ``centre`` (spherical right triangle: tan foot = tan lat / cos dlon)."""
    foot = math.atan(math.tan(math.radians(centre.lat)) / math.cos(math.radians(lon - centre.lon)))
    return Point(lat=math.degrees(foot), lon=lon)


points_in_province = st.builds(Point, lat=st.floats(SOUTH, NORTH), lon=st.floats(WEST, EAST))

OUTER = square(HEUVELRUG, 1000)
HOLE = square(HEUVELRUG, 300)
RING = Polygon(exterior=OUTER, holes=(HOLE,))
BLOCK = Polygon(exterior=OUTER)
