"""Logging in to the pages and out again.

``/inloggen`` starts the OIDC authorisation-code flow with PKCE at a login provider: the province's own identity
provider when the login returns to a staff page (``/werk``, ``/kcc``) or is asked for with ``?medewerker=1``, the
login broker (DigiD, eHerkenning) otherwise; in the local stage the dev issuer's persona page. ``/inloggen/terug``
finishes it — same state, an ID token from that provider for Baken's client id, same nonce, and for citizens and
businesses an assurance of at least substantial — and starts the session (on the server and in a cookie);
``/uitloggen`` (a form with the session's CSRF token) ends it on the server. See web/session.py for the cookies.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from chalice.app import Blueprint, Response

from chalicelib import wiring
from chalicelib.config import settings
from chalicelib.domain.errors import AuthenticationError, DomainError
from chalicelib.domain.identity import Principal, Role
from chalicelib.domain.login import LoginFlow, Realm, Session, SessionRecord, safe_return_path
from chalicelib.domain.tokens import InvalidTokenError, normalise_email
from chalicelib.domain.watch import StaffMember
from chalicelib.web.forms import FORM
from chalicelib.web.pages import Visit, audit_page, public_page, redirect, render
from chalicelib.web.session import (
    CALLBACK,
    HOME,
    LOGIN,
    LOGIN_COOKIE,
    SESSION_COOKIE,
    STAFF_PATHS,
    cookie,
    cookies,
    current_session,
    end_session,
    open_flow,
    seal_flow,
    seal_refresh_token,
    seal_session,
)

bp = Blueprint(__name__)
EMAIL_SHAPE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
MAX_EMAIL = 254

# Why a login was refused, when the person can do something about it: shown on the page (templates/pages/
# login_failed.html.j2).
ASSURANCE_REASONS = frozenset({"assurance_missing", "assurance_too_low"})


def _redirect_uri() -> str:
    return settings().portal_url + CALLBACK


def _realm(return_to: str, asked: str | None) -> Realm:
    staff_page = any(return_to == p or return_to.startswith(f"{p}/") or return_to.startswith(f"{p}?") for p in STAFF_PATHS)
    return Realm.STAFF if staff_page or asked == "1" else Realm.CITIZENS


@public_page(bp, LOGIN, actor=None)
def login(visit: Visit) -> Response:
    """Off to the login provider, remembering (sealed, in a cookie) what must come back."""
    return_to = safe_return_path(visit.query.get("next"), HOME)
    realm = _realm(return_to, visit.query.get("medewerker"))
    flow = LoginFlow.start(return_to, wiring.services().clock.now(), realm)
    try:
        target = (
            wiring.adapters()
            .logins[realm]
            .authorize_url(state=flow.state, nonce=flow.nonce, challenge=flow.challenge, redirect_uri=_redirect_uri())
        )
    except AuthenticationError:
        audit_page("login", actor="anonymous", result=503)
        return render("login_failed", 503)
    return redirect(target, 302, (cookie(LOGIN_COOKIE, seal_flow(flow), path=LOGIN, max_age=600),))


@public_page(bp, CALLBACK, actor=None)
def login_callback(visit: Visit) -> Response:
    """Back from the provider: the same state, a code that gives an ID token with the same nonce; then the session."""
    query = visit.query
    clear_login = cookie(LOGIN_COOKIE, "", path=LOGIN, max_age=0)
    now = wiring.services().clock.now()
    adapters = wiring.adapters()
    try:
        flow = open_flow(cookies().get(LOGIN_COOKIE, ""), now)
        if not flow.matches(query.get("state")) or not query.get("code"):
            raise AuthenticationError("state")
        provider = adapters.logins[flow.realm]
        answer = provider.exchange(code=query["code"], verifier=flow.verifier, redirect_uri=_redirect_uri())
        # an ID token from the provider this flow went to (the local dev issuer stands in for both)
        realms = frozenset(r for r, p in adapters.logins.items() if p is provider)
        claims, realm = adapters.verifier.id_token(answer.id_token, realms)
        if claims.get("nonce") != flow.nonce:
            raise AuthenticationError("nonce")
        from chalicelib.adapters.identity import principal_from_claims

        session = Session.start(principal_from_claims(claims, realm), now, realm)
    except (DomainError, InvalidTokenError) as error:
        reason = error.reason if isinstance(error, AuthenticationError | InvalidTokenError) else "invalid"
        status = 401 if reason in ASSURANCE_REASONS else 400
        audit_page("login", actor="anonymous", result=status)
        failed = render("login_failed", status, reason="assurance" if reason in ASSURANCE_REASONS else None)
        failed.headers["Set-Cookie"] = clear_login
        return failed
    adapters.sessions.put(SessionRecord.of(session, now, refresh=seal_refresh_token(answer.refresh_token)))
    _remember_staff(session.principal, claims, now)
    audit_page("login", actor=session.principal.subject, result=303)
    max_age = int((session.expires - now).total_seconds())
    return redirect(flow.return_to, 303, (clear_login, cookie(SESSION_COOKIE, seal_session(session), path="/", max_age=max_age)))


def _remember_staff(principal: Principal, claims: dict[str, Any], now: datetime) -> None:
    """A behandelaar's e-mail address as their login gives it (claim ``email``), for their morning overview of
    deadlines; nobody else's is kept."""
    email = claims.get("email")
    staff = wiring.adapters().staff
    if staff is None or not principal.has(Role.BEHANDELAAR) or not isinstance(email, str):
        return
    address = normalise_email(email)
    if len(address) > MAX_EMAIL or not EMAIL_SHAPE.fullmatch(address):
        return
    staff.remember(StaffMember(principal.subject, principal.name or principal.subject, address), now)


@public_page(bp, "/uitloggen", methods=("POST",), actor=None, form_types=(FORM,), max_fields=10)
def logout(visit: Visit) -> Response:
    """Ends the session, on the server too; only from one of its own forms (the CSRF token must match)."""
    session = current_session()
    if session is None or not session.accepts(visit.field("csrf")):
        audit_page("logout", actor="anonymous", result=403)
        return render("login_failed", 403)
    end_session(session)
    audit_page("logout", actor=session.principal.subject, result=303)
    return redirect("/volgen", 303, (cookie(SESSION_COOKIE, "", path="/", max_age=0),))
