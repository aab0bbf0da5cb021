"""NL GOV CloudEvents that Baken publishes for what it did: the facts the rest of the chain may want to know.

The NL GOV profile of CloudEvents 1.0 (Logius): ``specversion`` "1.0"; ``id`` unique per fact and the same for a
fact delivered again, so consumers can drop a duplicate (a UUID derived from the fact's own persistent id, see
``fact_id``); ``source`` the URN of the sending system (``urn:nld:oin:<OIN>:systeem:baken``); ``type`` in reverse
DNS; ``subject`` an id (never a name, an address or a BSN); ``time`` when the fact was recorded;
``datacontenttype`` application/json; ``dataref`` the Baken API address where an authorised reader finds the
details ("informatiearm notificeren": the event itself says little); ``sequence`` the order of the facts about one
case. Attribute names are a-z and 0-9, at most 20 characters.

The types (``EventType``):

- ``nl.provincie-utrecht.baken.notificatie-verzonden`` — a notification was handed to its channel (the e-mail
  provider accepted it, the berichtenbox message was written, the letter was queued for the print partner);
- ``nl.provincie-utrecht.baken.notificatie-technisch-mislukt`` — it could not be sent: the retry budget was spent,
  or a fault in Baken (``data.reason``); an operator's redrive may still send it;
- ``nl.provincie-utrecht.baken.notificatie-definitief-mislukt`` — it will never arrive: no address, refused by
  the provider, opted out (``data.reason``);
- ``nl.provincie-utrecht.baken.abonnement-gestart`` / ``abonnement-gestopt`` — a subscription became active
  (confirmed, or made for a party of a case) / ended;
- ``nl.provincie-utrecht.baken.contactmoment-geregistreerd`` — the KCC or a behandelaar recorded a contact;
- ``nl.provincie-utrecht.baken.aankondiging-goedgekeurd`` — a second behandelaar approved an announcement.

``sequence``: for facts about a case, a fixed-width (20 digits) count of microseconds since 1970 of the moment
the fact was recorded, so that it sorts as text. These facts never write the case item (outcomes live in the
outbox, contact moments beside the case), so the case's version does not move with them; a counter on the case
item would add a conditional write, contending with the behandelaar's own writes, to every notification of a
case with many followers. A timestamp orders a case's facts up to the clock difference between two Lambda
instances (milliseconds); consumers that need a strict order compare ``sequence`` and then ``id``. For an
announcement and a subscription the item's own version counter is used (``revision``/``version``), zero-padded
the same way: each is its own "case".
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"
TYPE_PREFIX = "nl.provincie-utrecht.baken."
SYSTEM_NAME = "baken"
# The namespace of the derived event ids (a fixed, random UUID: ids never collide with other systems' UUIDv5s).
ID_NAMESPACE = uuid.UUID("6f1d3c1e-5b0a-4c7e-9d59-3c8a1b2e4f70")
ATTRIBUTE_NAME = re.compile(r"[a-z0-9]{1,20}")
OIN_PATTERN = re.compile(r"\d{20}")
SEQUENCE_WIDTH = 20


class EventType(StrEnum):
    NOTIFICATION_SENT = f"{TYPE_PREFIX}notificatie-verzonden"
    NOTIFICATION_TECHNICAL_FAILURE = f"{TYPE_PREFIX}notificatie-technisch-mislukt"
    NOTIFICATION_PERMANENT_FAILURE = f"{TYPE_PREFIX}notificatie-definitief-mislukt"
    SUBSCRIPTION_STARTED = f"{TYPE_PREFIX}abonnement-gestart"
    SUBSCRIPTION_STOPPED = f"{TYPE_PREFIX}abonnement-gestopt"
    CONTACT_MOMENT_RECORDED = f"{TYPE_PREFIX}contactmoment-geregistreerd"
    ANNOUNCEMENT_APPROVED = f"{TYPE_PREFIX}aankondiging-goedgekeurd"


EVENT_TYPES = tuple(t.value for t in EventType)
"""Every type Baken publishes (the README lists them with a sample each)."""


class InvalidCloudEventError(ValueError):
    """An event that breaks the NL GOV profile: a bug in Baken, never sent."""


@dataclass(frozen=True)
class CloudEvent:
    """One event; ``data`` holds ids and codes only (no personal data, no free text)."""

    id: str
    type: EventType
    source: str
    subject: str
    time: datetime
    data: dict[str, Any]
    dataref: str | None = None
    sequence: str | None = None
    extensions: dict[str, str] = field(default_factory=dict)

    def attributes(self) -> dict[str, Any]:
        """The event in the structured JSON format (CloudEvents JSON event format), attribute names checked."""
        document: dict[str, Any] = {
            "specversion": SPEC_VERSION,
            "id": self.id,
            "source": self.source,
            "type": self.type.value,
            "subject": self.subject,
            "time": _rfc3339(self.time),
            "datacontenttype": CONTENT_TYPE,
        }
        if self.dataref is not None:
            document["dataref"] = self.dataref
        if self.sequence is not None:
            document["sequence"] = self.sequence
        document.update(self.extensions)
        wrong = [name for name in document if not ATTRIBUTE_NAME.fullmatch(name)]
        if wrong:
            raise InvalidCloudEventError(f"attribute names must be a-z0-9, at most 20 characters: {', '.join(wrong)}")
        document["data"] = self.data
        return document

    def to_json(self) -> str:
        return json.dumps(self.attributes(), separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def fact_id(*parts: str) -> str:
    """The event id of a fact: a UUID (version 5) of the fact's persistent key, so the same fact published again
    (a retried batch, a redelivered message) carries the same id."""
    return str(uuid.uuid5(ID_NAMESPACE, "/".join(parts)))


def time_sequence(moment: datetime) -> str:
    """``sequence`` of a fact about a case: microseconds since 1970 (UTC), 20 digits, so it sorts as text."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    micros = int(aware.timestamp()) * 1_000_000 + aware.microsecond
    return str(micros).zfill(SEQUENCE_WIDTH)


