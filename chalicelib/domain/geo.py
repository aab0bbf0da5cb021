"""Places on the map: the areas people follow, the places where events happen, and the geohash keys that connect them.

An area is a circle (centre and radius in metres) or a GeoJSON polygon, holes allowed; an event happens at a point
or in a polygon (a parcel). An area is indexed under the geohash cells it covers, in two levels:

- ``6:<gh6>``   a precision-6 cell lying entirely inside the area;
- ``7:<gh7>``   a precision-7 cell meeting the area, inside a precision-6 cell the area covers only partly;
- ``6p:<gh6>``  that partly covered precision-6 cell, so that polygon events find the area as well.

A point event reads its own ``6:`` and ``7:`` keys; a polygon event reads ``6:`` and ``6p:`` of every precision-6
cell it meets. Whenever an event meets an area, at least one of the event's keys is among the area's keys, and a
point event finds an area under at most one key. The cells only say "maybe": :func:`intersects` decides.

Positions are WGS84 on a sphere of radius ``EARTH_RADIUS_M``; polygon edges are straight lines in longitude and
latitude, as GeoJSON (RFC 7946) defines them. Distances from a point use haversine; lengths and areas of polygons
use an equirectangular projection around the polygon's mean position, which at province scale is off by far less
than a metre. Boundaries belong to the area, within ``TOLERANCE_M``. Areas crossing the antimeridian or a pole are
not supported.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias, TypeVar

from chalicelib.domain.errors import DomainError
from chalicelib.domain.reference import Point

COARSE = 6
FINE = 7
EARTH_RADIUS_M = 6_371_008.8
PROVINCE_BOUNDS: tuple[float, float, float, float] = (51.80, 4.70, 52.37, 5.72)
"""(south, west, north, east) of provincie Utrecht (about 51.87-52.30 N, 4.79-5.62 E) plus roughly 5 km."""
TOLERANCE_M = 1e-3
"""A point this close to an area's edge is on the edge, hence inside: floating point cannot promise more."""

_BASE32 = "0123456789bcdefghjkmnpqrstuvwxyz"
_CELL_SLACK_DEG = 1e-7  # ~1 cm: a cell is tested as slightly larger, so rounding never loses a cell that matches
_CELL_SLACK_M = 1.0  # the same for circles
_MIN_RING_AREA_M2 = 0.01
_DEG = math.pi / 180
_M_PER_DEG = EARTH_RADIUS_M * _DEG

Ring: TypeAlias = tuple[Point, ...]
_XY: TypeAlias = tuple[float, float]
_V = TypeVar("_V")
_Cell: TypeAlias = tuple[int, int]  # (column, row) of a cell in the geohash grid of one precision


class GeometryError(DomainError):
    """A place Baken cannot use: malformed, outside the province, or too large to index. ``reason`` says which."""

    code = "invalid_geometry"

    def __init__(self, reason: str, **params: Any) -> None:
        self.reason = reason
        super().__init__(reason=reason, **params)


@dataclass(frozen=True)
class Circle:
    """Everything within ``radius_m`` metres (great-circle distance) of ``center``."""

    center: Point
    radius_m: float


@dataclass(frozen=True)
class Polygon:
    """A polygon with optional holes; rings are stored without repeating the first position at the end."""

    exterior: Ring
    holes: tuple[Ring, ...] = ()

    @property
    def rings(self) -> tuple[Ring, ...]:
        return (self.exterior, *self.holes)


Area: TypeAlias = Circle | Polygon
"""What a person follows."""
Geometry: TypeAlias = Point | Polygon
"""Where an event happens."""


@dataclass(frozen=True)
class Covering:
    """The geohash cells under which an area is indexed."""

    inside: frozenset[str]
    """Precision-6 cells lying entirely inside the area."""
    fine: frozenset[str]
    """Precision-7 cells meeting the area, each inside one of the ``partial`` cells."""
    partial: frozenset[str]
    """Precision-6 cells the area covers only partly."""

    def keys(self) -> frozenset[str]:
        """The index keys: ``6:<gh6>``, ``7:<gh7>`` and ``6p:<gh6>``."""
        return frozenset(
            [f"{COARSE}:{cell}" for cell in self.inside]
            + [f"{FINE}:{cell}" for cell in self.fine]
            + [f"{COARSE}p:{cell}" for cell in self.partial]
        )


