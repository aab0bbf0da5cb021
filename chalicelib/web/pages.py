"""The HTML page pipeline, the counterpart of ``endpoint`` for people in a browser.

A page is one declaration and its body::

    @page(bp, "/werk/zaken/{case_id}/status", methods=("POST",), roles=BEHANDELAAR, action="work_status")
    def set_status(visit: SignedIn, case_id: str) -> Response: ...

``page`` checks the session (anybody without one is sent to log in, and back after), the role (a page saying
who it is for), the CSRF token of every POST (a form from an old session says it has expired), the path
parameters (one that names nothing is the not-found page), turns whatever goes wrong inside into a page (413
for too much data, else a logged 500 — never a stack trace or a JSON answer to a person) and writes one audit
line for every POST, and for every GET of a page declaring ``reads`` (staff reading someone's case).
``public_page`` does the same for the pages without login: those reached from links in e-mails, the login
routes themselves and the site's own pages.

Pages never send a Referer and allow no third-party content (tokens travel in the URLs of e-mailed links).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache, wraps
from typing import TYPE_CHECKING, Any, Concatenate, ParamSpec
from urllib.parse import urlencode

from chalice.app import Blueprint, Request, Response

from chalicelib.domain.errors import DomainError, ValidationError
from chalicelib.domain.identity import Role
from chalicelib.domain.language import Language
from chalicelib.i18n import translate
from chalicelib.web.forms import FORM, MULTIPART, Fields, read_fields
from chalicelib.web.headers import PAGE_HEADERS
from chalicelib.web.request import (
    BodyError,
    answering,
    check_path_parameters,
    current_path,
    current_request,
    logged_path,
    request_origin,
)
from chalicelib.web.session import LOGIN, current_session
from chalicelib.web.texts import (
    ERROR_TITLE,
    FORM_EXPIRED,
    LINK_NOT_WORKING_TEXT,
    LINK_NOT_WORKING_TITLE,
    NOT_FOUND_TEXT,
    NOT_FOUND_TITLE,
    QUESTIONS,
    TOO_MANY,
    TOO_MUCH,
)

if TYPE_CHECKING:
    from jinja2 import Environment

    from chalicelib.domain.identity import Principal
    from chalicelib.domain.login import Session

P = ParamSpec("P")
HEADERS = {"Content-Type": "text/html; charset=utf-8", **PAGE_HEADERS}


@lru_cache(maxsize=len(Language))
def _environment(language: Language) -> Environment:
    from chalicelib.adapters.templates import build_environment, templates_root

    return build_environment(templates_root(), html=True, language=language)


def query() -> dict[str, str]:
    """The request's query parameters (the last of each)."""
    return dict(current_request().query_params or {})


def language() -> Language:
    """The page's language: ``?lang=`` when given, else the browser's preference, else Dutch."""
    chosen = query().get("lang")
    if chosen in ("nl", "en"):
        return Language(chosen)
    return Language.from_accept_language(current_request().headers.get("accept-language"))


# The page each form belongs to. After a form's POST, the language switch and the way back after logging in
# open that page: the POST's own address would answer 405.
FORM_OWNERS = re.compile(
    r"^(/werk/zaken/[^/]+|/werk/aankondigingen(?:/[^/]+)?|/kcc(?:/zaken/[^/]+)?|/mijn-zaken/[^/]+|/mijn-abonnementen"
    r"|/mijn-voorkeuren)"
)


def page_path() -> str:
    """The address of the page being shown: the request's, or for a form's POST the page the form is on."""
    path = current_path()
    owner = FORM_OWNERS.match(path) if current_request().method != "GET" else None
    return owner.group(1) if owner else path


def audit_page(action: str, *, actor: str, result: int, **extra: Any) -> None:
    """The audit line of a page's write, refusal or read: who (no token on a page: ``anonymous``,
    ``link_holder`` or the session's subject), the path asked for (a link's token left out), the answer and where it
    came from."""
    from chalicelib.observability import audit

    audit(action, actor=actor, object_id=logged_path(), result=result, origin=request_origin(current_request()), **extra)


# The session of the page being answered (set by ``page`` around its body), so that every page a member of staff
# sees — also a refusal or an error — has the staff header.
_SIGNED_IN: ContextVar[Session | None] = ContextVar("signed_in", default=None)

# The staff pages in the header's navigation: who may open each, and the paths that belong to it (longest first).
STAFF_NAVIGATION = (
    ("work", "/werk", frozenset({Role.BEHANDELAAR})),
    ("announcements", "/werk/aankondigingen", frozenset({Role.BEHANDELAAR})),
    ("kcc", "/kcc", frozenset({Role.BEHANDELAAR, Role.KCC})),
    ("questions", "/werk/vragen", frozenset({Role.BEHANDELAAR, Role.KCC})),
    ("satisfaction", "/werk/tevredenheid", frozenset({Role.BEHANDELAAR, Role.KCC})),
)


