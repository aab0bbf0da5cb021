"""The KCC's pages (any medewerker may use them): find a case by its number, or the cases of a caller by the
e-mail address they get our messages at; see a case exactly as the applicant does plus what Baken sent them and
how that went; and record a contact moment (Klantinteracties fields: kanaal, onderwerp, inhoud, vertrouwelijk,
and tags for staff), which then shows on the case's timeline. Nothing here changes a case.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice.app import Blueprint, Response

from chalicelib import wiring
from chalicelib.api.http import check_path_parameters
from chalicelib.api.login import _case_context, _day, case_rows, logged_in
from chalicelib.api.pages import FORM, _fields, _language, _page, _query, audit_page, back_to, form_post, not_found
from chalicelib.api.presenters import notification_json
from chalicelib.api.staff import CASE_SEARCH, CONTACT_MOMENT, new_contact_moment
from chalicelib.api.texts import DELIVERY_TEXTS, issue_text
from chalicelib.domain.case_view import CaseView
from chalicelib.domain.contacts import KANALEN
from chalicelib.domain.errors import CaseNotFoundError, DomainError, ValidationError
from chalicelib.domain.identity import STAFF
from chalicelib.domain.language import Language
from chalicelib.domain.login import Session

bp = Blueprint(__name__)

CASES = "/kcc/zaken/"


def _only_staff(session: Session) -> Response | None:
    if session.principal.roles & STAFF:
        return None
    return _page("message", 403, title_key="error_title", text_key="kcc_only_staff")


def _problems(error: ValidationError, language: Language, *, named: bool = True) -> list[str]:
    """Each problem as people read it; ``named``: after the name of its field (``tags.1: ...``)."""
    texts = [(issue.field, issue_text(issue.code, issue.params, language)) for issue in error.issues]
    return [f"{field}: {text}" if named else text for field, text in texts]


def _search_page(session: Session, status: int = 200, **values: Any) -> Response:
    shown: dict[str, Any] = {"zoek": "", "errors": [], "not_found": None, "cases": [], **values}
    return _page("kcc_search", status, csrf=session.csrf, **shown)


@bp.route("/kcc", methods=["GET"])
@logged_in
def search(session: Session) -> Response:
    """The search form; ``?zaaknummer=`` (a link to a case by its number) opens that case's page."""
    refused = _only_staff(session)
    if refused is not None:
        return refused
    number = (_query().get("zaaknummer") or "").strip()[:40]
    if not number:
        return _search_page(session)
    return _find_by_number(session, number)


@bp.route("/kcc", methods=["POST"], content_types=[FORM])
@logged_in
def search_posted(session: Session) -> Response:
    """The search form sent: a case number opens that case; an e-mail address lists the cases of whoever gets
    our messages there. The form is posted so that an address never ends up in a URL (browser history, logs).
    Every search leaves an audit line, without what was searched for."""
    form = {key: values[-1] for key, values in _fields(10).items()}
    term = form.get("zoek", "").strip()
    action = "find_cases_by_email" if "@" in term else "find_case"
    if not session.accepts(form.get("csrf")):
        response = _page("message", 403, title_key="error_title", text_key="form_expired")
    elif (refused := _only_staff(session)) is not None:
        response = refused
    elif "@" in term:
        response = _find_by_email(session, term)
    elif term:
        response = _find_by_number(session, term[:40])
    else:
        required = ValidationError.single("zoek", "required")
        response = _search_page(session, 400, errors=_problems(required, _language(), named=False))
    audit_page(action, actor=session.principal.subject, result=response.status_code)
    return response


def _find_by_number(session: Session, number: str) -> Response:
    try:
        view = wiring.case_queries().find_by_number(session.principal, number)
    except CaseNotFoundError:
        return _search_page(session, 404, zoek=number, not_found="kcc_not_found")
    return Response(body="", status_code=303, headers={"Location": f"{CASES}{view.case.id}"})


