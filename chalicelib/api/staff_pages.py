"""The KCC's pages (any medewerker may use them): find a case by its number, see it exactly as the applicant
does plus what Baken sent them and how that went, and record a contact moment (Klantinteracties fields:
kanaal, onderwerp, inhoud, vertrouwelijk), which then shows on the case's timeline. Nothing here changes a case.
"""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, Response

from chalicelib import wiring
from chalicelib.api.http import check_path_parameters
from chalicelib.api.login import _case_context, _day, logged_in
from chalicelib.api.pages import _fields, _language, _page, _query, audit_page
from chalicelib.api.presenters import notification_json
from chalicelib.api.staff import CONTACT_MOMENT
from chalicelib.api.texts import ISSUE_TEXTS
from chalicelib.domain.contacts import KANALEN
from chalicelib.domain.errors import CaseNotFoundError, DomainError, ValidationError
from chalicelib.domain.identity import STAFF
from chalicelib.domain.login import Session
from chalicelib.services.contacts import NewContactMoment

bp = Blueprint(__name__)


def _only_staff(session: Session) -> Response | None:
    if session.principal.roles & STAFF:
        return None
    return _page("message", 403, title_key="error_title", text_key="kcc_only_staff")


@bp.route("/kcc", methods=["GET"])
@logged_in
def search(session: Session) -> Response:
    """Find a case by its number; found, the case page opens."""
    refused = _only_staff(session)
    if refused is not None:
        return refused
    number = (_query().get("zaaknummer") or "").strip()[:40]
    if not number:
        return _page("kcc_search", zaaknummer="", not_found=False)
    try:
        view = wiring.case_queries().find_by_number(session.principal, number)
    except CaseNotFoundError:
        return _page("kcc_search", 404, zaaknummer=number, not_found=True)
    return Response(body="", status_code=303, headers={"Location": f"/kcc/zaken/{view.case.id}"})


@bp.route("/kcc/zaken/{case_id}", methods=["GET"])
def case_page(case_id: str) -> Response:
    return logged_in(lambda session: _case(session, case_id, saved=_query().get("vastgelegd") == "1"))()


def _case(session: Session, case_id: str, *, saved: bool = False, errors: list[str] | None = None, form: Any = None) -> Response:
    refused = _only_staff(session)
    if refused is not None:
        return refused
    language = _language()
    try:
        check_path_parameters({"case_id": case_id})
        view = wiring.case_queries().staff_view(session.principal, case_id)
        sent = wiring.case_queries().delivery_status(session.principal, case_id)
    except DomainError:
        return _page("message", 404, title_key="not_found_title", text_key="not_found_text")
    notifications = [notification_json(n) for n in sent]
    for notification in notifications:
        notification["day"] = _day(notification["created_at"], language)
    return _page(
        "kcc_case",
        400 if errors else 200,
        **_case_context(view, language),
        notifications=notifications,
        kanalen=KANALEN,
        csrf=session.csrf,
        saved=saved,
        errors=errors or [],
        form=form or {},
    )


@bp.route("/kcc/zaken/{case_id}/contactmomenten", methods=["POST"], content_types=["application/x-www-form-urlencoded"])
def record_contact(case_id: str) -> Response:
    return logged_in(lambda session: _record(session, case_id))()


def _record(session: Session, case_id: str) -> Response:
    form = {key: values[-1] for key, values in _fields(10).items()}
    if not session.accepts(form.get("csrf")):
        audit_page("record_contact_moment", actor=session.principal.subject, result=403)
        return _page("message", 403, title_key="error_title", text_key="kcc_only_staff")
    body = {
        "kanaal": form.get("kanaal", ""),
        "onderwerp": form.get("onderwerp", ""),
        "inhoud": form.get("inhoud", ""),
        "vertrouwelijk": bool(form.get("vertrouwelijk")),
    }
    language = _language()
    try:
        check_path_parameters({"case_id": case_id})
        parsed = CONTACT_MOMENT.parse(body)
        wiring.contact_registry().record(
            session.principal,
            case_id,
            NewContactMoment(parsed["kanaal"], parsed["onderwerp"], parsed["inhoud"], parsed["vertrouwelijk"]),
        )
    except ValidationError as error:
        messages = [f"{i.field}: {ISSUE_TEXTS[i.code].in_(language) if i.code in ISSUE_TEXTS else i.code}" for i in error.issues]
        audit_page("record_contact_moment", actor=session.principal.subject, result=400)
        return _case(session, case_id, errors=messages, form=form)
    except DomainError:
        audit_page("record_contact_moment", actor=session.principal.subject, result=404)
        return _page("message", 404, title_key="not_found_title", text_key="not_found_text")
    audit_page("record_contact_moment", actor=session.principal.subject, result=303)
    return Response(body="", status_code=303, headers={"Location": f"/kcc/zaken/{case_id}?vastgelegd=1"})
