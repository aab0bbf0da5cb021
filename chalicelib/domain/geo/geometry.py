"""Exact geometry on places: distances, whether an area contains a point or meets an event, areas and bounding boxes.

Polygon edges are straight lines in longitude and latitude, as GeoJSON (RFC 7946) defines them. Distances from a point
use haversine; lengths and areas of polygons use an equirectangular projection around the polygon's mean position
(:class:`Plane`), which at province scale is off by far less than a metre. Areas crossing the antimeridian or a pole
are not supported.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from typing import TypeAlias, TypeVar

from chalicelib.domain.geo.shapes import DEG, EARTH_RADIUS_M, TOLERANCE_M, Area, Circle, Geometry, Polygon
from chalicelib.domain.reference import Point

_M_PER_DEG = EARTH_RADIUS_M * DEG

XY: TypeAlias = tuple[float, float]
"""A position in metres in a :class:`Plane`."""
_V = TypeVar("_V")


# --- distances ---------------------------------------------------------------------------------------------------


def distance_m(a: Point, b: Point) -> float:
    """Great-circle (haversine) distance in metres."""
    h = (
        math.sin((b.lat - a.lat) * DEG / 2) ** 2
        + math.cos(a.lat * DEG) * math.cos(b.lat * DEG) * math.sin((b.lon - a.lon) * DEG / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, h)))


def destination(origin: Point, bearing_deg: float, distance_m: float) -> Point:
    """The point ``distance_m`` metres from ``origin`` along the great circle leaving it at ``bearing_deg``."""
    angle, bearing, lat = distance_m / EARTH_RADIUS_M, bearing_deg * DEG, origin.lat * DEG
    sin_lat = math.sin(lat) * math.cos(angle) + math.cos(lat) * math.sin(angle) * math.cos(bearing)
    new_lat = math.asin(max(-1.0, min(1.0, sin_lat)))
    new_lon = origin.lon * DEG + math.atan2(
        math.sin(bearing) * math.sin(angle) * math.cos(lat), math.cos(angle) - math.sin(lat) * math.sin(new_lat)
    )
    return Point(lat=new_lat / DEG, lon=(new_lon / DEG + 540.0) % 360.0 - 180.0)


def _segment_within(center: Point, a: Point, b: Point, reach_m: float) -> bool:
    """Whether some point of the lon/lat segment ``ab`` lies within ``reach_m`` metres (great circle) of ``center``."""

    def at(t: float) -> float:
        return distance_m(center, Point(a.lat + t * (b.lat - a.lat), a.lon + t * (b.lon - a.lon)))

    # The nearest point in a plane around the centre is nearly the nearest on the sphere, and its true distance is an
    # upper bound of the answer; only when that bound is close to the reach is the true minimum searched for.
    scale = math.cos(center.lat * DEG)
    ax, ay = (a.lon - center.lon) * scale, a.lat - center.lat
    dx, dy = (b.lon - a.lon) * scale, b.lat - a.lat
    length2 = dx * dx + dy * dy
    estimate = min(at(0.0), at(1.0), at(0.0 if length2 == 0 else min(1.0, max(0.0, -(ax * dx + ay * dy) / length2))))
    if estimate <= reach_m:
        return True
    if estimate > reach_m + 0.5 + 1e-3 * estimate:
        return False
    low, high, ratio = 0.0, 1.0, (math.sqrt(5) - 1) / 2  # golden-section search: the distance has one minimum
    for _ in range(60):
        left, right = high - ratio * (high - low), low + ratio * (high - low)
        if at(left) < at(right):
            high = right
        else:
            low = left
    return at((low + high) / 2) <= reach_m


# --- planar predicates (metres, around a reference position) -----------------------------------------------------


class Plane:
    """Equirectangular projection to metres around one position: straight lon/lat lines stay straight."""

    def __init__(self, lat: float, lon: float) -> None:
        self.lat, self.lon = lat, lon
        self.kx, self.ky = _M_PER_DEG * math.cos(lat * DEG), _M_PER_DEG

    @classmethod
    def around(cls, polygon: Polygon) -> Plane:
        ring = polygon.exterior
        return cls(sum(p.lat for p in ring) / len(ring), sum(p.lon for p in ring) / len(ring))

    def xy(self, point: Point) -> XY:
        return (point.lon - self.lon) * self.kx, (point.lat - self.lat) * self.ky

    def rings(self, polygon: Polygon) -> list[list[XY]]:
        return [[self.xy(p) for p in ring] for ring in polygon.rings]


def edges(ring: Sequence[_V]) -> Iterator[tuple[_V, _V]]:
    previous = ring[-1]
    for current in ring:
        yield previous, current
        previous = current


def point_segment_distance(p: XY, a: XY, b: XY) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else min(1.0, max(0.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length2))
    return math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy)


def cross(o: XY, a: XY, b: XY) -> float:
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def segments_meet(a: XY, b: XY, c: XY, d: XY, tolerance: float) -> bool:
    """Whether segments ab and cd cross, or come within ``tolerance`` of each other."""
    d1, d2, d3, d4 = cross(c, d, a), cross(c, d, b), cross(a, b, c), cross(a, b, d)
    if ((d1 > 0 > d2) or (d1 < 0 < d2)) and ((d3 > 0 > d4) or (d3 < 0 < d4)):
        return True
    return (
        min(
            point_segment_distance(a, c, d),
            point_segment_distance(b, c, d),
            point_segment_distance(c, a, b),
            point_segment_distance(d, a, b),
        )
        <= tolerance
    )


def on_or_inside(rings: Sequence[Sequence[XY]], p: XY, tolerance: float) -> bool:
    """Whether ``p`` lies in the region the rings bound (even-odd), counting their edges within ``tolerance``."""
    x, y = p
    inside = False
    for ring in rings:
        for a, b in edges(ring):
            if (a[1] > y) != (b[1] > y) and x < a[0] + (y - a[1]) * (b[0] - a[0]) / (b[1] - a[1]):
                inside = not inside
            if (
                min(a[1], b[1]) - tolerance <= y <= max(a[1], b[1]) + tolerance
                and min(a[0], b[0]) - tolerance <= x <= max(a[0], b[0]) + tolerance
                and point_segment_distance(p, a, b) <= tolerance
            ):
                return True
    return inside


def signed_area(ring: Sequence[XY]) -> float:
    return sum(a[0] * b[1] - b[0] * a[1] for a, b in edges(ring)) / 2


def _box(points: Sequence[XY]) -> tuple[float, float, float, float]:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def area_m2(polygon: Polygon) -> float:
    """Area in square metres of the exterior minus the holes (projected; see the module docstring)."""
    exterior, *holes = Plane.around(polygon).rings(polygon)
    return abs(signed_area(exterior)) - sum(abs(signed_area(hole)) for hole in holes)


# --- containment and intersection --------------------------------------------------------------------------------


def contains(area: Area, point: Point) -> bool:
    """Whether ``point`` lies in ``area``; its boundary included, a polygon's holes excluded (their edges included)."""
    if isinstance(area, Circle):
        return distance_m(area.center, point) <= area.radius_m + TOLERANCE_M
    plane = Plane.around(area)
    return on_or_inside(plane.rings(area), plane.xy(point), TOLERANCE_M)