# --- geohash -----------------------------------------------------------------------------------------------------

# Every geohash character holds five bits alternating between the two axes: three of the axis it starts with
# (bits 0, 2, 4) and two of the other (bits 1, 3). Characters at even positions start with longitude.
_CHAR = tuple(
    tuple(
        _BASE32[(major >> 2 & 1) << 4 | (minor >> 1 & 1) << 3 | (major >> 1 & 1) << 2 | (minor & 1) << 1 | (major & 1)]
        for minor in range(4)
    )
    for major in range(8)
)
_SPLIT = {_CHAR[major][minor]: (major, minor) for major in range(8) for minor in range(4)}


def _grid(precision: int) -> tuple[float, float]:
    """Width and height in degrees of the cells of one precision."""
    return 360.0 / (1 << (5 * precision + 1) // 2), 180.0 / (1 << 5 * precision // 2)


def _bisect(value: float, low: float, high: float, bits: int) -> int:
    index = 0
    for _ in range(bits):
        middle = (low + high) / 2
        if value >= middle:
            index, low = index * 2 + 1, middle
        else:
            index, high = index * 2, middle
    return index


def _geohash(column: int, row: int, precision: int) -> str:
    lon_left, lat_left = (5 * precision + 1) // 2, 5 * precision // 2
    chars = []
    for position in range(precision):
        if position % 2 == 0:
            lon_left, lat_left = lon_left - 3, lat_left - 2
            chars.append(_CHAR[column >> lon_left & 7][row >> lat_left & 3])
        else:
            lat_left, lon_left = lat_left - 3, lon_left - 2
            chars.append(_CHAR[row >> lat_left & 7][column >> lon_left & 3])
    return "".join(chars)


def _cell_of(geohash: str) -> tuple[int, int, int]:
    """(column, row, precision) of a geohash."""
    if not geohash or any(char not in _SPLIT for char in geohash):
        raise ValueError(f"not a geohash: {geohash!r}")
    column = row = 0
    for position, char in enumerate(geohash):
        major, minor = _SPLIT[char]
        if position % 2 == 0:
            column, row = column << 3 | major, row << 2 | minor
        else:
            row, column = row << 3 | major, column << 2 | minor
    return column, row, len(geohash)


def encode(point: Point, precision: int) -> str:
    """The standard geohash of ``point`` with ``precision`` characters (1-12)."""
    if not 1 <= precision <= 12:
        raise ValueError(f"geohash precision must be 1-12, not {precision}")
    column = _bisect(point.lon, -180.0, 180.0, (5 * precision + 1) // 2)
    row = _bisect(point.lat, -90.0, 90.0, 5 * precision // 2)
    return _geohash(column, row, precision)


def cell_bounds(geohash: str) -> tuple[float, float, float, float]:
    """(south, west, north, east) of a geohash cell."""
    column, row, precision = _cell_of(geohash)
    width, height = _grid(precision)
    south, west = -90.0 + row * height, -180.0 + column * width
    return south, west, south + height, west + width


def children(geohash: str) -> tuple[str, ...]:
    """The 32 cells one character longer that together make up ``geohash``."""
    _cell_of(geohash)
    return tuple(geohash + char for char in _BASE32)


# --- distances ---------------------------------------------------------------------------------------------------


def distance_m(a: Point, b: Point) -> float:
    """Great-circle (haversine) distance in metres."""
    h = (
        math.sin((b.lat - a.lat) * _DEG / 2) ** 2
        + math.cos(a.lat * _DEG) * math.cos(b.lat * _DEG) * math.sin((b.lon - a.lon) * _DEG / 2) ** 2
    )
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(min(1.0, h)))


def destination(origin: Point, bearing_deg: float, distance_m: float) -> Point:
    """The point ``distance_m`` metres from ``origin`` along the great circle leaving it at ``bearing_deg``."""
    angle, bearing, lat = distance_m / EARTH_RADIUS_M, bearing_deg * _DEG, origin.lat * _DEG
    sin_lat = math.sin(lat) * math.cos(angle) + math.cos(lat) * math.sin(angle) * math.cos(bearing)
    new_lat = math.asin(max(-1.0, min(1.0, sin_lat)))
    new_lon = origin.lon * _DEG + math.atan2(
        math.sin(bearing) * math.sin(angle) * math.cos(lat), math.cos(angle) - math.sin(lat) * math.sin(new_lat)
    )
    return Point(lat=new_lat / _DEG, lon=(new_lon / _DEG + 540.0) % 360.0 - 180.0)


def _segment_within(center: Point, a: Point, b: Point, reach_m: float) -> bool:
    """Whether some point of the lon/lat segment ``ab`` lies within ``reach_m`` metres (great circle) of ``center``."""

    def at(t: float) -> float:
        return distance_m(center, Point(a.lat + t * (b.lat - a.lat), a.lon + t * (b.lon - a.lon)))

    # The nearest point in a plane around the centre is nearly the nearest on the sphere, and its true distance is an
    # upper bound of the answer; only when that bound is close to the reach is the true minimum searched for.
    scale = math.cos(center.lat * _DEG)
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


class _Plane:
    """Equirectangular projection to metres around one position: straight lon/lat lines stay straight."""

    def __init__(self, lat: float, lon: float) -> None:
        self.lat, self.lon = lat, lon
        self.kx, self.ky = _M_PER_DEG * math.cos(lat * _DEG), _M_PER_DEG

    @classmethod
    def around(cls, polygon: Polygon) -> _Plane:
        ring = polygon.exterior
        return cls(sum(p.lat for p in ring) / len(ring), sum(p.lon for p in ring) / len(ring))

    def xy(self, point: Point) -> _XY:
        return (point.lon - self.lon) * self.kx, (point.lat - self.lat) * self.ky

    def rings(self, polygon: Polygon) -> list[list[_XY]]:
        return [[self.xy(p) for p in ring] for ring in polygon.rings]


def _edges(ring: Sequence[_V]) -> Iterator[tuple[_V, _V]]:
    previous = ring[-1]
    for current in ring:
        yield previous, current
        previous = current


def _point_segment_distance(p: _XY, a: _XY, b: _XY) -> float:
    dx, dy = b[0] - a[0], b[1] - a[1]
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else min(1.0, max(0.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / length2))
    return math.hypot(p[0] - a[0] - t * dx, p[1] - a[1] - t * dy)


def _cross(o: _XY, a: _XY, b: _XY) -> float:
    return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])


