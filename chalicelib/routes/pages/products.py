"""Public information, no login: each product (zaaktype) — what it is for, the conditions, the procedure as steps,
the legal term and the servicenorm in words, whether opschorting and verlenging are possible, what it costs and how
to apply — with how fast the province decided it over the last twelve months (``/producten/{identificatie}``); and
``/hoe-snel-zijn-wij``: every product's servicenorm kept, as charts and tables, with the open data beside them."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint, Response

from chalicelib import wiring
from chalicelib.adapters.templates import month_name, month_short
from chalicelib.domain.catalogue import Zaaktype
from chalicelib.domain.errors import UnknownZaaktypeError
from chalicelib.domain.servicenorms import SMALL_NUMBER, Published, Report
from chalicelib.domain.workdays import amsterdam_date
from chalicelib.web.charts import share_chart
from chalicelib.web.pages import Visit, not_found, public_page, render
from chalicelib.web.views import faq_rows

bp = Blueprint(__name__)


def _figures(zaaktype: Zaaktype, report: Report, language: str) -> dict[str, Any]:
    """A product's report as its chart and its table show it: the share within the servicenorm (within the legal
    term for a product without one)."""

    def share(period: Published) -> float | None:
        return period.share_within_servicenorm if zaaktype.servicenorm else period.share_within_term

    chart = share_chart(report.months, share, lambda month: month_short(month, language))
    months = [{"name": month_name(p.period, language), "figures": p} for p in reversed(report.months)]
    return {"report": report, "chart": chart, "months": months, "by_servicenorm": zaaktype.servicenorm is not None}


def _reports() -> tuple[list[Zaaktype], dict[str, Report]]:
    services = wiring.services()
    today = amsterdam_date(services.clock.now())
    products = sorted(services.catalogue, key=lambda z: z.omschrijving.nl)
    return products, {r.zaaktype: r for r in services.servicenorm_figures.reports(today)}


@public_page(bp, "/producten", actor="anonymous")
def products(visit: Visit) -> Response:
    return render("products", products=sorted(wiring.services().catalogue, key=lambda z: z.omschrijving.nl))


@public_page(bp, "/producten/{identificatie}", actor="anonymous")
def product(visit: Visit, identificatie: str) -> Response:
    services = wiring.services()
    try:
        zaaktype = services.catalogue.get(identificatie[:100])
    except UnknownZaaktypeError:
        return not_found()
    report = services.servicenorm_figures.report(zaaktype.identificatie, amsterdam_date(services.clock.now()))
    topic = services.reference.topic(zaaktype.onderwerp)
    return render(
        "product",
        product=zaaktype,
        topic=topic,
        threshold=SMALL_NUMBER,
        faqs=faq_rows(services.question_analysis.published(zaaktype.identificatie), visit.language),
        **_figures(zaaktype, report, visit.language.value),
    )


@public_page(bp, "/hoe-snel-zijn-wij", actor="anonymous")
def speed(visit: Visit) -> Response:
    found, reports = _reports()
    shown = [{"product": z, **_figures(z, reports[z.identificatie], visit.language.value)} for z in found]
    return render("speed", products=shown, threshold=SMALL_NUMBER)
