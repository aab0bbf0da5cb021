"""What several pages show alike: dates as people read them, a table of cases, a case as the applicant (and the
KCC, and the behandelaar) sees it, a subscription in words, and what there is to follow."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from chalice.app import Response

from chalicelib import wiring
from chalicelib.domain.cases import PartyRole
from chalicelib.domain.errors import DomainError
from chalicelib.domain.language import Language
from chalicelib.domain.question_topics import Faq
from chalicelib.domain.satisfaction import MAX_COMMENT_LENGTH
from chalicelib.domain.workdays import AMSTERDAM, amsterdam_date
from chalicelib.i18n import N_, translate
from chalicelib.web.pages import not_found, query, render
from chalicelib.web.presenters import case_json, case_list_json, notification_json
from chalicelib.web.texts import DELIVERY_TEXTS

if TYPE_CHECKING:
    from chalicelib.domain.case_view import CaseView
    from chalicelib.domain.login import Session
    from chalicelib.domain.questions import Question
    from chalicelib.domain.subscriptions import Subscription
    from chalicelib.services.satisfaction import AskedQuestion


def day(iso: str | None, language: Language) -> str | None:
    """An ISO date or time as people read it: ``5 oktober 2026``."""
    from chalicelib.adapters.templates import long_date

    return long_date(date.fromisoformat(iso[:10]), language.value) if iso else None


def faq_rows(faqs: list[Faq], language: Language) -> list[dict[str, Any]]:
    """Veelgestelde vragen as ``pages/_faqs.html.j2`` shows them: in the page's language when there is a
    translation (else Dutch, marked as Dutch), the answer in paragraphs."""
    rows = []
    for faq in faqs:
        answer = faq.answer_in(language)
        rows.append(
            {
                "topic": faq.topic,
                "question": faq.question_in(language),
                "paragraphs": [part.strip() for part in answer.split("\n\n") if part.strip()],
                "lang": faq.text_language(language).value,
            }
        )
    return rows


def decimal(value: float, language: Language) -> str:
    """A number with one decimal as people read it: ``6,3`` in Dutch, ``6.3`` in English."""
    text = f"{value:.1f}"
    return text.replace(".", ",") if language is Language.NL else text


def case_rows(views: list[CaseView], language: Language, *, link: str) -> list[dict[str, Any]]:
    """The lines of a table of cases (``pages/_cases.html.j2``), each linking to ``link`` + the case's id."""
    lines = case_list_json(views, language, today=amsterdam_date(wiring.services().clock.now()))["cases"]
    return [
        {
            **line,
            "href": link + line["id"],
            "number": line["case_number"],
            "product": line["zaaktype"],
            "due": day(line["deadline"], language),
        }
        for line in lines
    ]


def case_context(view: CaseView, language: Language, *, page: str, staff: bool = False) -> dict[str, Any]:
    """What the case page at ``page`` shows, the same for the applicant and the KCC (who sees what the applicant
    sees, and with ``staff`` what only staff see of a contact moment: whether it is confidential, its tags). The
    timeline is one page of the case's history; ``earlier`` links to the page before it (``?eerder=<cursor>``)."""
    today = amsterdam_date(wiring.services().clock.now())
    case = case_json(view, language, wiring.reference_data(), staff=staff, today=today)
    return {
        "case": case,
        "timeline": [{**entry, "day": day(entry["at"], language)} for entry in case["timeline"]],
        "missing": [{**d, "due": day(d["due"], language)} for d in case["missing_documents"]],
        "sent_in": [_sent_in(d, language) for d in case["documents"] if d["files"] or d["state"] != "requested"],
        "status_since": day(case["status"]["set_at"], language),
        "due": day(case["deadline"]["due"], language),
        "servicenorm_due": day(case["deadline"]["servicenorm_due"], language),
        "for_staff": staff,
        "steps": procedure(view, language),
        "decided_on": day(case["closed_on"], language),
        "earlier": f"{page}?{EARLIER}={quote(view.earlier, safe='')}" if view.earlier else None,
        "faqs": faq_rows(wiring.services().question_analysis.for_case(view.case), language),
        "faq_product": view.zaaktype.omschrijving.in_(language),
        "question_topics": [{"code": t.code, "name": t.naam.in_(language)} for t in view.zaaktype.question_topics],
    }


