"""Open routes: health, the catalogue of zaaktypen, so conditions, procedure and deadlines are transparent
to everybody before they apply, and the OpenAPI document of the JSON API."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint

from chalicelib import wiring
from chalicelib.config import settings
from chalicelib.web.endpoint import RequestContext, endpoint
from chalicelib.web.presenters import zaaktype_json
from chalicelib.web.responses import HEALTH, OPENAPI_DOCUMENT, ZAAKTYPEN, ref

bp = Blueprint(__name__)


@endpoint(bp, "/api/health", action="health", public=True, summary="Whether Baken is up", response=HEALTH)
def health(ctx: RequestContext) -> Any:
    return {"status": "ok", "stage": settings().stage}


@endpoint(
    bp,
    "/api/zaaktypen",
    action="list_zaaktypen",
    public=True,
    summary="Every product: conditions, procedure steps, doorlooptijd and servicenorm",
    response=ZAAKTYPEN,
)
def zaaktypen(ctx: RequestContext) -> Any:
    return {"zaaktypen": [zaaktype_json(z, ctx.language) for z in wiring.services().catalogue]}


@endpoint(
    bp,
    "/api/zaaktypen/{identificatie}",
    action="view_zaaktype",
    public=True,
    summary="One product",
    response=ref("Zaaktype"),
)
def zaaktype(ctx: RequestContext, identificatie: str) -> Any:
    return zaaktype_json(wiring.services().catalogue.get(identificatie), ctx.language)


@endpoint(bp, "/openapi.json", action="openapi", public=True, summary="This document", response=OPENAPI_DOCUMENT)
def openapi(ctx: RequestContext) -> Any:
    """The OpenAPI 3.1 document of the JSON API, generated from the routes themselves."""
    from chalicelib.web.endpoint import OPERATIONS
    from chalicelib.web.openapi import document

    return document(OPERATIONS, bp.current_app.routes)
