"""The applicant's pages behind login: Mijn zaken, one case, and the berichtenbox."""

from __future__ import annotations

import hmac
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from chalice.app import Blueprint, Response

from chalicelib import wiring
from chalicelib.domain.documents import ACCEPT, MAX_BYTES, MAX_FILES_PER_DOCUMENT, parse_incoming, upload_check
from chalicelib.domain.errors import (
    CaseRuleError,
    ConcurrentUpdateError,
    DomainError,
    Issue,
    SatisfactionClosedError,
    TooManyRequestsError,
    ValidationError,
)
from chalicelib.domain.language import Language
from chalicelib.domain.questions import ANSWER_TERM_WORKING_DAYS, FORM_KEY, MAX_QUESTION_LENGTH
from chalicelib.i18n import N_, translate
from chalicelib.web.forms import NO_ERRORS, back_to, form_errors, problem_message, refusal_errors
from chalicelib.web.headers import allow_form_targets
from chalicelib.web.pages import HEADERS, SignedIn, message, not_found, page, redirect, render, too_many
from chalicelib.web.presenters import berichtenbox_json
from chalicelib.web.request import check_path_parameters
from chalicelib.web.session import HOME
from chalicelib.web.texts import DELIVERY_TEXTS, QUESTIONS
from chalicelib.web.views import (
    SATISFACTION_ANCHOR,
    SATISFACTION_FLAG,
    case_context,
    case_rows,
    day,
    earlier_from_query,
    question_rows,
    satisfaction_question,
)

if TYPE_CHECKING:
    from chalicelib.domain.berichtenbox import BerichtenboxMessage
    from chalicelib.domain.case_view import CaseView
    from chalicelib.domain.cases import Case, DocumentRequest
    from chalicelib.services.ports import UploadForm

bp = Blueprint(__name__)

RECEIVED = "ontvangen"  # the query flag naming the document a file was just recorded for
CONFIRMATION = "bevestiging"  # the id of the confirmation, where the page opens after an upload
ASKED = "gevraagd"  # the query flag naming the question just asked (its confirmation shows)


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
    )


@page(bp, HOME + "/{case_id}")
def case_page(visit: SignedIn, case_id: str) -> Response:
    """One case: what we need from the applicant and how to send it, where it is now, the documents sent in,
    what happens next, the deadline and what happened."""
    received = visit.query.get(RECEIVED)
    return _case(visit, case_id, received=received)


def _case(
    visit: SignedIn,
    case_id: str,
    *,
    status: int = 200,
    received: str | None = None,
    errors: dict[str, Any] | None = None,
    failed: str | None = None,
    question: dict[str, str] | None = None,
    satisfaction: dict[str, str] | None = None,
) -> Response:
    """The case page; ``received``: the document a file was just recorded for; ``errors`` about the upload of
    document ``failed``, about the question form (``question``: what was typed, and the form's key) or about the
    satisfaction question of a closed case (``satisfaction``: what was chosen and typed)."""
    try:
        view = wiring.services().case_queries.view(visit.principal, case_id, before=earlier_from_query())
        questions = wiring.services().questions.of_viewed_case(visit.principal, view.case)
        survey = wiring.services().satisfaction.for_case(visit.principal, view.case)
    except DomainError:  # not there, or not theirs (or a cursor that names no moment): the same page
        return not_found()
    context = case_context(view, visit.language, page=f"{HOME}/{case_id}")
    forms = _upload_forms(visit, view.case)
    shown = errors or NO_ERRORS
    asked = visit.query.get(ASKED)
    rows = question_rows(questions, visit.language)
    letters = _letters(visit, view.case)
    response = render(
        "case",
        status,
        **context,
        questions=rows,
        letters=letters,
        asked=next((q for q in rows if q["id"] == asked), None),
        question_form={"text": "", "key": uuid.uuid4().hex, **(question or {})},
        question_max=f"{MAX_QUESTION_LENGTH:,}".replace(",", "." if visit.language is Language.NL else ","),
        answer_days=ANSWER_TERM_WORKING_DAYS,
        satisfaction=satisfaction_question(
            survey,
            visit.language,
            action=f"{HOME}/{case_id}/tevredenheid",
            page=f"{HOME}/{case_id}",
            csrf=visit.session.csrf,
            typed=satisfaction,
        )
        if survey is not None
        else None,
        csrf=visit.session.csrf,
        uploads=forms,
        accept=ACCEPT,
        max_mb=MAX_BYTES // (1024 * 1024),
        max_files=MAX_FILES_PER_DOCUMENT,
        received=received if received in {d["id"] for d in context["sent_in"]} else None,
        failed=failed,
        download=f"{HOME}/{case_id}/bestanden/",
        **shown,
    )
    return allow_form_targets(response, [form.url for form in forms.values()])


