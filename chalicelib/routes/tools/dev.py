"""Local stage only (``app.py`` registers this blueprint for stage ``local`` alone): the dev issuer that
hands out tokens for the story's personas, the mailbox of e-mails sent through moto's SES, and the letters
the local print-and-post stand-in took off the letters queue (``BAKEN_DEV_LETTERS_DIR``)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from chalice.app import Blueprint, Response

from chalicelib import wiring
from chalicelib.domain.errors import ValidationError
from chalicelib.web.endpoint import Query, RequestContext, endpoint
from chalicelib.web.forms import FORM
from chalicelib.web.pages import Visit, public_page, redirect, render
from chalicelib.web.responses import DEV_LETTERS, DEV_MAILBOX, DEV_PERSONAS, DEV_TOKEN
from chalicelib.web.schema import Field, Schema
from chalicelib.web.session import CALLBACK

bp = Blueprint(__name__)

TOKEN_REQUEST = Schema((Field("persona", "string", required=True, max_length=40),))


def _personas() -> Mapping[str, Any]:
    return wiring.adapters().personas


def _mailbox(to: str | None) -> list[Any]:
    from chalicelib.adapters.dev_mailbox import read_mailbox

    return read_mailbox(to)


@endpoint(bp, "/api/dev/personas", action="dev_personas", public=True, summary="The test identities", response=DEV_PERSONAS)
def personas(ctx: RequestContext) -> Any:
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
def token(ctx: RequestContext) -> Any:
    body = ctx.body()
    persona = _personas().get(body["persona"])
    issuer = wiring.adapters().dev_issuer
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
def mailbox(ctx: RequestContext) -> Any:
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
            for e in _mailbox(ctx.query("to"))
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
def letters(ctx: RequestContext) -> Any:
    """Newest first."""
    folder = os.environ.get("BAKEN_DEV_LETTERS_DIR")
    files = sorted(Path(folder).glob("*.json"), reverse=True) if folder else []
    return {"letters": [json.loads(path.read_text(encoding="utf-8")) for path in files]}


@public_page(bp, "/dev/mailbox", actor=None)
def mailbox_page(visit: Visit) -> Response:
    """The same mailbox as a page a person can read, newest first."""
    from chalicelib.adapters.templates import build_environment, templates_root

    to = visit.query.get("to")
    follow = visit.query.get("follow") == "1"  # refresh every 5 s only when asked: a page that reloads itself is hard to read
    template = build_environment(templates_root(), html=True).get_template("dev/mailbox.html.j2")
    html = template.render(messages=_mailbox(to), to=to, follow=follow)
    return Response(body=html, status_code=200, headers={"Content-Type": "text/html; charset=utf-8"})


# The dev issuer's login page: the broker's stand-in for the pages' OIDC flow (routes/pages/login.py) --------


def _flow_fields(values: dict[str, str]) -> dict[str, str] | None:
    """The flow's parameters, when they are all there and it returns to this site's login callback."""
    from chalicelib.config import settings

    flow = {name: values.get(name, "") for name in ("state", "nonce", "code_challenge", "redirect_uri")}
    if not all(flow.values()) or flow["redirect_uri"] != settings().portal_url + CALLBACK:
        return None
    return flow


@public_page(bp, "/dev/inloggen", actor=None)
def dev_login_page(visit: Visit) -> Response:
    """The personas to log in as, each a button."""
    flow = _flow_fields(visit.query)
    if flow is None:
        return render("login_failed", 400)
    return render("dev_login", personas=list(_personas().values()), flow=flow)


@public_page(bp, "/dev/inloggen", methods=("POST",), actor=None, form_types=(FORM,), max_fields=10)
def dev_login(visit: Visit) -> Response:
    """Back to the login callback with a code for the chosen persona."""
    from urllib.parse import urlencode

    from chalicelib.adapters.login import DevLoginProvider

    form = visit.form
    flow, provider = _flow_fields(form), wiring.adapters().login
    if flow is None or form.get("persona") not in _personas() or not isinstance(provider, DevLoginProvider):
        return render("login_failed", 400)
    code = provider.code_for(
        form["persona"], nonce=flow["nonce"], challenge=flow["code_challenge"], redirect_uri=flow["redirect_uri"]
    )
    return redirect(f"{flow['redirect_uri']}?{urlencode({'code': code, 'state': flow['state']})}")
