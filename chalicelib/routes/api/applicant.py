"""Routes for applicants (and whoever acts for them): my cases, one case, my berichtenbox.

Identity comes only from the verified token; query parameters naming another person are ignored. A case
that is not theirs answers 404, the same as a case that does not exist.
"""

from __future__ import annotations

import re
from typing import Any

from chalice.app import Blueprint

from chalicelib import wiring
from chalicelib.domain.berichtenbox import BERICHTENBOX_MESSAGE_ID
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.workdays import amsterdam_date
from chalicelib.web.endpoint import Query, RequestContext, endpoint
from chalicelib.web.presenters import berichtenbox_json, case_json, case_list_json
from chalicelib.web.responses import BERICHTENBOX_PAGE, CASE_FOR_APPLICANT, CASE_LIST, TIMELINE_BEFORE, ref
from chalicelib.web.schema import Schema

bp = Blueprint(__name__)

EMPTY = Schema(())
DEFAULT_PAGE = 20
MAX_PAGE = 100
PAGE = (
    Query(
        "limit", {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": DEFAULT_PAGE}, description="messages per page"
    ),
    Query("after", {"type": "string", "pattern": BERICHTENBOX_MESSAGE_ID.pattern}, description="`next_after` of the page before"),
)


@endpoint(
    bp,
    "/api/me/cases",
    action="list_my_cases",
    summary="My cases (applicant, or who acts for them)",
    response=CASE_LIST,
    errors=(403,),
)
def my_cases(ctx: RequestContext) -> Any:
    views = wiring.services().case_queries.my_cases(ctx.principal())
    today = amsterdam_date(wiring.services().clock.now())
    return case_list_json(views, ctx.language, today=today)


@endpoint(
    bp,
    "/api/me/cases/{case_id}",
    action="view_my_case",
    summary="One of my cases: status, next steps, timeline, missing documents, deadline",
    query=(TIMELINE_BEFORE,),
    response=CASE_FOR_APPLICANT,
    errors=(400, 403),
)
def my_case(ctx: RequestContext, case_id: str) -> Any:
    view = wiring.services().case_queries.view(ctx.principal(), case_id, before=ctx.query("before"))
    return case_json(
        view, ctx.language, wiring.reference_data(), staff=False, today=amsterdam_date(wiring.services().clock.now())
    )


@endpoint(
    bp,
    "/api/me/berichtenbox",
    action="read_berichtenbox",
    summary="My berichtenbox, newest first, with the number unread",
    query=PAGE,
    response=BERICHTENBOX_PAGE,
    errors=(400, 403),
)
def berichtenbox(ctx: RequestContext) -> Any:
    raw_limit = ctx.query("limit")
    limit = DEFAULT_PAGE
    if raw_limit is not None:
        if not re.fullmatch(r"[0-9]{1,3}", raw_limit) or not 1 <= int(raw_limit) <= MAX_PAGE:
            raise ValidationError.single("limit", "invalid_limit")
        limit = int(raw_limit)
    after = ctx.query("after")
    if after is not None and not BERICHTENBOX_MESSAGE_ID.match(after):
        raise ValidationError.single("after", "invalid_format")
    page = wiring.services().berichtenbox.page(ctx.principal(), limit=limit, after=after)
    return {
        "unread": page.unread,
        "messages": [berichtenbox_json(m) for m in page.messages],
        "next_after": page.next_after,
    }


@endpoint(
    bp,
    "/api/me/berichtenbox/{message_id}/read",
    methods=("POST",),
    action="mark_berichtenbox_read",
    summary="Mark a message read",
    body=EMPTY,
    response=ref("BerichtenboxMessage"),
    errors=(403,),
)
def mark_read(ctx: RequestContext, message_id: str) -> Any:
    ctx.body()
    return berichtenbox_json(wiring.services().berichtenbox.mark_read(ctx.principal(), message_id))
