"""Announcements for behandelaars: write, preview the audience (numbers only), submit, and approve or send
back — approval by a second behandelaar, never the author."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint

from chalicelib import wiring
from chalicelib.api.http import Call, endpoint, json_response
from chalicelib.api.places import GEMEENTEN, event_polygon_from_body, known_topics, point_from_body
from chalicelib.api.presenters import announcement_json
from chalicelib.api.responses import ANNOUNCEMENTS, AUDIENCE, ref
from chalicelib.api.schema import Field, Schema
from chalicelib.domain.cases import Link
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.events import Place
from chalicelib.domain.geo import Polygon
from chalicelib.domain.reference import TOPIC_SLUG, Point

if TYPE_CHECKING:
    from chalicelib.services.announcements import Draft

bp = Blueprint(__name__)

POINT = Schema(
    (
        Field("lat", "number", required=True, minimum=50.5, maximum=53.7),
        Field("lon", "number", required=True, minimum=3.2, maximum=7.3),
    )
)
DRAFT = Schema(
    (
        Field("title", "string", required=True, max_length=120),
        Field("text", "text", required=True, max_length=4000),
        Field("topic", "string", required=True, max_length=40, pattern=TOPIC_SLUG.pattern.strip("^$"), known=known_topics),
        GEMEENTEN,
        Field("point", "object", schema=POINT),
        Field("polygon", "json", description="a GeoJSON Polygon (WGS84) of the land or works"),
        Field(
            "link",
            "object",
            schema=Schema((Field("url", "url", required=True), Field("label", "string", required=True, max_length=120))),
        ),
    )
)
REJECTION = Schema((Field("reason", "text", required=True, max_length=1000),))
EMPTY = Schema(())


def _draft(call: Call) -> Any:
    return draft_from_body(call.body())


def draft_from_body(body: dict[str, Any]) -> Draft:
    """The announcement a checked DRAFT body describes (the JSON API and the behandelaar's page)."""
    from chalicelib.services.announcements import Draft

    geometry: Point | Polygon | None = None
    if body.get("point") and body.get("polygon"):
        raise ValidationError.single("polygon", "one_area_only")
    if body.get("point"):
        geometry = point_from_body(body["point"])
    elif body.get("polygon"):
        geometry = event_polygon_from_body(body["polygon"])
    link = body.get("link")
    return Draft(
        title=body["title"],
        text=body["text"],
        topic=body["topic"],
        place=Place(tuple(body.get("gemeenten", ())), geometry),
        link=Link(link["url"], link["label"]) if link else None,
    )


@endpoint(
    bp,
    "/api/announcements",
    methods=("POST",),
    action="draft_announcement",
    summary="Write an announcement for followers of a topic and place (behandelaar)",
    body=DRAFT,
    example={
        "title": "Grond beschikbaar bij Doorn",
        "text": "De provincie verkoopt landbouwgrond.",
        "topic": "grondbeheer",
        "gemeenten": ["GM1581"],
        "point": {"lat": 52.04, "lon": 5.34},
    },
    response=ref("Announcement"),
    status=201,
    errors=(403,),
)
def draft(call: Call) -> Any:
    return json_response(announcement_json(wiring.announcements().draft(call.principal(), _draft(call))), 201)


@endpoint(
    bp,
    "/api/announcements",
    action="list_announcements",
    summary="Recent announcements (behandelaar)",
    response=ANNOUNCEMENTS,
    errors=(403,),
)
def recent(call: Call) -> Any:
    return {"announcements": [announcement_json(a) for a in wiring.announcements().recent(call.principal())]}


@endpoint(
    bp,
    "/api/announcements/{announcement_id}",
    action="read_announcement",
    summary="One announcement (behandelaar)",
    response=ref("Announcement"),
    errors=(403,),
)
def read(call: Call, announcement_id: str) -> Any:
    return announcement_json(wiring.announcements().get(call.principal(), announcement_id))


@endpoint(
    bp,
    "/api/announcements/{announcement_id}",
    methods=("PUT",),
    action="revise_announcement",
    summary="Revise an announcement that is still a concept (its author)",
    body=DRAFT,
    example={
        "title": "Grond beschikbaar bij Doorn",
        "text": "De provincie verkoopt 4 ha landbouwgrond.",
        "topic": "grondbeheer",
        "gemeenten": ["GM1581"],
    },
    response=ref("Announcement"),
    errors=(403, 409),
)
def revise(call: Call, announcement_id: str) -> Any:
    return announcement_json(wiring.announcements().revise(call.principal(), announcement_id, _draft(call)))


@endpoint(
    bp,
    "/api/announcements/{announcement_id}/preview",
    methods=("POST",),
    action="preview_announcement",
    summary="How many people it would reach, per channel (numbers only)",
    body=EMPTY,
    response=AUDIENCE,
    errors=(403,),
)
def preview(call: Call, announcement_id: str) -> Any:
    call.body()
    result = wiring.announcements().preview(call.principal(), announcement_id)
    return {"subscribers": result.subscribers, "by_channel": result.by_channel}


@endpoint(
    bp,
    "/api/announcements/{announcement_id}/submit",
    methods=("POST",),
    action="submit_announcement",
    summary="Submit for approval (its author)",
    body=EMPTY,
    response=ref("Announcement"),
    errors=(403, 409),
)
def submit(call: Call, announcement_id: str) -> Any:
    call.body()
    return announcement_json(wiring.announcements().submit(call.principal(), announcement_id))


@endpoint(
    bp,
    "/api/announcements/{announcement_id}/approve",
    methods=("POST",),
    action="approve_announcement",
    summary="Approve and send (a behandelaar other than the author)",
    body=EMPTY,
    response=ref("Announcement"),
    errors=(403, 409),
)
def approve(call: Call, announcement_id: str) -> Any:
    call.body()
    return announcement_json(wiring.announcements().approve(call.principal(), announcement_id))


@endpoint(
    bp,
    "/api/announcements/{announcement_id}/reject",
    methods=("POST",),
    action="reject_announcement",
    summary="Send back with a reason (a behandelaar other than the author)",
    body=REJECTION,
    example={"reason": "Eerst met de gemeente afstemmen."},
    response=ref("Announcement"),
    errors=(403, 409),
)
def reject(call: Call, announcement_id: str) -> Any:
    reason = call.body()["reason"]
    return announcement_json(wiring.announcements().reject(call.principal(), announcement_id, reason))