def counter_sequence(value: int) -> str:
    """``sequence`` from an item's own version counter, zero-padded to sort as text."""
    return str(max(value, 0)).zfill(SEQUENCE_WIDTH)


def _rfc3339(moment: datetime) -> str:
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True)
class EventSource:
    """Who sends (the province's OIN) and where the details are (Baken's API), for every event built."""

    oin: str
    api_url: str  # https://<portal host>; the API is under /api

    def __post_init__(self) -> None:
        if not OIN_PATTERN.fullmatch(self.oin):
            raise InvalidCloudEventError("an OIN is 20 digits")

    @property
    def urn(self) -> str:
        return f"urn:nld:oin:{self.oin}:systeem:{SYSTEM_NAME}"

    def url(self, path: str) -> str:
        return f"{self.api_url.rstrip('/')}{path}"


class NotificationOutcome(StrEnum):
    """The final statuses that are published, as the outbox names them (``NotificationStatus``)."""

    DELIVERED = "delivered"
    TECHNICAL_FAILURE = "technical-failure"
    PERMANENT_FAILURE = "permanent-failure"


_OUTCOME_TYPES = {
    NotificationOutcome.DELIVERED: EventType.NOTIFICATION_SENT,
    NotificationOutcome.TECHNICAL_FAILURE: EventType.NOTIFICATION_TECHNICAL_FAILURE,
    NotificationOutcome.PERMANENT_FAILURE: EventType.NOTIFICATION_PERMANENT_FAILURE,
}


@dataclass(frozen=True)
class NotificationFact:
    """What an event says about one notification: ids and codes only (never the subscriber or the text)."""

    notification_id: str
    case_id: str
    about_case: bool  # False for an announcement (``case_id`` is then the announcement) or a digest
    event_kind: str
    channel: str
    outcome: NotificationOutcome
    attempts: int
    at: datetime
    reason: str | None = None


