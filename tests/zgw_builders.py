"""A zaak as the zaaksysteem would give it (the dataclasses of chalicelib/domain/zgw.py), for unit and integration
tests: the story's subsidy zaak, whose zaaktype is the catalogue's subsidie-duurzame-recreatie."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

from chalicelib.domain.catalogue import Vertrouwelijkheid
from chalicelib.domain.durations import Duration
from chalicelib.domain.zgw import ZaakSnapshot, ZgwRol, ZgwStatus, ZgwStatustype, ZgwZaak, ZgwZaaktype
from tests.factories import SUBSIDIE, T0, zaaktype

ZAKEN = "https://zaken.example.nl/zaken/api/v1"
CATALOGI = "https://catalogi.example.nl/catalogi/api/v1"
ZAAK_URL = f"{ZAKEN}/zaken/5f2b6a3e-2a4f-4e0b-9f3f-1c2d3e4f5a6b"
MARK_BSN = "999993653"
FATIMA_BSN = "999990627"


def zgw_zaaktype() -> ZgwZaaktype:
    """The catalogue's subsidy zaaktype as a Catalogi API would describe it (statustype URLs by volgnummer)."""
    ours = zaaktype(SUBSIDIE)
    return ZgwZaaktype(
        url=f"{CATALOGI}/zaaktypen/aa000000-0000-4000-8000-000000000001",
        identificatie=ours.identificatie,
        omschrijving=ours.omschrijving.nl,
        doorlooptijd=ours.doorlooptijd,
        servicenorm=ours.servicenorm,
        verlenging_mogelijk=ours.verlenging_mogelijk,
        verlengingstermijn=ours.verlengingstermijn,
        opschorting_mogelijk=ours.opschorting_mogelijk,
        publicatie_indicatie=ours.publicatie_indicatie,
        vertrouwelijkheidaanduiding=ours.vertrouwelijkheidaanduiding,
        onderwerp=ours.onderwerp,
        statustypen=tuple(
            ZgwStatustype(
                url=statustype_url(s.volgnummer),
                omschrijving=s.omschrijving.nl,
                volgnummer=s.volgnummer,
                is_eindstatus=s.is_eindstatus,
                informeren=s.informeren,
                statustekst=s.statustekst.nl if s.statustekst else None,
            )
            for s in ours.statustypen
        ),
    )


def statustype_url(volgnummer: int) -> str:
    return f"{CATALOGI}/statustypen/bb000000-0000-4000-8000-{volgnummer:012d}"


def status(volgnummer: int, at: datetime, n: int | None = None, toelichting: str | None = None) -> ZgwStatus:
    return ZgwStatus(
        f"{ZAKEN}/statussen/cc000000-0000-4000-8000-{(n or volgnummer):012d}", statustype_url(volgnummer), at, toelichting
    )


def rol(kind: str, bsn: str | None = None, **extra: object) -> ZgwRol:
    if kind == "behandelaar":
        ident = {"identificatie": "mdw-anna-bakker", "achternaam": "Bakker", "voorletters": "A."}
        return ZgwRol(f"{ZAKEN}/rollen/{kind}", kind, "medewerker", None, ident)
    machtiging = extra.get("indicatie_machtiging")
    return ZgwRol(
        f"{ZAKEN}/rollen/{kind}-{bsn}",
        kind,
        "natuurlijk_persoon",
        str(machtiging) if machtiging else None,
        {"inpBsn": bsn, "geslachtsnaam": "Test"},
    )


def snapshot(*volgnummers: int, start: datetime = T0, **changes: object) -> ZaakSnapshot:
    """The zaak with a status per ``volgnummers`` (an hour apart, in that order), Mark initiator, Fatima
    mede-initiator, Anna behandelaar, in Utrechtse Heuvelrug."""
    zaak = ZgwZaak(
        url=ZAAK_URL,
        uuid="5f2b6a3e-2a4f-4e0b-9f3f-1c2d3e4f5a6b",
        identificatie="ZAAK-2026-0000123",
        bronorganisatie="002220647",
        omschrijving="Wandelroute langs de Heuvelrug",
        zaaktype=zgw_zaaktype().url,
        registratiedatum=date(2026, 10, 5),
        startdatum=date(2026, 10, 5),
        einddatum=None,
        vertrouwelijkheidaanduiding=Vertrouwelijkheid.ZAAKVERTROUWELIJK,
    )
    zaak = replace(zaak, **{k: v for k, v in changes.items() if hasattr(zaak, k)})  # type: ignore[arg-type]
    return ZaakSnapshot(
        zaak=zaak,
        zaaktype=zgw_zaaktype(),
        statuses=tuple(status(v, start + timedelta(hours=i)) for i, v in enumerate(volgnummers)),
        rollen=(rol("initiator", MARK_BSN), rol("mede_initiator", FATIMA_BSN), rol("behandelaar")),
        gemeenten=("GM1581",),
    )


SIX_WEEKS = Duration.parse("P6W")
