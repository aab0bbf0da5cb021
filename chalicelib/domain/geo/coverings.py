"""Which geohash cells an area is indexed under, and which of them an event reads.

An area is indexed under the geohash cells it covers, in two levels:

- ``6:<gh6>``   a precision-6 cell lying entirely inside the area;
- ``7:<gh7>``   a precision-7 cell meeting the area, inside a precision-6 cell the area covers only partly;
- ``6p:<gh6>``  that partly covered precision-6 cell, so that polygon events find the area as well.

A point event reads its own ``6:`` and ``7:`` keys; a polygon event reads ``6:`` and ``6p:`` of every precision-6
cell it meets. Whenever an event meets an area, at least one of the event's keys is among the area's keys, and a
point event finds an area under at most one key. The cells only say "maybe": ``geometry.intersects`` decides.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from dataclasses import dataclass
from typing import TypeAlias

from chalicelib.domain.geo.geohash import CHAR, cell_geohash, encode, grid
from chalicelib.domain.geo.geometry import bounding_box, edges
from chalicelib.domain.geo.shapes import DEG, EARTH_RADIUS_M, TOLERANCE_M, Area, Circle, Geometry, GeometryError, Polygon
from chalicelib.domain.reference import Point

COARSE = 6
FINE = 7
_CELL_SLACK_DEG = 1e-7  # ~1 cm: a cell is tested as slightly larger, so rounding never loses a cell that matches
_CELL_SLACK_M = 1.0  # the same for circles

_Cell: TypeAlias = tuple[int, int]  # (column, row) of a cell in the geohash grid of one precision


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
    cells = [cell_geohash(column, row, COARSE) for column, row in boundary | inside]
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
        self.lat, self.lon = circle.center.lat * DEG, circle.center.lon
        self.cos_lat, self.tan_lat = math.cos(self.lat), math.tan(self.lat)
        reach = min(math.pi, (circle.radius_m + TOLERANCE_M + slack_m) / EARTH_RADIUS_M)
        self.reach, self.hav_reach = reach, math.sin(reach / 2) ** 2
        self.hav_radius = math.sin(min(math.pi, circle.radius_m / EARTH_RADIUS_M) / 2) ** 2

    def _hav(self, lat: float, delta_lon: float) -> float:
        """Haversine of the angle to (lat, lon) with lat and the longitude difference in radians."""
        return math.sin((lat - self.lat) / 2) ** 2 + self.cos_lat * math.cos(lat) * math.sin(delta_lon / 2) ** 2

    def meets(self, south: float, west: float, north: float, east: float) -> bool:
        if west <= self.lon <= east:
            if south * DEG <= self.lat <= north * DEG:
                return True
            return min(abs(south * DEG - self.lat), abs(north * DEG - self.lat)) <= self.reach
        # Off to the side: the nearest point is on the nearer meridian, at the foot of the perpendicular from the
        # centre (tan foot = tan lat / cos dlon), unless that lies beyond the box's corner.
        delta_lon = ((west if abs(west - self.lon) < abs(east - self.lon) else east) - self.lon) * DEG
        foot = math.atan(self.tan_lat / math.cos(delta_lon)) if abs(delta_lon) < math.pi / 2 else self.lat
        foot = min(north * DEG, max(south * DEG, foot))
        return self._hav(foot, delta_lon) <= self.hav_reach

    def holds(self, south: float, west: float, north: float, east: float) -> bool:
        # The farthest point of a small lon/lat box from any point is one of its corners.
        limit, s, n = self.hav_radius, south * DEG, north * DEG
        dw, de = (west - self.lon) * DEG, (east - self.lon) * DEG
        return self._hav(s, dw) <= limit and self._hav(s, de) <= limit and self._hav(n, dw) <= limit and self._hav(n, de) <= limit


def _cover_circle(circle: Circle, budget: _Budget) -> Covering:
    """Every precision-6 cell of the circle's box is whole, partial (then refined) or left out."""
    probe = _CircleProbe(circle, _CELL_SLACK_M + 1e-4 * circle.radius_m)
    width, height = grid(COARSE)
    fine_width, fine_height = grid(FINE)
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
            cell = cell_geohash(column, row, COARSE)
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
                        fine.append(cell + CHAR[major][minor])
                        budget.spend()
    return Covering(inside=frozenset(inside), fine=frozenset(fine), partial=frozenset(partial))


def _cover_polygon(polygon: Polygon, budget: _Budget) -> Covering:
    """Cells an edge passes through are partial; of the others, those whose middle is inside are whole."""
    boundary = _boundary_cells(polygon, COARSE, budget)
    inside = _inside_cells(polygon, COARSE, boundary, budget)
    # A partly covered cell's children: those an edge passes through, and those whose centre is inside.
    fine_boundary = _boundary_cells(polygon, FINE, _Budget(budget.limit - budget.used, budget.name))
    crossings = _row_crossings(polygon, FINE)
    fine_width, _ = grid(FINE)
    fine: list[str] = []
    for column, row in boundary:
        cell = cell_geohash(column, row, COARSE)
        for minor in range(4):
            fine_row = row * 4 + minor
            xs = crossings.get(fine_row, [])
            for major in range(8):
                fine_column = column * 8 + major
                if (fine_column, fine_row) in fine_boundary or bisect_left(xs, -180.0 + (fine_column + 0.5) * fine_width) % 2:
                    fine.append(cell + CHAR[major][minor])
                    budget.spend()
    return Covering(
        inside=frozenset(cell_geohash(column, row, COARSE) for column, row in inside),
        fine=frozenset(fine),
        partial=frozenset(cell_geohash(column, row, COARSE) for column, row in boundary),
    )


def _column(lon: float, width: float) -> int:
    return min(round(360.0 / width) - 1, max(0, math.floor((lon + 180.0) / width)))


def _row(lat: float, height: float) -> int:
    return min(round(180.0 / height) - 1, max(0, math.floor((lat + 90.0) / height)))


def _boundary_cells(polygon: Polygon, precision: int, budget: _Budget) -> set[_Cell]:
    """The cells (slightly enlarged) that some edge of the polygon passes through."""
    width, height = grid(precision)
    slack = _CELL_SLACK_DEG
    cells: set[_Cell] = set()
    for ring in polygon.rings:
        for a, b in edges(ring):
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
    _, height = grid(precision)
    rows: dict[int, list[float]] = {}
    for ring in polygon.rings:
        for a, b in edges(ring):
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
    width, _ = grid(precision)
    cells: set[_Cell] = set()
    for row, xs in _row_crossings(polygon, precision).items():
        for start, end in zip(xs[::2], xs[1::2], strict=True):
            first, last = math.ceil((start + 180.0) / width - 0.5), math.floor((end + 180.0) / width - 0.5)
            for column in range(first, last + 1):
                if (column, row) not in boundary:
                    cells.add((column, row))
                    budget.spend()
    return cells
