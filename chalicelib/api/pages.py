"""The pages people reach from links in e-mails, and the page to follow topics and places without DigiD.

A GET never changes anything: a mail scanner that follows a link confirms or unsubscribes nothing. The page's
button POSTs. Mail clients may POST to the unsubscribe link directly (RFC 8058 one-click); that works too.
Tokens travel in URLs, so pages never send a Referer and allow no third-party content.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from functools import lru_cache, wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlencode

from chalice.app import Blueprint, Response

from chalicelib import wiring
from chalicelib.api.http import MAX_BODY_BYTES, BodyError, request_origin
from chalicelib.api.subscriptions import EMAIL_PATTERN
from chalicelib.api.texts import CHECK_INBOX, ISSUE_TEXTS, PAGE_TEXTS, PROBLEM_TITLES, RULE_TEXTS, issue_text
from chalicelib.domain.errors import DomainError, Issue, SubscriptionNotFoundError, TooManyRequestsError, ValidationError
from chalicelib.domain.language import Language
from chalicelib.domain.subscriptions import Frequency, Scope, Subscription
from chalicelib.domain.tokens import InvalidTokenError, TokenPurpose

if TYPE_CHECKING:
    from jinja2 import Environment

    from chalicelib.domain.login import Session

bp = Blueprint(__name__)

FORM = "application/x-www-form-urlencoded"
MULTIPART = "multipart/form-data"
HEADERS = {
    "Content-Type": "text/html; charset=utf-8",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self' 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "no-store",
}


@lru_cache(maxsize=1)
def _environment() -> Environment:
    from chalicelib.adapters.templates import build_environment, templates_root

    return build_environment(templates_root(), html=True)


def _query() -> dict[str, str]:
    return dict(bp.current_request.query_params or {})


def _language() -> Language:
    chosen = _query().get("lang")
    if chosen in ("nl", "en"):
        return Language(chosen)
    return Language.from_accept_language(bp.current_request.headers.get("accept-language"))


def current_path() -> str:
    """The path asked for. Chalice's ``request.path`` is the route's pattern (``/mijn-zaken/{case_id}``)."""
    request = bp.current_request
    return request.path.format(**(request.uri_params or {}))


def audit_page(action: str, *, actor: str, result: int) -> None:
    """The audit line of a page's write or refusal: who (no token on a page: ``anonymous``, ``link_holder``
    or the session's subject), the path asked for, the answer and where it came from."""
    from chalicelib.observability import audit

    audit(action, actor=actor, object_id=current_path(), result=result, origin=request_origin(bp.current_request))


def _page(template: str, status: int = 200, **values: Any) -> Response:
    language = _language()
    texts = {key: text.in_(language) for key, text in PAGE_TEXTS.items()}
    query = {k: v for k, v in _query().items() if k != "lang"}
    other = Language.EN if language is Language.NL else Language.NL
    switch = f"{page_path()}?{urlencode({**query, 'lang': other.value})}"
    html = (
        _environment().get_template(f"pages/{template}.html.j2").render(t=texts, lang=language.value, switch_url=switch, **values)
    )
    return Response(body=html, status_code=status, headers=dict[str, str | list[str]](HEADERS))


def _fields(max_fields: int = 100) -> dict[str, list[str]]:
    """The posted form, every value of every field; undecodable bytes become U+FFFD rather than an error."""
    raw: str | bytes = bp.current_request.raw_body or b""
    if len(raw) > MAX_BODY_BYTES:
        raise BodyError(413, "body_too_large")
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    try:
        return parse_qs(text, max_num_fields=max_fields)
    except ValueError as error:  # more fields than allowed
        raise BodyError(413, "too_many_fields") from error


def _form(max_fields: int = 100) -> dict[str, str]:
    return {key: values[-1] for key, values in _fields(max_fields).items()}


def _token(form: dict[str, str] | None = None) -> str:
    token = (form or {}).get("token") or _query().get("token") or ""
    return token[:1024]