def _upload_forms(visit: SignedIn, case: Case) -> dict[str, UploadForm]:
    """A form per document that still takes files, for a party of the case (staff see the page, not forms);
    each comes back to the confirmation with a check tied to this session."""
    base = wiring.services().settings.portal_url

    def back(document: DocumentRequest, upload_id: str) -> str:
        query = urlencode({"check": upload_check(visit.session.csrf, upload_id), "lang": visit.language.value})
        return f"{base}{HOME}/{case.id}/documenten/{document.id}/ontvangen?{query}"

    try:
        return wiring.services().document_uploads.upload_forms(visit.principal, case, redirect=back)
    except DomainError:
        return {}


@page(bp, HOME + "/{case_id}/documenten/{document_id}/ontvangen", reads="upload_document")
def upload_received(visit: SignedIn, case_id: str, document_id: str) -> Response:  # noqa: PLR0911 - each outcome its page
    """Where the browser comes back after it sent a file to the documents bucket: Baken checks the file and
    records it, then shows the case with the file among those sent in (or says what was wrong with it)."""
    key = visit.query.get("key", "")
    try:
        upload_id, _ = parse_incoming(key, case_id, document_id)
    except ValidationError as error:
        return _case(visit, case_id, status=400, errors=_upload_errors(error.issues, document_id, visit), failed=document_id)
    if not hmac.compare_digest(visit.query.get("check", ""), upload_check(visit.session.csrf, upload_id)):
        issues = [Issue("key", "upload_not_yours")]
        return _case(visit, case_id, status=400, errors=_upload_errors(issues, document_id, visit), failed=document_id)
    try:
        wiring.services().document_uploads.confirm(visit.principal, case_id, document_id, key)
    except ValidationError as error:
        return _case(visit, case_id, status=400, errors=_upload_errors(error.issues, document_id, visit), failed=document_id)
    except TooManyRequestsError as error:
        return too_many(error.retry_after)
    except (CaseRuleError, ConcurrentUpdateError) as error:
        return _case(visit, case_id, status=409, errors=refusal_errors(error, visit.language), failed=document_id)
    except DomainError:
        return not_found()
    return redirect(f"{back_to(f'{HOME}/{case_id}', RECEIVED, document_id)}#{CONFIRMATION}")


def _upload_errors(issues: list[Issue], document_id: str, visit: SignedIn) -> dict[str, Any]:
    """What was wrong with a file, at the upload field of its document and in the summary."""
    field = f"file-{document_id}"
    return form_errors(issues, {"file": (field, N_("Bestand")), "key": (field, N_("Bestand"))}, visit.language)


QUESTION_FIELDS = {
    "text": ("vraag", N_("Uw vraag")),
    "key": ("vraag", N_("Uw vraag")),
    "vraagonderwerp": ("vraagonderwerp", N_("Waar gaat uw vraag over?")),
}