def notification_event(source: EventSource, fact: NotificationFact) -> CloudEvent:
    """The event of a notification's final outcome. Its id includes the attempt count: a technical failure that
    an operator redrives and that fails again is a new fact."""
    data: dict[str, Any] = {
        "notification_id": fact.notification_id,
        "case_id": fact.case_id if fact.about_case else None,
        "announcement_id": fact.case_id if fact.event_kind == "announcement" else None,
        "event_kind": fact.event_kind,
        "channel": fact.channel,
        "status": fact.outcome.value,
    }
    if fact.reason is not None:
        data["reason"] = fact.reason
    if fact.about_case:
        dataref: str | None = source.url(f"/api/cases/{fact.case_id}/notifications")
    elif fact.event_kind == "announcement":
        dataref = source.url(f"/api/announcements/{fact.case_id}/progress")
    else:
        dataref = None
    return CloudEvent(
        id=fact_id("notification", fact.notification_id, fact.outcome.value, str(fact.attempts)),
        type=_OUTCOME_TYPES[fact.outcome],
        source=source.urn,
        subject=fact.notification_id,
        time=fact.at,
        data={k: v for k, v in data.items() if v is not None},
        dataref=dataref,
        sequence=time_sequence(fact.at) if fact.about_case else None,
    )


class SubscriptionStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class SubscriptionTransition:
    """A write of a subscription definition, as its stream record shows it (None: no item before/after)."""

    subscription_id: str
    before: SubscriptionStatus | None
    after: SubscriptionStatus | None
    revision: int
    origin: str
    case_id: str | None
    at: datetime


def subscription_events(source: EventSource, change: SubscriptionTransition) -> list[CloudEvent]:
    """Started when it becomes active (confirmed, or made for a party of a case); stopped when an active one is
    cancelled or removed. Any other write (a new scope, the index catching up) is no event."""
    was_active = change.before is SubscriptionStatus.ACTIVE
    is_active = change.after is SubscriptionStatus.ACTIVE
    if is_active == was_active:
        return []
    kind = EventType.SUBSCRIPTION_STARTED if is_active else EventType.SUBSCRIPTION_STOPPED
    data: dict[str, Any] = {"subscription_id": change.subscription_id, "origin": change.origin}
    if change.case_id is not None:
        data["case_id"] = change.case_id
    return [
        CloudEvent(
            id=fact_id("subscription", change.subscription_id, "started" if is_active else "stopped", str(change.revision)),
            type=kind,
            source=source.urn,
            subject=change.subscription_id,
            time=change.at,
            data=data,
            dataref=source.url(f"/api/me/subscriptions/{change.subscription_id}"),
            sequence=counter_sequence(change.revision),
        )
    ]


@dataclass(frozen=True)
class ContactFact:
    contact_id: str
    case_id: str
    kanaal: str
    vertrouwelijk: bool
    recorded_at: datetime


def contact_moment_event(source: EventSource, fact: ContactFact) -> CloudEvent:
    """A contact moment was recorded: which case, which channel, whether it is confidential; never what was said
    nor who spoke (those are behind ``dataref``, for staff)."""
    return CloudEvent(
        id=fact_id("contact", fact.contact_id),
        type=EventType.CONTACT_MOMENT_RECORDED,
        source=source.urn,
        subject=fact.contact_id,
        time=fact.recorded_at,
        data={
            "contact_id": fact.contact_id,
            "case_id": fact.case_id,
            "kanaal": fact.kanaal,
            "vertrouwelijk": fact.vertrouwelijk,
        },
        dataref=source.url(f"/api/cases/{fact.case_id}/contact-moments"),
        sequence=time_sequence(fact.recorded_at),
    )


@dataclass(frozen=True)
class AnnouncementFact:
    announcement_id: str
    topic: str
    gemeenten: tuple[str, ...]
    version: int
    approved_at: datetime


def announcement_event(source: EventSource, fact: AnnouncementFact) -> CloudEvent:
    """An announcement was approved (four eyes) and goes out to its followers."""
    return CloudEvent(
        id=fact_id("announcement", fact.announcement_id, "approved"),
        type=EventType.ANNOUNCEMENT_APPROVED,
        source=source.urn,
        subject=fact.announcement_id,
        time=fact.approved_at,
        data={"announcement_id": fact.announcement_id, "topic": fact.topic, "gemeenten": list(fact.gemeenten)},
        dataref=source.url(f"/api/announcements/{fact.announcement_id}"),
        sequence=counter_sequence(fact.version),
    )
