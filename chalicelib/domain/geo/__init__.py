"""Places on the map: the areas people follow, the places where events happen, and the geohash keys that connect them.

- ``shapes``      what a place is: Circle, Polygon, Area, Geometry, GeometryError, the earth's radius, the tolerance;
- ``geohash``     encoding points into geohash cells, a cell's bounds and children, the grid of one precision;
- ``geometry``    distances, containment, intersection, polygon areas and bounding boxes;
- ``coverings``   the geohash cells an area is indexed under and the keys an event reads;
- ``validation``  circles and GeoJSON polygons as Baken accepts them, and the province's bounds.

Import from this package: the names below are its interface. The modules' other public names are shared between
the modules only.
"""

from chalicelib.domain.geo.coverings import COARSE, FINE, Covering, covering, geometry_keys, point_keys
from chalicelib.domain.geo.geohash import cell_bounds, children, encode
from chalicelib.domain.geo.geometry import area_m2, bounding_box, contains, destination, distance_m, intersects
from chalicelib.domain.geo.shapes import EARTH_RADIUS_M, TOLERANCE_M, Area, Circle, Geometry, GeometryError, Polygon, Ring
from chalicelib.domain.geo.validation import (
    PROVINCE_BOUNDS,
    circle,
    polygon_from_geojson,
    polygon_to_geojson,
    require_within,
)

__all__ = [
    "COARSE",
    "EARTH_RADIUS_M",
    "FINE",
    "PROVINCE_BOUNDS",
    "TOLERANCE_M",
    "Area",
    "Circle",
    "Covering",
    "Geometry",
    "GeometryError",
    "Polygon",
    "Ring",
    "area_m2",
    "bounding_box",
    "cell_bounds",
    "children",
    "circle",
    "contains",
    "covering",
    "destination",
    "distance_m",
    "encode",
    "geometry_keys",
    "intersects",
    "point_keys",
    "polygon_from_geojson",
    "polygon_to_geojson",
    "require_within",
]
