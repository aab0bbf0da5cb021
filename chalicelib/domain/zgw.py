"""The zaaksysteem's language, as the ZGW APIs speak it: what a Notificaties API message and an NL GOV CloudEvent
say, what Baken reads of a zaak (Zaken API) and its zaaktype (Catalogi API), and how that becomes a Baken case.

Everything here is plain data and pure functions. Fetching is the ``ZaakSource`` port's work (an HTTP client
in ``chalicelib.adapters.zgw``); deciding what to write is ``plan_sync``'s: from the zaak as the zaaksysteem has
it now and the case as Baken stores it, the case states to write, one per real status transition in the order
the zaaksysteem set them — so a notification that arrives late, twice, or before an earlier one ends with the
zaaksysteem's state, and people are told once per transition, in order.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

from chalicelib.domain.cases import (
    Case,
    Counts,
    Extension,
    Location,
    Medewerker,
    StatusEntry,
    Suspension,
    _trimmed,
)
from chalicelib.domain.catalogue import Vertrouwelijkheid, Zaaktype
from chalicelib.domain.durations import Duration
from chalicelib.domain.errors import InvalidDurationError, Issue, ValidationError
from chalicelib.domain.reference import Point

# --- what arrives ------------------------------------------------------------------------------------------

ZAKEN_KANAAL = "zaken"
# A zaaktype or statustype changed in the Catalogi API: the catalogue is refreshed (when Baken reads it there).
ZAAKTYPEN_KANAAL = "zaaktypen"
CATALOGUE_RESOURCES = frozenset({"zaaktype", "statustype"})
# Open Notificaties checks a new abonnement's callback with a message on this kanaal: answered, nothing done.
TEST_KANAAL = "test"
# The resources of the kanaal ``zaken`` whose change can change what Baken shows (all lead to reading the zaak).
ZAAK_RESOURCES = frozenset({"zaak", "status", "rol", "zaakinformatieobject", "resultaat", "zaakobject", "zaakeigenschap"})
ACTIES = frozenset({"create", "update", "partial_update", "destroy"})
MAX_URL_LENGTH = 1000
# NL GOV CloudEvents about a zaak that Baken accepts (the type names VNG's Notificatieservices use).
CLOUDEVENT_TYPE_PREFIX = "nl.overheid.zaken."
_URL = re.compile(r"https?://[^\s]{1,990}")
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


class Handling(StrEnum):
    """What Baken does with a message it accepted: read the zaak, read the catalogue, or nothing (said why)."""

    SYNC = "sync"
    CATALOGUE = "catalogue"  # refresh the catalogue from the Catalogi API
    TEST = "test"  # the Notificatie component's callback check
    IGNORED = "ignored"  # a resource of the kanaal zaken that changes nothing Baken shows


@dataclass(frozen=True)
class ZaakNotice:
    """One accepted message, whatever its form: which zaak to read, and what the message said about it (for the
    kanaal ``zaaktypen``, ``zaak_url`` is the zaaktype's URL: the message's hoofdObject).
    ``id`` is stable for one message (redelivered: the same id), so queueing it twice is one piece of work."""

    id: str
    zaak_url: str
    resource: str
    actie: str
    resource_url: str
    at: datetime
    handling: Handling = Handling.SYNC

    def to_json(self) -> dict[str, str]:
        return {
            "id": self.id,
            "zaak_url": self.zaak_url,
            "resource": self.resource,
            "actie": self.actie,
            "resource_url": self.resource_url,
            "at": self.at.astimezone(UTC).isoformat(),
            "handling": self.handling.value,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ZaakNotice:
        return cls(
            id=str(data["id"]),
            zaak_url=str(data["zaak_url"]),
            resource=str(data["resource"]),
            actie=str(data["actie"]),
            resource_url=str(data["resource_url"]),
            at=datetime.fromisoformat(str(data["at"])),
            handling=Handling(str(data.get("handling", Handling.SYNC.value))),
        )


def _field(data: Mapping[str, Any], name: str, issues: list[Issue], *, url: bool = False, max_length: int = 200) -> str:
    value = data.get(name)
    if value is None:
        issues.append(Issue(name, "required"))
        return ""
    if not isinstance(value, str) or not value:
        issues.append(Issue(name, "expected_string"))
        return ""
    if url and (len(value) > MAX_URL_LENGTH or not _URL.fullmatch(value)):
        issues.append(Issue(name, "expected_url", {"max": MAX_URL_LENGTH}))
        return ""
    if not url and len(value) > max_length:
        issues.append(Issue(name, "too_long", {"max": max_length}))
        return ""
    return value


def _moment(data: Mapping[str, Any], name: str, issues: list[Issue], *, required: bool = True) -> datetime | None:
    value = data.get(name)
    if value is None:
        if required:
            issues.append(Issue(name, "required"))
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00")) if isinstance(value, str) else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        issues.append(Issue(name, "expected_datetime"))
        return None
    return moment


def notice_id(*parts: str) -> str:
    """A stable id for a message from what identifies it (no personal data in it: URLs, action and moment)."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "|".join(parts)))


