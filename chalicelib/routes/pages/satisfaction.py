"""Satisfaction measured: the question the closing e-mail links to, and the staff pages with the answers.

``/tevredenheid/{token}`` opens from the e-mail's links, without logging in: the signed token names the case and
the person (as a keyed hash) and works until the question closes, 30 days after the case closed. Opening it — one
click on a score — shows the form with that score chosen and records nothing (a mail scanner that follows links
answers nothing); its button (POST) records the answer, or changes it. A link that is not ours or was changed is
the not-found page; one that expired, or about a case opened again, says the question is closed (410).

``/werk/tevredenheid`` shows staff (behandelaars and the KCC) each product's answers per month of the decision
over the last 12 months, as a chart and a table; a month with fewer than 5 answers is not broken down.
``/werk/tevredenheid/{identificatie}`` lists a product's comments of one month, newest first, 20 to a page, for
behandelaars only (``COMMENT_READERS``: the KCC and everybody else get 403), and only for a month with at least 5
answers. Neither page shows who answered or about which case.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from chalice.app import Blueprint, Response

from chalicelib import wiring
from chalicelib.adapters.templates import month_name, month_short
from chalicelib.domain.errors import (
    CaseNotFoundError,
    ConcurrentUpdateError,
    Issue,
    SatisfactionClosedError,
    UnknownZaaktypeError,
    ValidationError,
)
from chalicelib.domain.language import Language
from chalicelib.domain.satisfaction import (
    COMMENT_KEY,
    COMMENT_READERS,
    STAFF_READERS,
    PublishedScores,
    SatisfactionReport,
)
from chalicelib.domain.servicenorms import SMALL_NUMBER, last_months
from chalicelib.domain.tokens import MAX_TOKEN_LENGTH, InvalidTokenError
from chalicelib.domain.workdays import amsterdam_date
from chalicelib.i18n import N_
from chalicelib.web.charts import share_chart
from chalicelib.web.forms import FORM, NO_ERRORS, back_to, form_errors
from chalicelib.web.pages import SignedIn, Visit, link_not_working, message, not_found, page, public_page, redirect, render
from chalicelib.web.texts import ONLY_STAFF
from chalicelib.web.views import SATISFACTION_ANCHOR, SATISFACTION_FLAG, satisfaction_question

bp = Blueprint(__name__)

LINK = "/tevredenheid"
FIGURES = "/werk/tevredenheid"
FIELDS = {"score": ("cijfer", N_("Hoe tevreden bent u?")), "comment": ("opmerking", N_("Opmerking"))}
COMMENT_FIELDS = {"maand": ("maand", N_("Maand")), "na": ("maand", N_("Volgende pagina"))}
CLOSED_TITLE = N_("Deze vraag is gesloten")
CLOSED = N_("U kunt deze vraag niet meer beantwoorden. Dat kon tot 30 dagen nadat uw zaak was afgerond. Bedankt voor de moeite.")
ONLY_COMMENT_READERS = N_("De opmerkingen van aanvragers zijn alleen voor behandelaars van de provincie.")
BUSY = N_("Uw antwoord kwam tegelijk met een ander antwoord binnen. Er is niets opgeslagen. Probeer het opnieuw.")


# --- the question, from the e-mail's links ------------------------------------------------------------------------


def _closed() -> Response:
    return message(410, CLOSED, title=CLOSED_TITLE)


@public_page(bp, LINK + "/{token}")
def question_page(visit: Visit, token: str) -> Response:
    """The form with the score of the link chosen (``?score=``); after an answer, the answer and a link to change
    it. Records nothing."""
    return _question(visit, token)


def _question(visit: Visit, token: str, *, status: int = 200, typed: dict[str, str] | None = None, **shown: Any) -> Response:
    try:
        question = wiring.services().satisfaction.by_link(token[:MAX_TOKEN_LENGTH])
    except SatisfactionClosedError:
        return _closed()
    except (InvalidTokenError, CaseNotFoundError):
        return link_not_working()
    case = question.case
    product = wiring.services().catalogue.get(case.zaaktype).omschrijving.in_(visit.language)
    path = f"{LINK}/{token}"
    return render(
        "satisfaction",
        status,
        case_number=case.case_number,
        product=product,
        closed_on=question.closed_on,
        question=satisfaction_question(question, visit.language, action=path, page=path, typed=typed),
        **{**NO_ERRORS, **shown},
    )


@public_page(bp, LINK + "/{token}", methods=("POST",), form_types=(FORM,), max_fields=10)
def answer_by_link(visit: Visit, token: str) -> Response:
    """Records the answer (or the change) and shows it; the same answer again changes nothing."""
    typed = {"score": visit.field("cijfer"), "comment": visit.field("opmerking")}
    token = token[:MAX_TOKEN_LENGTH]
    try:
        wiring.services().satisfaction.answer_by_link(token, typed["score"], typed["comment"])
    except ValidationError as error:
        return _question(visit, token, status=400, typed=typed, **form_errors(error.issues, FIELDS, visit.language))
    except SatisfactionClosedError:
        return _closed()
    except (InvalidTokenError, CaseNotFoundError):
        return link_not_working()
    except ConcurrentUpdateError:
        return message(409, BUSY)
    return redirect(f"{back_to(f'{LINK}/{token}', SATISFACTION_FLAG, 'bewaard')}#{SATISFACTION_ANCHOR}")


# --- staff: the figures and the comments --------------------------------------------------------------------------


def _mean(value: float | None, language: Language) -> str | None:
    """``3.8`` as people write it: ``3,8`` in Dutch."""
    if value is None:
        return None
    text = f"{value:.1f}"
    return text.replace(".", ",") if language is Language.NL else text


def _figures(report: SatisfactionReport, language: Language) -> dict[str, Any]:
    """A product's report as its chart and table show it: the share of 4 and 5 per month, newest month first."""

    def share(period: PublishedScores) -> float | None:
        return period.share_satisfied

    chart = share_chart(report.months, share, lambda month: month_short(month, language.value))
    months = [
        {"name": month_name(p.period, language.value), "figures": p, "period": p.period, "mean": _mean(p.mean, language)}
        for p in reversed(report.months)
    ]
    return {"report": report, "chart": chart, "months": months, "total_mean": _mean(report.total.mean, language)}


