"""Open routes: health, the catalogue of zaaktypen, so conditions, procedure and deadlines are transparent
to everybody before they apply, the servicenormen kept (open data, JSON and CSV), and the OpenAPI document of the
JSON API."""

from __future__ import annotations

from typing import Any

from chalice.app import Blueprint

from chalicelib import wiring
from chalicelib.config import settings
from chalicelib.web.endpoint import RequestContext, endpoint
from chalicelib.web.presenters import zaaktype_json
from chalicelib.web.responses import CSV_TEXT, HEALTH, OPENAPI_DOCUMENT, SERVICENORM_PERIOD, SERVICENORMEN, ZAAKTYPEN, ref

bp = Blueprint(__name__)


@endpoint(bp, "/api/health", action="health", public=True, summary="Whether Baken is up", response=HEALTH)
def health(ctx: RequestContext) -> Any:
    return {"status": "ok", "stage": settings().stage}


@endpoint(
    bp,
    "/api/zaaktypen",
    action="list_zaaktypen",
    public=True,
    summary="Every product: conditions, procedure steps, doorlooptijd and servicenorm",
    response=ZAAKTYPEN,
)
def zaaktypen(ctx: RequestContext) -> Any:
    return {"zaaktypen": [zaaktype_json(z, ctx.language) for z in wiring.services().catalogue]}


@endpoint(
    bp,
    "/api/zaaktypen/{identificatie}",
    action="view_zaaktype",
    public=True,
    summary="One product",
    response=ref("Zaaktype"),
)
def zaaktype(ctx: RequestContext, identificatie: str) -> Any:
    return zaaktype_json(wiring.services().catalogue.get(identificatie), ctx.language)


def _csv_value(value: Any) -> Any:
    if value is None:
        return ""
    return str(value).lower() if isinstance(value, bool) else value


def _servicenormen(ctx: RequestContext) -> dict[str, Any]:
    from chalicelib.domain.servicenorms import SMALL_NUMBER, last_months
    from chalicelib.domain.workdays import amsterdam_date

    services = wiring.services()
    today = amsterdam_date(services.clock.now())
    catalogue = {z.identificatie: z for z in services.catalogue}
    return {
        "threshold": SMALL_NUMBER,
        "months": last_months(today),
        "zaaktypen": [
            {
                "zaaktype": r.zaaktype,
                "omschrijving": catalogue[r.zaaktype].omschrijving.in_(ctx.language),
                "doorlooptijd": str(catalogue[r.zaaktype].doorlooptijd),
                "servicenorm": str(catalogue[r.zaaktype].servicenorm) if catalogue[r.zaaktype].servicenorm else None,
                "months": [m.to_json() for m in r.months],
                "total": r.total.to_json(),
            }
            for r in services.servicenorm_figures.reports(today)
        ],
    }


@endpoint(
    bp,
    "/api/servicenormen",
    action="servicenormen",
    public=True,
    summary="Servicenormen kept: per product and month, the share decided within the servicenorm and the legal term",
    response=SERVICENORMEN,
)
def servicenormen(ctx: RequestContext) -> Any:
    return _servicenormen(ctx)


@endpoint(
    bp,
    "/api/servicenormen.csv",
    action="servicenormen_csv",
    public=True,
    summary="The same as CSV: a row per product and period",
    response=CSV_TEXT,
    response_type="text/csv",
)
def servicenormen_csv(ctx: RequestContext) -> Any:
    import csv
    import io

    from chalice.app import Response

    out = io.StringIO()
    columns = list(SERVICENORM_PERIOD["properties"])
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["zaaktype", *columns])
    for zaaktype in _servicenormen(ctx)["zaaktypen"]:
        for row in [*zaaktype["months"], zaaktype["total"]]:
            writer.writerow([zaaktype["zaaktype"], *(_csv_value(row[name]) for name in columns)])
    return Response(
        body=out.getvalue(),
        status_code=200,
        headers={"Content-Type": "text/csv; charset=utf-8", "Content-Disposition": 'inline; filename="servicenormen.csv"'},
    )


@endpoint(bp, "/openapi.json", action="openapi", public=True, summary="This document", response=OPENAPI_DOCUMENT)
def openapi(ctx: RequestContext) -> Any:
    """The OpenAPI 3.1 document of the JSON API, generated from the routes themselves."""
    from chalicelib.web.endpoint import OPERATIONS
    from chalicelib.web.openapi import document

    return document(OPERATIONS, bp.current_app.routes)