def parse_notificatie(body: Any) -> ZaakNotice:
    """A Notificaties API message (``Notificatie``: kanaal, hoofdObject, resource, resourceUrl, actie,
    aanmaakdatum, kenmerken) as Baken handles it; ValidationError naming each bad field."""
    if not isinstance(body, Mapping):
        raise ValidationError.single("body", "expected_object")
    issues: list[Issue] = []
    kanaal = _field(body, "kanaal", issues, max_length=50)
    hoofd_object = _field(body, "hoofdObject", issues, url=True)
    resource = _field(body, "resource", issues, max_length=100)
    resource_url = _field(body, "resourceUrl", issues, url=True)
    actie = _field(body, "actie", issues, max_length=100)
    at = _moment(body, "aanmaakdatum", issues)
    kenmerken = body.get("kenmerken", {})
    if kenmerken is not None and not (
        isinstance(kenmerken, Mapping) and all(isinstance(v, str | None) for v in kenmerken.values())
    ):
        issues.append(Issue("kenmerken", "expected_object"))
    if kanaal and kanaal not in (ZAKEN_KANAAL, ZAAKTYPEN_KANAAL, TEST_KANAAL):
        issues.append(Issue("kanaal", "not_allowed", {"allowed": [ZAKEN_KANAAL, ZAAKTYPEN_KANAAL]}))
    if kanaal == ZAKEN_KANAAL and actie and actie not in ACTIES:
        issues.append(Issue("actie", "not_allowed", {"allowed": sorted(ACTIES)}))
    if issues or at is None:
        raise ValidationError(issues)
    handling = Handling.SYNC if resource in ZAAK_RESOURCES else Handling.IGNORED
    if kanaal == ZAAKTYPEN_KANAAL:
        handling = Handling.CATALOGUE if resource in CATALOGUE_RESOURCES else Handling.IGNORED
    if kanaal == TEST_KANAAL:
        handling = Handling.TEST
    ident = notice_id(kanaal, hoofd_object, resource, resource_url, actie, at.isoformat())
    return ZaakNotice(ident, hoofd_object, resource, actie, resource_url, at, handling)


def parse_cloudevent(body: Any) -> ZaakNotice:
    """An NL GOV CloudEvent about a zaak (structured mode, JSON): ``specversion`` 1.0, ``id``, ``source``,
    ``type`` ``nl.overheid.zaken.*`` (e.g. ``nl.overheid.zaken.zaakstatus-gewijzigd``), and where the zaak is:
    ``dataref`` or ``data.zaak`` (URL), or ``subject`` (its UUID) with ``data`` naming the zaak's URL."""
    if not isinstance(body, Mapping):
        raise ValidationError.single("body", "expected_object")
    issues: list[Issue] = []
    if body.get("specversion") != "1.0":
        issues.append(Issue("specversion", "not_allowed", {"allowed": ["1.0"]}))
    event_id = _field(body, "id", issues, max_length=200)
    source = _field(body, "source", issues, max_length=500)
    kind = _field(body, "type", issues, max_length=200)
    at = _moment(body, "time", issues, required=False)
    if kind and not kind.startswith(CLOUDEVENT_TYPE_PREFIX):
        issues.append(Issue("type", "not_allowed", {"allowed": [f"{CLOUDEVENT_TYPE_PREFIX}*"]}))
    data = body.get("data")
    dataref = body.get("dataref")
    zaak_url = ""
    if isinstance(dataref, str) and _URL.fullmatch(dataref) and len(dataref) <= MAX_URL_LENGTH:
        zaak_url = dataref
    elif isinstance(data, Mapping) and isinstance(data.get("zaak"), str) and _URL.fullmatch(data["zaak"]):
        zaak_url = data["zaak"]
    elif dataref is not None:
        issues.append(Issue("dataref", "expected_url", {"max": MAX_URL_LENGTH}))
    else:
        issues.append(Issue("dataref", "required"))
    subject = body.get("subject")
    if subject is not None and not (isinstance(subject, str) and len(subject) <= 200):
        issues.append(Issue("subject", "expected_string"))
    if issues:
        raise ValidationError(issues)
    resource = kind.removeprefix(CLOUDEVENT_TYPE_PREFIX)
    ident = notice_id("cloudevent", source, event_id)
    return ZaakNotice(ident, zaak_url, resource, "event", zaak_url, at or datetime.now(UTC), Handling.SYNC)


