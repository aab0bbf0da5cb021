"""Routes for province staff: behandelaars change their cases; the KCC and behandelaars read any case and
its delivery status. Routes only write the cases table; people are told by the stream handler."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint

from chalicelib import wiring
from chalicelib.api.http import Call, endpoint, json_response
from chalicelib.api.presenters import case_json, contact_json, notification_json
from chalicelib.api.schema import Field, Schema
from chalicelib.domain.case_view import CaseView, case_view
from chalicelib.domain.cases import Case, Link
from chalicelib.domain.contacts import KANALEN
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.identity import SUBJECT_PATTERN
from chalicelib.domain.reference import GEMEENTE_CODE, Point
from chalicelib.domain.workdays import amsterdam_date

bp = Blueprint(__name__)

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
        Field("zaaktype", "string", required=True, max_length=80, description="identificatie of a zaaktype"),
        Field("omschrijving", "string", required=True, max_length=80),
        Field("initiator", "string", required=True, max_length=128, pattern=SUBJECT, pattern_code=NOT_A_SUBJECT),
        Field(
            "co_initiators",
            "array",
            items=Field("co_initiator", "string", max_length=128, pattern=SUBJECT, pattern_code=NOT_A_SUBJECT),
        ),
        Field(
            "gemeenten",
            "array",
            required=True,
            items=Field("gemeente", "string", pattern=GEMEENTE_CODE.pattern.strip("^$")),
            max_items=26,
        ),
        Field("point", "object", schema=POINT),
        Field("startdatum", "date"),
    )
)
NEW_STATUS = Schema(
    (
        Field("statustype", "string", required=True, max_length=80),
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
        Field("tags", "array", items=Field("tag", "string", max_length=40, pattern=r"[a-z0-9-]+"), max_items=10),
    )
)
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


def _staff_json(call: Call, view: CaseView) -> dict[str, Any]:
    return case_json(view, call.language, wiring.reference(), staff=True, today=amsterdam_date(wiring.clock().now()))


def _case(call: Call, case: Case, status: int = 200) -> Any:
    """The case as it is after a command (the command's own result: no second read)."""
    return json_response(_staff_json(call, case_view(case, wiring.catalogue().get(case.zaaktype))), status)


@endpoint(bp, "/api/cases", methods=("POST",), action="create_case")
def create_case(call: Call) -> Any:
    from chalicelib.services.case_commands import NewCase

    body = call.body(NEW_CASE)
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


@endpoint(bp, "/api/cases", action="find_case")
def find_case(call: Call) -> Any:
    number = call.query("case_number")
    if not number:
        raise ValidationError.single("case_number", "required")
    return _staff_json(call, wiring.case_queries().find_by_number(call.principal(), number))


@endpoint(bp, "/api/cases/{case_id}", action="view_case")
def view_case(call: Call, case_id: str) -> Any:
    return _staff_json(call, wiring.case_queries().staff_view(call.principal(), case_id))


@endpoint(bp, "/api/cases/{case_id}/status", methods=("POST",), action="set_status")
def set_status(call: Call, case_id: str) -> Any:
    body = call.body(NEW_STATUS)
    result = wiring.case_commands().set_status(call.principal(), case_id, body["statustype"], body.get("toelichting"))
    return _case(call, result.case, 201 if result.changed else 200)


@endpoint(bp, "/api/cases/{case_id}/document-requests", methods=("POST",), action="request_documents")
def request_documents(call: Call, case_id: str) -> Any:
    from chalicelib.services.case_commands import NewDocumentRequest

    body = call.body(DOCUMENT_REQUESTS)
    requests = tuple(NewDocumentRequest(d["omschrijving"], d.get("due")) for d in body["documents"])
    result = wiring.case_commands().request_documents(call.principal(), case_id, requests)
    return _case(call, result.case, 201)


@endpoint(bp, "/api/cases/{case_id}/document-requests/{document_id}/received", methods=("POST",), action="mark_document_received")
def mark_document_received(call: Call, case_id: str, document_id: str) -> Any:
    call.body(EMPTY)
    result = wiring.case_commands().mark_document_received(call.principal(), case_id, document_id)
    return _case(call, result.case)


@endpoint(bp, "/api/cases/{case_id}/messages", methods=("POST",), action="post_message")
def post_message(call: Call, case_id: str) -> Any:
    body = call.body(NEW_MESSAGE)
    link = body.get("link")
    result = wiring.case_commands().post_message(
        call.principal(), case_id, body["text"], Link(link["url"], link["label"]) if link else None
    )
    return _case(call, result.case, 201)


@endpoint(bp, "/api/cases/{case_id}/extension", methods=("POST",), action="extend")
def extend(call: Call, case_id: str) -> Any:
    body = call.body(EXTENSION)
    result = wiring.case_commands().extend(call.principal(), case_id, body["duur"], body["reden"])
    return _case(call, result.case, 201)


@endpoint(bp, "/api/cases/{case_id}/suspension", methods=("POST",), action="suspend")
def suspend(call: Call, case_id: str) -> Any:
    body = call.body(SUSPENSION)
    result = wiring.case_commands().suspend(call.principal(), case_id, body["reden"])
    return _case(call, result.case, 201)


@endpoint(bp, "/api/cases/{case_id}/suspension", methods=("DELETE",), action="resume")
def resume(call: Call, case_id: str) -> Any:
    result = wiring.case_commands().resume(call.principal(), case_id)
    return _case(call, result.case)


@endpoint(bp, "/api/cases/{case_id}/notifications", action="view_delivery_status")
def delivery_status(call: Call, case_id: str) -> Any:
    notifications = wiring.case_queries().delivery_status(call.principal(), case_id)
    return {"case_id": case_id, "notifications": [notification_json(n) for n in notifications]}


@endpoint(bp, "/api/cases/{case_id}/contact-moments", methods=("POST",), action="record_contact_moment")
def record_contact_moment(call: Call, case_id: str) -> Any:
    from chalicelib.services.contacts import NewContactMoment

    body = call.body(CONTACT_MOMENT)
    moment = wiring.contact_registry().record(
        call.principal(),
        case_id,
        NewContactMoment(
            kanaal=body["kanaal"],
            onderwerp=body["onderwerp"],
            inhoud=body["inhoud"],
            plaatsgevonden_op=body.get("plaatsgevonden_op"),
            vertrouwelijk=body["vertrouwelijk"],
            contact_gelukt=body.get("indicatie_contact_gelukt", True),
            tags=tuple(body.get("tags", ())),
        ),
    )
    return json_response(contact_json(moment, staff=True), 201)


@endpoint(bp, "/api/cases/{case_id}/gemachtigden", methods=("POST",), action="add_gemachtigde")
def add_gemachtigde(call: Call, case_id: str) -> Any:
    """Someone authorised to act for the applicants (ZGW rol, indicatieMachtiging gemachtigde) sees the case
    and follows it from now on."""
    subject = call.body(GEMACHTIGDE)["subject"]
    result = wiring.case_commands().add_gemachtigde(call.principal(), case_id, subject)
    return _case(call, result.case, 201 if result.changed else 200)
