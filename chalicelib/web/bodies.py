"""The request bodies Baken reads, each a ``Schema`` that validates a body and documents it in the OpenAPI
document: shared by the JSON routes and the pages whose forms do the same (a page builds the body its form
describes and the same schema checks it), so a rule is written once. Each ``…_from_body`` turns a checked
body into what the service takes.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from chalicelib import wiring
from chalicelib.domain.addresses import ADDRESS_PATTERN, MAX_ADDRESS_LENGTH
from chalicelib.domain.cases import TEXT_BYTES, Link
from chalicelib.domain.contacts import FOR_APPLICANT_MAX, KANALEN, MAX_TAG_LENGTH, MAX_TAGS, TAG_PATTERN
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.events import Place
from chalicelib.domain.geo import Polygon
from chalicelib.domain.identity import SUBJECT_PATTERN
from chalicelib.domain.language import Language
from chalicelib.domain.reference import TOPIC_SLUG, Point
from chalicelib.domain.subscriptions import Channel, Frequency, PostalAddress
from chalicelib.web.places import GEMEENTE, GEMEENTEN, SCOPE_FIELDS, event_polygon_from_body, known_topics, point_from_body
from chalicelib.web.schema import Field, Schema

if TYPE_CHECKING:
    from chalicelib.services.announcements import Draft
    from chalicelib.services.contacts import NewContactMoment
    from chalicelib.services.subscriptions import PreferenceChange

EMPTY = Schema(())


def _in_bytes(name: str, kind: str, limit: str, *, required: bool = False) -> Field:
    """A text a command stores in a case, limited in UTF-8 bytes (``domain.cases.TEXT_BYTES[limit]``): more is 400
    ``too_many_bytes`` naming the field and the limit. Its characters are at most as many as its bytes."""
    return Field(name, kind, required=required, max_length=TEXT_BYTES[limit], max_bytes=TEXT_BYTES[limit])


LINK = Schema((Field("url", "url", required=True), _in_bytes("label", "string", "link.label", required=True)))

# Subscriptions and preferences ------------------------------------------------------------------------------

# What the e-mail RFCs and SES accept without SMTPUTF8 (domain/addresses.py): no quoted local parts, no
# ``,;<>"`` or spaces, no letters outside ASCII. The same expression is the field's JSON Schema pattern.
EMAIL_PATTERN = ADDRESS_PATTERN
EMAIL = Field(
    "email",
    "string",
    required=True,
    max_length=MAX_ADDRESS_LENGTH,
    pattern=EMAIL_PATTERN,
    pattern_code="expected_email",
    description="an e-mail address in ASCII (local@domain; an internationalised domain in its xn-- form)",
)
SCOPE = Schema(SCOPE_FIELDS)
ADDRESS = Schema(
    (
        Field("naam", "string", required=True, max_length=120),
        Field("straat", "string", required=True, max_length=120),
        Field("huisnummer", "string", required=True, max_length=20),
        Field("postcode", "string", required=True, pattern=r"[1-9][0-9]{3} ?[A-Za-z]{2}"),
        Field("woonplaats", "string", required=True, max_length=80),
    )
)
PREFERENCES = Schema(
    (
        Field(
            "channels",
            "array",
            required=True,
            items=Field("channel", "string", choices=tuple(c.value for c in Channel)),
            max_items=3,
        ),
        Field("language", "string", required=True, choices=tuple(lang.value for lang in Language)),
        Field("frequency", "string", required=True, choices=tuple(f.value for f in Frequency)),
        Field("quiet_hours", "boolean", required=True, description="no e-mail between 22:00 and 07:00"),
        Field("postal_address", "object", schema=ADDRESS),
    )
)
BY_EMAIL = Schema(
    (
        EMAIL,
        Field("language", "string", choices=tuple(lang.value for lang in Language)),
        *SCOPE_FIELDS,
    )
)
TOKEN = Schema((Field("token", "string", required=True, max_length=1024),))


def preference_change(body: dict[str, Any]) -> PreferenceChange:
    """Preferences as PREFERENCES parsed them, for the service: at least one channel; a postcode in capitals.
    The JSON route and the preferences page both read them this way."""
    from chalicelib.services.subscriptions import PreferenceChange

    if not body["channels"]:
        raise ValidationError.single("channels", "required_channel")
    address = body.get("postal_address")
    return PreferenceChange(
        channels=frozenset(Channel(c) for c in body["channels"]),
        language=Language(body["language"]),
        frequency=Frequency(body["frequency"]),
        quiet_hours=body["quiet_hours"],
        postal_address=PostalAddress(**{**address, "postcode": address["postcode"].upper()}) if address else None,
    )


# Cases ---------------------------------------------------------------------------------------------------


def _zaaktypen() -> list[str]:
    return [zaaktype.identificatie for zaaktype in wiring.services().catalogue]


def _statustypen() -> set[str]:
    return {statustype.identificatie for zaaktype in wiring.services().catalogue for statustype in zaaktype.statustypen}


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
        Field("omschrijving", "string", required=True, max_length=80, max_bytes=TEXT_BYTES["omschrijving"]),
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
        _in_bytes("toelichting", "text", "toelichting"),
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
                schema=Schema(
                    (_in_bytes("omschrijving", "string", "documents.omschrijving", required=True), Field("due", "date"))
                ),
            ),
        ),
        # true: ask again for a document that is still open (else 400 already_requested naming it)
        Field("repeat", "boolean"),
    )
)
DOCUMENT_REVIEW = Schema(
    (
        Field("verdict", "string", required=True, choices=("accepted", "asked_again")),
        _in_bytes("reason", "text", "reason"),
        Field("due", "date"),
    )
)
NEW_MESSAGE = Schema(
    (
        _in_bytes("text", "text", "text", required=True),
        Field(
            "link",
            "object",
            schema=LINK,
        ),
    )
)
EXTENSION = Schema((Field("duur", "duration", required=True), _in_bytes("reden", "text", "reden", required=True)))
SUSPENSION = Schema((_in_bytes("reden", "text", "reden", required=True),))
CONTACT_MOMENT = Schema(
    (
        Field("kanaal", "string", required=True, choices=KANALEN, max_length=50),
        Field(
            "onderwerp",
            "string",
            max_length=200,
            description="the Klantcontact's onderwerp in words; without it, the Dutch name of vraagonderwerp",
        ),
        Field(
            "vraagonderwerp",
            "string",
            max_length=40,
            description="the code of an onderwerp in the product's managed list (GET /api/zaaktypen, vraagonderwerpen,"
            " and the shared stand-van-zaken, termijn, documenten, overig); counted per week for the analysis of"
            " questions; without it: overig",
        ),
        Field("inhoud", "text", required=True, max_length=1000, description="the internal note: staff only, never the applicant"),
        Field(
            "for_applicant",
            "text",
            max_length=FOR_APPLICANT_MAX,
            description="optional: the sentence the applicant sees on their timeline (nothing is shown without it);"
            " not with vertrouwelijk",
        ),
        Field("plaatsgevonden_op", "datetime"),
        Field(
            "vertrouwelijk",
            "boolean",
            required=True,
            description="true: a confidential contact (staff only, no sentence for the applicant)",
        ),
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


def new_contact_moment(body: dict[str, Any]) -> NewContactMoment:
    """A contact moment from a body ``CONTACT_MOMENT`` parsed (from the API or the KCC's page)."""
    from chalicelib.services.contacts import NewContactMoment

    return NewContactMoment(
        kanaal=body["kanaal"],
        onderwerp=body.get("onderwerp", ""),
        inhoud=body["inhoud"],
        plaatsgevonden_op=body.get("plaatsgevonden_op"),
        vertrouwelijk=body["vertrouwelijk"],
        contact_gelukt=body.get("indicatie_contact_gelukt", True),
        tags=tuple(body.get("tags", ())),
        for_applicant=body.get("for_applicant"),
        vraagonderwerp=body.get("vraagonderwerp"),
    )


# Announcements ---------------------------------------------------------------------------------------------

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
            schema=LINK,
        ),
    )
)
REJECTION = Schema((Field("reason", "text", required=True, max_length=1000),))


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