@page(bp, HOME + "/{case_id}/vragen", methods=("POST",), action="ask_question", max_fields=10)
def ask_question(visit: SignedIn, case_id: str) -> Response:
    """A question about the case from its page: recorded once however often the form is sent, then the case page
    says when the answer comes; a problem shows at the field, with what was typed kept."""
    typed = {"text": visit.field("vraag"), "key": visit.field("sleutel"), "topic": visit.field("vraagonderwerp")}
    if not FORM_KEY.fullmatch(typed["key"]):
        typed["key"] = uuid.uuid4().hex
    try:
        question = wiring.services().questions.ask(
            visit.principal, case_id, visit.field("vraag"), visit.field("sleutel"), topic=visit.field("vraagonderwerp")[:40]
        )
    except ValidationError as error:
        return _case(
            visit, case_id, status=400, errors=form_errors(error.issues, QUESTION_FIELDS, visit.language), question=typed
        )
    except TooManyRequestsError as error:
        return too_many(error.retry_after)
    except (CaseRuleError, ConcurrentUpdateError) as error:
        text = problem_message(error, visit.language)
        named = f"{translate(visit.language, N_('Uw vraag'))}: {text}"
        refused = {"errors": [{"anchor": "vraag", "text": named}], "field_errors": {"vraag": named}}
        return _case(visit, case_id, status=409, errors=refused, question=typed)
    except DomainError:
        return not_found()
    return redirect(f"{back_to(f'{HOME}/{case_id}', ASKED, question.id)}#vraag-bevestiging")


SATISFACTION_FIELDS = {"score": ("cijfer", N_("Hoe tevreden bent u?")), "comment": ("opmerking", N_("Opmerking"))}


@page(bp, HOME + "/{case_id}/tevredenheid", methods=("POST",), action="answer_satisfaction", max_fields=10)
def answer_satisfaction(visit: SignedIn, case_id: str) -> Response:
    """The satisfaction question of a closed case, answered (or the answer changed) from its page; the page then
    thanks and shows the answer. A problem shows at its field, with what was chosen and typed kept."""
    typed = {"score": visit.field("cijfer"), "comment": visit.field("opmerking")}
    try:
        wiring.services().satisfaction.answer(visit.principal, case_id, typed["score"], typed["comment"])
    except ValidationError as error:
        errors = form_errors(error.issues, SATISFACTION_FIELDS, visit.language)
        return _case(visit, case_id, status=400, errors=errors, satisfaction=typed)
    except (SatisfactionClosedError, ConcurrentUpdateError) as error:
        return _case(visit, case_id, status=409, errors=refusal_errors(error, visit.language))
    except DomainError:
        return not_found()
    return redirect(f"{back_to(f'{HOME}/{case_id}', SATISFACTION_FLAG, 'bewaard')}#{SATISFACTION_ANCHOR}")


def _letters(visit: SignedIn, case: Case) -> list[dict[str, str | None]]:
    """The letters this person was sent about the case, to read again (staff see the deliveries table instead)."""
    try:
        found = wiring.services().letters.of_case(visit.principal, case)
    except DomainError:
        return []
    return [
        {
            "id": n.id,
            "day": day(n.created_at.isoformat(), visit.language),
            "what": translate(visit.language, DELIVERY_TEXTS.get(n.event_kind.value, N_("Brief"))),
        }
        for n in found
    ]


@page(bp, HOME + "/{case_id}/brieven/{notification_id}", reads="download_letter")
def download_letter(visit: SignedIn, case_id: str, notification_id: str) -> Response:
    """A letter the person was sent about the case, as it went to the printer: plain text to save or print."""
    try:
        notification, letter = wiring.services().letters.letter(visit.principal, case_id, notification_id)
    except DomainError:
        return not_found()
    name = f"brief-{notification.created_at.date().isoformat()}-{notification.id[:8]}.txt"
    headers: dict[str, str | list[str]] = dict(HEADERS)
    headers.update({"Content-Type": "text/plain; charset=utf-8", "Content-Disposition": f'attachment; filename="{name}"'})
    return Response(body=letter.body + "\n", status_code=200, headers=headers)