def form_errors(issues: list[Issue], fields: Mapping[str, tuple[str, str]], language: Language) -> dict[str, Any]:
    """The error summary (each linked to its field) and the message beside each field, naming the field in the
    page's language."""
    summary: list[dict[str, str | None]] = []
    by_field: dict[str, str] = {}
    for issue in issues:
        message = issue_text(issue.code, issue.params, language)
        found = _field_for(issue.field, fields)
        if found is None:
            summary.append({"anchor": None, "text": message})
            continue
        field, label = found
        text = f"{PAGE_TEXTS[label].in_(language)}: {message}"
        summary.append({"anchor": field, "text": text})
        by_field.setdefault(field, text)
    return {"errors": summary, "field_errors": by_field}


def _field_for(path: str, fields: Mapping[str, tuple[str, str]]) -> tuple[str, str] | None:
    """The field of ``postal_address.postcode`` itself; of ``topics.0``, that of ``topics``."""
    parts = path.split(".")
    for end in range(len(parts), 0, -1):
        found = fields.get(".".join(parts[:end]))
        if found is not None:
            return found
    return None


NO_ERRORS: dict[str, Any] = {"errors": [], "field_errors": {}}


def back_to(path: str, flag: str, value: str = "1") -> str:
    """Where a form goes after it did its work: its page, saying so, in the language it was sent in."""
    chosen = _query().get("lang")
    return f"{path}?{urlencode({flag: value, **({'lang': chosen} if chosen in ('nl', 'en') else {})})}"


def form_post(
    session: Session,
    action: str,
    answer: Callable[[dict[str, list[str]]], Response],
    *,
    refused: Response | None = None,
    max_fields: int = 60,
) -> Response:
    """A form's POST behind login: ``refused`` (a role that may not use it) first, then the session's CSRF token
    (a form from an old session says so), then ``answer`` with every value of every field. Whatever the
    outcome — too much data included — it leaves one audit line."""
    try:
        fields = _fields(max_fields)
    except BodyError:
        response = _page("message", 413, title_key="error_title", text_key="too_much")
    else:
        if refused is None and not session.accepts((fields.get("csrf") or [""])[-1]):
            refused = _page("message", 403, title_key="error_title", text_key="form_expired")
        response = refused or answer(fields)
    audit_page(action, actor=session.principal.subject, result=response.status_code)
    return response


def guarded(view: Callable[[], Response]) -> Response:
    """Whatever goes wrong inside a page becomes a page too: 413 for too much data, else a logged 500 — never
    a stack trace or a JSON answer to a person."""
    from chalicelib.observability import logger

    try:
        return view()
    except BodyError:
        return _page("message", 413, title_key="error_title", text_key="too_much")
    except Exception:  # noqa: BLE001 - a person gets a page, the log gets the details
        logger().exception("page failed", extra={"path": current_path()})
        return _page("message", 500, title_key="error_title", text_key="questions")


# The page each form belongs to. After a form's POST, the language switch and the way back after logging in
# open that page: the POST's own address would answer 405.
FORM_OWNERS = re.compile(
    r"^(/werk/zaken/[^/]+|/werk/aankondigingen(?:/[^/]+)?|/kcc(?:/zaken/[^/]+)?|/mijn-abonnementen|/mijn-voorkeuren)"
)


def page_path() -> str:
    """The address of the page being shown: the request's, or for a form's POST the page the form is on."""
    path = current_path()
    owner = FORM_OWNERS.match(path) if bp.current_request.method != "GET" else None
    return owner.group(1) if owner else path