# --- what Baken reads of the zaaksysteem ---------------------------------------------------------------


@dataclass(frozen=True)
class ZgwStatustype:
    """Catalogi API StatusType."""

    url: str
    omschrijving: str
    volgnummer: int
    is_eindstatus: bool
    informeren: bool
    statustekst: str | None = None
    toelichting: str | None = None


@dataclass(frozen=True)
class ZgwZaaktype:
    """Catalogi API ZaakType, with its statustypen in process order."""

    url: str
    identificatie: str
    omschrijving: str
    doorlooptijd: Duration
    servicenorm: Duration | None
    verlenging_mogelijk: bool
    verlengingstermijn: Duration | None
    opschorting_mogelijk: bool
    publicatie_indicatie: bool
    vertrouwelijkheidaanduiding: Vertrouwelijkheid
    onderwerp: str
    statustypen: tuple[ZgwStatustype, ...]
    # the version: valid from ``begin_geldigheid`` up to and including ``einde_geldigheid`` (None: open-ended)
    begin_geldigheid: date | None = None
    einde_geldigheid: date | None = None
    versiedatum: date | None = None
    concept: bool = False

    def statustype(self, url: str) -> ZgwStatustype | None:
        return next((s for s in self.statustypen if s.url == url), None)


@dataclass(frozen=True)
class ZgwStatus:
    """Zaken API Status: each change is a new object."""

    url: str
    statustype: str  # URL
    datum_status_gezet: datetime
    statustoelichting: str | None = None


class BetrokkeneType(StrEnum):
    NATUURLIJK_PERSOON = "natuurlijk_persoon"
    NIET_NATUURLIJK_PERSOON = "niet_natuurlijk_persoon"
    ORGANISATORISCHE_EENHEID = "organisatorische_eenheid"
    MEDEWERKER = "medewerker"
    VESTIGING = "vestiging"


@dataclass(frozen=True)
class ZgwRol:
    """Zaken API Rol. ``identificatie`` is ``betrokkeneIdentificatie`` as the zaaksysteem gave it; it may hold a
    BSN (``inpBsn``): it is turned into a pseudonymous subject as soon as it is read and never stored."""

    url: str
    omschrijving_generiek: str
    betrokkene_type: str
    indicatie_machtiging: str | None
    identificatie: Mapping[str, Any]
    roltoelichting: str | None = None


@dataclass(frozen=True)
class ZgwZaak:
    """Zaken API Zaak: the fields Baken reads."""

    url: str
    uuid: str
    identificatie: str
    bronorganisatie: str
    omschrijving: str
    zaaktype: str  # URL
    registratiedatum: date
    startdatum: date
    einddatum: date | None
    vertrouwelijkheidaanduiding: Vertrouwelijkheid
    verlenging: tuple[str, Duration] | None = None  # (reden, duur)
    opschorting: tuple[bool, str] | None = None  # (indicatie, reden)
    zaakgeometrie: Point | None = None


@dataclass(frozen=True)
class ZaakSnapshot:
    """A zaak as the zaaksysteem has it now: the zaak, its zaaktype, all its statuses (oldest first), its rollen
    and the gemeenten of its zaakobjecten."""

    zaak: ZgwZaak
    zaaktype: ZgwZaaktype
    statuses: tuple[ZgwStatus, ...]
    rollen: tuple[ZgwRol, ...]
    gemeenten: tuple[str, ...] = ()


@dataclass(frozen=True)
class CatalogiListing:
    """What a catalogus in the Catalogi API offers today: the zaaktypen asked for, with their statustypen, and the
    identificaties of the others (read without their statustypen)."""

    zaaktypen: tuple[ZgwZaaktype, ...]
    others: tuple[str, ...] = ()


