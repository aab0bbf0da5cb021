"""Routes for province staff: behandelaars change their cases; the KCC and behandelaars read any case and
its delivery status. Routes only write the cases table; people are told by the stream handler."""

from __future__ import annotations

import base64
import json
import re
from datetime import datetime
from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint

from chalicelib import wiring
from chalicelib.domain.case_view import CaseView, case_view
from chalicelib.domain.cases import MAX_CASE_NUMBER_LENGTH, Case, Link
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.reference import Point
from chalicelib.domain.workdays import amsterdam_date
from chalicelib.web.bodies import (
    CASE_SEARCH,
    CONTACT_MOMENT,
    DOCUMENT_REQUESTS,
    EMPTY,
    EXTENSION,
    GEMACHTIGDE,
    NEW_CASE,
    NEW_MESSAGE,
    NEW_STATUS,
    SUSPENSION,
    new_contact_moment,
)
from chalicelib.web.endpoint import Query, RequestContext, endpoint, json_response
from chalicelib.web.presenters import case_json, case_list_json, contact_json, notification_json
from chalicelib.web.responses import CASE_FOR_STAFF, CASE_LIST, DELIVERY_STATUS, TIMELINE_BEFORE, ref

if TYPE_CHECKING:
    pass

bp = Blueprint(__name__)


def _staff_json(ctx: RequestContext, view: CaseView) -> dict[str, Any]:
    return case_json(view, ctx.language, wiring.reference_data(), staff=True, today=amsterdam_date(wiring.services().clock.now()))


def _case(ctx: RequestContext, case: Case, status: int = 200) -> Any:
    """The case as it is after a command (the command's own result: no second read)."""
    return json_response(_staff_json(ctx, case_view(case, wiring.services().catalogue.get(case.zaaktype))), status)


@endpoint(
    bp,
    "/api/cases",
    methods=("POST",),
    action="create_case",
    summary="Register a case (behandelaar)",
    body=NEW_CASE,
    example={
        "zaaktype": "subsidie-duurzame-recreatie",
        "omschrijving": "Duurzame recreatie Heuvelrug",
        "initiator": "pu-mark-3f9a1c",
        "co_initiators": ["pu-fatima-8d21e4"],
        "gemeenten": ["GM1581"],
        "point": {"lat": 52.04, "lon": 5.34},
    },
    response=CASE_FOR_STAFF,
    status=201,
    errors=(403, 409, 429),
)
def create_case(ctx: RequestContext) -> Any:
    from chalicelib.services.case_commands import NewCase

    body = ctx.body()
    point = body.get("point")
    case = wiring.services().case_commands.create(
        ctx.principal(),
        NewCase(
            zaaktype=body["zaaktype"],
            omschrijving=body["omschrijving"],
            initiator=body["initiator"],
            co_initiators=tuple(body.get("co_initiators", ())),
            gemeenten=tuple(body["gemeenten"]),
            point=Point(point["lat"], point["lon"]) if point else None,
            startdatum=body.get("startdatum"),
        ),
    )
    return _case(ctx, case, 201)


@endpoint(
    bp,
    "/api/cases",
    action="find_case",
    summary="Find a case by its number (behandelaar, KCC)",
    query=(
        Query(
            "case_number",
            {"type": "string", "minLength": 1, "maxLength": MAX_CASE_NUMBER_LENGTH},
            required=True,
            description="e.g. SUB-2026-000123",
        ),
    ),
    response=CASE_FOR_STAFF,
    errors=(400, 403, 404),
    audit_reads=True,
)
def find_case(ctx: RequestContext) -> Any:
    number = ctx.query("case_number")
    if not number:
        raise ValidationError.single("case_number", "required")
    view = wiring.services().case_queries.find_by_number(ctx.principal(), number)
    ctx.audit_extra["cases"] = [view.case.id]
    return _staff_json(ctx, view)


@endpoint(
    bp,
    "/api/cases/search",
    methods=("POST",),
    action="find_cases_by_email",
    summary="Find a person's cases by the e-mail address they get our messages at (behandelaar, KCC)",
    body=CASE_SEARCH,
    example={"email": "aanvrager@example.org"},
    response=CASE_LIST,
    errors=(403,),
)
def find_cases_by_email(ctx: RequestContext) -> Any:
    """The cases, newest first, of whoever gets Baken's e-mail at this address: those they are a party to or
    act in for someone else. An address nobody uses and a person without cases both give an empty list. The
    address travels in the body, not the URL, so that it stays out of URLs and access logs; the search is
    in the audit log with the ids of the cases it showed, without the address."""
    views = wiring.services().case_queries.find_by_email(ctx.principal(), ctx.body()["email"])
    ctx.audit_extra["cases"] = [view.case.id for view in views]
    return case_list_json(views, ctx.language, today=amsterdam_date(wiring.services().clock.now()))