def _segments_meet(a: _XY, b: _XY, c: _XY, d: _XY, tolerance: float) -> bool:
    """Whether segments ab and cd cross, or come within ``tolerance`` of each other."""
    d1, d2, d3, d4 = _cross(c, d, a), _cross(c, d, b), _cross(a, b, c), _cross(a, b, d)
    if ((d1 > 0 > d2) or (d1 < 0 < d2)) and ((d3 > 0 > d4) or (d3 < 0 < d4)):
        return True
    return (
        min(
            _point_segment_distance(a, c, d),
            _point_segment_distance(b, c, d),
            _point_segment_distance(c, a, b),
            _point_segment_distance(d, a, b),
        )
        <= tolerance
    )


def _on_or_inside(rings: Sequence[Sequence[_XY]], p: _XY, tolerance: float) -> bool:
    """Whether ``p`` lies in the region the rings bound (even-odd), counting their edges within ``tolerance``."""
    x, y = p
    inside = False
    for ring in rings:
        for a, b in _edges(ring):
            if (a[1] > y) != (b[1] > y) and x < a[0] + (y - a[1]) * (b[0] - a[0]) / (b[1] - a[1]):
                inside = not inside
            if (
                min(a[1], b[1]) - tolerance <= y <= max(a[1], b[1]) + tolerance
                and min(a[0], b[0]) - tolerance <= x <= max(a[0], b[0]) + tolerance
                and _point_segment_distance(p, a, b) <= tolerance
            ):
                return True
    return inside


