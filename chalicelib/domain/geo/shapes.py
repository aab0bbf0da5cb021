"""What a place is: the areas people follow, the geometries events happen at, and the error for a place Baken
cannot use.

An area is a circle (centre and radius in metres) or a GeoJSON polygon, holes allowed; an event happens at a point
or in a polygon (a parcel). Positions are WGS84 on a sphere of radius ``EARTH_RADIUS_M``. Boundaries belong to the
area, within ``TOLERANCE_M``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, TypeAlias

from chalicelib.domain.errors import DomainError
from chalicelib.domain.reference import Point

EARTH_RADIUS_M = 6_371_008.8
TOLERANCE_M = 1e-3
"""A point this close to an area's edge is on the edge, hence inside: floating point cannot promise more."""
DEG = math.pi / 180
"""Radians per degree."""

Ring: TypeAlias = tuple[Point, ...]


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