@endpoint(
    bp,
    "/api/cases/{case_id}",
    action="view_case",
    summary="A case as the applicant sees it, plus its parties (behandelaar, KCC)",
    query=(TIMELINE_BEFORE,),
    response=CASE_FOR_STAFF,
    errors=(400, 403),
    audit_reads=True,
)
def view_case(ctx: RequestContext, case_id: str) -> Any:
    """The timeline holds the newest page of the case's history; ``timeline_earlier`` is the ``before`` of the next."""
    return _staff_json(ctx, wiring.services().case_queries.staff_view(ctx.principal(), case_id, before=ctx.query("before")))


@endpoint(
    bp,
    "/api/cases/{case_id}/status",
    methods=("POST",),
    action="set_status",
    summary="Set a new status (its behandelaar); 200 when it already was the status",
    body=NEW_STATUS,
    example={"statustype": "aanvullende-informatie-nodig", "toelichting": "Wij missen de begroting."},
    response=CASE_FOR_STAFF,
    status=(201, 200),
    errors=(403, 409, 429),
)
def set_status(ctx: RequestContext, case_id: str) -> Any:
    body = ctx.body()
    result = wiring.services().case_commands.set_status(ctx.principal(), case_id, body["statustype"], body.get("toelichting"))
    return _case(ctx, result.case, 201 if result.changed else 200)


@endpoint(
    bp,
    "/api/cases/{case_id}/document-requests",
    methods=("POST",),
    action="request_documents",
    summary="Ask the applicants for documents (its behandelaar)",
    body=DOCUMENT_REQUESTS,
    example={"documents": [{"omschrijving": "Begroting 2027", "due": "2027-01-15"}]},
    response=CASE_FOR_STAFF,
    status=201,
    errors=(403, 409, 429),
)
def request_documents(ctx: RequestContext, case_id: str) -> Any:
    from chalicelib.services.case_commands import NewDocumentRequest

    body = ctx.body()
    requests = tuple(NewDocumentRequest(d["omschrijving"], d.get("due")) for d in body["documents"])
    result = wiring.services().case_commands.request_documents(
        ctx.principal(), case_id, requests, repeat=bool(body.get("repeat", False))
    )
    return _case(ctx, result.case, 201)


@endpoint(
    bp,
    "/api/cases/{case_id}/document-requests/{document_id}/received",
    methods=("POST",),
    action="mark_document_received",
    summary="Mark a requested document received (its behandelaar)",
    body=EMPTY,
    response=CASE_FOR_STAFF,
    errors=(403, 409, 429),
)
def mark_document_received(ctx: RequestContext, case_id: str, document_id: str) -> Any:
    ctx.body()
    result = wiring.services().case_commands.mark_document_received(ctx.principal(), case_id, document_id)
    return _case(ctx, result.case)


@endpoint(
    bp,
    "/api/cases/{case_id}/messages",
    methods=("POST",),
    action="post_message",
    summary="Send the applicants a message, with an optional https link (its behandelaar)",
    body=NEW_MESSAGE,
    example={
        "text": "Voor uw plan is ook een vergunning van het waterschap nodig.",
        "link": {"url": "https://omgevingswet.overheid.nl/loket", "label": "Omgevingsloket"},
    },
    response=CASE_FOR_STAFF,
    status=201,
    errors=(403, 409, 429),
)
def post_message(ctx: RequestContext, case_id: str) -> Any:
    body = ctx.body()
    link = body.get("link")
    result = wiring.services().case_commands.post_message(
        ctx.principal(), case_id, body["text"], Link(link["url"], link["label"]) if link else None
    )
    return _case(ctx, result.case, 201)


@endpoint(
    bp,
    "/api/cases/{case_id}/extension",
    methods=("POST",),
    action="extend",
    summary="Extend the handling period once (verlenging; its behandelaar)",
    body=EXTENSION,
    example={"duur": "P6W", "reden": "Advies van het waterschap"},
    response=CASE_FOR_STAFF,
    status=201,
    errors=(403, 409, 429),
)
def extend(ctx: RequestContext, case_id: str) -> Any:
    body = ctx.body()
    result = wiring.services().case_commands.extend(ctx.principal(), case_id, body["duur"], body["reden"])
    return _case(ctx, result.case, 201)


@endpoint(
    bp,
    "/api/cases/{case_id}/suspension",
    methods=("POST",),
    action="suspend",
    summary="Suspend the case: the clock stops (opschorting; its behandelaar)",
    body=SUSPENSION,
    example={"reden": "Wachten op de begroting"},
    response=CASE_FOR_STAFF,
    status=201,
    errors=(403, 409, 429),
)
def suspend(ctx: RequestContext, case_id: str) -> Any:
    body = ctx.body()
    result = wiring.services().case_commands.suspend(ctx.principal(), case_id, body["reden"])
    return _case(ctx, result.case, 201)