def staff_header(session: Session | None, path: str) -> dict[str, Any] | None:
    """What the header shows a member of staff: their name, their roles, the staff pages their roles open (the
    one ``path`` belongs to marked current) and the logout form's CSRF token; None for anybody else."""
    if session is None:
        return None
    roles = session.principal.roles
    shown = [role.value for role in (Role.BEHANDELAAR, Role.KCC) if role in roles]
    if not shown:
        return None
    allowed = [(key, href) for key, href, needs in STAFF_NAVIGATION if roles & needs]
    owner = max((href for _, href in allowed if path == href or path.startswith(href + "/")), key=len, default=None)
    return {
        "name": session.principal.name or session.principal.subject,
        "roles": shown,
        "nav": [{"key": key, "href": href, "current": href == owner} for key, href in allowed],
        "csrf": session.csrf,
    }


# The applicant's pages in the header's navigation, and the paths that belong to each.
APPLICANT_NAVIGATION = ("/mijn-zaken", "/berichten", "/mijn-abonnementen", "/mijn-voorkeuren")


def applicant_header(session: Session | None, path: str) -> dict[str, Any] | None:
    """What the header shows somebody logged in with DigiD or eHerkenning: their pages (the one ``path``
    belongs to marked current) and the logout form's CSRF token; None for anybody else (staff have theirs)."""
    if session is None or Role.APPLICANT not in session.principal.roles or staff_header(session, path):
        return None
    owner = next((href for href in APPLICANT_NAVIGATION if path == href or path.startswith(href + "/")), None)
    return {"nav": [{"href": href, "current": href == owner} for href in APPLICANT_NAVIGATION], "csrf": session.csrf}


def render(template: str, status: int = 200, **values: Any) -> Response:
    """``templates/pages/<template>.html.j2`` in the page's language, with the language switch; for a member of
    staff with the staff header (and the wide layout staff pages use), for an applicant with their menu."""
    chosen = language()
    kept = {k: v for k, v in query().items() if k != "lang"}
    other = Language.EN if chosen is Language.NL else Language.NL
    switch = f"{page_path()}?{urlencode({**kept, 'lang': other.value})}"
    values.setdefault("staff", staff_header(_SIGNED_IN.get(), page_path()))
    values.setdefault("applicant", applicant_header(_SIGNED_IN.get(), page_path()))
    html = _environment(chosen).get_template(f"pages/{template}.html.j2").render(lang=chosen.value, switch_url=switch, **values)
    return Response(body=html, status_code=status, headers=dict[str, str | list[str]](HEADERS))


def message(status: int, text: str, *, title: str = ERROR_TITLE) -> Response:
    """A page that only says something: an error, or that something was done. ``text`` and ``title`` are
    message ids (``N_``), shown in the page's language."""
    chosen = language()
    return render("message", status, title=translate(chosen, title), text=translate(chosen, text))


def not_found() -> Response:
    """The page for what is not there, or not the caller's: the two look the same."""
    return message(404, NOT_FOUND_TEXT, title=NOT_FOUND_TITLE)


def link_not_working() -> Response:
    """The page for a link from one of our e-mails that cannot work (expired, incomplete, or for what is gone)."""
    return message(404, LINK_NOT_WORKING_TEXT, title=LINK_NOT_WORKING_TITLE)


def too_many(retry_after: int) -> Response:
    """The page for a flood: try again later (and when, for programs)."""
    response = message(429, TOO_MANY)
    response.headers["Retry-After"] = str(retry_after)
    return response


def redirect(location: str, status: int = 303, cookies: tuple[str, ...] = ()) -> Response:
    """To ``location``; a POST's answer is 303 (see other), so a reload does not send the form again."""
    headers: dict[str, str | list[str]] = {**HEADERS, "Location": location}
    if cookies:
        headers["Set-Cookie"] = list(cookies)
    return Response(body="", status_code=status, headers=headers)


def guarded(view: Callable[[], Response]) -> Response:
    """Whatever goes wrong inside a page becomes a page too: 413 for too much data, else a logged 500 — never
    a stack trace or a JSON answer to a person."""
    from chalicelib.observability import logger

    try:
        return view()
    except BodyError:
        return message(413, TOO_MUCH)
    except Exception:  # noqa: BLE001 - a person gets a page, the log gets the details
        logger().exception("page failed", extra={"path": logged_path()})
        return message(500, QUESTIONS)


@dataclass(kw_only=True)
class Visit:
    """One request for a page as its body sees it: the language, the query and, for a POST, the form."""

    request: Request
    language: Language
    fields: Fields = field(default_factory=dict)

    @property
    def form(self) -> dict[str, str]:
        """The last value of each posted field."""
        return {key: values[-1] for key, values in self.fields.items()}

    def field(self, name: str) -> str:
        """The last value posted for ``name``; empty when it was not sent."""
        return (self.fields.get(name) or [""])[-1]

    @property
    def query(self) -> dict[str, str]:
        return dict(self.request.query_params or {})


