"""The KCC's pages (any medewerker may use them): find a case by its number, or the cases of a caller by the
e-mail address they get our messages at; see a case exactly as the applicant does plus what Baken sent them and
how that went; and record a contact moment (Klantinteracties fields: kanaal, onderwerp, inhoud — the internal
note —, vertrouwelijk, and tags for staff; and the optional sentence for the applicant, the only part the applicant
sees), which then shows on the case's timeline. Nothing here changes a case.
"""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, Response

from chalicelib import wiring
from chalicelib.domain.cases import MAX_CASE_NUMBER_LENGTH
from chalicelib.domain.contacts import FOR_APPLICANT_MAX, KANALEN
from chalicelib.domain.errors import CaseNotFoundError, DomainError, ValidationError
from chalicelib.domain.identity import STAFF
from chalicelib.domain.language import Language
from chalicelib.i18n import N_
from chalicelib.web.bodies import CASE_SEARCH, CONTACT_MOMENT, new_contact_moment
from chalicelib.web.forms import NO_ERRORS, back_to, form_errors
from chalicelib.web.pages import SignedIn, not_found, page, redirect, render
from chalicelib.web.texts import ONLY_STAFF, issue_text
from chalicelib.web.views import case_rows, staff_case_page

bp = Blueprint(__name__)


KCC = "/kcc"
CASES = "/kcc/zaken/"


def _problems(error: ValidationError, language: Language, *, named: bool = True) -> list[str]:
    """Each problem as people read it; ``named``: after the name of its field (``tags.1: ...``)."""
    texts = [(issue.field, issue_text(issue.code, issue.params, language)) for issue in error.issues]
    return [f"{field}: {text}" if named else text for field, text in texts]


def _search_page(visit: SignedIn, status: int = 200, **values: Any) -> Response:
    shown: dict[str, Any] = {"zoek": "", "errors": [], "not_found": None, "cases": [], **values}
    return render("kcc_search", status, csrf=visit.session.csrf, **shown)


def _number_in_query(visit: SignedIn) -> str | None:
    return "find_case" if (visit.query.get("zaaknummer") or "").strip() else None


@page(bp, KCC, roles=STAFF, refused=ONLY_STAFF, reads=_number_in_query)
def search(visit: SignedIn) -> Response:
    """The search form; ``?zaaknummer=`` (a link to a case by its number) opens that case's page (and is in the
    audit log: the form alone is not)."""
    number = (visit.query.get("zaaknummer") or "").strip()
    if not number:
        return _search_page(visit)
    return _find_by_number(visit, number)


def _search_action(visit: SignedIn) -> str:
    return "find_cases_by_email" if "@" in visit.field("zoek") else "find_case"


@page(bp, KCC, methods=("POST",), roles=STAFF, refused=ONLY_STAFF, action=_search_action, max_fields=10)
def search_posted(visit: SignedIn) -> Response:
    """The search form sent: a case number opens that case; an e-mail address lists the cases of whoever gets
    our messages there. The form is posted so that an address never ends up in a URL (browser history, logs).
    Every search leaves an audit line with the ids of the cases it showed, without what was searched for."""
    term = visit.field("zoek").strip()
    if "@" in term:
        return _find_by_email(visit, term)
    if term:
        return _find_by_number(visit, term)
    required = ValidationError.single("zoek", "required")
    return _search_page(visit, 400, errors=_problems(required, visit.language, named=False))


def _find_by_number(visit: SignedIn, number: str) -> Response:
    try:
        view = wiring.services().case_queries.find_by_number(visit.principal, number)
    except CaseNotFoundError:
        return _search_page(visit, 404, zoek=number[:MAX_CASE_NUMBER_LENGTH], not_found="kcc_not_found")
    except ValidationError as error:  # too long to be a case number: said, not looked up
        shown = number[:MAX_CASE_NUMBER_LENGTH]
        return _search_page(visit, 400, zoek=shown, errors=_problems(error, visit.language, named=False))
    visit.audit_extra["cases"] = [view.case.id]
    return redirect(f"{CASES}{view.case.id}")


