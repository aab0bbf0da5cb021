"""The behandelaar's announcement pages: write one for the followers of a topic in some gemeenten, see how many
people it would reach right now (numbers only, per channel), submit it, and have a colleague approve it or
send it back with a reason — the author can never approve their own (four eyes).

The form is checked by the JSON API's DRAFT schema and the service does the rest, as for the API.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice.app import Blueprint, Response

from chalicelib import wiring
from chalicelib.api.announcements import DRAFT, REJECTION, draft_from_body
from chalicelib.api.http import check_path_parameters
from chalicelib.api.login import _day, logged_in
from chalicelib.api.pages import _fields, _language, _page, _query, audit_page, issue_messages, problem_message
from chalicelib.api.presenters import announcement_json
from chalicelib.api.work_pages import FORM, WORK, only_behandelaar
from chalicelib.domain.announcements import Announcement, AnnouncementStatus
from chalicelib.domain.errors import CaseRuleError, DomainError, ForbiddenError, ValidationError
from chalicelib.domain.language import Language
from chalicelib.domain.login import Session

bp = Blueprint(__name__)

ANNOUNCEMENTS = WORK + "/aankondigingen"


def _choices(language: Language) -> dict[str, Any]:
    reference = wiring.reference()
    return {
        "topics": sorted(((t.slug, t.naam.in_(language)) for t in reference.topics()), key=lambda t: t[1]),
        "gemeenten": sorted(((g.code, g.naam) for g in reference.gemeenten()), key=lambda g: g[1]),
    }


@bp.route(ANNOUNCEMENTS, methods=["GET"])
@logged_in
def announcements(session: Session) -> Response:
    """Recent announcements and their state, and the form for a new one."""
    return only_behandelaar(session) or _list(session)


def _list(
    session: Session, *, status: int = 200, form: dict[str, Any] | None = None, errors: list[dict[str, str]] | None = None
) -> Response:
    language = _language()
    recent = [_shown(a, language) for a in wiring.announcements().recent(session.principal)]
    return _page(
        "announcements",
        status,
        announcements=recent,
        csrf=session.csrf,
        form=form or {"gemeenten": []},
        errors=errors or [],
        **_choices(language),
    )


def _shown(announcement: Announcement, language: Language) -> dict[str, Any]:
    shown = announcement_json(announcement)
    topic = wiring.reference().topic(announcement.topic)
    return {
        **shown,
        "topic_name": topic.naam.in_(language) if topic else announcement.topic,
        "gemeente_names": [g.naam for code in announcement.place.gemeenten if (g := wiring.reference().gemeente(code))],
        "day": _day(shown["created_at"], language),
    }


@bp.route(ANNOUNCEMENTS, methods=["POST"], content_types=FORM)
@logged_in
def draft(session: Session) -> Response:
    """Save a new announcement as a concept and open it (with its audience)."""
    refused = only_behandelaar(session)
    if refused is not None:
        return refused
    fields = _fields(60)
    form = {key: values[-1] for key, values in fields.items()}
    if not session.accepts(form.get("csrf")):
        audit_page("page_draft_announcement", actor=session.principal.subject, result=403)
        return _page("message", 403, title_key="error_title", text_key="work_only_behandelaar")
    body: dict[str, Any] = {
        "title": form.get("title", ""),
        "text": form.get("text", ""),
        "topic": form.get("topic", ""),
        "gemeenten": fields.get("gemeenten", []),
    }
    if form.get("link_url", "").strip() or form.get("link_label", "").strip():
        body["link"] = {"url": form.get("link_url", "").strip(), "label": form.get("link_label", "").strip()}
    try:
        created = wiring.announcements().draft(session.principal, draft_from_body(DRAFT.parse(body)))
    except ValidationError as error:
        audit_page("page_draft_announcement", actor=session.principal.subject, result=400)
        errors = [{**e, "input": INPUTS.get(e["field"].split(".")[0], e["field"])} for e in issue_messages(error, _language())]
        return _list(session, status=400, form={**form, "gemeenten": fields.get("gemeenten", [])}, errors=errors)
    audit_page("page_draft_announcement", actor=session.principal.subject, result=303)
    return _to(created.id, "draft")


INPUTS = {"title": "title", "text": "text", "topic": "topic", "gemeenten": "gemeenten", "link": "link_url"}


def _to(announcement_id: str, saved: str) -> Response:
    return Response(body="", status_code=303, headers={"Location": f"{ANNOUNCEMENTS}/{announcement_id}?opgeslagen={saved}"})


@bp.route(ANNOUNCEMENTS + "/{announcement_id}", methods=["GET"])
def announcement(announcement_id: str) -> Response:
    """One announcement: what it says, who it would reach now, and what this behandelaar may do with it."""
    return logged_in(lambda session: only_behandelaar(session) or _one(session, announcement_id))()


def _one(session: Session, announcement_id: str, *, status: int = 200, errors: list[dict[str, str]] | None = None) -> Response:
    language = _language()
    try:
        check_path_parameters({"announcement_id": announcement_id})
        found = wiring.announcements().get(session.principal, announcement_id)
        audience = wiring.announcements().preview(session.principal, announcement_id)
    except DomainError:
        return _page("message", 404, title_key="not_found_title", text_key="not_found_text")
    mine = found.author.id == session.principal.subject
    saved = _query().get("opgeslagen")
    return _page(
        "announcement",
        status,
        announcement=_shown(found, language),
        audience={"subscribers": audience.subscribers, "by_channel": audience.by_channel},
        may_submit=mine and found.status in (AnnouncementStatus.CONCEPT, AnnouncementStatus.REJECTED),
        may_decide=not mine and found.status is AnnouncementStatus.SUBMITTED,
        waits_for_colleague=mine and found.status is AnnouncementStatus.SUBMITTED,
        saved=saved if saved in ("draft", "submitted", "approved", "rejected") else None,
        csrf=session.csrf,
        errors=errors or [],
    )


def _decision(announcement_id: str, action: str, saved: str, decide: Callable[[Session, dict[str, str]], object]) -> Response:
    """Submit, approve or send back: CSRF-checked, audited, then back to the announcement."""

    def handle(session: Session) -> Response:
        form = {key: values[-1] for key, values in _fields(10).items()}
        response = only_behandelaar(session) or _decide(session, announcement_id, form, saved, decide)
        audit_page(f"page_{action}", actor=session.principal.subject, result=response.status_code)
        return response

    return logged_in(handle)()


def _decide(
    session: Session, announcement_id: str, form: dict[str, str], saved: str, decide: Callable[[Session, dict[str, str]], object]
) -> Response:
    if not session.accepts(form.get("csrf")):
        return _page("message", 403, title_key="error_title", text_key="work_only_behandelaar")
    language = _language()
    try:
        check_path_parameters({"announcement_id": announcement_id})
        decide(session, form)
    except ValidationError as error:
        errors = [{**e, "input": e["field"]} for e in issue_messages(error, language)]
        return _one(session, announcement_id, status=400, errors=errors)
    except CaseRuleError as error:  # four eyes, or not in a state for this: say which
        return _one(
            session, announcement_id, status=409, errors=[{"field": "", "input": "", "message": problem_message(error, language)}]
        )
    except ForbiddenError:
        return _page("message", 403, title_key="error_title", text_key="work_only_behandelaar")
    except DomainError:
        return _page("message", 404, title_key="not_found_title", text_key="not_found_text")
    return _to(announcement_id, saved)


@bp.route(ANNOUNCEMENTS + "/{announcement_id}/indienen", methods=["POST"], content_types=FORM)
def submit(announcement_id: str) -> Response:
    return _decision(
        announcement_id,
        "submit_announcement",
        "submitted",
        lambda session, _: wiring.announcements().submit(session.principal, announcement_id),
    )


@bp.route(ANNOUNCEMENTS + "/{announcement_id}/goedkeuren", methods=["POST"], content_types=FORM)
def approve(announcement_id: str) -> Response:
    return _decision(
        announcement_id,
        "approve_announcement",
        "approved",
        lambda session, _: wiring.announcements().approve(session.principal, announcement_id),
    )


@bp.route(ANNOUNCEMENTS + "/{announcement_id}/afwijzen", methods=["POST"], content_types=FORM)
def reject(announcement_id: str) -> Response:
    return _decision(
        announcement_id,
        "reject_announcement",
        "rejected",
        lambda session, form: wiring.announcements().reject(
            session.principal, announcement_id, REJECTION.parse({"reason": form.get("reason", "")})["reason"]
        ),
    )
