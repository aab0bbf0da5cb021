"""Logging in to the pages, and the applicant's pages behind it: Mijn zaken, a case, the berichtenbox.

``/inloggen`` starts the OIDC authorisation-code flow with PKCE at the login broker (in the local stage: the dev
issuer's persona page), ``/inloggen/terug`` finishes it — same state, ID token checked, same nonce — and sets the
session cookie; ``/uitloggen`` (a form with the session's CSRF token) ends it. Cookies are Secure, HttpOnly and
SameSite=Lax (the broker's redirect back is a top-level GET, which Lax lets through); the login cookie only
travels to ``/inloggen``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from http.cookies import CookieError, SimpleCookie
from typing import Any
from urllib.parse import urlencode

from chalice.app import Blueprint, Response

from chalicelib import wiring
from chalicelib.api.http import check_path_parameters
from chalicelib.api.pages import HEADERS, _fields, _language, _page, _query, audit_page, guarded, not_found, page_path
from chalicelib.api.presenters import case_json, case_list_json, inbox_json
from chalicelib.config import settings
from chalicelib.domain.case_view import CaseView
from chalicelib.domain.errors import AuthenticationError, DomainError
from chalicelib.domain.language import Language
from chalicelib.domain.login import LoginFlow, Session, safe_return_path
from chalicelib.domain.tokens import InvalidTokenError
from chalicelib.domain.workdays import amsterdam_date

bp = Blueprint(__name__)

SESSION_COOKIE = "baken_session"
LOGIN_COOKIE = "baken_login"
CALLBACK = "/inloggen/terug"
HOME = "/mijn-zaken"


def _cookies() -> dict[str, str]:
    raw = bp.current_request.headers.get("cookie") or ""
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(raw)
    except CookieError:
        return {}
    return {name: morsel.value for name, morsel in jar.items()}


def _cookie(name: str, value: str, *, path: str, max_age: int) -> str:
    return f"{name}={value}; Path={path}; Max-Age={max_age}; HttpOnly; Secure; SameSite=Lax"


def _redirect(location: str, status: int = 303, cookies: tuple[str, ...] = ()) -> Response:
    headers: dict[str, str | list[str]] = {**HEADERS, "Location": location}
    if cookies:
        headers["Set-Cookie"] = list(cookies)
    return Response(body="", status_code=status, headers=headers)


def current_session() -> Session | None:
    """The session of the request's cookie, if there is a valid one."""
    sealed = _cookies().get(SESSION_COOKIE)
    if not sealed:
        return None
    try:
        return Session.unseal(sealed, settings().token_secret, now=wiring.clock().now())
    except InvalidTokenError:
        return None


def _redirect_uri() -> str:
    return settings().portal_url + CALLBACK


@bp.route("/inloggen", methods=["GET"])
def login() -> Response:
    """Off to the login broker, remembering (sealed, in a cookie) what must come back."""
    flow = LoginFlow.start(safe_return_path(_query().get("next"), HOME), wiring.clock().now())
    target = wiring.login_provider().authorize_url(
        state=flow.state, nonce=flow.nonce, challenge=flow.challenge, redirect_uri=_redirect_uri()
    )
    sealed = flow.seal(settings().token_secret)
    return _redirect(target, 302, (_cookie(LOGIN_COOKIE, sealed, path="/inloggen", max_age=600),))


@bp.route(CALLBACK, methods=["GET"])
def login_callback() -> Response:
    """Back from the broker: the same state, a code that gives an ID token with the same nonce; then the session."""
    query = _query()
    clear_login = _cookie(LOGIN_COOKIE, "", path="/inloggen", max_age=0)
    try:
        flow = LoginFlow.unseal(_cookies().get(LOGIN_COOKIE, ""), settings().token_secret, now=wiring.clock().now())
        if not flow.matches(query.get("state")) or not query.get("code"):
            raise AuthenticationError("state")
        id_token = wiring.login_provider().exchange(code=query["code"], verifier=flow.verifier, redirect_uri=_redirect_uri())
        claims = wiring.verifier().claims(id_token)
        if claims.get("nonce") != flow.nonce:
            raise AuthenticationError("nonce")
        from chalicelib.adapters.identity import principal_from_claims

        session = Session.start(principal_from_claims(claims), wiring.clock().now())
    except (DomainError, InvalidTokenError):
        audit_page("login", actor="anonymous", result=400)
        failed = _page("login_failed", 400)
        failed.headers["Set-Cookie"] = clear_login
        return failed
    audit_page("login", actor=session.principal.subject, result=303)
    sealed = session.seal(settings().token_secret)
    max_age = int((session.expires - wiring.clock().now()).total_seconds())
    return _redirect(flow.return_to, 303, (clear_login, _cookie(SESSION_COOKIE, sealed, path="/", max_age=max_age)))


