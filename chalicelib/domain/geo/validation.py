"""What Baken accepts as a place: a circle with a valid centre and radius, a valid GeoJSON polygon, and only places
within the province. Polygons are written back as GeoJSON here as well. Each refusal is a GeometryError with its
reason."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from chalicelib.domain.geo.geometry import (
    XY,
    Plane,
    bounding_box,
    cross,
    on_or_inside,
    point_segment_distance,
    segments_meet,
    signed_area,
)
from chalicelib.domain.geo.shapes import TOLERANCE_M, Area, Circle, Geometry, GeometryError, Polygon, Ring
from chalicelib.domain.reference import Point

PROVINCE_BOUNDS: tuple[float, float, float, float] = (51.80, 4.70, 52.37, 5.72)
"""(south, west, north, east) of provincie Utrecht (about 51.87-52.30 N, 4.79-5.62 E) plus roughly 5 km."""
_MIN_RING_AREA_M2 = 0.01


def circle(center: Point, radius_m: float, *, min_m: float = 100, max_m: float = 10_000) -> Circle:
    """A circle someone may follow: a valid centre and a radius from ``min_m`` to ``max_m`` metres."""
    _check_point(center)
    if not _is_number(radius_m) or not min_m <= radius_m <= max_m:
        raise GeometryError("radius_out_of_range", min_m=min_m, max_m=max_m)
    return Circle(center=center, radius_m=float(radius_m))


def require_within(geometry: Area | Geometry, bounds: tuple[float, float, float, float] = PROVINCE_BOUNDS) -> None:
    """GeometryError ``outside_province`` unless all of ``geometry`` lies within the (south, west, north, east) box."""
    south, west, north, east = bounding_box(geometry)
    if south < bounds[0] or west < bounds[1] or north > bounds[2] or east > bounds[3]:
        raise GeometryError("outside_province")


def polygon_to_geojson(polygon: Polygon) -> dict[str, Any]:
    """The polygon as a GeoJSON Polygon object: closed rings of [lon, lat]."""
    return {"type": "Polygon", "coordinates": [[[p.lon, p.lat] for p in (*ring, ring[0])] for ring in polygon.rings]}


def polygon_from_geojson(data: object, *, max_vertices: int = 500) -> Polygon:
    """A valid polygon from a GeoJSON Polygon object, or GeometryError naming the first problem found.

    Valid: closed rings of at least four [lon, lat] positions (an altitude is ignored), at most ``max_vertices``
    vertices in all, no ring touching itself or another ring, every hole inside the exterior and not inside another
    hole, no ring without area. Either ring orientation is accepted and kept.
    """
    if not isinstance(data, Mapping) or data.get("type") != "Polygon":
        raise GeometryError("not_a_polygon")
    coordinates = data.get("coordinates")
    if not isinstance(coordinates, list | tuple) or not coordinates:
        raise GeometryError("not_a_polygon")
    if not all(isinstance(ring, list | tuple) for ring in coordinates):
        raise GeometryError("bad_coordinates")
    if sum(max(0, len(ring) - 1) for ring in coordinates) > max_vertices:
        raise GeometryError("too_many_vertices", max_vertices=max_vertices)
    polygon = Polygon(exterior=_ring(coordinates[0]), holes=tuple(_ring(raw) for raw in coordinates[1:]))
    plane = Plane.around(polygon)
    rings = plane.rings(polygon)
    if any(_on_one_line(ring) for ring in rings):
        raise GeometryError("zero_area")
    _check_simple(rings)
    if any(abs(signed_area(ring)) < _MIN_RING_AREA_M2 for ring in rings):
        raise GeometryError("zero_area")
    exterior, *holes = rings
    for index, hole in enumerate(holes):
        if not on_or_inside([exterior], hole[0], 0.0):
            raise GeometryError("hole_outside_exterior")
        if any(on_or_inside([other], hole[0], 0.0) for number, other in enumerate(holes) if number != index):
            raise GeometryError("hole_outside_exterior")
    return polygon


def _ring(raw: Sequence[object]) -> Ring:
    if len(raw) < 4:
        raise GeometryError("too_few_positions")
    positions = [_position(item) for item in raw]
    if positions[0] != positions[-1]:
        raise GeometryError("not_closed")
    # Repeated consecutive positions add nothing; many tools write them.
    vertices = [p for index, p in enumerate(positions[:-1]) if index == 0 or p != positions[index - 1]]
    if len(vertices) > 1 and vertices[-1] == vertices[0]:
        vertices.pop()
    if len(vertices) < 3:
        raise GeometryError("too_few_positions")
    return tuple(vertices)


def _position(raw: object) -> Point:
    if not isinstance(raw, list | tuple) or len(raw) not in (2, 3) or not all(_is_number(n) for n in raw):
        raise GeometryError("bad_coordinates")
    point = Point(lat=float(raw[1]), lon=float(raw[0]))
    _check_point(point)
    return point


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check_point(point: Point) -> None:
    if not (_is_number(point.lat) and _is_number(point.lon) and -90 <= point.lat <= 90 and -180 <= point.lon <= 180):
        raise GeometryError("bad_coordinates")


def _on_one_line(ring: Sequence[XY]) -> bool:
    """Whether all vertices lie within the tolerance of one straight line."""
    origin = ring[0]
    far = max(ring, key=lambda p: math.hypot(p[0] - origin[0], p[1] - origin[1]))
    length = math.hypot(far[0] - origin[0], far[1] - origin[1])
    return length <= TOLERANCE_M or all(abs(cross(origin, far, p)) / length <= TOLERANCE_M for p in ring)


def _check_simple(rings: list[list[XY]]) -> None:
    """GeometryError unless no two edges meet other than adjacent edges of one ring at their common vertex."""
    edges = []
    for number, ring in enumerate(rings):
        for index, (a, b) in enumerate(zip(ring, ring[1:] + ring[:1], strict=True)):
            edges.append((min(a[0], b[0]), max(a[0], b[0]), min(a[1], b[1]), max(a[1], b[1]), number, index, a, b))
    edges.sort(key=lambda edge: edge[0])
    active: list[tuple[float, float, float, float, int, int, XY, XY]] = []
    tolerance = TOLERANCE_M
    for edge in edges:
        active = [other for other in active if other[1] + tolerance >= edge[0]]
        for other in active:
            if other[3] + tolerance < edge[2] or edge[3] + tolerance < other[2]:
                continue
            (ring_1, i, a, b), (ring_2, j, c, d) = other[4:], edge[4:]
            if ring_1 == ring_2:
                size = len(rings[ring_1])
                if (i + 1) % size == j:  # b == c: they may share only that vertex
                    meet = point_segment_distance(a, c, d) <= tolerance or point_segment_distance(d, a, b) <= tolerance
                elif (j + 1) % size == i:  # d == a
                    meet = point_segment_distance(c, a, b) <= tolerance or point_segment_distance(b, c, d) <= tolerance
                else:
                    meet = segments_meet(a, b, c, d, tolerance)
                if meet:
                    raise GeometryError("self_intersecting")
            elif segments_meet(a, b, c, d, tolerance):
                raise GeometryError("hole_outside_exterior" if 0 in (ring_1, ring_2) else "self_intersecting")
        active.append(edge)
