"""The behandelaar's pages: the work list by deadline, and a case to work on — set the status, ask for
documents, post a message, mark a document received — each with a preview of exactly what the applicant
will receive (by e-mail, in the berichtenbox, by letter) before anything is saved or sent.

The forms are checked by the JSON API's own schemas and call the same commands; a preview calls them on a
copy of the case (see services/previews.py). Every form carries the session's CSRF token.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from chalice.app import Blueprint, Response

from chalicelib import wiring
from chalicelib.domain.case_view import CaseView
from chalicelib.domain.cases import Link
from chalicelib.domain.errors import (
    CaseRuleError,
    ConcurrentUpdateError,
    DomainError,
    ForbiddenError,
    Issue,
    QuestionNotFoundError,
    TooManyRequestsError,
    ValidationError,
)
from chalicelib.domain.identity import Principal, Role
from chalicelib.domain.language import Language
from chalicelib.domain.workdays import amsterdam_date
from chalicelib.domain.worklist import (
    DeadlineFilter,
    WorkFilter,
    WorkOrder,
    WorkPosition,
    deadline_range,
    decode_position,
    looks_like_case_number,
    search_words,
    servicenorm_state,
)
from chalicelib.i18n import N_, translate
from chalicelib.web.bodies import DOCUMENT_REQUESTS, DOCUMENT_REVIEW, EMPTY, NEW_MESSAGE, NEW_STATUS
from chalicelib.web.forms import NO_ERRORS, back_to, form_errors, refusal_errors
from chalicelib.web.pages import SignedIn, message, not_found, page, redirect, render, too_many
from chalicelib.web.schema import Schema
from chalicelib.web.texts import DELIVERY_TEXTS, ONLY_BEHANDELAAR
from chalicelib.web.views import PARTY_ROLES, case_rows, day, moment, staff_case_page

if TYPE_CHECKING:  # the services load when a page first needs them, not when the app starts
    from chalicelib.services.case_commands import CaseCommands, CommandResult, NewDocumentRequest
    from chalicelib.services.case_queries import PartyContact, WorkListRequest
    from chalicelib.services.previews import ChangePreview

    Command = Callable[[CaseCommands], CommandResult]

bp = Blueprint(__name__)

WORK = "/werk"
PREVIEW = "voorbeeld"


BEHANDELAAR = frozenset({Role.BEHANDELAAR})
STAFF_ROLES = frozenset({Role.BEHANDELAAR, Role.KCC})


# The work list's query (a GET form, so a filtered list is a link to bookmark): search, product, status, deadline
# state, order, and a cursor after (``na``) or before (``voor``) a case.
LIST_FIELDS = {
    "zoek": ("zoek", N_("Zoeken")),
    "product": ("product", N_("Product")),
    "status": ("status", N_("Status")),
    "termijn": ("termijn", N_("Termijn")),
    "volgorde": ("volgorde", N_("Volgorde")),
    "na": ("volgende", N_("Volgende pagina")),
    "voor": ("volgende", N_("Vorige pagina")),
}


@page(bp, WORK, roles=BEHANDELAAR, refused=ONLY_BEHANDELAAR)
def work_list(visit: SignedIn) -> Response:
    """A page of the behandelaar's open cases, searched, filtered and ordered as the query asks, with the counts
    of overdue and nearly due ones on top. A value the form does not offer is refused at its field (400)."""
    services = wiring.services()
    today = amsterdam_date(services.clock.now())
    options = _list_options(visit.language)
    asked = {name: (visit.query.get(name) or "").strip() for name in ("zoek", "product", "status", "termijn", "volgorde")}
    counts = services.case_queries.work_counts(visit.principal, today)
    alerts = services.deadline_watch.alerts_for(visit.principal.subject, limit=20)
    shown: dict[str, Any] = {
        "asked": asked,
        "counts": counts,
        "alerts": alerts,
        **options,
        "cases": [],
        "page": None,
        "by_number": None,
    }
    try:
        request = _work_request(visit.query, asked, options)
    except ValidationError as error:
        errors = form_errors(error.issues, LIST_FIELDS, visit.language)
        return render("work_list", 400, **{**shown, **errors})
    number = asked["zoek"] if looks_like_case_number(asked["zoek"]) else None
    if number is not None:  # a case number is looked up in its own index: found whoever handles it
        return render("work_list", **{**shown, **NO_ERRORS, "by_number": _by_number(visit, number, today)})
    found = services.case_queries.work_list_page(visit.principal, request, today)
    rows = _work_rows(found.cases, visit.language, today)
    paging = {
        "next": _page_link(asked, visit.language, "na", found.after),
        "previous": _page_link(asked, visit.language, "voor", found.before),
        "stopped_early": found.stopped_early,
        "read": found.read,
        "first": _page_link(asked, visit.language, None, None) if found.before is not None else None,
    }
    return render("work_list", **{**shown, **NO_ERRORS, "cases": rows, "page": paging})


def _list_options(language: Language) -> dict[str, Any]:
    """What the filter form offers: the products, and the statuses by name (one entry per name)."""
    catalogue = sorted(wiring.services().catalogue, key=lambda z: z.omschrijving.in_(language))
    statuses: dict[str, str] = {}
    for zaaktype in catalogue:
        for statustype in zaaktype.statustypen:
            if not statustype.is_eindstatus:
                statuses.setdefault(statustype.identificatie, statustype.omschrijving.in_(language))
    return {
        "products": [(z.identificatie, z.omschrijving.in_(language)) for z in catalogue],
        "statuses": sorted(statuses.items(), key=lambda item: item[1]),
        "deadline_states": [state.value for state in DeadlineFilter],
        "orders": [order.value for order in WorkOrder],
    }


def _work_request(query: dict[str, str], asked: dict[str, str], options: dict[str, Any]) -> WorkListRequest:
    """The query as a request for a page of the work list; every problem at once, each at its field."""
    from chalicelib.services.case_queries import WorkListRequest

    issues: list[Issue] = []

    def choice(name: str, allowed: list[str]) -> str | None:
        value = asked[name]
        if value and value not in allowed:
            issues.append(Issue(name, "not_a_choice"))
            return None
        return value or None

    product = choice("product", [identificatie for identificatie, _ in options["products"]])
    status = choice("status", [identificatie for identificatie, _ in options["statuses"]])
    deadline = DeadlineFilter(choice("termijn", options["deadline_states"]) or DeadlineFilter.ALL)
    order = WorkOrder(choice("volgorde", options["orders"]) or WorkOrder.DEADLINE)
    words: tuple[str, ...] = ()
    try:
        words = search_words(asked["zoek"])
    except ValidationError as error:
        issues.extend(error.issues)
    request = WorkListRequest(WorkFilter(deadline, product, status, words), order)
    bounds = deadline_range(deadline, amsterdam_date(wiring.services().clock.now())) if order is WorkOrder.DEADLINE else None
    cursors: dict[str, WorkPosition] = {}
    for name in ("na", "voor"):
        if name in query:
            try:
                cursors[name] = decode_position(query[name], order, bounds, field=name)
            except ValidationError as error:
                issues.extend(error.issues)
    if issues:
        raise ValidationError(issues)
    return WorkListRequest(
        request.filter, order, after=cursors.get("na"), before=None if "na" in cursors else cursors.get("voor")
    )


def _page_link(asked: dict[str, str], language: Language, direction: str | None, position: WorkPosition | None) -> str | None:
    """The address of another page of the same list: the same search and filters, and the cursor."""
    if direction is not None and position is None:
        return None
    kept = {name: value for name, value in asked.items() if value}
    if direction is not None and position is not None:
        kept[direction] = position.encode()
    return f"{WORK}?{urlencode({**kept, 'lang': language.value})}"


def _work_rows(views: list[CaseView], language: Language, today: date) -> list[dict[str, Any]]:
    """The lines of the work list: a case table's, with the servicenorm beside the legal deadline."""
    rows = case_rows(views, language, link=f"{WORK}/zaken/")
    for row, view in zip(rows, views, strict=True):
        row["servicenorm"] = servicenorm_state(view.deadline, today).value
        row["servicenorm_due"] = (
            day(view.deadline.servicenorm_due.isoformat(), language) if view.deadline.servicenorm_due else None
        )
    return rows