@page(bp, HOME + "/{case_id}/bestanden/{file_id}", reads="download_document")
def download(visit: SignedIn, case_id: str, file_id: str) -> Response:
    """A file sent in for the case, for its parties: a link to the file that works for a minute."""
    try:
        url = wiring.services().document_uploads.download_url(visit.principal, case_id, file_id)
    except DomainError:
        return not_found()
    return redirect(url)


def _written_in(message: BerichtenboxMessage, page: Language) -> str | None:
    """The language a message was written in when it is not the page's (its text is marked so: WCAG 3.1.2)."""
    return message.language.value if message.language is not None and message.language is not page else None


CASE_FILTER = "zaak"  # the berichtenbox's query parameter: only the messages about this case (one of the person's)


@page(bp, "/berichten")
def berichtenbox(visit: SignedIn) -> Response:
    """The berichtenbox: newest first, the unread ones marked, 20 to a page, each with its case's number and
    product; ``?zaak=<case id>`` shows only the messages about one of the person's own cases."""
    after = visit.query.get("na") or None
    chosen = visit.query.get(CASE_FILTER) or None
    try:
        if after is not None:
            check_path_parameters({"message_id": after})
        cases = wiring.services().case_queries.my_cases(visit.principal)
    except DomainError:
        return not_found()
    own = {view.case.id: view for view in cases}
    try:
        if chosen is not None and chosen not in own:
            raise ValidationError.single(CASE_FILTER, "not_your_case")
        shown = wiring.services().berichtenbox.page(visit.principal, limit=20, after=after, case_id=chosen)
    except ValidationError as error:
        errors = form_errors(error.issues, {CASE_FILTER: (CASE_FILTER, N_("Toon berichten over"))}, visit.language)
        return _berichtenbox(visit, 400, cases=own, chosen=chosen, messages=[], older=None, **errors)
    except DomainError:
        return not_found()
    messages = [{**berichtenbox_json(m), "lang": _written_in(m, visit.language)} for m in shown.messages]
    for item in messages:
        item["day"] = day(item["created_at"], visit.language)
        view = own.get(item["case_id"])
        item["case_number"] = view.case.case_number if view else None
        item["product"] = view.zaaktype.omschrijving.in_(visit.language) if view else None
    older = urlencode({"na": shown.next_after, **({CASE_FILTER: chosen} if chosen else {})}) if shown.next_after else None
    return _berichtenbox(visit, 200, cases=own, chosen=chosen, messages=messages, older=older, **NO_ERRORS)


def _berichtenbox(visit: SignedIn, status: int, *, cases: dict[str, CaseView], chosen: str | None, **values: Any) -> Response:
    choices = [
        {"id": case_id, "label": f"{view.case.case_number} – {view.zaaktype.omschrijving.in_(visit.language)}"}
        for case_id, view in cases.items()
    ]
    current = cases.get(chosen) if chosen else None
    return render(
        "berichtenbox",
        status,
        cases=choices,
        chosen=chosen if current else None,
        chosen_number=current.case.case_number if current else None,
        **values,
    )


@page(bp, "/berichten/{message_id}")
def berichtenbox_message(visit: SignedIn, message_id: str) -> Response:
    """One message; opening it marks it read."""
    try:
        read = wiring.services().berichtenbox.mark_read(visit.principal, message_id)
        shown = {**berichtenbox_json(read), "lang": _written_in(read, visit.language)}
        cases = wiring.services().case_queries.my_cases(visit.principal)
    except DomainError:
        return not_found()
    about = next((view for view in cases if view.case.id == shown["case_id"]), None)
    return render(
        "berichtenbox_message",
        message=shown,
        day=day(shown["created_at"], visit.language),
        case_number=about.case.case_number if about else None,
        product=about.zaaktype.omschrijving.in_(visit.language) if about else None,
    )
