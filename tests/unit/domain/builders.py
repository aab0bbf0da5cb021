"""Builders for the domain unit tests: raw catalogue and reference data to break on purpose, and principals."""

from __future__ import annotations

from typing import Any

from chalicelib.domain.identity import Principal, Role

KNOWN_TOPICS = ("subsidies", "vergunningen")


def text(nl: str, en: str | None = None) -> dict[str, str]:
    return {"nl": nl, "en": en or nl}


def statustype_data(
    identificatie: str, volgnummer: int, *, informeren: bool = True, eindstatus: bool = False, **overrides: Any
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "identificatie": identificatie,
        "volgnummer": volgnummer,
        "omschrijving": text(identificatie.capitalize()),
        "informeren": informeren,
        "isEindstatus": eindstatus,
    }
    if informeren:
        data["statustekst"] = text(f"Uw zaak is {identificatie}.", f"Your case is {identificatie}.")
    data.update(overrides)
    return data


def zaaktype_data(identificatie: str = "test-subsidie", **overrides: Any) -> dict[str, Any]:
    """A valid zaaktype in the data file's shape; ``overrides`` replace top-level keys."""
    data: dict[str, Any] = {
        "identificatie": identificatie,
        "omschrijving": text("Testsubsidie", "Test grant"),
        "product": "subsidie",
        "caseNumberPrefix": "TST",
        "onderwerp": "subsidies",
        "doorlooptijd": "P8W",
        "servicenorm": "P6W",
        "verlengingMogelijk": True,
        "verlengingstermijn": "P6W",
        "opschortingEnAanhoudingMogelijk": True,
        "publicatieIndicatie": False,
        "vertrouwelijkheidaanduiding": "zaakvertrouwelijk",
        "informatieUrl": "https://www.provincie-utrecht.nl/loket/test",
        "voorwaarden": text("Voorwaarden", "Conditions"),
        "statustypen": [
            statustype_data("ontvangen", 1),
            statustype_data("in-behandeling", 2),
            statustype_data("afgehandeld", 3, eindstatus=True),
        ],
    }
    data.update(overrides)
    return data


def catalogue_data(*zaaktypen: dict[str, Any]) -> dict[str, Any]:
    return {"zaaktypen": list(zaaktypen) or [zaaktype_data()]}


def gemeente_data(code: str = "GM0344", naam: str = "Utrecht") -> dict[str, Any]:
    return {"code": code, "naam": naam, "centre": [52.0907, 5.1214], "population": 370000}


def topic_data(slug: str = "subsidies") -> dict[str, Any]:
    return {"slug": slug, "naam": text("Naam", "Name"), "beschrijving": text("Beschrijving", "Description")}


def applicant(subject: str, *, represents: str | None = None) -> Principal:
    return Principal(subject, frozenset({Role.APPLICANT}), represents=represents)


def employee(subject: str, *roles: Role) -> Principal:
    return Principal(subject, frozenset(roles))
