"""The applicant's pages behind login: Mijn zaken, one case, and the berichtenbox."""

from __future__ import annotations

from chalice.app import Blueprint, Response

from chalicelib import wiring
from chalicelib.domain.errors import DomainError
from chalicelib.web.pages import SignedIn, message, not_found, page, render
from chalicelib.web.presenters import berichtenbox_json
from chalicelib.web.request import check_path_parameters
from chalicelib.web.session import HOME
from chalicelib.web.texts import QUESTIONS
from chalicelib.web.views import case_context, case_rows, day, earlier_from_query

bp = Blueprint(__name__)


@page(bp, HOME)
def my_cases(visit: SignedIn) -> Response:
    """Mijn zaken: each case with its status and deadline, and how many messages are unread."""
    principal = visit.principal
    try:
        views = wiring.services().case_queries.my_cases(principal)
    except DomainError:  # staff have no cases of their own
        return message(403, QUESTIONS)
    unread = wiring.services().berichtenbox.page(principal, limit=1, after=None).unread
    return render(
        "my_cases",
        cases=case_rows(views, visit.language, link=HOME + "/"),
        unread=unread,
        who=principal.name or principal.subject,
        acting_for=principal.represents,
        csrf=visit.session.csrf,
    )


@page(bp, HOME + "/{case_id}")
def case_page(visit: SignedIn, case_id: str) -> Response:
    """One case: where it is now, what we still need, what happens next, the deadline and what happened."""
    try:
        view = wiring.services().case_queries.view(visit.principal, case_id, before=earlier_from_query())
    except DomainError:  # not there, or not theirs (or a cursor that names no moment): the same page
        return not_found()
    return render("case", **case_context(view, visit.language, page=f"{HOME}/{case_id}"))


@page(bp, "/berichten")
def berichtenbox(visit: SignedIn) -> Response:
    """The berichtenbox: newest first, the unread ones marked, 20 to a page."""
    after = visit.query.get("na") or None
    try:
        if after is not None:
            check_path_parameters({"message_id": after})
        shown = wiring.services().berichtenbox.page(visit.principal, limit=20, after=after)
    except DomainError:
        return not_found()
    messages = [berichtenbox_json(m) for m in shown.messages]
    for item in messages:
        item["day"] = day(item["created_at"], visit.language)
    return render("berichtenbox", messages=messages, older=shown.next_after)


@page(bp, "/berichten/{message_id}")
def berichtenbox_message(visit: SignedIn, message_id: str) -> Response:
    """One message; opening it marks it read."""
    try:
        shown = berichtenbox_json(wiring.services().berichtenbox.mark_read(visit.principal, message_id))
    except DomainError:
        return not_found()
    return render("berichtenbox_message", message=shown, day=day(shown["created_at"], visit.language))