@page(bp, FIGURES, roles=STAFF_READERS, refused=ONLY_STAFF)
def figures(visit: SignedIn) -> Response:
    """Every product's answers over the last 12 months; behandelaars also get a link to each month's comments."""
    services = wiring.services()
    today = amsterdam_date(services.clock.now())
    reports = {r.zaaktype: r for r in services.satisfaction.reports_for(visit.principal, today)}
    products = sorted(services.catalogue, key=lambda z: z.omschrijving.in_(visit.language))
    reads = bool(visit.principal.roles & COMMENT_READERS)
    shown = [
        {
            "product": z,
            "comments_url": f"{FIGURES}/{z.identificatie}" if reads else None,
            **_figures(reports[z.identificatie], visit.language),
        }
        for z in products
    ]
    return render("satisfaction_figures", products=shown, threshold=SMALL_NUMBER, reads_comments=reads)


@page(bp, FIGURES + "/{identificatie}", roles=COMMENT_READERS, refused=ONLY_COMMENT_READERS, reads="satisfaction_comments")
def comments(visit: SignedIn, identificatie: str) -> Response:
    """A product's comments of one month (``?maand=YYYY-MM``, one of the last 12; the newest month with enough
    answers when not given), newest first, 20 to a page (``?na=`` continues)."""
    services = wiring.services()
    try:
        zaaktype = services.catalogue.get(identificatie)
    except UnknownZaaktypeError:
        return not_found()
    today = amsterdam_date(services.clock.now())
    months = last_months(today, 12)
    report = services.satisfaction.report(zaaktype.identificatie, today)
    shown: dict[str, Any] = {
        "product": zaaktype,
        "months": [{"value": m, "name": month_name(m, visit.language.value)} for m in reversed(months)],
        "threshold": SMALL_NUMBER,
        "comments": [],
        "too_few": False,
        "next": None,
        "first": None,
        "figures": None,
        "back": f"{FIGURES}?{urlencode({'lang': visit.language.value})}#{zaaktype.identificatie}",
    }
    enough = [p.period for p in report.months if not p.too_few]
    month = (visit.query.get("maand") or "").strip() or (enough[-1] if enough else months[-1])
    after = visit.query.get("na") or None
    issues = []
    if month not in months:
        issues.append(Issue("maand", "not_a_choice"))
    if after is not None and not COMMENT_KEY.fullmatch(after):
        issues.append(Issue("na", "invalid_cursor"))
    if issues:
        errors = form_errors(issues, COMMENT_FIELDS, visit.language)
        return render("satisfaction_comments", 400, **shown, month=None, month_name=None, chosen=month, **errors)
    found = services.satisfaction.comments(visit.principal, zaaktype.identificatie, month, after=after)
    next_page = None
    if found is not None and found.next is not None:
        next_page = (
            f"{FIGURES}/{zaaktype.identificatie}?{urlencode({'maand': month, 'na': found.next, 'lang': visit.language.value})}"
        )
    return render(
        "satisfaction_comments",
        **{
            **shown,
            "month": month,
            "chosen": month,
            "month_name": month_name(month, visit.language.value),
            "figures": report.month(month),
            "comments": list(found.comments) if found is not None else [],
            "too_few": found is None,
            "next": next_page,
            "first": f"{FIGURES}/{zaaktype.identificatie}?{urlencode({'maand': month, 'lang': visit.language.value})}"
            if after
            else None,
        },
        **NO_ERRORS,
    )
