"""Announcements for behandelaars: write, preview the audience (numbers only), submit, and approve or send
back — approval by a second behandelaar, never the author."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint

from chalicelib import wiring
from chalicelib.web.bodies import DRAFT, EMPTY, REJECTION, draft_from_body
from chalicelib.web.endpoint import RequestContext, endpoint, json_response
from chalicelib.web.presenters import announcement_json
from chalicelib.web.responses import ANNOUNCEMENTS, AUDIENCE, PROGRESS, ref

if TYPE_CHECKING:
    pass

bp = Blueprint(__name__)


def _draft(ctx: RequestContext) -> Any:
    return draft_from_body(ctx.body())


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
def draft(ctx: RequestContext) -> Any:
    return json_response(announcement_json(wiring.services().announcements.draft(ctx.principal(), _draft(ctx))), 201)


@endpoint(
    bp,
    "/api/announcements",
    action="list_announcements",
    summary="Recent announcements (behandelaar)",
    response=ANNOUNCEMENTS,
    errors=(403,),
)
def recent(ctx: RequestContext) -> Any:
    return {"announcements": [announcement_json(a) for a in wiring.services().announcements.recent(ctx.principal())]}


@endpoint(
    bp,
    "/api/announcements/{announcement_id}",
    action="read_announcement",
    summary="One announcement (behandelaar)",
    response=ref("Announcement"),
    errors=(403,),
)
def read(ctx: RequestContext, announcement_id: str) -> Any:
    return announcement_json(wiring.services().announcements.get(ctx.principal(), announcement_id))


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
def revise(ctx: RequestContext, announcement_id: str) -> Any:
    return announcement_json(wiring.services().announcements.revise(ctx.principal(), announcement_id, _draft(ctx)))


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
def preview(ctx: RequestContext, announcement_id: str) -> Any:
    ctx.body()
    result = wiring.services().announcements.preview(ctx.principal(), announcement_id)
    return {"subscribers": result.subscribers, "by_channel": result.by_channel}


@endpoint(
    bp,
    "/api/announcements/{announcement_id}/progress",
    action="announcement_progress",
    summary="How far telling its audience is: jobs planned and done, notifications written (behandelaar)",
    response=PROGRESS,
    errors=(403,),
)
def progress(ctx: RequestContext, announcement_id: str) -> Any:
    announcement, found = wiring.services().announcements.progress(ctx.principal(), announcement_id)
    state = "waiting" if found is None else "done" if found.finished else "sending"
    return {
        "announcement_id": announcement.id,
        "state": state,
        "jobs_planned": found.planned if found else 0,
        "jobs_done": found.done if found else 0,
        "notifications_created": found.created if found else 0,
        "notifications_held": found.held if found else 0,
    }


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
def submit(ctx: RequestContext, announcement_id: str) -> Any:
    ctx.body()
    return announcement_json(wiring.services().announcements.submit(ctx.principal(), announcement_id))


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
def approve(ctx: RequestContext, announcement_id: str) -> Any:
    ctx.body()
    return announcement_json(wiring.services().announcements.approve(ctx.principal(), announcement_id))


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
def reject(ctx: RequestContext, announcement_id: str) -> Any:
    reason = ctx.body()["reason"]
    return announcement_json(wiring.services().announcements.reject(ctx.principal(), announcement_id, reason))