@dataclass(kw_only=True)
class SignedIn(Visit):
    """A visit of somebody logged in; ``action`` names the audit line of a POST."""

    session: Session
    action: str = ""
    # What the page adds to its audit line: e.g. ``cases``, the ids of the cases a search showed.
    audit_extra: dict[str, Any] = field(default_factory=dict)

    @property
    def principal(self) -> Principal:
        return self.session.principal


def _content_types(methods: Collection[str], form_types: tuple[str, ...]) -> list[str]:
    return list(form_types) if "POST" in methods else ["application/json"]


def page(
    blueprint: Blueprint,
    path: str,
    *,
    methods: tuple[str, ...] = ("GET",),
    action: str | Callable[[SignedIn], str] | None = None,
    roles: frozenset[Role] | None = None,
    refused: str = QUESTIONS,
    max_fields: int = 60,
    reads: str | Callable[[SignedIn], str | None] | None = None,
) -> Callable[[Callable[Concatenate[SignedIn, P], Response]], Callable[Concatenate[SignedIn, P], Response]]:
    """Register a page behind login. ``roles``: who may use it (any one of them; others get a page
    saying ``refused``, 403). A POST reads at most ``max_fields`` form fields, needs the session's CSRF token and
    leaves one audit line named ``action`` (the body's name unless given; a function of the posted form when
    what the form does depends on it), whatever its outcome. A GET leaves one audit line named ``reads``
    when given (a function of the query when only some GETs show personal data), whatever its outcome."""

    def decorate(view: Callable[Concatenate[SignedIn, P], Response]) -> Callable[Concatenate[SignedIn, P], Response]:
        @wraps(view)
        def handle(**path_params: str) -> Response:
            with answering(blueprint.current_request) as request:
                session = current_session()
                if session is None:
                    return redirect(f"{LOGIN}?{urlencode({'next': page_path()})}", 302)
                visit = SignedIn(request=request, language=language(), session=session, action=view.__name__)
                signed_in = _SIGNED_IN.set(session)
                try:
                    response = guarded(lambda: _checked(visit, path_params))
                finally:
                    _SIGNED_IN.reset(signed_in)
                extra = visit.audit_extra if response.status_code < 400 else {}
                if request.method == "POST":
                    audit_page(visit.action, actor=session.principal.subject, result=response.status_code, **extra)
                elif (read := reads(visit) if callable(reads) else reads) is not None:
                    audit_page(read, actor=session.principal.subject, result=response.status_code, **extra)
                return response

        def _checked(visit: SignedIn, path_params: dict[str, str]) -> Response:
            if visit.request.method == "POST":
                visit.fields = read_fields(max_fields)
            if action is not None:
                visit.action = action(visit) if callable(action) else action
            if roles is not None and not visit.principal.roles & roles:
                return message(403, refused)
            if visit.request.method == "POST" and not visit.session.accepts(visit.field("csrf")):
                return message(403, FORM_EXPIRED)
            try:
                check_path_parameters(path_params)
            except ValidationError:  # too long to be any id: a broken address, refused before any look-up
                return message(400, NOT_FOUND_TEXT, title=NOT_FOUND_TITLE)
            except DomainError:
                return not_found()
            return view(visit, **path_params)  # type: ignore[call-arg, arg-type]  # the route pattern names them

        blueprint.route(path, methods=list(methods), content_types=_content_types(methods, (FORM,)))(handle)
        return view

    return decorate


def public_page(
    blueprint: Blueprint,
    path: str,
    *,
    methods: tuple[str, ...] = ("GET",),
    actor: str | None = "link_holder",
    form_types: tuple[str, ...] = (FORM, MULTIPART),
    max_fields: int = 100,
) -> Callable[[Callable[Concatenate[Visit, P], Response]], Callable[Concatenate[Visit, P], Response]]:
    """Register a page anybody may open. Every POST (a write) and every refusal (404) leaves an audit line
    naming ``actor`` — whoever holds the e-mailed link, or ``anonymous`` — and never the token or an address;
    ``actor=None``: the body writes its own audit lines (the login routes know who logged in)."""

    def decorate(view: Callable[Concatenate[Visit, P], Response]) -> Callable[Concatenate[Visit, P], Response]:
        @wraps(view)
        def handle(**path_params: str) -> Response:
            with answering(blueprint.current_request) as request:
                visit = Visit(request=request, language=language())
                response = guarded(lambda: _answer(visit, path_params))
                if actor is not None and (request.method == "POST" or response.status_code == 404):
                    audit_page(f"page_{view.__name__}", actor=actor, result=response.status_code)
                return response

        def _answer(visit: Visit, path_params: dict[str, str]) -> Response:
            if visit.request.method == "POST":
                visit.fields = read_fields(max_fields)
            return view(visit, **path_params)  # type: ignore[call-arg, arg-type]  # the route pattern names them

        blueprint.route(path, methods=list(methods), content_types=_content_types(methods, form_types))(handle)
        return view

    return decorate
