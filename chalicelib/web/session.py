"""The session of the pages: a signed cookie that says who logged in (see domain/login.py), and the short-lived
cookie that remembers a login flow while the browser is at the broker. Cookies are Secure, HttpOnly and
SameSite=Lax (the broker's redirect back is a top-level GET, which Lax lets through); the login cookie only
travels to ``/inloggen``.
"""

from __future__ import annotations

from http.cookies import CookieError, SimpleCookie

from chalicelib.config import settings
from chalicelib.domain.login import Session
from chalicelib.domain.tokens import InvalidTokenError
from chalicelib.web.request import current_request

SESSION_COOKIE = "baken_session"
LOGIN_COOKIE = "baken_login"
LOGIN = "/inloggen"
CALLBACK = "/inloggen/terug"
HOME = "/mijn-zaken"


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


def current_session() -> Session | None:
    """The session of the request's cookie, if there is a valid one."""
    signed = cookies().get(SESSION_COOKIE)
    if not signed:
        return None
    from chalicelib import wiring

    try:
        return Session.from_signed(signed, settings().token_secret, now=wiring.services().clock.now())
    except InvalidTokenError:
        return None