@bp.route("/uitloggen", methods=["POST"], content_types=["application/x-www-form-urlencoded"])
def logout() -> Response:
    """Ends the session; only from one of its own forms (the CSRF token must match)."""
    session = current_session()
    csrf = (_fields(10).get("csrf") or [""])[-1]
    if session is None or not session.accepts(csrf):
        audit_page("logout", actor="anonymous", result=403)
        return _page("login_failed", 403)
    audit_page("logout", actor=session.principal.subject, result=303)
    return _redirect("/volgen", 303, (_cookie(SESSION_COOKIE, "", path="/", max_age=0),))


def logged_in(view: Callable[[Session], Response]) -> Callable[[], Response]:
    """A page for whoever is logged in; anybody else is sent to log in first, and back here after."""

    def handle() -> Response:
        session = current_session()
        if session is None:
            return _redirect(f"/inloggen?{urlencode({'next': page_path()})}", 302)
        return guarded(lambda: view(session))

    handle.__name__ = view.__name__
    handle.__doc__ = view.__doc__
    return handle


@bp.route(HOME, methods=["GET"])
@logged_in
def my_cases(session: Session) -> Response:
    """Mijn zaken: each case with its status and deadline, and how many messages are unread."""
    language = _language()
    principal = session.principal
    try:
        views = wiring.case_queries().my_cases(principal)
    except DomainError:  # staff have no cases of their own
        return _page("message", 403, title_key="error_title", text_key="questions")
    cases = case_rows(views, language, link=HOME + "/")
    unread = wiring.berichtenbox().page(principal, limit=1, after=None).unread
    return _page(
        "my_cases",
        cases=cases,
        unread=unread,
        who=principal.name or principal.subject,
        acting_for=principal.represents,
        csrf=session.csrf,
    )


def case_rows(views: list[CaseView], language: Language, *, link: str) -> list[dict[str, Any]]:
    """The lines of a table of cases (``pages/_cases.html.j2``), each linking to ``link`` + the case's id."""
    lines = case_list_json(views, language, today=amsterdam_date(wiring.clock().now()))["cases"]
    return [
        {
            **line,
            "href": link + line["id"],
            "number": line["case_number"],
            "product": line["zaaktype"],
            "due": _day(line["deadline"], language),
        }
        for line in lines
    ]


def _day(iso: str | None, language: Language) -> str | None:
    """An ISO date or time as people read it: ``5 oktober 2026``."""
    from chalicelib.adapters.templates import long_date

    return long_date(date.fromisoformat(iso[:10]), language.value) if iso else None


@bp.route(HOME + "/{case_id}", methods=["GET"])
def case_page(case_id: str) -> Response:
    """One case: where it is now, what we still need, what happens next, the deadline and what happened."""
    return logged_in(lambda session: _case(session, case_id))()


def _case(session: Session, case_id: str) -> Response:
    language = _language()
    try:
        check_path_parameters({"case_id": case_id})
        view = wiring.case_queries().view(session.principal, case_id)
    except DomainError:  # not there, or not theirs: the same page
        return not_found()
    return _page("case", **_case_context(view, language))


def _case_context(view: CaseView, language: Language, *, staff: bool = False) -> dict[str, Any]:
    """What the case page shows, the same for the applicant and the KCC (who sees what the applicant sees,
    and with ``staff`` what only staff see of a contact moment: whether it is confidential, its tags)."""
    today = amsterdam_date(wiring.clock().now())
    case = case_json(view, language, wiring.reference(), staff=staff, today=today)
    return {
        "case": case,
        "timeline": [{**entry, "day": _day(entry["at"], language)} for entry in case["timeline"]],
        "missing": [{**d, "due": _day(d["due"], language)} for d in case["missing_documents"]],
        "status_since": _day(case["status"]["set_at"], language),
        "due": _day(case["deadline"]["due"], language),
        "servicenorm_due": _day(case["deadline"]["servicenorm_due"], language),
        "for_staff": staff,
    }


@bp.route("/berichten", methods=["GET"])
@logged_in
def inbox(session: Session) -> Response:
    """The berichtenbox: newest first, the unread ones marked, 20 to a page."""
    language = _language()
    after = _query().get("na") or None
    try:
        if after is not None:
            check_path_parameters({"message_id": after})
        page = wiring.berichtenbox().page(session.principal, limit=20, after=after)
    except DomainError:
        return not_found()
    messages = [inbox_json(m) for m in page.messages]
    for message in messages:
        message["day"] = _day(message["created_at"], language)
    return _page("inbox", messages=messages, older=page.next_after)


@bp.route("/berichten/{message_id}", methods=["GET"])
def inbox_message(message_id: str) -> Response:
    """One message; opening it marks it read."""
    return logged_in(lambda session: _message(session, message_id))()


def _message(session: Session, message_id: str) -> Response:
    try:
        check_path_parameters({"message_id": message_id})
        message = inbox_json(wiring.berichtenbox().mark_read(session.principal, message_id))
    except DomainError:
        return not_found()
    return _page("inbox_message", message=message, day=_day(message["created_at"], _language()))
