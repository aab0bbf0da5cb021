"""Open routes: health, and the catalogue of zaaktypen, so conditions, procedure and deadlines are
transparent to everybody before they apply."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint

from chalicelib import wiring
from chalicelib.api.http import Call, endpoint
from chalicelib.api.presenters import zaaktype_json
from chalicelib.config import settings

bp = Blueprint(__name__)


@endpoint(bp, "/api/health", action="health", public=True)
def health(call: Call) -> Any:
    return {"status": "ok", "stage": settings().stage}


@endpoint(bp, "/api/zaaktypen", action="list_zaaktypen", public=True)
def zaaktypen(call: Call) -> Any:
    return {"zaaktypen": [zaaktype_json(z, call.language) for z in wiring.catalogue()]}


@endpoint(bp, "/api/zaaktypen/{identificatie}", action="view_zaaktype", public=True)
def zaaktype(call: Call, identificatie: str) -> Any:
    return zaaktype_json(wiring.catalogue().get(identificatie), call.language)