def _signed_area(ring: Sequence[_XY]) -> float:
    return sum(a[0] * b[1] - b[0] * a[1] for a, b in _edges(ring)) / 2


def _box(points: Sequence[_XY]) -> tuple[float, float, float, float]:
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs), max(ys)


def area_m2(polygon: Polygon) -> float:
    """Area in square metres of the exterior minus the holes (projected; see the module docstring)."""
    exterior, *holes = _Plane.around(polygon).rings(polygon)
    return abs(_signed_area(exterior)) - sum(abs(_signed_area(hole)) for hole in holes)


# --- containment and intersection --------------------------------------------------------------------------------


def contains(area: Area, point: Point) -> bool:
    """Whether ``point`` lies in ``area``; its boundary included, a polygon's holes excluded (their edges included)."""
    if isinstance(area, Circle):
        return distance_m(area.center, point) <= area.radius_m + TOLERANCE_M
    plane = _Plane.around(area)
    return _on_or_inside(plane.rings(area), plane.xy(point), TOLERANCE_M)


def intersects(area: Area, geometry: Geometry) -> bool:
    """Whether an event at ``geometry`` happens in ``area``: they share at least one point (touching counts)."""
    if isinstance(geometry, Point):
        return contains(area, geometry)
    if isinstance(area, Circle):
        reach = area.radius_m + TOLERANCE_M
        return contains(geometry, area.center) or any(
            _segment_within(area.center, a, b, reach) for ring in geometry.rings for a, b in _edges(ring)
        )
    return _polygons_meet(area, geometry)


def _polygons_meet(first: Polygon, second: Polygon) -> bool:
    plane = _Plane.around(first)
    rings_1, rings_2 = plane.rings(first), plane.rings(second)
    box_1, box_2 = _box(rings_1[0]), _box(rings_2[0])
    if not _boxes_meet(box_1, box_2, TOLERANCE_M):
        return False
    edges_1, edges_2 = _edges_near(rings_1, box_2, TOLERANCE_M), _edges_near(rings_2, box_1, TOLERANCE_M)
    for a, b in edges_1:
        box = _box((a, b))
        for c, d in edges_2:
            if _boxes_meet(box, _box((c, d)), TOLERANCE_M) and _segments_meet(a, b, c, d, TOLERANCE_M):
                return True
    # No boundaries meet, so each ring lies wholly inside or wholly outside the other region: one vertex decides.
    return any(_on_or_inside(rings_1, ring[0], TOLERANCE_M) for ring in rings_2) or any(
        _on_or_inside(rings_2, ring[0], TOLERANCE_M) for ring in rings_1
    )


