"""The session of the pages: a sealed cookie (encrypted and authenticated with the token keys, see
adapters/sealing.py) that says who logged in (see domain/login.py), and the short-lived sealed cookie that remembers
a login flow while the browser is at the provider. Cookies are Secure, HttpOnly and SameSite=Lax (the provider's
redirect back is a top-level GET, which Lax lets through); the login cookie only travels to ``/inloggen``.

A cookie alone is not a session: its id must name a session the server still has (``SessionStore``). Logging out
removes it, 30 minutes without a request end it, and a staff member's roles are asked of the staff identity
provider again every 5 minutes (with the refresh token it gave at login), so a role taken away there stops working
here within minutes; when the provider refuses, or gave no refresh token, the session ends and the next page asks
to log in again.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from http.cookies import CookieError, SimpleCookie
from typing import TYPE_CHECKING

from chalicelib.domain.errors import AuthenticationError
from chalicelib.domain.login import LoginFlow, Realm, Session, SessionRecord
from chalicelib.domain.tokens import InvalidTokenError
from chalicelib.web.request import current_request

if TYPE_CHECKING:
    from chalicelib.wiring import Adapters

SESSION_COOKIE = "baken_session"
LOGIN_COOKIE = "baken_login"
LOGIN = "/inloggen"
CALLBACK = "/inloggen/terug"
HOME = "/mijn-zaken"
SESSION_MAX_LENGTH = 2048
# Pages of staff: a login that returns to one of them goes to the province's own identity provider.
STAFF_PATHS = ("/werk", "/kcc")


def cookies() -> dict[str, str]:
    """The request's cookies by name; none when the header cannot be read."""
    raw = current_request().headers.get("cookie") or ""
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except CookieError:
        return {}
    return {name: morsel.value for name, morsel in jar.items()}


def cookie(name: str, value: str, *, path: str, max_age: int) -> str:
    """A ``Set-Cookie`` value; ``max_age=0`` removes the cookie."""
    return f"{name}={value}; Path={path}; Max-Age={max_age}; HttpOnly; Secure; SameSite=Lax"


def _adapters() -> Adapters:
    from chalicelib import wiring

    return wiring.adapters()


def seal_flow(flow: LoginFlow) -> str:
    from chalicelib.adapters.sealing import seal

    return seal(flow.body(), _adapters().token_keys, "login")


def open_flow(text: str, now: datetime) -> LoginFlow:
    from chalicelib.adapters.sealing import unseal

    return LoginFlow.from_body(unseal(text, _adapters().token_keys, "login"), now=now)


def seal_session(session: Session) -> str:
    from chalicelib.adapters.sealing import seal

    return seal(session.body(), _adapters().token_keys, "session")


def seal_refresh_token(token: str | None) -> str | None:
    from chalicelib.adapters.sealing import seal

    return seal({"t": token}, _adapters().token_keys, "refresh") if token else None


def current_session() -> Session | None:
    """The session of the request's cookie, if there is a valid one that the server still has."""
    sealed = cookies().get(SESSION_COOKIE)
    if not sealed:
        return None
    from chalicelib.adapters.sealing import unseal

    adapters = _adapters()
    now = adapters.clock.now()
    try:
        session = Session.from_body(unseal(sealed, adapters.token_keys, "session", max_length=SESSION_MAX_LENGTH), now=now)
    except InvalidTokenError:
        return None
    record = adapters.sessions.get(session.sid)
    if record is None or record.subject != session.principal.subject or record.realm is not session.realm:
        return None
    if record.idle(now):
        adapters.sessions.end(record.sid)
        return None
    if record.roles_due(now):
        checked = _check_roles_again(adapters, record, now)
        if checked is None:
            adapters.sessions.end(record.sid)
            return None
        record = checked
        adapters.sessions.put(record)
    elif record.touch_due(now):
        record = replace(record, last_seen=now)
        adapters.sessions.put(record)
    if session.realm is Realm.STAFF:
        session = replace(session, principal=replace(session.principal, roles=record.roles))
    return session


def _check_roles_again(adapters: Adapters, record: SessionRecord, now: datetime) -> SessionRecord | None:
    """The staff member's roles as the staff provider gives them now; None when it no longer vouches for them."""
    from chalicelib.adapters.identity import principal_from_claims
    from chalicelib.adapters.sealing import unseal

    if not record.refresh:
        return None
    try:
        token = str(unseal(record.refresh, adapters.token_keys, "refresh")["t"])
        answer = adapters.logins[Realm.STAFF].refresh(token)
        claims, _ = adapters.verifier.id_token(answer.id_token, frozenset({Realm.STAFF}))
        principal = principal_from_claims(claims, Realm.STAFF)
    except (AuthenticationError, InvalidTokenError, KeyError):
        return None
    if principal.subject != record.subject:
        return None
    return replace(
        record,
        roles=principal.roles,
        roles_checked=now,
        last_seen=now,
        refresh=seal_refresh_token(answer.refresh_token) or record.refresh,
    )


def end_session(session: Session) -> None:
    """Logging out: the server forgets the session, so its cookie opens nothing any more."""
    _adapters().sessions.end(session.sid)
