"""Reading what someone wants to follow, or where an announcement is about, from a request body: topics,
gemeenten, and an area (a circle, or a GeoJSON polygon in WGS84). Geometry problems are reported against
the field, with the reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from chalicelib.domain.errors import Issue, ValidationError
from chalicelib.domain.geo import (
    Area,
    Circle,
    GeometryError,
    Polygon,
    circle,
    covering,
    geometry_keys,
    polygon_from_geojson,
    require_within,
)
from chalicelib.domain.reference import GEMEENTE_CODE, TOPIC_SLUG, Point
from chalicelib.domain.subscriptions import Scope
from chalicelib.web.schema import Field, Schema

MAX_VERTICES = 500
MAX_RADIUS_M = 10_000
S = TypeVar("S", Point, Circle, Polygon)

CIRCLE = Schema(
    (
        Field("lat", "number", required=True, minimum=50.5, maximum=53.7, description="WGS84 latitude of the centre"),
        Field("lon", "number", required=True, minimum=3.2, maximum=7.3, description="WGS84 longitude of the centre"),
        Field("radius_m", "number", required=True, minimum=100, maximum=MAX_RADIUS_M, description="radius in metres"),
    )
)
AREA = Schema(
    (
        Field("circle", "object", schema=CIRCLE),
        Field("polygon", "json", description="a GeoJSON Polygon (WGS84, [lon, lat]); holes allowed"),
    )
)


def known_topics() -> list[str]:
    from chalicelib import wiring

    return [topic.slug for topic in wiring.reference_data().topics()]


def known_gemeenten() -> list[str]:
    from chalicelib import wiring

    return [gemeente.code for gemeente in wiring.reference_data().gemeenten()]


TOPIC = Field("topic", "string", max_length=40, pattern=TOPIC_SLUG.pattern.strip("^$"), known=known_topics)
GEMEENTE = Field("gemeente", "string", pattern=GEMEENTE_CODE.pattern.strip("^$"), known=known_gemeenten)
TOPICS = Field("topics", "array", items=TOPIC, max_items=20)
GEMEENTEN = Field("gemeenten", "array", items=GEMEENTE, max_items=26)
SCOPE_FIELDS = (TOPICS, GEMEENTEN, Field("area", "object", schema=AREA))


def geometry_issue(where: str, error: GeometryError) -> ValidationError:
    reason = str(error.params.get("reason", "invalid"))
    return ValidationError([Issue(where, f"geometry_{reason}", {k: v for k, v in error.params.items() if k != "reason"})])


def area_from_body(area: dict[str, Any] | None, where: str = "area") -> Area | None:
    """A circle or a polygon to follow: valid, within the province, and small enough to index; None when no
    area was given."""
    if not area:
        return None
    if "circle" in area and "polygon" in area:
        raise ValidationError.single(where, "one_area_only")
    if "circle" in area:
        given = area["circle"]
        return _checked(f"{where}.circle", lambda: circle(Point(given["lat"], given["lon"]), given["radius_m"]), covering)
    return _checked(f"{where}.polygon", lambda: polygon_from_geojson(area["polygon"], max_vertices=MAX_VERTICES), covering)


def event_polygon_from_body(polygon: Any, where: str = "polygon") -> Polygon:
    """The polygon an announcement is about: valid, within the province, and small enough to match on."""
    return _checked(where, lambda: polygon_from_geojson(polygon, max_vertices=MAX_VERTICES), geometry_keys)


def point_from_body(point: dict[str, Any], where: str = "point") -> Point:
    return _checked(where, lambda: Point(point["lat"], point["lon"]), lambda _: None)


def _checked(where: str, make: Callable[[], S], size: Callable[[S], object]) -> S:
    try:
        shape = make()
        require_within(shape)
        size(shape)
    except GeometryError as error:
        raise geometry_issue(where, error) from None
    return shape


def scope_from_body(body: dict[str, Any]) -> Scope:
    """What to follow; an unknown topic or gemeente is named by its place in the list that was sent."""
    from chalicelib import wiring

    reference = wiring.reference_data()
    issues = [
        Issue(f"topics.{i}", "unknown_topic", {"topic": t})
        for i, t in enumerate(body.get("topics", ()))
        if not reference.topic(t)
    ]
    issues.extend(
        Issue(f"gemeenten.{i}", "unknown_gemeente", {"gemeente": g})
        for i, g in enumerate(body.get("gemeenten", ()))
        if not reference.gemeente(g)
    )
    if issues:
        raise ValidationError(issues)
    return Scope(
        topics=frozenset(body.get("topics", ())),
        gemeenten=frozenset(body.get("gemeenten", ())),
        area=area_from_body(body.get("area")),
    )