def _edges_near(rings: Sequence[Sequence[_XY]], box: tuple[float, float, float, float], slack: float) -> list[tuple[_XY, _XY]]:
    """The edges that may come within ``slack`` of the box."""
    x0, y0, x1, y1 = box[0] - slack, box[1] - slack, box[2] + slack, box[3] + slack
    return [
        (a, b)
        for ring in rings
        for a, b in _edges(ring)
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
    half_height = angle / _DEG
    ratio = math.sin(min(angle, math.pi / 2)) / math.cos(center.lat * _DEG)
    half_width = 180.0 if ratio >= 1 else math.asin(ratio) / _DEG
    return (
        max(-90.0, center.lat - half_height),
        center.lon - half_width,
        min(90.0, center.lat + half_height),
        center.lon + half_width,
    )


# --- coverings ---------------------------------------------------------------------------------------------------


def covering(area: Area, max_keys: int = 5000) -> Covering:
    """The cells to index ``area`` under; GeometryError ``too_large`` if that would take more than ``max_keys`` keys."""
    budget = _Budget(max_keys, "max_keys")
    if isinstance(area, Circle):
        return _cover_circle(area, budget)
    return _cover_polygon(area, budget)


def point_keys(point: Point) -> frozenset[str]:
    """The two keys a point event reads."""
    return frozenset({f"{COARSE}:{encode(point, COARSE)}", f"{FINE}:{encode(point, FINE)}"})


def geometry_keys(geometry: Geometry, max_cells: int = 64) -> frozenset[str]:
    """The keys an event at ``geometry`` reads; GeometryError ``too_large`` for a polygon meeting more than
    ``max_cells`` precision-6 cells."""
    if isinstance(geometry, Point):
        return point_keys(geometry)
    budget = _Budget(max_cells, "max_cells")
    boundary = _boundary_cells(geometry, COARSE, budget)
    inside = _inside_cells(geometry, COARSE, boundary, budget)
    cells = [_geohash(column, row, COARSE) for column, row in boundary | inside]
    return frozenset([f"{COARSE}:{cell}" for cell in cells] + [f"{COARSE}p:{cell}" for cell in cells])


class _Budget:
    """Counts keys as they are found and stops the covering as soon as there are too many."""

    def __init__(self, limit: int, name: str) -> None:
        self.limit, self.name, self.used = limit, name, 0

    def spend(self, count: int = 1) -> None:
        self.used += count
        if self.used > self.limit:
            raise GeometryError("too_large", **{self.name: self.limit})


class _CircleProbe:
    """Answers, for a lon/lat box, whether the circle meets it and whether it holds all of it."""

    def __init__(self, circle: Circle, slack_m: float) -> None:
        self.lat, self.lon = circle.center.lat * _DEG, circle.center.lon
        self.cos_lat, self.tan_lat = math.cos(self.lat), math.tan(self.lat)
        reach = min(math.pi, (circle.radius_m + TOLERANCE_M + slack_m) / EARTH_RADIUS_M)
        self.reach, self.hav_reach = reach, math.sin(reach / 2) ** 2
        self.hav_radius = math.sin(min(math.pi, circle.radius_m / EARTH_RADIUS_M) / 2) ** 2

    def _hav(self, lat: float, delta_lon: float) -> float:
        """Haversine of the angle to (lat, lon) with lat and the longitude difference in radians."""
        return math.sin((lat - self.lat) / 2) ** 2 + self.cos_lat * math.cos(lat) * math.sin(delta_lon / 2) ** 2

    def meets(self, south: float, west: float, north: float, east: float) -> bool:
        if west <= self.lon <= east:
            if south * _DEG <= self.lat <= north * _DEG:
                return True
            return min(abs(south * _DEG - self.lat), abs(north * _DEG - self.lat)) <= self.reach
        # Off to the side: the nearest point is on the nearer meridian, at the foot of the perpendicular from the
        # centre (tan foot = tan lat / cos dlon), unless that lies beyond the box's corner.
        delta_lon = ((west if abs(west - self.lon) < abs(east - self.lon) else east) - self.lon) * _DEG
        foot = math.atan(self.tan_lat / math.cos(delta_lon)) if abs(delta_lon) < math.pi / 2 else self.lat
        foot = min(north * _DEG, max(south * _DEG, foot))
        return self._hav(foot, delta_lon) <= self.hav_reach

    def holds(self, south: float, west: float, north: float, east: float) -> bool:
        # The farthest point of a small lon/lat box from any point is one of its corners.
        limit, s, n = self.hav_radius, south * _DEG, north * _DEG
        dw, de = (west - self.lon) * _DEG, (east - self.lon) * _DEG
        return self._hav(s, dw) <= limit and self._hav(s, de) <= limit and self._hav(n, dw) <= limit and self._hav(n, de) <= limit


def _cover_circle(circle: Circle, budget: _Budget) -> Covering:
    """Every precision-6 cell of the circle's box is whole, partial (then refined) or left out."""
    probe = _CircleProbe(circle, _CELL_SLACK_M + 1e-4 * circle.radius_m)
    width, height = _grid(COARSE)
    fine_width, fine_height = _grid(FINE)
    south, west, north, east = bounding_box(circle)
    first_row, last_row = _row(south - _CELL_SLACK_DEG, height), _row(north + _CELL_SLACK_DEG, height)
    first_column, last_column = _column(west - _CELL_SLACK_DEG, width), _column(east + _CELL_SLACK_DEG, width)
    inside: list[str] = []
    fine: list[str] = []
    partial: list[str] = []
    for row in range(first_row, last_row + 1):
        s = -90.0 + row * height
        n = s + height
        for column in range(first_column, last_column + 1):
            w = -180.0 + column * width
            e = w + width
            if not probe.meets(s, w, n, e):
                continue
            cell = _geohash(column, row, COARSE)
            if probe.holds(s, w, n, e):
                inside.append(cell)
                budget.spend()
                continue
            partial.append(cell)
            budget.spend()
            for minor in range(4):
                fs = s + minor * fine_height
                for major in range(8):
                    fw = w + major * fine_width
                    if probe.meets(fs, fw, fs + fine_height, fw + fine_width):
                        fine.append(cell + _CHAR[major][minor])
                        budget.spend()
    return Covering(inside=frozenset(inside), fine=frozenset(fine), partial=frozenset(partial))


def _cover_polygon(polygon: Polygon, budget: _Budget) -> Covering:
    """Cells an edge passes through are partial; of the others, those whose middle is inside are whole."""
    boundary = _boundary_cells(polygon, COARSE, budget)
    inside = _inside_cells(polygon, COARSE, boundary, budget)
    # A partly covered cell's children: those an edge passes through, and those whose centre is inside.
    fine_boundary = _boundary_cells(polygon, FINE, _Budget(budget.limit - budget.used, budget.name))
    crossings = _row_crossings(polygon, FINE)
    fine_width, _ = _grid(FINE)
    fine: list[str] = []
    for column, row in boundary:
        cell = _geohash(column, row, COARSE)
        for minor in range(4):
            fine_row = row * 4 + minor
            xs = crossings.get(fine_row, [])
            for major in range(8):
                fine_column = column * 8 + major
                if (fine_column, fine_row) in fine_boundary or bisect_left(xs, -180.0 + (fine_column + 0.5) * fine_width) % 2:
                    fine.append(cell + _CHAR[major][minor])
                    budget.spend()
    return Covering(
        inside=frozenset(_geohash(column, row, COARSE) for column, row in inside),
        fine=frozenset(fine),
        partial=frozenset(_geohash(column, row, COARSE) for column, row in boundary),
    )


def _column(lon: float, width: float) -> int:
    return min(round(360.0 / width) - 1, max(0, math.floor((lon + 180.0) / width)))


def _row(lat: float, height: float) -> int:
    return min(round(180.0 / height) - 1, max(0, math.floor((lat + 90.0) / height)))


def _boundary_cells(polygon: Polygon, precision: int, budget: _Budget) -> set[_Cell]:
    """The cells (slightly enlarged) that some edge of the polygon passes through."""
    width, height = _grid(precision)
    slack = _CELL_SLACK_DEG
    cells: set[_Cell] = set()
    for ring in polygon.rings:
        for a, b in _edges(ring):
            for row in range(_row(min(a.lat, b.lat) - slack, height), _row(max(a.lat, b.lat) + slack, height) + 1):
                low_lon, high_lon = min(a.lon, b.lon), max(a.lon, b.lon)
                if a.lat != b.lat:  # clip the edge to the row's band of latitudes
                    band_s, band_n = -90.0 + row * height - slack, -90.0 + (row + 1) * height + slack
                    t1, t2 = (band_s - a.lat) / (b.lat - a.lat), (band_n - a.lat) / (b.lat - a.lat)
                    t_low, t_high = max(0.0, min(t1, t2)), min(1.0, max(t1, t2))
                    if t_low > t_high:
                        continue
                    lon_1, lon_2 = a.lon + t_low * (b.lon - a.lon), a.lon + t_high * (b.lon - a.lon)
                    low_lon, high_lon = min(lon_1, lon_2), max(lon_1, lon_2)
                for column in range(_column(low_lon - slack, width), _column(high_lon + slack, width) + 1):
                    if (column, row) not in cells:
                        cells.add((column, row))
                        budget.spend()
    return cells


def _row_crossings(polygon: Polygon, precision: int) -> dict[int, list[float]]:
    """Per row of cells, the sorted longitudes where the polygon's edges cross the row's middle latitude."""
    _, height = _grid(precision)
    rows: dict[int, list[float]] = {}
    for ring in polygon.rings:
        for a, b in _edges(ring):
            if a.lat == b.lat:
                continue
            low, high = min(a.lat, b.lat), max(a.lat, b.lat)
            for row in range(_row(low, height) - 1, _row(high, height) + 1):
                middle = -90.0 + (row + 0.5) * height
                if (a.lat > middle) != (b.lat > middle):
                    rows.setdefault(row, []).append(a.lon + (middle - a.lat) * (b.lon - a.lon) / (b.lat - a.lat))
    for xs in rows.values():
        xs.sort()
    return rows


def _inside_cells(polygon: Polygon, precision: int, boundary: set[_Cell], budget: _Budget) -> set[_Cell]:
    """The cells no edge passes through whose middle, and therefore all of them, lies inside the polygon."""
    width, _ = _grid(precision)
    cells: set[_Cell] = set()
    for row, xs in _row_crossings(polygon, precision).items():
        for start, end in zip(xs[::2], xs[1::2], strict=True):
            first, last = math.ceil((start + 180.0) / width - 0.5), math.floor((end + 180.0) / width - 0.5)
            for column in range(first, last + 1):
                if (column, row) not in boundary:
                    cells.add((column, row))
                    budget.spend()
    return cells


# --- input -------------------------------------------------------------------------------------------------------


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
    plane = _Plane.around(polygon)
    rings = plane.rings(polygon)
    if any(_on_one_line(ring) for ring in rings):
        raise GeometryError("zero_area")
    _check_simple(rings)
    if any(abs(_signed_area(ring)) < _MIN_RING_AREA_M2 for ring in rings):
        raise GeometryError("zero_area")
    exterior, *holes = rings
    for index, hole in enumerate(holes):
        if not _on_or_inside([exterior], hole[0], 0.0):
            raise GeometryError("hole_outside_exterior")
        if any(_on_or_inside([other], hole[0], 0.0) for number, other in enumerate(holes) if number != index):
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


def _on_one_line(ring: Sequence[_XY]) -> bool:
    """Whether all vertices lie within the tolerance of one straight line."""
    origin = ring[0]
    far = max(ring, key=lambda p: math.hypot(p[0] - origin[0], p[1] - origin[1]))
    length = math.hypot(far[0] - origin[0], far[1] - origin[1])
    return length <= TOLERANCE_M or all(abs(_cross(origin, far, p)) / length <= TOLERANCE_M for p in ring)


def _check_simple(rings: list[list[_XY]]) -> None:
    """GeometryError unless no two edges meet other than adjacent edges of one ring at their common vertex."""
    edges = []
    for number, ring in enumerate(rings):
        for index, (a, b) in enumerate(zip(ring, ring[1:] + ring[:1], strict=True)):
            edges.append((min(a[0], b[0]), max(a[0], b[0]), min(a[1], b[1]), max(a[1], b[1]), number, index, a, b))
    edges.sort(key=lambda edge: edge[0])
    active: list[tuple[float, float, float, float, int, int, _XY, _XY]] = []
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
                    meet = _point_segment_distance(a, c, d) <= tolerance or _point_segment_distance(d, a, b) <= tolerance
                elif (j + 1) % size == i:  # d == a
                    meet = _point_segment_distance(c, a, b) <= tolerance or _point_segment_distance(b, c, d) <= tolerance
                else:
                    meet = _segments_meet(a, b, c, d, tolerance)
                if meet:
                    raise GeometryError("self_intersecting")
            elif _segments_meet(a, b, c, d, tolerance):
                raise GeometryError("hole_outside_exterior" if 0 in (ring_1, ring_2) else "self_intersecting")
        active.append(edge)