@endpoint(
    bp,
    "/api/cases/{case_id}/suspension",
    methods=("DELETE",),
    action="resume",
    summary="Resume a suspended case: the clock restarts (its behandelaar)",
    response=CASE_FOR_STAFF,
    errors=(403, 409, 429),
)
def resume(ctx: RequestContext, case_id: str) -> Any:
    result = wiring.services().case_commands.resume(ctx.principal(), case_id)
    return _case(ctx, result.case)


DELIVERY_PAGE = 50  # as many as the case pages show
MAX_DELIVERY_PAGE = 100
MAX_CURSOR_LENGTH = 200
NOTIFICATION_ID = re.compile(r"^[0-9a-f]{32}$")
CURSOR = re.compile(r"^[A-Za-z0-9_-]+$")


def _cursor(after: tuple[datetime, str]) -> str:
    """Where the next page starts, as an opaque string (base64url of the last one's time and id)."""
    moment, notification_id = after
    return base64.urlsafe_b64encode(json.dumps([moment.isoformat(), notification_id]).encode()).decode().rstrip("=")


def _after(cursor: str | None) -> tuple[datetime, str] | None:
    """The cursor back; anything that is not one this route gave is 400 naming ``after``."""
    if cursor is None:
        return None
    try:
        if len(cursor) > MAX_CURSOR_LENGTH or not CURSOR.match(cursor):
            raise ValueError(cursor[:10])
        moment, notification_id = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        at = datetime.fromisoformat(moment)
        if at.tzinfo is None or not NOTIFICATION_ID.match(notification_id):
            raise ValueError(notification_id)
    except (ValueError, TypeError):  # not base64, not JSON, not two strings, not a time with its zone
        raise ValidationError.single("after", "invalid_format") from None
    return at, notification_id


def _page_size(raw: str | None) -> int:
    if raw is None:
        return DELIVERY_PAGE
    if not re.fullmatch(r"[0-9]{1,3}", raw) or not 1 <= int(raw) <= MAX_DELIVERY_PAGE:
        raise ValidationError.single("limit", "invalid_limit")
    return int(raw)


@endpoint(
    bp,
    "/api/cases/{case_id}/notifications",
    action="view_delivery_status",
    summary="What the parties of the case were sent and its delivery status, newest first, a page at a time (behandelaar, KCC)",
    query=(
        Query(
            "limit",
            {"type": "integer", "minimum": 1, "maximum": MAX_DELIVERY_PAGE, "default": DELIVERY_PAGE},
            description="notifications per page",
        ),
        Query(
            "after",
            {"type": "string", "pattern": CURSOR.pattern, "maxLength": MAX_CURSOR_LENGTH},
            description="`next_after` of the page before (opaque)",
        ),
    ),
    response=DELIVERY_STATUS,
    errors=(400, 403),
    audit_reads=True,
)
def delivery_status(ctx: RequestContext, case_id: str) -> Any:
    """The notifications to the applicant and the other parties of the case; followers of a public case are
    never listed (nor their pseudonymous ids)."""
    limit, after = _page_size(ctx.query("limit")), _after(ctx.query("after"))
    page = wiring.services().case_queries.delivery_status(ctx.principal(), case_id, limit=limit, after=after)
    return {
        "case_id": case_id,
        "notifications": [notification_json(n) for n in page.notifications],
        "next_after": _cursor(page.next_after) if page.next_after is not None else None,
    }


@endpoint(
    bp,
    "/api/cases/{case_id}/contact-moments",
    methods=("POST",),
    action="record_contact_moment",
    summary="Record a contact with the applicant (KCC, behandelaar)",
    body=CONTACT_MOMENT,
    example={
        "kanaal": "telefoon",
        "onderwerp": "Vergunning waterschap",
        "inhoud": "Uitgelegd waar de aanvrager die aanvraagt.",
        "vertrouwelijk": False,
        "tags": ["dso", "vergunning-waterschap"],
    },
    response=ref("ContactMomentForStaff"),
    status=201,
    errors=(403,),
)
def record_contact_moment(ctx: RequestContext, case_id: str) -> Any:
    moment = wiring.services().contact_registry.record(ctx.principal(), case_id, new_contact_moment(ctx.body()))
    return json_response(contact_json(moment, staff=True), 201)


@endpoint(
    bp,
    "/api/cases/{case_id}/gemachtigden",
    methods=("POST",),
    action="add_gemachtigde",
    summary="Add someone authorised to act for the applicants (its behandelaar); 200 when already added",
    body=GEMACHTIGDE,
    example={"subject": "pu-karin-2b6f90"},
    response=CASE_FOR_STAFF,
    status=(201, 200),
    errors=(403, 409, 429),
)
def add_gemachtigde(ctx: RequestContext, case_id: str) -> Any:
    """Someone authorised to act for the applicants (ZGW rol, indicatieMachtiging gemachtigde) sees the case
    and follows it from now on."""
    subject = ctx.body()["subject"]
    result = wiring.services().case_commands.add_gemachtigde(ctx.principal(), case_id, subject)
    return _case(ctx, result.case, 201 if result.changed else 200)
