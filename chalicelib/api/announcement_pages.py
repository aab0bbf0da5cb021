"""The behandelaar's announcement pages: write one for the followers of a topic in some gemeenten, see how many
people it would reach right now (numbers only, per channel), submit it, and have a colleague approve it or
send it back with a reason — the author can never approve their own (four eyes) — after which the author
revises it and submits it again.

The form is checked by the JSON API's DRAFT schema and the service does the rest, as for the API. Every form
carries the session's CSRF token; every POST leaves one audit line, whatever its outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice.app import Blueprint, Response

from chalicelib import wiring
from chalicelib.api.announcements import DRAFT, REJECTION, draft_from_body
from chalicelib.api.http import check_path_parameters
from chalicelib.api.login import _day, logged_in
from chalicelib.api.pages import (
    NO_ERRORS,
    _language,
    _page,
    _query,
    back_to,
    form_errors,
    form_post,
    not_found,
    problem_message,
)
from chalicelib.api.presenters import announcement_json
from chalicelib.api.work_pages import FORM, WORK, only_behandelaar
from chalicelib.domain.announcements import Announcement, AnnouncementStatus
from chalicelib.domain.errors import CaseRuleError, DomainError, ForbiddenError, ValidationError
from chalicelib.domain.language import Language
from chalicelib.domain.login import Session

bp = Blueprint(__name__)

ANNOUNCEMENTS = WORK + "/aankondigingen"
# Where a problem the schema or the service names shows: the input, and the text naming it.
FIELDS = {
    "title": ("title", "ann_field_title"),
    "text": ("text", "ann_field_text"),
    "topic": ("topic", "ann_field_topic"),
    "gemeenten": ("gemeenten", "ann_field_gemeenten"),
    "place": ("gemeenten", "ann_field_gemeenten"),
    "link": ("link_url", "work_link_url"),
    "link.label": ("link_label", "work_link_label"),
    "reason": ("reason", "ann_reason"),
}
Fields = dict[str, list[str]]


def _choices(language: Language) -> dict[str, Any]:
    reference = wiring.reference()
    return {
        "topics": sorted(((t.slug, t.naam.in_(language)) for t in reference.topics()), key=lambda t: t[1]),
        "gemeenten": sorted(((g.code, g.naam) for g in reference.gemeenten()), key=lambda g: g[1]),
    }


def _shown(announcement: Announcement, language: Language) -> dict[str, Any]:
    shown = announcement_json(announcement)
    topic = wiring.reference().topic(announcement.topic)
    return {
        **shown,
        "topic_name": topic.naam.in_(language) if topic else announcement.topic,
        "gemeente_names": [g.naam for code in announcement.place.gemeenten if (g := wiring.reference().gemeente(code))],
        "day": _day(shown["created_at"], language),
    }


def _form_of(announcement: Announcement) -> dict[str, Any]:
    """An announcement as its form shows it, to revise it."""
    link = announcement.link
    return {
        "title": announcement.title,
        "text": announcement.text,
        "topic": announcement.topic,
        "gemeenten": list(announcement.place.gemeenten),
        "link_url": link.url if link else "",
        "link_label": link.label if link else "",
    }


def _posted(fields: Fields) -> tuple[dict[str, Any], dict[str, Any]]:
    """The DRAFT body the form describes, and the form as typed (to show it again after a mistake)."""
    form: dict[str, Any] = {key: values[-1] for key, values in fields.items()}
    form["gemeenten"] = fields.get("gemeenten", [])
    body: dict[str, Any] = {"title": form.get("title", ""), "text": form.get("text", ""), "topic": form.get("topic", "")}
    body["gemeenten"] = form["gemeenten"]
    if form.get("link_url", "").strip() or form.get("link_label", "").strip():
        body["link"] = {"url": form.get("link_url", "").strip(), "label": form.get("link_label", "").strip()}
    return body, form


def _answered(session: Session, action: str, answer: Callable[[Fields], Response]) -> Response:
    return form_post(session, f"page_{action}", answer, refused=only_behandelaar(session))


@bp.route(ANNOUNCEMENTS, methods=["GET"])
@logged_in
def announcements(session: Session) -> Response:
    """Recent announcements and their state, and the form for a new one."""
    return only_behandelaar(session) or _list(session)


def _list(session: Session, *, status: int = 200, form: dict[str, Any] | None = None, errors: Any = None) -> Response:
    language = _language()
    recent = [_shown(a, language) for a in wiring.announcements().recent(session.principal)]
    return _page(
        "announcements",
        status,
        announcements=recent,
        csrf=session.csrf,
        form=form or {"gemeenten": []},
        **(errors or NO_ERRORS),
        **_choices(language),
    )


@bp.route(ANNOUNCEMENTS, methods=["POST"], content_types=FORM)
@logged_in
def draft(session: Session) -> Response:
    """Save a new announcement as a concept and open it (with its audience)."""

    def answer(fields: Fields) -> Response:
        body, form = _posted(fields)
        try:
            created = wiring.announcements().draft(session.principal, draft_from_body(DRAFT.parse(body)))
        except ValidationError as error:
            return _list(session, status=400, form=form, errors=form_errors(error.issues, FIELDS, _language()))
        return _to(created.id, "draft")

    return _answered(session, "draft_announcement", answer)


def _to(announcement_id: str, saved: str) -> Response:
    return Response(
        body="", status_code=303, headers={"Location": back_to(f"{ANNOUNCEMENTS}/{announcement_id}", "opgeslagen", saved)}
    )


@bp.route(ANNOUNCEMENTS + "/{announcement_id}", methods=["GET"])
def announcement(announcement_id: str) -> Response:
    """One announcement: what it says, who it would reach now, and what this behandelaar may do with it."""
    return logged_in(lambda session: only_behandelaar(session) or _one(session, announcement_id))()


def _one(
    session: Session,
    announcement_id: str,
    *,
    status: int = 200,
    errors: Any = None,
    form: dict[str, Any] | None = None,
) -> Response:
    language = _language()
    try:
        check_path_parameters({"announcement_id": announcement_id})
        found = wiring.announcements().get(session.principal, announcement_id)
        audience = wiring.announcements().preview(session.principal, announcement_id)
    except DomainError:
        return not_found()
    mine = found.author.id == session.principal.subject
    saved = _query().get("opgeslagen")
    return _page(
        "announcement",
        status,
        announcement=_shown(found, language),
        audience={"subscribers": audience.subscribers, "by_channel": audience.by_channel},
        may_revise=mine and found.status in (AnnouncementStatus.CONCEPT, AnnouncementStatus.REJECTED),
        may_submit=mine and found.status is AnnouncementStatus.CONCEPT,
        may_decide=not mine and found.status is AnnouncementStatus.SUBMITTED,
        waits_for_colleague=mine and found.status is AnnouncementStatus.SUBMITTED,
        saved=saved if saved in ("draft", "revised", "submitted", "approved", "rejected") else None,
        csrf=session.csrf,
        form=form or _form_of(found),
        **(errors or NO_ERRORS),
        **_choices(language),
    )


def _decision(announcement_id: str, action: str, saved: str, decide: Callable[[Session, Fields], object]) -> Response:
    """Revise, submit, approve or send back; then back to the announcement, or its page saying what was wrong."""

    def handle(session: Session) -> Response:
        def answer(fields: Fields) -> Response:
            language = _language()
            try:
                check_path_parameters({"announcement_id": announcement_id})
                decide(session, fields)
            except ValidationError as error:
                _, form = _posted(fields)
                return _one(session, announcement_id, status=400, errors=form_errors(error.issues, FIELDS, language), form=form)
            except CaseRuleError as error:  # four eyes, or not in a state for this: say which
                summary = {"errors": [{"anchor": None, "text": problem_message(error, language)}], "field_errors": {}}
                return _one(session, announcement_id, status=409, errors=summary)
            except ForbiddenError:
                return _page("message", 403, title_key="error_title", text_key="work_only_behandelaar")
            except DomainError:
                return not_found()
            return _to(announcement_id, saved)

        return _answered(session, action, answer)

    return logged_in(handle)()


@bp.route(ANNOUNCEMENTS + "/{announcement_id}/wijzigen", methods=["POST"], content_types=FORM)
def revise(announcement_id: str) -> Response:
    """The author changes a concept, or one a colleague sent back (it is a concept again, to submit anew)."""
    return _decision(
        announcement_id,
        "revise_announcement",
        "revised",
        lambda session, fields: wiring.announcements().revise(
            session.principal, announcement_id, draft_from_body(DRAFT.parse(_posted(fields)[0]))
        ),
    )


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
        lambda session, fields: wiring.announcements().reject(
            session.principal, announcement_id, REJECTION.parse({"reason": (fields.get("reason") or [""])[-1]})["reason"]
        ),
    )