def _find_by_email(session: Session, email: str) -> Response:
    language = _language()
    try:
        address = CASE_SEARCH.parse({"email": email})["email"]
    except ValidationError as error:
        return _search_page(session, 400, zoek=email, errors=_problems(error, language, named=False))
    views = wiring.case_queries().find_by_email(session.principal, address)
    if not views:
        return _search_page(session, 404, zoek=email, not_found="kcc_none_for_email")
    return _search_page(session, zoek=email, cases=case_rows(views, language, link=CASES))


# What the applicant and the other parties were sent, newest first (followers of a public case are not listed).
DELIVERIES_SHOWN = 50


def staff_case_page(
    template: str, session: Session, case_id: str, status: int, values: Callable[[CaseView, Language], dict[str, Any]]
) -> Response:
    """A case as staff see it (KCC and behandelaar): what the applicant sees, what only staff see of contact
    moments, and what the parties were sent and how it went; ``values`` adds what the page itself shows. The
    same page as a missing case when there is no such case."""
    language = _language()
    try:
        check_path_parameters({"case_id": case_id})
        view = wiring.case_queries().staff_view(session.principal, case_id)
        sent = wiring.case_queries().sent_to_parties(session.principal, case_id, limit=DELIVERIES_SHOWN + 1)
    except DomainError:
        return not_found()
    notifications = []
    for notification in sent[:DELIVERIES_SHOWN]:
        shown = notification_json(notification)
        in_words = {key: DELIVERY_TEXTS[shown[key]].in_(language) for key in ("event", "channel", "status")}
        notifications.append({**shown, **in_words, "day": _day(shown["created_at"], language)})
    return _page(
        template,
        status,
        **_case_context(view, language, staff=True),
        notifications=notifications,
        more_notifications=DELIVERIES_SHOWN if len(sent) > DELIVERIES_SHOWN else None,
        csrf=session.csrf,
        **values(view, language),
    )


@bp.route("/kcc/zaken/{case_id}", methods=["GET"])
def case_page(case_id: str) -> Response:
    return logged_in(lambda session: _case(session, case_id, saved=_query().get("vastgelegd") == "1"))()


def _case(session: Session, case_id: str, *, saved: bool = False, errors: list[str] | None = None, form: Any = None) -> Response:
    refused = _only_staff(session)
    if refused is not None:
        return refused
    values = {"kanalen": KANALEN, "saved": saved, "errors": errors or [], "form": form or {}}
    return staff_case_page("kcc_case", session, case_id, 400 if errors else 200, lambda _view, _language: values)


@bp.route("/kcc/zaken/{case_id}/contactmomenten", methods=["POST"], content_types=[FORM])
def record_contact(case_id: str) -> Response:
    return logged_in(lambda session: _record(session, case_id))()


def _tags(text: str) -> list[str]:
    """The tags typed in the form, separated by commas; empty parts (``dso,,termijn,``) left out."""
    return [part for part in text.split(",") if part.strip()]


def _record(session: Session, case_id: str) -> Response:
    def answer(fields: dict[str, list[str]]) -> Response:
        form = {key: values[-1] for key, values in fields.items()}
        body: dict[str, Any] = {
            "kanaal": form.get("kanaal", ""),
            "onderwerp": form.get("onderwerp", ""),
            "inhoud": form.get("inhoud", ""),
            "vertrouwelijk": bool(form.get("vertrouwelijk")),
            "tags": _tags(form.get("tags", "")),
        }
        try:
            check_path_parameters({"case_id": case_id})
            wiring.contact_registry().record(session.principal, case_id, new_contact_moment(CONTACT_MOMENT.parse(body)))
        except ValidationError as error:
            return _case(session, case_id, errors=_problems(error, _language()), form=form)
        except DomainError:
            return not_found()
        return Response(body="", status_code=303, headers={"Location": back_to(f"{CASES}{case_id}", "vastgelegd")})

    return form_post(session, "record_contact_moment", answer, refused=_only_staff(session), max_fields=10)
