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
from chalicelib.domain.announcements import Announcement, AnnouncementStatus
from chalicelib.domain.errors import CaseRuleError, DomainError, ForbiddenError, ValidationError
from chalicelib.domain.identity import Role
from chalicelib.domain.language import Language
from chalicelib.i18n import N_, NP_
from chalicelib.web.bodies import DRAFT, REJECTION, draft_from_body
from chalicelib.web.forms import NO_ERRORS, Fields, back_to, form_errors, refusal_errors
from chalicelib.web.pages import SignedIn, message, not_found, page, redirect, render
from chalicelib.web.presenters import announcement_json
from chalicelib.web.texts import ONLY_BEHANDELAAR
from chalicelib.web.views import day

bp = Blueprint(__name__)

ANNOUNCEMENTS = "/werk/aankondigingen"
BEHANDELAAR = frozenset({Role.BEHANDELAAR})
# Where a problem the schema or the service names shows: the input, and the text naming it.
FIELDS = {
    "title": ("title", N_("Titel")),
    "text": ("text", N_("Tekst")),
    "topic": ("topic", NP_("topic", "Onderwerp")),
    "gemeenten": ("gemeenten", N_("Voor welke gemeenten?")),
    "place": ("gemeenten", N_("Voor welke gemeenten?")),
    "link": ("link_url", N_("Link (niet verplicht, begint met https://)")),
    "link.label": ("link_label", N_("Tekst van de link")),
    "reason": ("reason", N_("Waarom stuurt u de aankondiging terug?")),
}


def _choices(language: Language) -> dict[str, Any]:
    reference = wiring.reference_data()
    return {
        "topics": sorted(((t.slug, t.naam.in_(language)) for t in reference.topics()), key=lambda t: t[1]),
        "gemeenten": sorted(((g.code, g.naam) for g in reference.gemeenten()), key=lambda g: g[1]),
    }