STEP_STATES = {
    "done": N_("afgerond"),
    "current": N_("nu"),
    "next": N_("nog niet"),
}


def procedure(view: CaseView, language: Language) -> list[dict[str, Any]]:
    """The steps of the case's procedure (its zaaktype's statustypen in order), each done, current or to come,
    with that state in words (not colour alone)."""
    from chalicelib.domain.case_view import procedure_steps

    return [
        {
            "omschrijving": step.statustype.omschrijving.in_(language),
            "toelichting": step.statustype.toelichting.in_(language) if step.statustype.toelichting else None,
            "state": step.state.value,
            "state_text": translate(language, STEP_STATES[step.state.value]),
        }
        for step in procedure_steps(view.zaaktype, view.status, closed=view.case.is_closed)
    ]


def question_rows(questions: list[Question], language: Language) -> list[dict[str, Any]]:
    """A case's questions as the pages show them (``pages/_questions.html.j2`` and the applicant's case page):
    open ones first (the first due on top), then the answered ones, newest first."""
    today = amsterdam_date(wiring.services().clock.now())
    waiting = sorted((q for q in questions if not q.answered), key=lambda q: (q.due, q.asked_at))
    answered = [q for q in questions if q.answered]
    return [
        {
            "id": q.id,
            "text": q.text,
            "asked_day": day(q.asked_at.isoformat(), language),
            "due_day": day(q.due.isoformat(), language),
            "overdue": q.overdue(today),
            "answered": q.answered,
            "answer_text": q.answer.text if q.answer else None,
            "answered_day": day(q.answer.at.isoformat(), language) if q.answer else None,
            "answered_by": q.answer.by.naam if q.answer else None,
        }
        for q in (*waiting, *answered)
    ]


SATISFACTION_FLAG = "tevredenheid"  # the query flag of the satisfaction question: ``bewaard`` or ``wijzigen``
SATISFACTION_ANCHOR = "tevredenheid"  # the question's place on a page


