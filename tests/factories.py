"""Test data in one place: the real catalogue and reference data, and builders for cases and subscriptions."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache

from chalicelib import wiring
from chalicelib.domain.cases import Case, Location, Medewerker, StatusEntry, open_case
from chalicelib.domain.catalogue import Catalogue, Zaaktype
from chalicelib.domain.language import Language
from chalicelib.domain.reference import ReferenceData
from chalicelib.domain.subscriptions import Channel, Frequency, Interest, Subscriber, SubscriptionEntry
from chalicelib.services.ports import Clock

SUBSIDIE = "subsidie-duurzame-recreatie"
VERGUNNING = "ontgrondingsvergunning"
MELDING = "melding-provinciale-weg"
KLACHT = "klacht"
ANNA = Medewerker("mdw-anna-bakker", "Anna Bakker")
MARK = "pu-mark-3f9a1c"
FATIMA = "pu-fatima-8d21e4"
JAN = "pu-jan-51c7b0"
T0 = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)

_ids = itertools.count(1)


def next_id(prefix: str = "id") -> str:
    return f"{prefix}-{next(_ids):06d}"


@lru_cache(maxsize=1)
def reference() -> ReferenceData:
    return wiring.reference_data()


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    return wiring.catalogue_data()


def zaaktype(identificatie: str = SUBSIDIE) -> Zaaktype:
    return catalogue().get(identificatie)


def a_case(
    *,
    zaaktype_id: str = SUBSIDIE,
    initiator: str = MARK,
    co_initiators: tuple[str, ...] = (FATIMA,),
    gemeenten: tuple[str, ...] = ("GM1581",),
    startdatum: date = date(2026, 10, 5),
    registered_at: datetime = T0,
    version: int = 1,
) -> Case:
    case = open_case(
        case_id=next_id("case"),
        case_number=f"{zaaktype(zaaktype_id).case_number_prefix}-2026-{next(_ids):06d}",
        zaaktype=zaaktype(zaaktype_id),
        omschrijving="Duurzame recreatie op de Heuvelrug",
        startdatum=startdatum,
        registered_at=registered_at,
        behandelaar=ANNA,
        initiator=initiator,
        co_initiators=co_initiators,
        location=Location(gemeenten),
        first_status_id=next_id("status"),
    )
    return replace(case, version=version)


def status(statustype: str, at: datetime | None = None, toelichting: str | None = None) -> StatusEntry:
    return StatusEntry(next_id("status"), statustype, at or T0 + timedelta(days=1), ANNA.id, toelichting)


def subscription(interest: Interest, subscriber_id: str) -> SubscriptionEntry:
    """An index entry: ``subscriber_id`` follows ``interest`` (how they hear of it is in their subscriber record)."""
    return SubscriptionEntry(interest, subscription_id=f"sub-{subscriber_id}-{interest.key}", subscriber_id=subscriber_id)


def person(
    subscriber_id: str,
    *,
    channels: frozenset[Channel] = frozenset({Channel.EMAIL, Channel.PORTAL}),
    language: Language = Language.NL,
    frequency: Frequency = Frequency.IMMEDIATELY,
    quiet_hours: bool = False,
) -> Subscriber:
    """A subscriber with an e-mail address and these choices (quiet hours off, so nothing waits for the morning)."""
    return Subscriber(
        subscriber_id, f"{subscriber_id}@example.org", language, channels, T0, frequency=frequency, quiet_hours=quiet_hours
    )


def subscriber(
    subscriber_id: str, email: str | None = None, language: Language = Language.NL, *, quiet_hours: bool = False
) -> Subscriber:
    return Subscriber(subscriber_id, email, language, frozenset({Channel.EMAIL, Channel.PORTAL}), T0, quiet_hours=quiet_hours)


class FixedClock(Clock):
    """A clock that moves only when told to."""

    def __init__(self, now: datetime) -> None:
        self.current = now

    def now(self) -> datetime:
        return self.current

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)