def page(path: str, *, methods: list[str], form: bool = False) -> Callable[[Callable[[], Response]], Callable[[], Response]]:
    """Register a page; whatever goes wrong inside becomes a page too (413 for too much data, else a logged
    500), never a stack trace. Every POST (a write) and every refused link leaves an audit line, as the JSON
    routes do: the actor is whoever holds the e-mailed link (or nobody, on the follow page); the token itself,
    like the address, stays out of the log."""

    def decorate(view: Callable[[], Response]) -> Callable[[], Response]:
        @wraps(view)
        def handle() -> Response:
            response = _answer()
            if bp.current_request.method == "POST" or response.status_code == 404:
                actor = "anonymous" if path == "/volgen" else "link_holder"
                audit_page(f"page_{view.__name__}", actor=actor, result=response.status_code)
            return response

        def _answer() -> Response:
            return guarded(view)

        bp.route(path, methods=methods, content_types=[FORM, MULTIPART] if form else ["application/json"])(handle)
        return view

    return decorate


def problem_message(error: DomainError, language: Language) -> str:
    """A refused change in words: the rule it broke, or the kind of problem."""
    rule = getattr(error, "rule", None)
    if rule in RULE_TEXTS:
        return RULE_TEXTS[rule].in_(language)
    return PROBLEM_TITLES["case_rule" if rule else error.code].in_(language)


def not_found() -> Response:
    """The page for what is not there, or not the caller's: the two look the same."""
    return _page("message", 404, title_key="not_found_title", text_key="not_found_text")


def _describe(subscription: Subscription, language: Language) -> str:
    reference = wiring.reference()
    scope = subscription.scope
    if scope.case_id is not None:
        return PAGE_TEXTS["own_case"].in_(language)
    topics = [t.naam.in_(language) for slug in sorted(scope.topics) if (t := reference.topic(slug))]
    parts = [", ".join(topics) if topics else PAGE_TEXTS["all_topics"].in_(language)]
    parts.extend(g.naam for code in sorted(scope.gemeenten) if (g := reference.gemeente(code)))
    if scope.area is not None:
        parts.append(PAGE_TEXTS["in_area"].in_(language))
    return " · ".join(parts)


def catalogue() -> dict[str, Any]:
    """What the forms offer to follow: the topics, and the gemeenten by name."""
    reference = wiring.reference()
    return {
        "topics": sorted(reference.topics(), key=lambda t: t.slug),
        "gemeenten": sorted(reference.gemeenten(), key=lambda g: g.naam),
    }


@page("/volgen", methods=["GET"])
def follow_form() -> Response:
    return _follow_page()


def _follow_page(status: int = 200, errors: list[str] | None = None, fields: dict[str, list[str]] | None = None) -> Response:
    """The form; after a mistake, with what the person chose and typed still in it."""
    chosen = fields or {}
    return _page(
        "follow",
        status,
        **catalogue(),
        errors=errors or [],
        form={key: values[-1] for key, values in chosen.items()},
        chosen_topics=set(chosen.get("topic", [])),
    )


@page("/volgen", methods=["POST"], form=True)
def follow() -> Response:
    request = bp.current_request
    fields = _fields()
    form = {key: values[-1] for key, values in fields.items()}
    language = _language()
    topics = frozenset(fields.get("topic", []))
    gemeente = form.get("gemeente") or ""
    try:
        scope = Scope(topics=topics, gemeenten=frozenset({gemeente}) if gemeente else frozenset())
        email = form.get("email", "").strip()
        if not re.fullmatch(EMAIL_PATTERN, email) or len(email) > 254:
            raise ValidationError.single("email", "expected_email")
        wanted = Language(form["language"]) if form.get("language") in ("nl", "en") else language
        wiring.subscription_service().subscribe_by_email(email, wanted, scope, source=request_origin(request))
    except ValidationError as error:
        return _follow_page(
            400, [ISSUE_TEXTS[i.code].in_(language) if i.code in ISSUE_TEXTS else i.code for i in error.issues], fields
        )
    except TooManyRequestsError as error:
        response = _page("message", 429, title_key="error_title", text_key="too_many")
        response.headers["Retry-After"] = str(error.retry_after)
        return response
    return _page("message", 200, title_key="sent_title", text=CHECK_INBOX.in_(language))


