"""Geohash: the standard base-32 encoding of a point into a cell, a cell's bounds and children, and the grid of cells
of one precision (a cell there is a column and a row)."""

from __future__ import annotations

from chalicelib.domain.reference import Point

_BASE32 = "0123456789bcdefghjkmnpqrstuvwxyz"

# Every geohash character holds five bits alternating between the two axes: three of the axis it starts with
# (bits 0, 2, 4) and two of the other (bits 1, 3). Characters at even positions start with longitude.
CHAR = tuple(
    tuple(
        _BASE32[(major >> 2 & 1) << 4 | (minor >> 1 & 1) << 3 | (major >> 1 & 1) << 2 | (minor & 1) << 1 | (major & 1)]
        for minor in range(4)
    )
    for major in range(8)
)
"""``CHAR[major][minor]``: the character of the sub-cell at ``major`` along the axis the character starts with (three
bits) and ``minor`` along the other (two bits)."""
_SPLIT = {CHAR[major][minor]: (major, minor) for major in range(8) for minor in range(4)}


def grid(precision: int) -> tuple[float, float]:
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


def cell_geohash(column: int, row: int, precision: int) -> str:
    """The geohash of the cell in ``column`` and ``row`` of the grid of ``precision``."""
    lon_left, lat_left = (5 * precision + 1) // 2, 5 * precision // 2
    chars = []
    for position in range(precision):
        if position % 2 == 0:
            lon_left, lat_left = lon_left - 3, lat_left - 2
            chars.append(CHAR[column >> lon_left & 7][row >> lat_left & 3])
        else:
            lat_left, lon_left = lat_left - 3, lon_left - 2
            chars.append(CHAR[row >> lat_left & 7][column >> lon_left & 3])
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
    return cell_geohash(column, row, precision)


def cell_bounds(geohash: str) -> tuple[float, float, float, float]:
    """(south, west, north, east) of a geohash cell."""
    column, row, precision = _cell_of(geohash)
    width, height = grid(precision)
    south, west = -90.0 + row * height, -180.0 + column * width
    return south, west, south + height, west + width


def children(geohash: str) -> tuple[str, ...]:
    """The 32 cells one character longer that together make up ``geohash``."""
    _cell_of(geohash)
    return tuple(geohash + char for char in _BASE32)