def _find_by_email(visit: SignedIn, email: str) -> Response:
    try:
        address = CASE_SEARCH.parse({"email": email})["email"]
    except ValidationError as error:
        return _search_page(visit, 400, zoek=email, errors=_problems(error, visit.language, named=False))
    views = wiring.services().case_queries.find_by_email(visit.principal, address)
    visit.audit_extra["cases"] = [view.case.id for view in views]
    if not views:
        return _search_page(visit, 404, zoek=email, not_found="kcc_none_for_email")
    return _search_page(visit, zoek=email, cases=case_rows(views, visit.language, link=CASES))


@page(bp, CASES + "{case_id}", roles=STAFF, refused=ONLY_STAFF, reads="view_case")
def case_page(visit: SignedIn, case_id: str) -> Response:
    return _case(visit, case_id, saved=visit.query.get("vastgelegd") == "1")


# Where a problem with the contact moment's form shows: the field, and the text that names it.
CONTACT_FIELDS = {
    "kanaal": ("kanaal", N_("Kanaal")),
    "onderwerp": ("vraagonderwerp", N_("Onderwerp")),
    "vraagonderwerp": ("vraagonderwerp", N_("Onderwerp")),
    "inhoud": ("inhoud", N_("Interne notitie")),
    "for_applicant": ("for_applicant", N_("Tekst voor de aanvrager (niet verplicht)")),
    "tags": ("tags", N_("Labels (niet verplicht)")),
    "vertrouwelijk": ("vertrouwelijk", N_("Vertrouwelijk")),
}


def _case(
    visit: SignedIn, case_id: str, *, saved: bool = False, errors: dict[str, Any] | None = None, form: Any = None
) -> Response:
    values = {
        "kanalen": KANALEN,
        "for_applicant_max": FOR_APPLICANT_MAX,
        "saved": saved,
        **(errors or NO_ERRORS),
        "form": form or {},
        "download": f"/werk/zaken/{case_id}/bestanden/",  # the files sent in: staff read them there
    }
    status = 400 if errors else 200
    return staff_case_page(
        "kcc_case", visit.session, case_id, status, lambda _view, _language: values, visit.language, page=CASES + case_id
    )


def _tags(text: str) -> list[str]:
    """The tags typed in the form, separated by commas; empty parts (``dso,,termijn,``) left out."""
    return [part for part in text.split(",") if part.strip()]


@page(
    bp,
    CASES + "{case_id}/contactmomenten",
    methods=("POST",),
    roles=STAFF,
    refused=ONLY_STAFF,
    action="record_contact_moment",
    max_fields=10,
)
def record_contact(visit: SignedIn, case_id: str) -> Response:
    form = visit.form
    body: dict[str, Any] = {
        "kanaal": form.get("kanaal", ""),
        "inhoud": form.get("inhoud", ""),
        "vertrouwelijk": bool(form.get("vertrouwelijk")),
        "tags": _tags(form.get("tags", "")),
    }
    if form.get("vraagonderwerp", "").strip():  # none chosen: counted as "Iets anders"
        body["vraagonderwerp"] = form["vraagonderwerp"][:40]
    if form.get("for_applicant", "").strip():  # left empty: the applicant sees nothing of this contact
        body["for_applicant"] = form["for_applicant"]
    try:
        wiring.services().contact_registry.record(visit.principal, case_id, new_contact_moment(CONTACT_MOMENT.parse(body)))
    except ValidationError as error:
        return _case(visit, case_id, errors=form_errors(error.issues, CONTACT_FIELDS, visit.language), form=form)
    except DomainError:
        return not_found()
    return redirect(back_to(f"{CASES}{case_id}", "vastgelegd"))
