"""JSON Schemas of what the routes answer, one per presenter in chalicelib/web/presenters.py, for the API
documentation (chalicelib/web/openapi.py) and the tests that hold real answers against it.

A schema named in ``COMPONENTS`` is referred to as ``ref("Name")``; the routes name their answer with these.
Objects are closed (``additionalProperties: false``) unless an answer is open by nature.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from chalicelib.domain.announcements import AnnouncementStatus
from chalicelib.domain.case_view import TimelineKind
from chalicelib.domain.cases import HISTORY_CURSOR, DocumentState
from chalicelib.domain.catalogue import Product, Vertrouwelijkheid
from chalicelib.domain.contacts import KANALEN
from chalicelib.domain.deadlines import DeadlineState
from chalicelib.domain.events import EventKind
from chalicelib.domain.language import Language
from chalicelib.domain.matching import Audience
from chalicelib.domain.notifications import NotificationStatus
from chalicelib.domain.subscriptions import Channel, Frequency, SubscriptionOrigin, SubscriptionState
from chalicelib.web.endpoint import Query

JsonSchema = dict[str, Any]

STRING: JsonSchema = {"type": "string"}
INTEGER: JsonSchema = {"type": "integer"}
NUMBER: JsonSchema = {"type": "number"}
BOOLEAN: JsonSchema = {"type": "boolean"}
DATE: JsonSchema = {"type": "string", "format": "date"}
DATETIME: JsonSchema = {"type": "string", "format": "date-time"}
DURATION: JsonSchema = {"type": "string", "format": "duration", "description": "ISO 8601, e.g. P8W"}
# What a confirmation or unsubscribe link did (chalicelib.services.subscriptions.Outcome; a test keeps them equal).
OUTCOMES = ("done", "already", "stopped")


def ref(name: str) -> JsonSchema:
    """A reference to the component schema ``name``."""
    if name not in COMPONENTS:
        raise KeyError(name)
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: JsonSchema) -> JsonSchema:
    return {"anyOf": [schema, {"type": "null"}]}


def one_of(values: Iterable[str] | type[StrEnum]) -> JsonSchema:
    return {"type": "string", "enum": [str(v) for v in values]}


def array(items: JsonSchema) -> JsonSchema:
    return {"type": "array", "items": items}


def closed(properties: dict[str, JsonSchema], *, optional: tuple[str, ...] = (), description: str = "") -> JsonSchema:
    """An object with exactly these properties; all present unless named in ``optional``."""
    schema: JsonSchema = {
        "type": "object",
        "additionalProperties": False,
        "required": [name for name in properties if name not in optional],
        "properties": properties,
    }
    if description:
        schema["description"] = description
    return schema


# The timeline is one page of the case's history, newest first; ``timeline_earlier`` in the answer is where the
# earlier page starts.
TIMELINE_BEFORE = Query(
    "before",
    {"type": "string", "pattern": f"^{HISTORY_CURSOR.pattern}$", "maxLength": 160},
    description="`timeline_earlier` of the case as read before: the page of its timeline before that",
)


def _case(*, staff: bool) -> JsonSchema:
    behandelaar = {"naam": STRING, **({"id": STRING} if staff else {})}
    contact = "ContactMomentForStaff" if staff else "ContactMoment"
    timeline_entry = closed(
        {
            "kind": one_of(TimelineKind),
            "at": DATETIME,
            "title": STRING,
            "statustekst": nullable(STRING),
            "text": nullable(STRING),
            "link": nullable(_ref("Link")),
            "ref": STRING,
            "contact": _ref(contact),
        },
        optional=("contact",),
    )
    properties: dict[str, JsonSchema] = {
        "id": STRING,
        "case_number": STRING,
        "zaaktype": closed(
            {"identificatie": STRING, "omschrijving": STRING, "product": one_of(Product), "informatie_url": STRING}
        ),
        "omschrijving": STRING,
        "startdatum": DATE,
        "registered_at": DATETIME,
        "closed_on": nullable(DATE),
        "status": closed(
            {
                **STATUSTYPE_PROPERTIES,
                "statustekst": nullable(STRING),
                "set_at": DATETIME,
                "toelichting_behandelaar": nullable(STRING),
            }
        ),
        "next_steps": array(_ref("Statustype")),
        "deadline": closed(
            {
                "due": nullable(DATE),
                "state": one_of(DeadlineState),
                "doorlooptijd": DURATION,
                "servicenorm": nullable(DURATION),
                "servicenorm_due": nullable(DATE),
                "paused_since": nullable(DATE),
                "days_left_when_paused": nullable(INTEGER),
                "suspended_days": INTEGER,
                "extended": BOOLEAN,
            }
        ),
        "behandelaar": closed(behandelaar),
        "missing_documents": array(_ref("DocumentRequest")),
        "documents": array(_ref("DocumentRequest")),
        "location": closed(
            {
                "gemeenten": array(closed({"code": STRING, "naam": STRING})),
                "point": nullable(_ref("Point")),
            }
        ),
        "timeline": array(timeline_entry),
        "timeline_earlier": nullable(STRING),
    }
    if staff:
        properties |= {
            "initiator": STRING,
            "co_initiators": array(STRING),
            "gemachtigden": array(STRING),
            "vertrouwelijkheidaanduiding": one_of(Vertrouwelijkheid),
            "version": INTEGER,
            "zaak_url": nullable(
                {**STRING, "description": "the zaak in the zaaksysteem that owns the case (status, terms, parties set there)"}
            ),
        }
        return closed(properties, description="A case as behandelaar and KCC see it: the applicant's view plus the parties.")
    return closed(properties, description="A case as its applicants (and who acts for them) see it.")


def _ref(name: str) -> JsonSchema:
    """A reference to a component defined further down (``ref`` checks the name once all are defined)."""
    return {"$ref": f"#/components/schemas/{name}"}


def _contact(*, staff: bool) -> JsonSchema:
    properties: dict[str, JsonSchema] = {
        "id": STRING,
        "kanaal": one_of(KANALEN),
        "inhoud": STRING,
        "plaatsgevonden_op": DATETIME,
        "taal": STRING,
        "indicatie_contact_gelukt": BOOLEAN,
    }
    if staff:
        properties |= {
            "onderwerp": STRING,
            "vraagonderwerp": nullable(STRING),
            "for_applicant": nullable(STRING),
            "medewerker": _ref("Medewerker"),
            "vertrouwelijk": BOOLEAN,
            "tags": array(STRING),
        }
        description = "A contact moment (Klantinteracties field names): inhoud is the internal note."
    else:
        description = "A contact moment as the applicant sees it: inhoud is the sentence written for them."
    return closed(properties, description=description)


STATUSTYPE_PROPERTIES: dict[str, JsonSchema] = {
    "statustype": STRING,
    "volgnummer": INTEGER,
    "omschrijving": STRING,
    "toelichting": nullable(STRING),
    "informeren": BOOLEAN,
    "is_eindstatus": BOOLEAN,
}
GEOJSON_POLYGON: JsonSchema = closed(
    {
        "type": {"const": "Polygon"},
        "coordinates": array(array({"type": "array", "items": NUMBER, "minItems": 2, "maxItems": 2})),
    },
    description="A GeoJSON Polygon in WGS84: closed rings of [lon, lat]; the first is the outline, the others holes.",
)

COMPONENTS: dict[str, JsonSchema] = {
    "Link": closed({"url": STRING, "label": STRING}),
    "Point": closed({"lat": NUMBER, "lon": NUMBER}, description="WGS84"),
    "Medewerker": closed({"id": STRING, "naam": STRING}, description="An employee of the province."),
    "GeoJSONPolygon": GEOJSON_POLYGON,
    "Statustype": closed(STATUSTYPE_PROPERTIES, description="One step in a zaaktype's procedure."),
    "Zaaktype": closed(
        {
            "identificatie": STRING,
            "omschrijving": STRING,
            "product": one_of(Product),
            "onderwerp": STRING,
            "doorlooptijd": DURATION,
            "servicenorm": nullable(DURATION),
            "verlenging_mogelijk": BOOLEAN,
            "verlengingstermijn": nullable(DURATION),
            "opschorting_mogelijk": BOOLEAN,
            "voorwaarden": STRING,
            "informatie_url": STRING,
            "statustypen": array(_ref("Statustype")),
            "vraagonderwerpen": {
                **array(closed({"code": STRING, "naam": STRING})),
                "description": "the onderwerpen a contact moment about this product is counted under (vraagonderwerp)",
            },
        },
        description="A product of the province (ZGW zaaktype): conditions, procedure and deadlines.",
    ),
    "DocumentRequest": closed(
        {
            "id": STRING,
            "omschrijving": STRING,
            "requested_at": DATETIME,
            "due": nullable(DATE),
            "received_at": nullable(DATETIME),
            "state": one_of(DocumentState),
            "reason": nullable(STRING),
            "verdict_reason": nullable(STRING),
            "files": array(
                closed(
                    {
                        "id": STRING,
                        "filename": STRING,
                        "content_type": STRING,
                        "size": INTEGER,
                        "sha256": STRING,
                        "uploaded_at": DATETIME,
                    }
                )
            ),
        },
        description="A document asked of the applicant: open (requested), received and waiting for the behandelaar's "
        "verdict, accepted, or asked again (a new request with the reason replaces it); the files sent in.",
    ),
    "ContactMoment": _contact(staff=False),
    "ContactMomentForStaff": _contact(staff=True),
    "CaseForApplicant": _case(staff=False),
    "CaseForStaff": _case(staff=True),
    "CaseSummary": closed(
        {
            "id": STRING,
            "case_number": STRING,
            "zaaktype": STRING,
            "omschrijving": STRING,
            "status": STRING,
            "next_step": nullable(STRING),
            "deadline": nullable(DATE),
            "deadline_state": one_of(DeadlineState),
            "missing_documents": {"type": "integer", "minimum": 0},
            "documents_to_review": {"type": "integer", "minimum": 0},
        },
        description='A line in a list of cases: "Mijn zaken", or the cases the KCC found.',
    ),
    "Notification": closed(
        {
            "id": STRING,
            "event": one_of(EventKind),
            "channel": one_of(Channel),
            "audience": one_of(Audience),
            "subscriber_id": {"type": "string", "description": "pseudonymous"},
            "status": one_of(NotificationStatus),
            "reason": nullable(STRING),
            "attempts": {"type": "integer", "minimum": 0},
            "created_at": DATETIME,
            "updated_at": DATETIME,
        },
        description="A notification and its delivery status; no address is shown.",
    ),
    "BerichtenboxMessage": closed(
        {
            "id": STRING,
            "case_id": STRING,
            "kind": one_of(EventKind),
            "title": STRING,
            "body": STRING,
            "link": nullable(_ref("Link")),
            "created_at": DATETIME,
            "read": BOOLEAN,
            "read_at": nullable(DATETIME),
        },
        description="A message in the berichtenbox.",
    ),
    "Subscription": closed(
        {
            "id": STRING,
            "case_id": nullable(STRING),
            "topics": array(STRING),
            "gemeenten": array(STRING),
            "area": nullable(
                {
                    "oneOf": [
                        closed(
                            {
                                "circle": closed(
                                    {"lat": NUMBER, "lon": NUMBER, "radius_m": NUMBER}, description="WGS84; radius in metres"
                                )
                            }
                        ),
                        closed({"polygon": _ref("GeoJSONPolygon")}),
                    ]
                }
            ),
            "origin": one_of(SubscriptionOrigin),
            "state": one_of(SubscriptionState),
            "indexed": {
                "type": "boolean",
                "description": "false while the subscription is being set up (its index is built in the background, "
                "seconds to minutes for a large area): news may already reach it, or only once it is true",
            },
            "created_at": DATETIME,
        },
        description="Something followed: one case, or topics in gemeenten and/or an area, or topics anywhere.",
    ),
    "Preferences": closed(
        {
            "email": nullable(STRING),
            "channels": array(one_of(Channel)),
            "reachable_channels": array(one_of(Channel)),
            "language": one_of(Language),
            "frequency": one_of(Frequency),
            "quiet_hours": BOOLEAN,
            "postal_address": nullable(
                closed({"naam": STRING, "straat": STRING, "huisnummer": STRING, "postcode": STRING, "woonplaats": STRING})
            ),
        },
        description="How someone wants to hear. The e-mail address appears in no other answer.",
    ),
    "Announcement": closed(
        {
            "id": STRING,
            "title": STRING,
            "text": STRING,
            "topic": STRING,
            "gemeenten": array(STRING),
            "point": nullable(_ref("Point")),
            "polygon": nullable(_ref("GeoJSONPolygon")),
            "link": nullable(_ref("Link")),
            "status": one_of(AnnouncementStatus),
            "author": _ref("Medewerker"),
            "created_at": DATETIME,
            "submitted_at": nullable(DATETIME),
            "decided_by": nullable(_ref("Medewerker")),
            "decided_at": nullable(DATETIME),
            "rejection_reason": nullable(STRING),
        },
        description="A message for followers of a topic and place; sent once a second behandelaar approves it.",
    ),
    "Problem": closed(
        {
            "type": {"type": "string", "format": "uri", "pattern": "^urn:baken:problem:"},
            "code": STRING,
            "title": STRING,
            "status": {"type": "integer", "minimum": 400, "maximum": 599},
            "detail": STRING,
            "invalidParams": array(closed({"name": STRING, "code": STRING, "reason": STRING})),
        },
        optional=("detail", "invalidParams"),
        description="RFC 9457 problem details, in Dutch or (Accept-Language: en) English.",
    ),
}

# The answers of the routes -------------------------------------------------------------------------------
SERVICENORM_PERIOD = closed(
    {
        "period": {**STRING, "description": "YYYY-MM, or YYYY-MM/YYYY-MM for the total of the months shown"},
        "decided": {**nullable(INTEGER), "description": "cases decided; null when fewer than `threshold`"},
        "share_within_servicenorm": {**nullable(NUMBER), "description": "0..1; null without a servicenorm or too few"},
        "share_within_term": {**nullable(NUMBER), "description": "0..1, the legal term with opschorting and verlenging"},
        "median_days": {**nullable(INTEGER), "description": "net days from start to decision, opschorting not counted"},
        "p90_days": {**nullable(INTEGER), "description": "90th percentile (nearest rank) of the same"},
        "too_few": {**BOOLEAN, "description": "fewer than `threshold` decided: nothing else is published"},
    }
)
SERVICENORMEN = closed(
    {
        "threshold": {**INTEGER, "description": "fewer decided cases than this in a period: only `too_few` is published"},
        "months": array(STRING),
        "zaaktypen": array(
            closed(
                {
                    "zaaktype": STRING,
                    "omschrijving": STRING,
                    "doorlooptijd": STRING,
                    "servicenorm": nullable(STRING),
                    "months": array(SERVICENORM_PERIOD),
                    "total": SERVICENORM_PERIOD,
                }
            )
        ),
    },
    description="Servicenormen kept, per product and month over the last twelve months (open data).",
)
CSV_TEXT: JsonSchema = {"type": "string", "description": "RFC 4180 CSV with a header row, UTF-8"}
HEALTH = closed({"status": {"const": "ok"}, "stage": STRING})
ZAAKTYPEN = closed({"zaaktypen": array(ref("Zaaktype"))})
CASE_FOR_STAFF = ref("CaseForStaff")
CASE_FOR_APPLICANT = ref("CaseForApplicant")
CASE_LIST = closed({"cases": array(ref("CaseSummary"))})
DELIVERY_STATUS = closed(
    {
        "case_id": STRING,
        "notifications": array(ref("Notification")),
        "next_after": {**nullable(STRING), "description": "pass as `after` for the next page; null on the last"},
    },
    description="What the parties of a case were sent, newest first; followers are never listed.",
)
BERICHTENBOX_PAGE = closed(
    {
        "unread": {"type": "integer", "minimum": 0},
        "messages": array(ref("BerichtenboxMessage")),
        "next_after": {**nullable(STRING), "description": "pass as `after` for the next page; null on the last"},
    }
)
SUBSCRIPTIONS = closed({"subscriptions": array(ref("Subscription"))})
STOPPED = closed({"stopped": STRING})
CONFIRMATION_SENT = closed({"status": {"const": "confirmation_sent"}, "detail": STRING})
OUTCOME = closed({"outcome": one_of(OUTCOMES)})
ANNOUNCEMENTS = closed({"announcements": array(ref("Announcement"))})
AUDIENCE = closed(
    {
        "subscribers": {"type": "integer", "minimum": 0},
        "by_channel": {
            "type": "object",
            "propertyNames": one_of(Channel),
            "additionalProperties": {"type": "integer", "minimum": 0},
        },
    },
    description="How many people an announcement would reach, in all and per channel: numbers only.",
)
PROGRESS = closed(
    {
        "announcement_id": STRING,
        "state": {"type": "string", "enum": ["waiting", "sending", "done"]},
        "jobs_planned": {"type": "integer", "minimum": 0},
        "jobs_done": {"type": "integer", "minimum": 0},
        "notifications_created": {"type": "integer", "minimum": 0},
        "notifications_held": {"type": "integer", "minimum": 0},
    },
    description=(
        "How far telling an announcement's audience is. The stream handler tells the first 1,000 index entries and "
        "splits the rest into jobs of one page each; every job, when done, adds what it wrote. ``waiting``: not "
        "approved, or its approval not yet handled; ``sending``: jobs still to do; ``done``: every job done. "
        "Notifications held wait for the reader's quiet hours or digest."
    ),
)
OPENAPI_DOCUMENT: JsonSchema = {
    "type": "object",
    "required": ["openapi", "info", "paths"],
    "properties": {"openapi": STRING, "info": {"type": "object"}, "paths": {"type": "object"}},
    "additionalProperties": True,
    "description": "This document (OpenAPI 3.1).",
}

# The local stage's dev routes.
DEV_PERSONAS = closed(
    {
        "personas": array(
            closed(
                {
                    "key": STRING,
                    "description": STRING,
                    "subject": STRING,
                    "name": nullable(STRING),
                    "roles": array(STRING),
                    "represents": nullable(STRING),
                    "email": nullable(STRING),
                }
            )
        )
    }
)
DEV_TOKEN = closed(
    {
        "persona": STRING,
        "token_type": {"const": "Bearer"},
        "access_token": STRING,
        "expires_in": {"type": "integer", "minimum": 1},
    }
)
DEV_MAILBOX = closed(
    {
        "messages": array(
            closed(
                {
                    "id": STRING,
                    "to": array(STRING),
                    "subject": STRING,
                    "date": STRING,
                    "headers": {"type": "object", "additionalProperties": STRING},
                    "text": STRING,
                    "html": STRING,
                }
            )
        )
    }
)
DEV_LETTERS = closed({"letters": array({"type": "object", "description": "a letter as the print-and-post partner receives it"})})
