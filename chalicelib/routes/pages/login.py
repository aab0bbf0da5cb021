"""Logging in to the pages and out again.

``/inloggen`` starts the OIDC authorisation-code flow with PKCE at the login broker (in the local stage: the dev
issuer's persona page), ``/inloggen/terug`` finishes it — same state, ID token checked, same nonce — and sets the
session cookie; ``/uitloggen`` (a form with the session's CSRF token) ends it. See web/session.py for the cookies.
"""

from __future__ import annotations

from chalice.app import Blueprint, Response

from chalicelib import wiring
from chalicelib.config import settings
from chalicelib.domain.errors import AuthenticationError, DomainError
from chalicelib.domain.login import LoginFlow, Session, safe_return_path
from chalicelib.domain.tokens import InvalidTokenError
from chalicelib.web.forms import FORM
from chalicelib.web.pages import Visit, audit_page, public_page, redirect, render
from chalicelib.web.session import CALLBACK, HOME, LOGIN, LOGIN_COOKIE, SESSION_COOKIE, cookie, cookies, current_session

bp = Blueprint(__name__)


def _redirect_uri() -> str:
    return settings().portal_url + CALLBACK


@public_page(bp, LOGIN, actor=None)
def login(visit: Visit) -> Response:
    """Off to the login broker, remembering (signed, in a cookie) what must come back."""
    flow = LoginFlow.start(safe_return_path(visit.query.get("next"), HOME), wiring.services().clock.now())
    target = wiring.adapters().login.authorize_url(
        state=flow.state, nonce=flow.nonce, challenge=flow.challenge, redirect_uri=_redirect_uri()
    )
    signed = flow.sign(settings().token_secret)
    return redirect(target, 302, (cookie(LOGIN_COOKIE, signed, path=LOGIN, max_age=600),))


@public_page(bp, CALLBACK, actor=None)
def login_callback(visit: Visit) -> Response:
    """Back from the broker: the same state, a code that gives an ID token with the same nonce; then the session."""
    query = visit.query
    clear_login = cookie(LOGIN_COOKIE, "", path=LOGIN, max_age=0)
    try:
        flow = LoginFlow.from_signed(cookies().get(LOGIN_COOKIE, ""), settings().token_secret, now=wiring.services().clock.now())
        if not flow.matches(query.get("state")) or not query.get("code"):
            raise AuthenticationError("state")
        id_token = wiring.adapters().login.exchange(code=query["code"], verifier=flow.verifier, redirect_uri=_redirect_uri())
        claims = wiring.adapters().verifier.claims(id_token)
        if claims.get("nonce") != flow.nonce:
            raise AuthenticationError("nonce")
        from chalicelib.adapters.identity import principal_from_claims

        session = Session.start(principal_from_claims(claims), wiring.services().clock.now())
    except (DomainError, InvalidTokenError):
        audit_page("login", actor="anonymous", result=400)
        failed = render("login_failed", 400)
        failed.headers["Set-Cookie"] = clear_login
        return failed
    audit_page("login", actor=session.principal.subject, result=303)
    signed = session.sign(settings().token_secret)
    max_age = int((session.expires - wiring.services().clock.now()).total_seconds())
    return redirect(flow.return_to, 303, (clear_login, cookie(SESSION_COOKIE, signed, path="/", max_age=max_age)))


@public_page(bp, "/uitloggen", methods=("POST",), actor=None, form_types=(FORM,), max_fields=10)
def logout(visit: Visit) -> Response:
    """Ends the session; only from one of its own forms (the CSRF token must match)."""
    session = current_session()
    if session is None or not session.accepts(visit.field("csrf")):
        audit_page("logout", actor="anonymous", result=403)
        return render("login_failed", 403)
    audit_page("logout", actor=session.principal.subject, result=303)
    return redirect("/volgen", 303, (cookie(SESSION_COOKIE, "", path="/", max_age=0),))
