"""Questions analysed, for staff: per product, the onderwerpen questions came in on over the last twelve weeks
(KCC contact moments and questions through the portal), their trend and the share answered at the first contact;
and the veelgestelde vraag a behandelaar writes from it, shown on the product page and the case pages of that
product, with how often the question came in before and after it was published."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from chalice.app import Blueprint, Response

from chalicelib import wiring
from chalicelib.domain.errors import ConcurrentUpdateError, DomainError, ValidationError
from chalicelib.domain.identity import STAFF, Role
from chalicelib.domain.language import Language
from chalicelib.domain.question_topics import REPORT_WEEKS, TREND_WEEKS, WINDOW_WEEKS, clean_faq, monday_of
from chalicelib.i18n import N_, translate
from chalicelib.web.forms import NO_ERRORS, back_to, form_errors
from chalicelib.web.pages import SignedIn, not_found, page, redirect, render
from chalicelib.web.texts import ONLY_BEHANDELAAR
from chalicelib.web.views import day, decimal

if TYPE_CHECKING:
    from chalicelib.services.question_topics import FaqFigures, ProductQuestions

bp = Blueprint(__name__)

QUESTIONS = "/werk/vragen"
ONLY_STAFF = N_("Deze pagina is voor medewerkers van de provincie.")
SAVED = "opgeslagen"
CHANGED_MEANWHILE = N_(
    "Iemand anders heeft deze veelgestelde vraag net gewijzigd. Hieronder staat de nieuwe tekst. Voer uw wijziging opnieuw in."
)
TREND_TEXTS = {
    "up": N_("meer"),
    "down": N_("minder"),
    "same": N_("gelijk"),
    "none": N_("geen vragen"),
}
FAQ_FIELDS = {
    "vraag_nl": ("vraag_nl", N_("Vraag in het Nederlands")),
    "antwoord_nl": ("antwoord_nl", N_("Antwoord in het Nederlands")),
    "vraag_en": ("vraag_en", N_("Vraag in het Engels (niet verplicht)")),
    "antwoord_en": ("antwoord_en", N_("Antwoord in het Engels (niet verplicht)")),
    "onderwerp": ("vraag_nl", N_("Onderwerp")),
}


def _week_label(week: str, language: Language) -> str:
    number = int(week.split("-W")[1])
    monday = day(monday_of(week).isoformat(), language)
    return translate(language, N_("week %(number)s (vanaf %(day)s)"), number=number, day=monday)


def _effect(found: FaqFigures, language: Language) -> dict[str, Any]:
    effect = found.effect
    return {
        "published": day(found.faq.published_at.isoformat(), language),
        "updated": day(found.faq.updated_at.isoformat(), language),
        "weeks_before": effect.weeks_before,
        "before": decimal(effect.before, language),
        "weeks_after": effect.weeks_after,
        "after": None if effect.after is None else decimal(effect.after, language),
    }


def _report(found: ProductQuestions, language: Language) -> dict[str, Any]:
    topics: list[dict[str, Any]] = []
    for figures in found.topics:
        share = figures.answered_share
        topics.append(
            {
                "code": figures.topic.code,
                "name": figures.topic.naam.in_(language),
                "questions": figures.questions,
                "per_week": figures.per_week,
                "trend": translate(language, TREND_TEXTS[figures.trend.value]),
                "answered": None if share is None else round(share * 100),
                "faq": _effect(found.faqs[figures.topic.code], language) if figures.topic.code in found.faqs else None,
                "managed": any(t.code == figures.topic.code for t in found.zaaktype.question_topics),
            }
        )
    shown = [t for t in topics if t["questions"]][:5]  # the week table's columns: the five most asked
    weeks = [
        {"label": _week_label(week, language), "counts": [t["per_week"][i] for t in shown], "total": found.per_week[i]}
        for i, week in reversed(list(enumerate(found.weeks)))
    ]
    return {"topics": topics, "columns": shown, "weeks": weeks, "total": found.questions}


@page(bp, QUESTIONS, roles=STAFF, refused=ONLY_STAFF)
def analysis(visit: SignedIn) -> Response:
    services = wiring.services()
    products = sorted(services.catalogue, key=lambda z: z.omschrijving.in_(visit.language))
    chosen = visit.query.get("product") or products[0].identificatie
    if chosen not in {z.identificatie for z in products}:
        return not_found()
    found = services.question_analysis.report(visit.principal, chosen)
    saved = visit.query.get(SAVED)
    return render(
        "work_questions",
        products=[{"id": z.identificatie, "name": z.omschrijving.in_(visit.language)} for z in products],
        product=found.zaaktype,
        report_weeks=REPORT_WEEKS,
        trend_weeks=TREND_WEEKS,
        window_weeks=WINDOW_WEEKS,
        may_write=visit.principal.has(Role.BEHANDELAAR),
        saved=next((t.naam.in_(visit.language) for t in found.zaaktype.question_topics if t.code == saved), None),
        **_report(found, visit.language),
    )


def _editor(visit: SignedIn, zaaktype: str, onderwerp: str, status: int = 200, **values: Any) -> Response:
    try:
        found, topic, faq = wiring.services().question_analysis.faq(visit.principal, zaaktype[:100], onderwerp[:40])
    except (ValidationError, DomainError):
        return not_found()
    form = values.pop("form", None)
    if form is None and faq is not None:
        form = {
            "vraag_nl": faq.vraag.nl,
            "antwoord_nl": faq.antwoord.nl,
            "vraag_en": faq.vraag.en if faq.has_english else "",
            "antwoord_en": faq.antwoord.en if faq.has_english else "",
            "gelezen": faq.updated_at.isoformat(),
        }
    return render(
        "faq_edit",
        status,
        product=found,
        topic={"code": topic.code, "name": topic.naam.in_(visit.language)},
        faq=faq,
        published=day(faq.published_at.isoformat(), visit.language) if faq else None,
        form=form or {},
        csrf=visit.session.csrf,
        **{**NO_ERRORS, **values},
    )


@page(bp, QUESTIONS + "/{zaaktype}/{onderwerp}", roles=frozenset({Role.BEHANDELAAR}), refused=ONLY_BEHANDELAAR)
def edit_faq(visit: SignedIn, zaaktype: str, onderwerp: str) -> Response:
    return _editor(visit, zaaktype, onderwerp)


@page(
    bp,
    QUESTIONS + "/{zaaktype}/{onderwerp}",
    methods=("POST",),
    roles=frozenset({Role.BEHANDELAAR}),
    refused=ONLY_BEHANDELAAR,
    action="write_faq",
    max_fields=10,
)
def save_faq(visit: SignedIn, zaaktype: str, onderwerp: str) -> Response:
    form = {name: visit.field(name) for name in ("vraag_nl", "antwoord_nl", "vraag_en", "antwoord_en", "gelezen")}
    analysis = wiring.services().question_analysis
    try:
        read = _read_at(form["gelezen"])
        text = clean_faq(form["vraag_nl"], form["antwoord_nl"], form["vraag_en"], form["antwoord_en"])
        analysis.write(visit.principal, zaaktype[:100], onderwerp[:40], text, read=read)
    except ValidationError as error:
        return _editor(visit, zaaktype, onderwerp, 400, form=form, **form_errors(error.issues, FAQ_FIELDS, visit.language))
    except ConcurrentUpdateError:
        conflict = translate(visit.language, CHANGED_MEANWHILE)
        return _editor(visit, zaaktype, onderwerp, 409, errors=[{"anchor": None, "text": conflict}], field_errors={})
    except DomainError:
        return not_found()
    target = back_to(QUESTIONS, SAVED, onderwerp)
    return redirect(f"{target}&product={quote(zaaktype, safe='')}#onderwerp-{quote(onderwerp, safe='')}")


def _read_at(text: str) -> datetime | None:
    """When the version the editor started from was saved (the form's ``gelezen``); None for a new one."""
    if not text:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise ValidationError.single("onderwerp", "form_out_of_date") from None