@page("/abonnement/bevestigen", methods=["GET"])
def confirm_page() -> Response:
    """Only shows a button; following the link changes nothing. A link that cannot work says so at once."""
    token = _token()
    return _page("confirm", token=token) if _usable(token, TokenPurpose.CONFIRM) else not_found()


def _usable(token: str, purpose: TokenPurpose) -> bool:
    try:
        wiring.subscription_service().check_token(token, purpose)
    except InvalidTokenError:
        return False
    return True


@page("/abonnement/bevestigen", methods=["POST"], form=True)
def confirm() -> Response:
    try:
        outcome = wiring.subscription_service().confirm(_token(_form()))
    except (InvalidTokenError, SubscriptionNotFoundError):
        return not_found()
    return _page("message", title_key="confirmed_title", text_key=f"confirmed_{outcome.value}")


@page("/afmelden", methods=["GET"])
def unsubscribe_page() -> Response:
    """Shows what unsubscribing does, with a button; following the link changes nothing."""
    token = _token()
    return _page("unsubscribe", token=token) if _usable(token, TokenPurpose.UNSUBSCRIBE) else not_found()


@page("/afmelden", methods=["POST"], form=True)
def unsubscribe() -> Response:
    """From the page's button, or a mail client's one-click POST (body ``List-Unsubscribe=One-Click``).
    Doing it again is harmless."""
    try:
        outcome = wiring.subscription_service().unsubscribe(_token(_form()))
    except (InvalidTokenError, SubscriptionNotFoundError):
        return not_found()
    return _page("message", title_key="unsubscribe_title", text_key=f"unsubscribed_{outcome.value}")


@page("/abonnement/beheren", methods=["GET"])
def manage_page() -> Response:
    return _manage(_token())


def _manage(token: str, saved: bool = False) -> Response:
    try:
        subscriber, subscriptions = wiring.subscription_service().managed(token)
    except (InvalidTokenError, SubscriptionNotFoundError):
        return not_found()
    language = _language()
    return _page(
        "manage",
        token=token,
        subscriber=subscriber,
        frequencies=[f.value for f in Frequency],
        subscriptions=[(s.id, _describe(s, language)) for s in subscriptions],
        saved=saved,
    )


@page("/abonnement/beheren", methods=["POST"], form=True)
def manage() -> Response:
    fields = _fields(200)
    token = _token({"token": (fields.get("token") or [""])[-1]})
    frequency = (fields.get("frequency") or ["immediately"])[-1]
    language = (fields.get("language") or ["nl"])[-1]
    try:
        wiring.subscription_service().manage(
            token,
            frequency=Frequency(frequency) if frequency in {f.value for f in Frequency} else Frequency.IMMEDIATELY,
            language=Language(language) if language in ("nl", "en") else Language.NL,
            quiet_hours="quiet_hours" in fields,
            stop=frozenset(fields.get("stop", [])),
        )
    except (InvalidTokenError, SubscriptionNotFoundError):
        return not_found()
    return _manage(token, saved=True)


ASSETS = Path(__file__).resolve().parents[1] / "assets"
# The NL Design System styles, copied from npm by ``make setup`` (package.json): nothing else is served.
STYLESHEETS = frozenset({"utrecht-design-tokens.css", "utrecht-components.css"})


@bp.route("/assets/{name}", methods=["GET"])
def stylesheet(name: str) -> Response:
    path = ASSETS / name
    if name not in STYLESHEETS or not path.is_file():
        return not_found()
    return Response(
        body=path.read_text(encoding="utf-8"),
        status_code=200,
        headers={
            "Content-Type": "text/css; charset=utf-8",
            "Cache-Control": "public, max-age=86400",
            "X-Content-Type-Options": "nosniff",
        },
    )


@page("/toegankelijkheid", methods=["GET"])
def accessibility() -> Response:
    """The accessibility statement: which requirements, how they are checked, and whom to call."""
    return _page("accessibility")