def _shown(announcement: Announcement, language: Language) -> dict[str, Any]:
    shown = announcement_json(announcement)
    topic = wiring.reference_data().topic(announcement.topic)
    return {
        **shown,
        "topic_name": topic.naam.in_(language) if topic else announcement.topic,
        "gemeente_names": [g.naam for code in announcement.place.gemeenten if (g := wiring.reference_data().gemeente(code))],
        "day": day(shown["created_at"], language),
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


def _page(path: str = "", *, methods: tuple[str, ...] = ("GET",), action: str | None = None) -> Callable[..., Any]:
    """A page of announcements: only for behandelaars; a form's POST is audited as ``page_<action>``."""
    return page(
        bp,
        ANNOUNCEMENTS + path,
        methods=methods,
        roles=BEHANDELAAR,
        refused=ONLY_BEHANDELAAR,
        action=f"page_{action}" if action else None,
    )


@_page()
def announcements(visit: SignedIn) -> Response:
    """Recent announcements and their state, and the form for a new one."""
    return _list(visit)


def _list(visit: SignedIn, *, status: int = 200, form: dict[str, Any] | None = None, errors: Any = None) -> Response:
    language = visit.language
    recent = [_shown(a, language) for a in wiring.services().announcements.recent(visit.principal)]
    return render(
        "announcements",
        status,
        announcements=recent,
        csrf=visit.session.csrf,
        form=form or {"gemeenten": []},
        **(errors or NO_ERRORS),
        **_choices(language),
    )


@_page(methods=("POST",), action="draft_announcement")
def draft(visit: SignedIn) -> Response:
    """Save a new announcement as a concept and open it (with its audience)."""
    body, form = _posted(visit.fields)
    try:
        created = wiring.services().announcements.draft(visit.principal, draft_from_body(DRAFT.parse(body)))
    except ValidationError as error:
        return _list(visit, status=400, form=form, errors=form_errors(error.issues, FIELDS, visit.language))
    return _to(created.id, "draft")


def _to(announcement_id: str, saved: str) -> Response:
    return redirect(back_to(f"{ANNOUNCEMENTS}/{announcement_id}", "opgeslagen", saved))


@_page("/{announcement_id}")
def announcement(visit: SignedIn, announcement_id: str) -> Response:
    """One announcement: what it says, who it would reach now, and what this behandelaar may do with it."""
    return _one(visit, announcement_id)


def _one(
    visit: SignedIn,
    announcement_id: str,
    *,
    status: int = 200,
    errors: Any = None,
    form: dict[str, Any] | None = None,
) -> Response:
    language = visit.language
    try:
        found = wiring.services().announcements.get(visit.principal, announcement_id)
        audience = wiring.services().announcements.preview(visit.principal, announcement_id)
        _, progress = wiring.services().announcements.progress(visit.principal, announcement_id)
    except DomainError:
        return not_found()
    mine = found.author.id == visit.principal.subject
    saved = visit.query.get("opgeslagen")
    return render(
        "announcement",
        status,
        announcement=_shown(found, language),
        audience={"subscribers": audience.subscribers, "by_channel": audience.by_channel},
        progress=progress,
        may_revise=mine and found.status in (AnnouncementStatus.CONCEPT, AnnouncementStatus.REJECTED),
        may_submit=mine and found.status is AnnouncementStatus.CONCEPT,
        may_decide=not mine and found.status is AnnouncementStatus.SUBMITTED,
        waits_for_colleague=mine and found.status is AnnouncementStatus.SUBMITTED,
        saved=saved if saved in ("draft", "revised", "submitted", "approved", "rejected") else None,
        csrf=visit.session.csrf,
        form=form or _form_of(found),
        **(errors or NO_ERRORS),
        **_choices(language),
    )


def _decision(visit: SignedIn, announcement_id: str, saved: str, decide: Callable[[SignedIn, Fields], object]) -> Response:
    """Revise, submit, approve or send back; then back to the announcement, or its page saying what was wrong."""
    language = visit.language
    try:
        decide(visit, visit.fields)
    except ValidationError as error:
        _, form = _posted(visit.fields)
        return _one(visit, announcement_id, status=400, errors=form_errors(error.issues, FIELDS, language), form=form)
    except CaseRuleError as error:  # four eyes, or not in a state for this: say which
        return _one(visit, announcement_id, status=409, errors=refusal_errors(error, language))
    except ForbiddenError:
        return message(403, ONLY_BEHANDELAAR)
    except DomainError:
        return not_found()
    return _to(announcement_id, saved)


@_page("/{announcement_id}/wijzigen", methods=("POST",), action="revise_announcement")
def revise(visit: SignedIn, announcement_id: str) -> Response:
    """The author changes a concept, or one a colleague sent back (it is a concept again, to submit anew)."""
    return _decision(
        visit,
        announcement_id,
        "revised",
        lambda v, fields: wiring.services().announcements.revise(
            v.principal, announcement_id, draft_from_body(DRAFT.parse(_posted(fields)[0]))
        ),
    )


@_page("/{announcement_id}/indienen", methods=("POST",), action="submit_announcement")
def submit(visit: SignedIn, announcement_id: str) -> Response:
    return _decision(
        visit, announcement_id, "submitted", lambda v, _: wiring.services().announcements.submit(v.principal, announcement_id)
    )


@_page("/{announcement_id}/goedkeuren", methods=("POST",), action="approve_announcement")
def approve(visit: SignedIn, announcement_id: str) -> Response:
    return _decision(
        visit, announcement_id, "approved", lambda v, _: wiring.services().announcements.approve(v.principal, announcement_id)
    )


@_page("/{announcement_id}/afwijzen", methods=("POST",), action="reject_announcement")
def reject(visit: SignedIn, announcement_id: str) -> Response:
    return _decision(
        visit,
        announcement_id,
        "rejected",
        lambda v, fields: wiring.services().announcements.reject(
            v.principal, announcement_id, REJECTION.parse({"reason": (fields.get("reason") or [""])[-1]})["reason"]
        ),
    )