def duration_or_none(text: Any) -> Duration | None:
    if text in (None, ""):
        return None
    try:
        return Duration.parse(str(text))
    except InvalidDurationError:
        return None


# --- from the zaak to the case ------------------------------------------------------------------------------


class SyncProblem(StrEnum):
    """Why a zaak could not (yet) become a case: kept with the notice for the operator, never a crash."""

    UNKNOWN_ZAAKTYPE = "unknown_zaaktype"  # not in Baken's catalogue
    UNKNOWN_STATUSTYPE = "unknown_statustype"
    NO_INITIATOR = "no_initiator"
    NO_STATUS = "no_status"
    NUMBER_TAKEN = "number_taken"  # the identificatie is a case of Baken's own


class SyncRefused(Exception):
    def __init__(self, problem: SyncProblem, detail: str = "") -> None:
        self.problem = problem
        self.detail = detail
        super().__init__(f"{problem.value}: {detail}" if detail else problem.value)


@dataclass(frozen=True)
class Parties:
    """The rollen as Baken's subjects: the initiator, co-initiators, gemachtigden, and the behandelaar."""

    initiator: str
    co_initiators: tuple[str, ...]
    gemachtigden: tuple[str, ...]
    behandelaar: Medewerker


def case_id_for(zaak_url: str) -> str:
    """The case id of a zaak: derived from its URL, so every notification about it finds the same case."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, zaak_url))


def statustype_id(zaaktype: Zaaktype, statustype: ZgwStatustype) -> str:
    """Baken's statustype for the zaaksysteem's: the one with the same volgnummer (the catalogue's steps are the
    zaaksysteem's steps); SyncRefused when there is none."""
    for candidate in zaaktype.statustypen:
        if candidate.volgnummer == statustype.volgnummer:
            return candidate.identificatie
    raise SyncRefused(SyncProblem.UNKNOWN_STATUSTYPE, f"volgnummer {statustype.volgnummer}")


def status_entry_id(status_url: str) -> str:
    return f"zgw-{uuid.uuid5(uuid.NAMESPACE_URL, status_url)}"


def _suspensions(existing: Case | None, snapshot: ZaakSnapshot, today: date) -> tuple[Suspension, ...]:
    """The zaak's opschorting as Baken's suspensions: a new one opens when the indicatie turns on, the open one
    closes when it turns off; the ones before stay as they were."""
    earlier = existing.suspensions if existing else ()
    open_one = earlier[-1] if earlier and earlier[-1].end is None else None
    on = snapshot.zaak.opschorting is not None and snapshot.zaak.opschorting[0]
    if on and open_one is None:
        reden = snapshot.zaak.opschorting[1] if snapshot.zaak.opschorting else ""
        return (*earlier, Suspension(today, reden or "-"))
    if not on and open_one is not None:
        return (*earlier[:-1], replace(open_one, end=today))
    return earlier


def plan_sync(existing: Case | None, snapshot: ZaakSnapshot, zaaktype: Zaaktype, parties: Parties, now: datetime) -> list[Case]:
    """The case states to write, in order, to bring Baken's case to the zaaksysteem's state: the first creates the
    case (with the zaak's first status) or updates what is not a status (parties, place, verlenging,
    opschorting); then one state per status Baken does not have yet, oldest first — so each transition is a
    change of its own on the stream and is told on its own. Nothing to write: an empty list."""
    zaak = snapshot.zaak
    ordered = sorted(snapshot.statuses, key=lambda s: (s.datum_status_gezet, s.url))
    if not ordered:
        raise SyncRefused(SyncProblem.NO_STATUS)
    entries = [
        StatusEntry(
            status_entry_id(s.url),
            statustype_id(zaaktype, _known_statustype(snapshot.zaaktype, s.statustype)),
            s.datum_status_gezet,
            "zaaksysteem",
            (s.statustoelichting or None),
        )
        for s in ordered
    ]
    location = Location(
        tuple(dict.fromkeys(snapshot.gemeenten)) or (existing.location.gemeenten if existing else ()),
        zaak.zaakgeometrie or (existing.location.point if existing else None),
    )
    extension = existing.extension if existing else None
    if zaak.verlenging is not None and (extension is None or extension.duur != zaak.verlenging[1]):
        extension = Extension(zaak.verlenging[1], zaak.verlenging[0] or "-", now)
    today = now.date()
    if existing is None:
        # First sight of the zaak: one write with every status it has had, as an import is written, so only the
        # newest is told (a zaak Baken learns of late is not told step by step as if each were news).
        last = _known_statustype(snapshot.zaaktype, ordered[-1].statustype)
        created = Case(
            id=case_id_for(zaak.url),
            case_number=zaak.identificatie,
            zaaktype=zaaktype.identificatie,
            omschrijving=zaak.omschrijving,
            startdatum=zaak.startdatum,
            registered_at=datetime.combine(zaak.registratiedatum, datetime.min.time(), UTC),
            doorlooptijd=snapshot.zaaktype.doorlooptijd,
            servicenorm=snapshot.zaaktype.servicenorm,
            behandelaar=parties.behandelaar,
            initiator=parties.initiator,
            co_initiators=parties.co_initiators,
            location=location,
            vertrouwelijkheid=zaak.vertrouwelijkheidaanduiding,
            statuses=tuple(entries),
            counts=Counts(statuses=len(entries)),
            gemachtigden=parties.gemachtigden,
            extension=extension,
            suspensions=_suspensions(None, snapshot, today),
            closed_on=(zaak.einddatum or entries[-1].set_at.date()) if last.is_eindstatus else None,
            source=zaak.url,
        )
        return [_trimmed(created)]
    current = replace(
        existing,
        omschrijving=zaak.omschrijving,
        behandelaar=parties.behandelaar,
        initiator=parties.initiator,
        co_initiators=parties.co_initiators,
        gemachtigden=parties.gemachtigden,
        location=location,
        vertrouwelijkheid=zaak.vertrouwelijkheidaanduiding,
        extension=extension,
        suspensions=_suspensions(existing, snapshot, today),
    )
    states = [current] if current != existing else []
    known = {s.id for s in existing.statuses}
    newest_known = existing.current_status.set_at
    for entry, status in zip(entries, ordered, strict=True):
        if entry.id in known or entry.set_at < newest_known:
            # Baken has it, or it was set before what Baken already shows: telling it now would tell an old step
            # as news (the history Baken keeps starts where it first saw the zaak)
            continue
        closes = _known_statustype(snapshot.zaaktype, status.statustype).is_eindstatus
        counts = replace(current.counts, statuses=current.counts.statuses + 1)
        current = _trimmed(
            replace(
                current,
                statuses=(*current.statuses, entry),
                counts=counts,
                closed_on=(zaak.einddatum or entry.set_at.date()) if closes else current.closed_on,
            )
        )
        states.append(current)
    return states


def _known_statustype(zaaktype: ZgwZaaktype, url: str) -> ZgwStatustype:
    statustype = zaaktype.statustype(url)
    if statustype is None:
        raise SyncRefused(SyncProblem.UNKNOWN_STATUSTYPE, "not in the zaaktype's statustypen")
    return statustype


def rol_parties(rollen: Sequence[ZgwRol], pseudonym: Any, behandelaar_fallback: Medewerker) -> Parties:
    """Initiator, mede-initiators and gemachtigden from the zaak's rollen; ``pseudonym(rol)`` gives a rol's
    subject (None: not a party Baken can reach, e.g. an organisatorische eenheid). The behandelaar is the rol
    ``behandelaar`` of a medewerker."""
    initiator: str | None = None
    co: list[str] = []
    gemachtigden: list[str] = []
    behandelaar = behandelaar_fallback
    for rol in rollen:
        kind = rol.omschrijving_generiek
        if kind == "behandelaar" and rol.betrokkene_type == BetrokkeneType.MEDEWERKER:
            ident = str(rol.identificatie.get("identificatie") or "")
            name = " ".join(str(p) for p in (rol.identificatie.get("voorletters"), rol.identificatie.get("achternaam")) if p)
            if ident:
                behandelaar = Medewerker(ident, name or ident)
            continue
        subject = pseudonym(rol)
        if subject is None:
            continue
        if rol.indicatie_machtiging == "gemachtigde":
            gemachtigden.append(subject)
        elif kind == "initiator" and initiator is None:
            initiator = subject
        elif kind in ("initiator", "mede_initiator"):
            co.append(subject)
    if initiator is None:
        raise SyncRefused(SyncProblem.NO_INITIATOR)
    return Parties(
        initiator,
        tuple(dict.fromkeys(s for s in co if s != initiator)),
        tuple(dict.fromkeys(gemachtigden)),
        behandelaar,
    )