def _by_number(visit: SignedIn, number: str, today: date) -> dict[str, Any]:
    """A case looked up by its number: its line, and whether it is this behandelaar's and still open."""
    try:
        view = wiring.services().case_queries.find_by_number(visit.principal, number.upper())
    except DomainError:
        return {"number": number, "rows": []}
    return {
        "number": number,
        "rows": _work_rows([view], visit.language, today),
        "colleague": view.case.behandelaar.naam if view.case.behandelaar.id != visit.principal.subject else None,
        "closed": view.case.is_closed,
    }


@dataclass(frozen=True)
class _Action:
    """One form on the case page: the JSON API's schema for its fields, and the command it gives."""

    schema: Schema
    body: Callable[[dict[str, str]], dict[str, Any]]
    command: Callable[[Principal, str, dict[str, Any]], Command]
    previewable: bool = True


def _status_body(form: dict[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = {"statustype": form.get("statustype", "")}
    if form.get("toelichting", "").strip():
        body["toelichting"] = form["toelichting"]
    return body


def _documents_body(form: dict[str, str]) -> dict[str, Any]:
    document: dict[str, Any] = {"omschrijving": form.get("omschrijving", "")}
    if form.get("due", "").strip():
        document["due"] = form["due"].strip()
    body: dict[str, Any] = {"documents": [document]}
    if form.get("herhalen") == "ja":  # the behandelaar saw the warning and asks again all the same
        body["repeat"] = True
    return body


def _review_body(form: dict[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = {"verdict": form.get("oordeel", "")}
    if form.get("reden", "").strip():
        body["reason"] = form["reden"]
    if form.get("opnieuw_due", "").strip():
        body["due"] = form["opnieuw_due"].strip()
    return body


def _review(document_id: str) -> Callable[[Principal, str, dict[str, Any]], Command]:
    def command(principal: Principal, case_id: str, parsed: dict[str, Any]) -> Command:
        if parsed["verdict"] == "accepted":
            return lambda c: c.accept_document(principal, case_id, document_id)
        reason = parsed.get("reason") or ""
        return lambda c: c.ask_document_again(principal, case_id, document_id, reason, parsed.get("due"))

    return command


def _message_body(form: dict[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = {"text": form.get("text", "")}
    if form.get("link_url", "").strip() or form.get("link_label", "").strip():
        body["link"] = {"url": form.get("link_url", "").strip(), "label": form.get("link_label", "").strip()}
    return body


def _document_requests(parsed: dict[str, Any]) -> tuple[NewDocumentRequest, ...]:
    from chalicelib.services.case_commands import NewDocumentRequest

    return tuple(NewDocumentRequest(d["omschrijving"], d.get("due")) for d in parsed["documents"])


def _post_message(principal: Principal, case_id: str, parsed: dict[str, Any]) -> Command:
    link = parsed.get("link")
    return lambda c: c.post_message(principal, case_id, parsed["text"], Link(link["url"], link["label"]) if link else None)


ACTIONS: dict[str, _Action] = {
    "status": _Action(
        NEW_STATUS,
        _status_body,
        lambda p, case_id, parsed: lambda c: c.set_status(p, case_id, parsed["statustype"], parsed.get("toelichting")),
    ),
    "documenten": _Action(
        DOCUMENT_REQUESTS,
        _documents_body,
        lambda p, case_id, parsed: (
            lambda c: c.request_documents(p, case_id, _document_requests(parsed), repeat=bool(parsed.get("repeat", False)))
        ),
    ),
    "bericht": _Action(NEW_MESSAGE, _message_body, _post_message),
}
# Where a problem the schema names (``documents.0.due``, ``link.url``) shows: the input, and the text naming it.
FIELDS = {
    "statustype": ("statustype", N_("Nieuwe status")),
    "toelichting": ("toelichting", N_("Toelichting voor de aanvrager (niet verplicht)")),
    "documents": ("omschrijving", N_("Welk document?")),
    "verdict": ("oordeel", N_("Uw oordeel")),
    "reason": ("reden", N_("Waarom vraagt u het opnieuw?")),
    "due": ("opnieuw_due", N_("Nieuwe uiterste datum (niet verplicht)")),
    "documents.0.due": ("due", N_("Uiterlijk (niet verplicht)")),
    "text": ("text", N_("Bericht")),
    "link": ("link_url", N_("Link (niet verplicht, begint met https://)")),
    "link.label": ("link_label", N_("Tekst van de link")),
}


@page(bp, WORK + "/zaken/{case_id}", roles=BEHANDELAAR, refused=ONLY_BEHANDELAAR, reads="view_case")
def case_page(visit: SignedIn, case_id: str) -> Response:
    """A case to work on: as the applicant sees it, what Baken sent and how it went, and the forms."""
    return _case(visit, case_id, saved=visit.query.get("opgeslagen"))


def _case(
    visit: SignedIn,
    case_id: str,
    *,
    status: int = 200,
    saved: str | None = None,
    action: str | None = None,
    form: dict[str, str] | None = None,
    errors: dict[str, Any] | None = None,
    preview: ChangePreview | None = None,
) -> Response:
    def values(view: CaseView, language: Language) -> dict[str, Any]:
        parties = wiring.services().case_queries.party_contacts(visit.principal, view.case)
        visit.audit_extra["contact_details_of"] = len(parties)  # the read of the case shows how to reach its parties
        return {
            "parties": [_party(party, language) for party in parties],
            "servicenorm": servicenorm_state(view.deadline, amsterdam_date(wiring.services().clock.now())).value,
            "paused_since": day(view.deadline.paused_since.isoformat(), language) if view.deadline.paused_since else None,
            "mine": view.case.behandelaar.id == visit.principal.subject,
            "statustypen": [(s.identificatie, s.omschrijving.in_(language)) for s in view.zaaktype.statustypen],
            "current_statustype": view.status.identificatie,
            "saved": saved if saved in (*ACTIONS, "ontvangen", "geaccepteerd", "opnieuw") else None,
            "to_review": list(view.case.documents_to_review),
            "download": f"{WORK}/zaken/{case_id}/bestanden/",
            "action": action,
            "form": form or {},
            "repeat_offered": False,
            **(errors or NO_ERRORS),
            "preview": _preview_context(preview, language) if preview else None,
        }

    return staff_case_page("work_case", visit.session, case_id, status, values, visit.language, page=f"{WORK}/zaken/{case_id}")


def _party(party: PartyContact, language: Language) -> dict[str, Any]:
    """A party of the case and how Baken reaches them, as the behandelaar's case page shows it."""
    subscriber = party.subscriber
    address = subscriber.postal_address if subscriber is not None else None
    channels = sorted(subscriber.reachable_channels) if subscriber is not None else []
    return {
        "role": translate(language, PARTY_ROLES[party.role]),
        "name": address.naam if address is not None else None,
        "email": subscriber.email if subscriber is not None else None,
        "address": f"{address.straat} {address.huisnummer}, {address.postcode} {address.woonplaats}" if address else None,
        "channels": [translate(language, DELIVERY_TEXTS[channel.value]) for channel in channels],
        "language": subscriber.language.value if subscriber is not None else None,
        "known": subscriber is not None,
    }


def _preview_context(preview: ChangePreview, language: Language) -> dict[str, Any]:
    return {
        "changed": preview.changed,
        "other_parties": preview.other_parties,
        "followers": preview.followers,
        "messages": [
            {
                "channel": message.channel.value,
                "title": message.title,
                "text": message.text,
                "held_until": moment(message.held_until, language) if message.held_until else None,
            }
            for message in preview.messages
        ],
    }


def _attempt(visit: SignedIn, case_id: str, action: str, spec: _Action) -> Response:
    """Checked by the API's schema, done (or previewed) by the API's command, then back to the case."""
    form = visit.form
    try:
        command = spec.command(visit.principal, case_id, spec.schema.parse(spec.body(form)))
        if form.get("actie") == PREVIEW:
            if not spec.previewable:  # nothing to preview: show the page again, do nothing
                return _case(visit, case_id, action=action, form=form)
            return _case(visit, case_id, action=action, form=form, preview=wiring.services().change_previews.preview(command))
        result = command(wiring.services().case_commands)
    except ValidationError as error:
        errors = form_errors([_in_words(issue, visit.language) for issue in error.issues], FIELDS, visit.language)
        # a document still open asked for again: say so, and offer to ask all the same
        errors["repeat_offered"] = any(issue.code == "already_requested" for issue in error.issues)
        return _case(visit, case_id, status=400, action=action, form=form, errors=errors)
    except DomainError as error:
        return _refusal(visit, case_id, error, action, form)
    if not result.changed:  # e.g. the status it already has: say so rather than pretend something happened
        unchanged = form_errors([Issue(FIRST_FIELD[action], "nothing_changed")], FIELDS, visit.language)
        return _case(visit, case_id, status=409, action=action, form=form, errors=unchanged)
    saved = action
    if action == "beoordeling":
        saved = "geaccepteerd" if form.get("oordeel") == "accepted" else "opnieuw"
    # the page opens at the confirmation (a redirect without a fragment would keep the form's own)
    return redirect(back_to(f"{WORK}/zaken/{case_id}", "opgeslagen", saved) + "#bevestiging")


def _in_words(issue: Issue, language: Language) -> Issue:
    """An issue whose date the page shows as people read it (``already_requested``: when it was asked)."""
    when = issue.params.get("requested_on")
    if isinstance(when, str):
        return Issue(issue.field, issue.code, {**issue.params, "requested_on": day(when, language)})
    return issue


# The field a change that changes nothing is about, per form.
FIRST_FIELD = {
    "status": "statustype",
    "documenten": "documents",
    "bericht": "text",
    "ontvangen": "documents",
    "beoordeling": "verdict",
}


def _refusal(visit: SignedIn, case_id: str, error: DomainError, action: str, form: dict[str, str]) -> Response:
    if isinstance(error, CaseRuleError | ConcurrentUpdateError):  # closed, or changed meanwhile: the page as it is now
        return _case(visit, case_id, status=409, action=action, form=form, errors=refusal_errors(error, visit.language))
    if isinstance(error, TooManyRequestsError):
        return too_many(error.retry_after)
    if isinstance(error, ForbiddenError):
        return message(403, N_("Een collega behandelt deze zaak. U kunt de zaak bekijken, maar niet wijzigen."))
    return not_found()  # no such case or document


def _form(path: str, action: str) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """A form on the case page: only for behandelaars, at most 20 fields, audited as ``work_<action>``."""
    return page(
        bp,
        WORK + "/zaken/{case_id}" + path,
        methods=("POST",),
        roles=BEHANDELAAR,
        refused=ONLY_BEHANDELAAR,
        action=f"work_{action}",
        max_fields=20,
    )


@_form("/status", "status")
def set_status(visit: SignedIn, case_id: str) -> Response:
    return _attempt(visit, case_id, "status", ACTIONS["status"])


@_form("/documenten", "documenten")
def request_documents(visit: SignedIn, case_id: str) -> Response:
    return _attempt(visit, case_id, "documenten", ACTIONS["documenten"])


@_form("/bericht", "bericht")
def post_message(visit: SignedIn, case_id: str) -> Response:
    return _attempt(visit, case_id, "bericht", ACTIONS["bericht"])


@_form("/documenten/{document_id}/ontvangen", "ontvangen")
def mark_received(visit: SignedIn, case_id: str, document_id: str) -> Response:
    """A requested document came in (by post, at the desk): the applicant is not sent anything for it."""

    def command(principal: Principal, case: str, _: dict[str, Any]) -> Command:
        return lambda commands: commands.mark_document_received(principal, case, document_id)

    return _attempt(visit, case_id, "ontvangen", _Action(EMPTY, lambda _: {}, command, previewable=False))


@_form("/documenten/{document_id}/beoordeling", "beoordeling")
def review_document(visit: SignedIn, case_id: str, document_id: str) -> Response:
    """A received document judged: accepted (the applicant sees it on the case page), or asked again with the
    reason (a new request: the applicant is told as of any request)."""
    return _attempt(visit, case_id, "beoordeling", _Action(DOCUMENT_REVIEW, _review_body, _review(document_id)))


@page(bp, WORK + "/zaken/{case_id}/bestanden/{file_id}", roles=STAFF_ROLES, refused=ONLY_BEHANDELAAR, reads="download_document")
def download(visit: SignedIn, case_id: str, file_id: str) -> Response:
    """A file the applicant sent in: a link to it that works for a minute."""
    try:
        url = wiring.services().document_uploads.download_url(visit.principal, case_id, file_id)
    except DomainError:
        return not_found()
    return redirect(url)


@_form("/vragen/{question_id}/antwoord", "antwoord")
def answer_question(visit: SignedIn, case_id: str, question_id: str) -> Response:
    """The answer to an applicant's question (``pages/_questions.html.j2``): a message to the parties, told like
    any message; the question is then answered. The same answer sent twice is one message."""
    from chalicelib.web.views import ANSWERED

    form = {**visit.form, "vraag": question_id}
    field = f"antwoord-{question_id}"
    try:
        wiring.services().questions.answer(visit.principal, case_id, question_id, visit.field("antwoord"))
    except ValidationError as error:
        errors = form_errors(error.issues, {"text": (field, N_("Uw antwoord"))}, visit.language)
        return _case(visit, case_id, status=400, action="antwoord", form=form, errors=errors)
    except QuestionNotFoundError:
        return not_found()
    except DomainError as error:
        return _refusal(visit, case_id, error, "antwoord", form)
    return redirect(back_to(f"{WORK}/zaken/{case_id}", ANSWERED, question_id) + "#antwoord-bevestiging")