def satisfaction_question(
    question: AskedQuestion,
    language: Language,
    *,
    action: str,
    page: str,
    csrf: str | None = None,
    typed: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The satisfaction question as ``pages/_satisfaction.html.j2`` shows it on ``page``: the form (``action``)
    while it is open and not yet answered, asked to change, or opened from a link with a score chosen; else the
    answer with a link to change it (while open). ``typed``: what was sent, shown again after a mistake."""
    asked = query()
    flag = asked.get(SATISFACTION_FLAG)
    answer = question.answer
    chosen = typed.get("score") if typed is not None else asked.get("score") or (str(answer.score) if answer else None)
    editing = question.open and (answer is None or flag == "wijzigen" or "score" in asked or typed is not None)
    keep = f"lang={language.value}"
    return {
        "open": question.open,
        "until": day(question.until.isoformat(), language),
        "answer": {"score": answer.score, "comment": answer.comment} if answer else None,
        "editing": editing,
        "chosen": chosen if chosen in {"1", "2", "3", "4", "5"} else None,
        "comment": typed.get("comment", "") if typed is not None else ((answer.comment or "") if answer else ""),
        "saved": flag == "bewaard" and answer is not None,
        "action": f"{action}?{keep}",
        "change_url": f"{page}?{SATISFACTION_FLAG}=wijzigen&{keep}#{SATISFACTION_ANCHOR}",
        "csrf": csrf,
        "max": f"{MAX_COMMENT_LENGTH:,}".replace(",", "." if language is Language.NL else ","),
    }


DOCUMENT_STATES = {
    "requested": N_("Nog niet ontvangen"),
    "received": N_("Ontvangen, nog niet beoordeeld"),
    "accepted": N_("Geaccepteerd"),
    "asked_again": N_("Opnieuw gevraagd"),
}


def _sent_in(document: dict[str, Any], language: Language) -> dict[str, Any]:
    """A document that came in (sent in here, or by post), with its files and what the behandelaar decided."""
    return {
        **document,
        "state_text": translate(language, DOCUMENT_STATES[document["state"]]),
        "received_day": day(document["received_at"], language),
        "files": [
            {**f, "day": day(f["uploaded_at"], language), "size_text": file_size(f["size"], language)} for f in document["files"]
        ],
    }


def file_size(size: int, language: Language) -> str:
    """``1,2 MB`` / ``1.2 MB``, ``340 kB``: as people read a file's size (decimal units, as file managers show)."""
    text = f"{size / 1_000_000:.1f} MB" if size >= 1_000_000 else f"{max(1, round(size / 1000))} kB"
    return text.replace(".", ",") if language is Language.NL else text


# The query parameter of a staff case page naming the question just answered (its confirmation shows).
ANSWERED = "beantwoord"

# The query parameter of a case page that names where its timeline starts (the cursor of the page before).
EARLIER = "eerder"


def earlier_from_query() -> str | None:
    """The cursor a case page was asked for (``?eerder=``), or None for the newest page."""
    return query().get(EARLIER) or None


# What each party of a case is, in words (the deliveries table's "Aan wie", the case page's contact details).
PARTY_ROLES = {
    PartyRole.INITIATOR: N_("Aanvrager"),
    PartyRole.MEDE_INITIATOR: N_("Mede-aanvrager"),
    PartyRole.GEMACHTIGDE: N_("Gemachtigde"),
}
NO_LONGER_A_PARTY = N_("Hoort niet meer bij de zaak")


def moment(when: datetime, language: Language) -> str:
    """``16 november 2026 om 7.00 uur`` (Dutch time)."""
    local = when.astimezone(AMSTERDAM)
    at = translate(language, N_("om %(time)s uur"), time=f"{local.hour}.{local:%M}")
    return f"{day(local.date().isoformat(), language)} {at}"


# What the applicant and the other parties were sent, newest first (followers of a public case are not listed).
DELIVERIES_SHOWN = 50


def staff_case_page(
    template: str,
    session: Session,
    case_id: str,
    status: int,
    values: Callable[[CaseView, Language], dict[str, Any]],
    language: Language,
    *,
    page: str,
) -> Response:
    """A case as staff see it (KCC and behandelaar): what the applicant sees, what only staff see of contact
    moments, and what the parties were sent and how it went; ``values`` adds what the page itself shows. The
    same page as a missing case when there is no such case."""
    try:
        view = wiring.services().case_queries.staff_view(session.principal, case_id, before=earlier_from_query())
        sent = wiring.services().case_queries.sent_to_parties(session.principal, case_id, limit=DELIVERIES_SHOWN + 1)
    except DomainError:
        return not_found()
    notifications = []
    for notification in sent[:DELIVERIES_SHOWN]:
        shown = notification_json(notification)
        in_words = {key: translate(language, DELIVERY_TEXTS[shown[key]]) for key in ("event", "channel", "status")}
        role = view.case.role_of(notification.subscriber_id)
        to = translate(language, PARTY_ROLES[role] if role is not None else NO_LONGER_A_PARTY)
        notifications.append(
            {
                **shown,
                **in_words,
                "to": to,
                "when": moment(notification.created_at, language),
                "day": day(shown["created_at"], language),
            }
        )
    questions = wiring.services().questions.of_viewed_case(session.principal, view.case)
    answered = query().get(ANSWERED)
    return render(
        template,
        status,
        **case_context(view, language, page=page, staff=True),
        questions=question_rows(questions, language),
        answered_question=answered if answered in {q.id for q in questions} else None,
        notifications=notifications,
        more_notifications=DELIVERIES_SHOWN if len(sent) > DELIVERIES_SHOWN else None,
        csrf=session.csrf,
        **values(view, language),
    )


def describe(subscription: Subscription, language: Language) -> str:
    """A subscription in words: its topics, gemeenten and area, or the person's own case."""
    reference = wiring.reference_data()
    scope = subscription.scope
    if scope.case_id is not None:
        return translate(language, N_("uw zaak"))
    topics = [t.naam.in_(language) for slug in sorted(scope.topics) if (t := reference.topic(slug))]
    parts = [", ".join(topics) if topics else translate(language, N_("alle onderwerpen"))]
    parts.extend(g.naam for code in sorted(scope.gemeenten) if (g := reference.gemeente(code)))
    if scope.area is not None:
        parts.append(translate(language, N_("in het gebied dat u koos")))
    return " · ".join(parts)


def to_follow() -> dict[str, Any]:
    """What the forms offer to follow: the topics, and the gemeenten by name."""
    reference = wiring.reference_data()
    return {
        "topics": sorted(reference.topics(), key=lambda t: t.slug),
        "gemeenten": sorted(reference.gemeenten(), key=lambda g: g.naam),
    }