def intersects(area: Area, geometry: Geometry) -> bool:
    """Whether an event at ``geometry`` happens in ``area``: they share at least one point (touching counts)."""
    if isinstance(geometry, Point):
        return contains(area, geometry)
    if isinstance(area, Circle):
        reach = area.radius_m + TOLERANCE_M
        return contains(geometry, area.center) or any(
            _segment_within(area.center, a, b, reach) for ring in geometry.rings for a, b in edges(ring)
        )
    return _polygons_meet(area, geometry)


def _polygons_meet(first: Polygon, second: Polygon) -> bool:
    plane = Plane.around(first)
    rings_1, rings_2 = plane.rings(first), plane.rings(second)
    box_1, box_2 = _box(rings_1[0]), _box(rings_2[0])
    if not _boxes_meet(box_1, box_2, TOLERANCE_M):
        return False
    edges_1, edges_2 = _edges_near(rings_1, box_2, TOLERANCE_M), _edges_near(rings_2, box_1, TOLERANCE_M)
    for a, b in edges_1:
        box = _box((a, b))
        for c, d in edges_2:
            if _boxes_meet(box, _box((c, d)), TOLERANCE_M) and segments_meet(a, b, c, d, TOLERANCE_M):
                return True
    # No boundaries meet, so each ring lies wholly inside or wholly outside the other region: one vertex decides.
    return any(on_or_inside(rings_1, ring[0], TOLERANCE_M) for ring in rings_2) or any(
        on_or_inside(rings_2, ring[0], TOLERANCE_M) for ring in rings_1
    )


def _edges_near(rings: Sequence[Sequence[XY]], box: tuple[float, float, float, float], slack: float) -> list[tuple[XY, XY]]:
    """The edges that may come within ``slack`` of the box."""
    x0, y0, x1, y1 = box[0] - slack, box[1] - slack, box[2] + slack, box[3] + slack
    return [
        (a, b)
        for ring in rings
        for a, b in edges(ring)
        if not ((a[0] < x0 and b[0] < x0) or (a[0] > x1 and b[0] > x1) or (a[1] < y0 and b[1] < y0) or (a[1] > y1 and b[1] > y1))
    ]


def _boxes_meet(a: tuple[float, float, float, float], b: tuple[float, float, float, float], slack: float) -> bool:
    return a[0] <= b[2] + slack and b[0] <= a[2] + slack and a[1] <= b[3] + slack and b[1] <= a[3] + slack


def bounding_box(geometry: Area | Geometry) -> tuple[float, float, float, float]:
    """(south, west, north, east) of the smallest lon/lat box around ``geometry``."""
    if isinstance(geometry, Point):
        return geometry.lat, geometry.lon, geometry.lat, geometry.lon
    if isinstance(geometry, Polygon):
        lats, lons = [p.lat for p in geometry.exterior], [p.lon for p in geometry.exterior]
        return min(lats), min(lons), max(lats), max(lons)
    angle, center = geometry.radius_m / EARTH_RADIUS_M, geometry.center
    half_height = angle / DEG
    ratio = math.sin(min(angle, math.pi / 2)) / math.cos(center.lat * DEG)
    half_width = 180.0 if ratio >= 1 else math.asin(ratio) / DEG
    return (
        max(-90.0, center.lat - half_height),
        center.lon - half_width,
        min(90.0, center.lat + half_height),
        center.lon + half_width,
    )
