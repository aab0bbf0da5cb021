"""The zaaksysteem's way in: the callback a Notificaties component (Open Notificaties) delivers the kanaal ``zaken``
to, and the same changes as NL GOV CloudEvents.

Both answer at once and do no work in the request: an accepted message is queued (``ZaakIntake``) and
``sync_zaak`` reads the zaak from the zaaksysteem later, so a slow Zaken API never fails the callback. The sender
proves itself with the ``Authorization`` header agreed in the abonnement (compared in constant time); a message
that is not one gets 400 naming the field, nothing is queued, and nothing a sender does gives a 500.
"""

from __future__ import annotations

import hmac
from typing import Any

from chalice.app import Blueprint, Response

from chalicelib import wiring
from chalicelib.domain.errors import AuthenticationError
from chalicelib.domain.zgw import parse_cloudevent, parse_notificatie
from chalicelib.web.endpoint import RequestContext, endpoint, parse_json_body
from chalicelib.web.schema import Field, Schema

bp = Blueprint(__name__)

# For the API documentation: the Notificaties API's ``Notificatie`` and the NL GOV CloudEvent as Baken reads them
# (fields beyond these are accepted and ignored, as a consumer of a versioned message should).
NOTIFICATIE = Schema(
    (
        Field("kanaal", "string", required=True, max_length=50, description="zaken (or test: the callback check)"),
        Field("hoofdObject", "url", required=True, max_length=1000, description="the zaak's URL"),
        Field("resource", "string", required=True, max_length=100),
        Field("resourceUrl", "url", required=True, max_length=1000),
        Field("actie", "string", required=True, max_length=100, choices=("create", "update", "partial_update", "destroy")),
        Field("aanmaakdatum", "datetime", required=True),
        Field("kenmerken", "json", description="bronorganisatie, zaaktype, vertrouwelijkheidaanduiding"),
    )
)
CLOUDEVENT = Schema(
    (
        Field("specversion", "string", required=True, choices=("1.0",)),
        Field("id", "string", required=True),
        Field("source", "string", required=True, max_length=500),
        Field("type", "string", required=True, description="nl.overheid.zaken.*, e.g. nl.overheid.zaken.zaakstatus-gewijzigd"),
        Field("subject", "string", description="the zaak's UUID"),
        Field("time", "datetime"),
        Field("datacontenttype", "string"),
        Field("dataref", "url", max_length=1000, description="the zaak's URL (or data.zaak)"),
        Field("data", "json"),
    )
)
ACCEPTED_EXAMPLE = {
    "kanaal": "zaken",
    "hoofdObject": "https://zaken.example.nl/zaken/api/v1/zaken/5f2b6a3e-2a4f-4e0b-9f3f-1c2d3e4f5a6b",
    "resource": "status",
    "resourceUrl": "https://zaken.example.nl/zaken/api/v1/statussen/0c4a3f5e-8d9b-4a1c-9e2f-7b6a5c4d3e2f",
    "actie": "create",
    "aanmaakdatum": "2026-10-06T12:00:00Z",
    "kenmerken": {"bronorganisatie": "001234567", "zaaktype": "https://catalogi.example.nl/catalogi/api/v1/zaaktypen/1"},
}


def _check_sender(ctx: RequestContext) -> None:
    """The ``Authorization`` header the abonnement was given; without a configured one nothing is accepted."""
    expected = wiring.services().zgw_callback_auth()
    given = str(ctx.request.headers.get("authorization", ""))
    if not expected or not hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8")):
        raise AuthenticationError("callback_auth")


def _raw(ctx: RequestContext) -> Any:
    raw = ctx.request.raw_body
    return parse_json_body(raw.encode("utf-8") if isinstance(raw, str) else raw)


@endpoint(
    bp,
    "/api/zgw/notificaties",
    methods=("POST",),
    action="receive_zgw_notificatie",
    public=True,
    summary="Callback for the Notificaties API (kanaal zaken): queued, answered 204 before any work",
    body=NOTIFICATIE,
    example=ACCEPTED_EXAMPLE,
    status=204,
    errors=(401,),
    callback=True,
)
def receive_notificatie(ctx: RequestContext) -> Any:
    """Authenticated with the abonnement's ``auth`` value in the ``Authorization`` header. A message on the kanaal
    ``test`` (Open Notificaties checks a new abonnement's callback with one) and a resource that changes nothing
    Baken shows are answered 204 and not queued."""
    _check_sender(ctx)
    notice = parse_notificatie(_raw(ctx))
    queued = wiring.services().zaak_intake.accept(notice)
    ctx.audit_extra["queued"] = queued
    return Response(body="", status_code=204)


@endpoint(
    bp,
    "/api/zgw/cloudevents",
    methods=("POST",),
    action="receive_zgw_cloudevent",
    public=True,
    summary="NL GOV CloudEvents about a zaak (structured mode, JSON): queued, answered 204 before any work",
    body=CLOUDEVENT,
    status=204,
    content_types=("application/json", "application/cloudevents+json"),
    errors=(401,),
    callback=True,
)
def receive_cloudevent(ctx: RequestContext) -> Any:
    """The same changes as CloudEvents, for systems that publish events instead of Notificaties API messages;
    the same ``Authorization`` header as the callback."""
    _check_sender(ctx)
    notice = parse_cloudevent(_raw(ctx))
    wiring.services().zaak_intake.accept(notice)
    return Response(body="", status_code=204)
