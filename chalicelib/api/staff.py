"""Routes for province staff: behandelaars change their cases; the KCC and behandelaars read any case and
its delivery status. Routes only write the cases table; people are told by the stream handler."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint

from chalicelib import wiring
from chalicelib.api.http import Call, Query, endpoint, json_response
from chalicelib.api.places import GEMEENTE
from chalicelib.api.presenters import case_json, case_list_json, contact_json, notification_json
from chalicelib.api.responses import CASE_FOR_STAFF, CASE_LIST, DELIVERY_STATUS, ref
from chalicelib.api.schema import Field, Schema
from chalicelib.api.subscriptions import EMAIL
from chalicelib.domain.case_view import CaseView, case_view
from chalicelib.domain.cases import Case, Link
from chalicelib.domain.contacts import KANALEN, MAX_TAG_LENGTH, MAX_TAGS, TAG_PATTERN
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.identity import SUBJECT_PATTERN
from chalicelib.domain.reference import Point
from chalicelib.domain.workdays import amsterdam_date

if TYPE_CHECKING:
    from chalicelib.services.contacts import NewContactMoment

bp = Blueprint(__name__)


def _zaaktypen() -> list[str]:
    return [zaaktype.identificatie for zaaktype in wiring.catalogue()]


def _statustypen() -> set[str]:
    return {statustype.identificatie for zaaktype in wiring.catalogue() for statustype in zaaktype.statustypen}


SUBJECT = SUBJECT_PATTERN.pattern.strip("^$")
NOT_A_SUBJECT = "invalid_subject"
POINT = Schema(
    (
        Field("lat", "number", required=True, minimum=50.5, maximum=53.7, description="WGS84 latitude"),
        Field("lon", "number", required=True, minimum=3.2, maximum=7.3, description="WGS84 longitude"),
    )
)
NEW_CASE = Schema(
    (
        Field("zaaktype", "string", required=True, max_length=80, description="identificatie of a zaaktype", known=_zaaktypen),
        Field("omschrijving", "string", required=True, max_length=80),
        Field("initiator", "string", required=True, max_length=128, pattern=SUBJECT, pattern_code=NOT_A_SUBJECT),
        Field(
            "co_initiators",
            "array",
            items=Field("co_initiator", "string", max_length=128, pattern=SUBJECT, pattern_code=NOT_A_SUBJECT),
        ),
        Field("gemeenten", "array", required=True, items=GEMEENTE, max_items=26),
        Field("point", "object", schema=POINT),
        Field("startdatum", "date"),
    )
)
NEW_STATUS = Schema(
    (
        Field("statustype", "string", required=True, max_length=80, description="one of the case's zaaktype", known=_statustypen),
        Field("toelichting", "text", max_length=1000),
    )
)
DOCUMENT_REQUESTS = Schema(
    (
        Field(
            "documents",
            "array",
            required=True,
            max_items=10,
            items=Field(
                "document",
                "object",
                schema=Schema((Field("omschrijving", "string", required=True, max_length=200), Field("due", "date"))),
            ),
        ),
    )
)
NEW_MESSAGE = Schema(
    (
        Field("text", "text", required=True, max_length=2000),
        Field(
            "link",
            "object",
            schema=Schema((Field("url", "url", required=True), Field("label", "string", required=True, max_length=120))),
        ),
    )
)
EXTENSION = Schema((Field("duur", "duration", required=True), Field("reden", "text", required=True, max_length=1000)))
SUSPENSION = Schema((Field("reden", "text", required=True, max_length=1000),))
CONTACT_MOMENT = Schema(
    (
        Field("kanaal", "string", required=True, choices=KANALEN, max_length=50),
        Field("onderwerp", "string", required=True, max_length=200),
        Field("inhoud", "text", required=True, max_length=1000),
        Field("plaatsgevonden_op", "datetime"),
        Field("vertrouwelijk", "boolean", required=True, description="true: staff only; false: the applicant sees it too"),
        Field("indicatie_contact_gelukt", "boolean"),
        Field(
            "tags",
            "array",
            items=Field("tag", "string", max_length=MAX_TAG_LENGTH, pattern=TAG_PATTERN, pattern_code="invalid_tag"),
            max_items=MAX_TAGS,
            description="labels for staff (the applicant does not see them): letters, digits and hyphens;"
            " kept in lower case, each once",
        ),
    )
)
CASE_SEARCH = Schema((replace(EMAIL, description="the address at which the person gets our e-mail"),))
GEMACHTIGDE = Schema(
    (
        Field(
            "subject",
            "string",
            required=True,
            max_length=128,
            pattern=SUBJECT,
            pattern_code=NOT_A_SUBJECT,
            description="pseudonymous subject",
        ),
    )
)
EMPTY = Schema(())


def new_contact_moment(body: dict[str, Any]) -> NewContactMoment:
    """A contact moment from a body ``CONTACT_MOMENT`` parsed (from the API or the KCC's page)."""
    from chalicelib.services.contacts import NewContactMoment

    return NewContactMoment(
        kanaal=body["kanaal"],
        onderwerp=body["onderwerp"],
        inhoud=body["inhoud"],
        plaatsgevonden_op=body.get("plaatsgevonden_op"),
        vertrouwelijk=body["vertrouwelijk"],
        contact_gelukt=body.get("indicatie_contact_gelukt", True),
        tags=tuple(body.get("tags", ())),
    )


def _staff_json(call: Call, view: CaseView) -> dict[str, Any]:
    return case_json(view, call.language, wiring.reference(), staff=True, today=amsterdam_date(wiring.clock().now()))


def _case(call: Call, case: Case, status: int = 200) -> Any:
    """The case as it is after a command (the command's own result: no second read)."""
    return json_response(_staff_json(call, case_view(case, wiring.catalogue().get(case.zaaktype))), status)


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
def create_case(call: Call) -> Any:
    from chalicelib.services.case_commands import NewCase

    body = call.body()
    point = body.get("point")
    case = wiring.case_commands().create(
        call.principal(),
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
    return _case(call, case, 201)


@endpoint(
    bp,
    "/api/cases",
    action="find_case",
    summary="Find a case by its number (behandelaar, KCC)",
    query=(Query("case_number", {"type": "string", "minLength": 1}, required=True, description="e.g. SUB-2026-000123"),),
    response=CASE_FOR_STAFF,
    errors=(400, 403, 404),
)
def find_case(call: Call) -> Any:
    number = call.query("case_number")
    if not number:
        raise ValidationError.single("case_number", "required")
    return _staff_json(call, wiring.case_queries().find_by_number(call.principal(), number))


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
def find_cases_by_email(call: Call) -> Any:
    """The cases, newest first, of whoever gets Baken's e-mail at this address: those they are a party to or
    act in for someone else. An address nobody uses and a person without cases both give an empty list. The
    address travels in the body, not the URL, so that it stays out of URLs and access logs; the search is
    in the audit log, without the address."""
    views = wiring.case_queries().find_by_email(call.principal(), call.body()["email"])
    return case_list_json(views, call.language, today=amsterdam_date(wiring.clock().now()))


@endpoint(
    bp,
    "/api/cases/{case_id}",
    action="view_case",
    summary="A case as the applicant sees it, plus its parties (behandelaar, KCC)",
    response=CASE_FOR_STAFF,
    errors=(403,),
)
def view_case(call: Call, case_id: str) -> Any:
    return _staff_json(call, wiring.case_queries().staff_view(call.principal(), case_id))


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
def set_status(call: Call, case_id: str) -> Any:
    body = call.body()
    result = wiring.case_commands().set_status(call.principal(), case_id, body["statustype"], body.get("toelichting"))
    return _case(call, result.case, 201 if result.changed else 200)


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
def request_documents(call: Call, case_id: str) -> Any:
    from chalicelib.services.case_commands import NewDocumentRequest

    body = call.body()
    requests = tuple(NewDocumentRequest(d["omschrijving"], d.get("due")) for d in body["documents"])
    result = wiring.case_commands().request_documents(call.principal(), case_id, requests)
    return _case(call, result.case, 201)


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
def mark_document_received(call: Call, case_id: str, document_id: str) -> Any:
    call.body()
    result = wiring.case_commands().mark_document_received(call.principal(), case_id, document_id)
    return _case(call, result.case)


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
def post_message(call: Call, case_id: str) -> Any:
    body = call.body()
    link = body.get("link")
    result = wiring.case_commands().post_message(
        call.principal(), case_id, body["text"], Link(link["url"], link["label"]) if link else None
    )
    return _case(call, result.case, 201)


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
def extend(call: Call, case_id: str) -> Any:
    body = call.body()
    result = wiring.case_commands().extend(call.principal(), case_id, body["duur"], body["reden"])
    return _case(call, result.case, 201)


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
def suspend(call: Call, case_id: str) -> Any:
    body = call.body()
    result = wiring.case_commands().suspend(call.principal(), case_id, body["reden"])
    return _case(call, result.case, 201)


@endpoint(
    bp,
    "/api/cases/{case_id}/suspension",
    methods=("DELETE",),
    action="resume",
    summary="Resume a suspended case: the clock restarts (its behandelaar)",
    response=CASE_FOR_STAFF,
    errors=(403, 409, 429),
)
def resume(call: Call, case_id: str) -> Any:
    result = wiring.case_commands().resume(call.principal(), case_id)
    return _case(call, result.case)


@endpoint(
    bp,
    "/api/cases/{case_id}/notifications",
    action="view_delivery_status",
    summary="Every notification about the case and its delivery status (behandelaar, KCC)",
    response=DELIVERY_STATUS,
    errors=(403,),
)
def delivery_status(call: Call, case_id: str) -> Any:
    notifications = wiring.case_queries().delivery_status(call.principal(), case_id)
    return {"case_id": case_id, "notifications": [notification_json(n) for n in notifications]}


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
        "inhoud": "Uitgelegd waar hij die aanvraagt.",
        "vertrouwelijk": False,
        "tags": ["dso", "vergunning-waterschap"],
    },
    response=ref("ContactMomentForStaff"),
    status=201,
    errors=(403,),
)
def record_contact_moment(call: Call, case_id: str) -> Any:
    moment = wiring.contact_registry().record(call.principal(), case_id, new_contact_moment(call.body()))
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
def add_gemachtigde(call: Call, case_id: str) -> Any:
    """Someone authorised to act for the applicants (ZGW rol, indicatieMachtiging gemachtigde) sees the case
    and follows it from now on."""
    subject = call.body()["subject"]
    result = wiring.case_commands().add_gemachtigde(call.principal(), case_id, subject)
    return _case(call, result.case, 201 if result.changed else 200)
