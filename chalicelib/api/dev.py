"""Local stage only (``app.py`` registers this blueprint for stage ``local`` alone): the dev issuer that
hands out tokens for the story's personas, the mailbox of e-mails sent through moto's SES, and the letters
the local print-and-post stand-in took off the letters queue (``BAKEN_DEV_LETTERS_DIR``)."""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from chalice.app import Blueprint, Response

from chalicelib import wiring
from chalicelib.api.http import Call, Query, endpoint
from chalicelib.api.responses import DEV_LETTERS, DEV_MAILBOX, DEV_PERSONAS, DEV_TOKEN
from chalicelib.api.schema import Field, Schema
from chalicelib.domain.errors import ValidationError

bp = Blueprint(__name__)

TOKEN_REQUEST = Schema((Field("persona", "string", required=True, max_length=40),))


@lru_cache(maxsize=1)
def _personas() -> dict[str, Any]:
    from chalicelib.adapters.identity import load_personas

    return load_personas(str(wiring.DATA / "dev_personas.json"))


def _mailbox(to: str | None) -> list[Any]:
    from chalicelib.adapters.dev_mailbox import read_mailbox

    entries = read_mailbox()
    return [e for e in entries if to is None or to.lower() in (t.lower() for t in e.to)]


@endpoint(bp, "/api/dev/personas", action="dev_personas", public=True, summary="The test identities", response=DEV_PERSONAS)
def personas(call: Call) -> Any:
    return {
        "personas": [
            {
                "key": p.key,
                "description": p.description,
                "subject": p.claims["sub"],
                "name": p.claims.get("name"),
                "roles": p.claims.get("roles", ["applicant"]),
                "represents": (p.claims.get("represents") or {}).get("sub"),
                "email": p.email,
            }
            for p in _personas().values()
        ]
    }


@endpoint(
    bp,
    "/api/dev/token",
    methods=("POST",),
    action="dev_token",
    public=True,
    summary="A bearer token for a test identity",
    body=TOKEN_REQUEST,
    example={"persona": "mark"},
    response=DEV_TOKEN,
)
def token(call: Call) -> Any:
    body = call.body()
    persona = _personas().get(body["persona"])
    issuer = wiring.dev_issuer()
    if persona is None:
        raise ValidationError.single("persona", "unknown_persona")
    if issuer is None:
        raise ValidationError.single("persona", "not_allowed")
    return {"persona": persona.key, "token_type": "Bearer", "access_token": issuer.issue(persona.claims), "expires_in": 3600}


@endpoint(
    bp,
    "/api/dev/mailbox",
    action="dev_mailbox",
    public=True,
    summary="E-mails sent through the local SES",
    query=(Query("to", {"type": "string"}, description="only mail to this address (case-insensitive)"),),
    response=DEV_MAILBOX,
)
def mailbox(call: Call) -> Any:
    return {
        "messages": [
            {
                "id": e.message_id,
                "to": list(e.to),
                "subject": e.subject,
                "date": e.date,
                "headers": e.headers,
                "text": e.text,
                "html": e.html,
            }
            for e in _mailbox(call.query("to"))
        ]
    }


@endpoint(
    bp,
    "/api/dev/letters",
    action="dev_letters",
    public=True,
    summary="Letters for the print-and-post partner",
    response=DEV_LETTERS,
)
def letters(call: Call) -> Any:
    """Newest first."""
    folder = os.environ.get("BAKEN_DEV_LETTERS_DIR")
    files = sorted(Path(folder).glob("*.json"), reverse=True) if folder else []
    return {"letters": [json.loads(path.read_text(encoding="utf-8")) for path in files]}


@bp.route("/dev/mailbox", methods=["GET"])
def mailbox_page() -> Response:
    """The same mailbox as a page a person can read, newest first."""
    from chalicelib.adapters.templates import build_environment, templates_root

    params = bp.current_request.query_params
    to = params.get("to") if params is not None else None
    html = build_environment(templates_root(), html=True).get_template("dev/mailbox.html.j2").render(messages=_mailbox(to), to=to)
    return Response(body=html, status_code=200, headers={"Content-Type": "text/html; charset=utf-8"})
