"""Notifications: one per (event × subscriber × channel), with a deterministic id and a status lifecycle
(the statuses of GOV.UK Notify).

created → sending → delivered | permanent-failure (a bounce reported later turns delivered into permanent- or
temporary-failure); an e-mail that must wait (night, digest) starts as held.
A retryable failure while sending puts it back to created, to be tried again after a backoff (30 s doubling to
at most 10 minutes, for over 4 hours); when that budget is spent it becomes technical-failure and its message
waits in the dead-letter queue, from where an operator's redrive makes it created again. A claim that expired
(a crash mid-send) may be taken over, which is the one place a duplicate can arise and is therefore counted;
one left sending for 72 hours becomes temporary-failure.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from chalicelib.domain.errors import DomainError
from chalicelib.domain.events import CaseEvent, EventKind
from chalicelib.domain.language import Language
from chalicelib.domain.matching import Audience, Recipient
from chalicelib.domain.schedule import hold_until
from chalicelib.domain.subscriptions import Channel

HELD_SHARDS = 16
"""Held e-mails are spread over this many shards by subscriber, so one digest job sees all of a person's items."""


def held_shard_of(subscriber_id: str) -> int:
    """The shard of a subscriber's held e-mails: a stable hash of the subscriber id modulo ``HELD_SHARDS``."""
    return int(hashlib.sha256(subscriber_id.encode()).hexdigest()[:8], 16) % HELD_SHARDS


class NotificationStatus(StrEnum):
    HELD = "held"
    CREATED = "created"
    SENDING = "sending"
    DELIVERED = "delivered"
    PERMANENT_FAILURE = "permanent-failure"  # the provider refused it (a bad address, a rejected message)
    TEMPORARY_FAILURE = "temporary-failure"  # stuck sending for 72 hours: nobody knows whether it went
    TECHNICAL_FAILURE = "technical-failure"  # the retry budget is spent (waiting in the dead-letter queue), or a fault in Baken

    @property
    def is_final(self) -> bool:
        """Nothing more happens by itself (a technical failure only by an operator's redrive)."""
        return self in FINAL_STATUSES

    @property
    def is_open(self) -> bool:
        """Not final, and not waiting: queued or being sent."""
        return self in (NotificationStatus.CREATED, NotificationStatus.SENDING)


FINAL_STATUSES = frozenset(
    {
        NotificationStatus.DELIVERED,
        NotificationStatus.PERMANENT_FAILURE,
        NotificationStatus.TEMPORARY_FAILURE,
        NotificationStatus.TECHNICAL_FAILURE,
    }
)

ALLOWED_TRANSITIONS: dict[NotificationStatus, frozenset[NotificationStatus]] = {
    # a held e-mail is bundled into a digest (it stays held), released to go alone, or goes out (or fails)
    # inside a digest
    NotificationStatus.HELD: frozenset(
        {
            NotificationStatus.HELD,
            NotificationStatus.CREATED,
            NotificationStatus.DELIVERED,
            NotificationStatus.PERMANENT_FAILURE,
        }
    ),
    NotificationStatus.CREATED: frozenset(
        {NotificationStatus.SENDING, NotificationStatus.PERMANENT_FAILURE, NotificationStatus.TECHNICAL_FAILURE}
    ),
    NotificationStatus.SENDING: frozenset(
        {
            NotificationStatus.SENDING,
            NotificationStatus.CREATED,
            NotificationStatus.DELIVERED,
            NotificationStatus.PERMANENT_FAILURE,
            NotificationStatus.TEMPORARY_FAILURE,
            NotificationStatus.TECHNICAL_FAILURE,
        }
    ),
    # the receiving side answers later: a bounce means it did not arrive after all
    NotificationStatus.DELIVERED: frozenset({NotificationStatus.PERMANENT_FAILURE, NotificationStatus.TEMPORARY_FAILURE}),
    NotificationStatus.PERMANENT_FAILURE: frozenset(),
    NotificationStatus.TEMPORARY_FAILURE: frozenset(),
    NotificationStatus.TECHNICAL_FAILURE: frozenset({NotificationStatus.CREATED}),  # redrive
}

# Retrying: the n-th delivery attempt that fails for a passing reason waits retry_delay(n) before the next.
RETRY_BASE_SECONDS = 30
RETRY_CAP_SECONDS = 600
MAX_DELIVERY_ATTEMPTS = 30  # the delivery queue's maxReceiveCount (infra/data.json), checked by a test


def retry_delay(attempt: int) -> int:
    """Seconds to wait after failed attempt ``attempt`` (1-based): 30 s, doubling, at most 10 minutes."""
    return int(min(RETRY_CAP_SECONDS, RETRY_BASE_SECONDS * 2 ** min(max(attempt, 1) - 1, 16)))


def retry_budget(attempts: int = MAX_DELIVERY_ATTEMPTS) -> timedelta:
    """How long delivery keeps trying before it gives up: the waits between ``attempts`` attempts."""
    return timedelta(seconds=sum(retry_delay(n) for n in range(1, attempts)))


class FailureReason(StrEnum):
    NO_ADDRESS = "no_address"
    ADDRESS_REJECTED = "address_rejected"
    MESSAGE_REJECTED = "message_rejected"
    CASE_GONE = "case_gone"
    OPTED_OUT = "opted_out"  # e-mail stopped, or the subscription stopped, before it went out
    RETRIES_EXHAUSTED = "retries_exhausted"
    SOFTWARE_ERROR = "software_error"  # a fault in Baken itself (a template, a bug): no attempt can succeed
    HARD_BOUNCE = "hard_bounce"
    SOFT_BOUNCE = "soft_bounce"
    COMPLAINT = "complaint"
    REJECTED = "rejected"
    STUCK_SENDING = "stuck_sending"
    NO_LONGER_NEEDED = "no_longer_needed"  # a reminder about a document that came in, or got another date, first


class InvalidTransitionError(DomainError):
    code = "invalid_transition"

    def __init__(self, current: NotificationStatus, wanted: NotificationStatus) -> None:
        super().__init__(current=current.value, wanted=wanted.value)


@dataclass(frozen=True)
class Notification:
    id: str
    event_id: str
    event_kind: EventKind
    case_id: str
    ref: str
    subscriber_id: str
    channel: Channel
    language: Language
    audience: Audience
    status: NotificationStatus
    created_at: datetime
    updated_at: datetime
    expires_at: datetime
    attempts: int = 0
    claimed_until: datetime | None = None
    reason: str | None = None
    provider_message_id: str | None = None
    subscription_id: str | None = None
    hold_until: datetime | None = None
    digest_items: tuple[str, ...] = ()
    # An earlier attempt may have handed the e-mail or letter over even though it was not recorded (the
    # provider's answer was lost, or the worker died after sending): the next one that goes out is a possible
    # duplicate.
    maybe_sent: bool = False
    # A held item taken into this digest: it goes out inside it, never alone or in another one.
    bundled_in: str | None = None

    def moved_to(self, status: NotificationStatus, at: datetime, **changes: object) -> Notification:
        if status not in ALLOWED_TRANSITIONS[self.status]:
            raise InvalidTransitionError(self.status, status)
        return replace(self, status=status, updated_at=at, **changes)  # type: ignore[arg-type]

    def claimable(self, now: datetime) -> bool:
        """Delivery may claim it at ``now``: it waits to be sent (created), or it is being sent under a claim
        that ended at or before ``now`` (the worker that held it died: a take-over)."""
        if self.status is NotificationStatus.CREATED:
            return True
        return self.status is NotificationStatus.SENDING and (self.claimed_until is None or self.claimed_until <= now)

    def claimed(self, now: datetime, until: datetime) -> Notification:
        """As a delivery attempt claims it: sending, one attempt more, held by that attempt until ``until``."""
        return self.moved_to(NotificationStatus.SENDING, now, attempts=self.attempts + 1, claimed_until=until)


def notification_id(event_id: str, subscriber_id: str, channel: Channel) -> str:
    """The business key of a notification: the same event, subscriber and channel give the same id."""
    return hashlib.sha256(f"{event_id}|{subscriber_id}|{channel.value}".encode()).hexdigest()[:32]


def plan_notifications(
    event: CaseEvent, recipients: list[Recipient], *, now: datetime, retention: timedelta
) -> list[Notification]:
    """The notifications an event gives: one per recipient and channel, in a stable order. An e-mail that
    may not go out now (quiet hours, a digest) is held until it may."""
    planned = []
    for recipient in recipients:
        for channel in sorted(recipient.channels):
            held = hold_until(recipient.preferences, channel, action_required=event.kind.action_required, now=now)
            planned.append(
                Notification(
                    id=notification_id(event.id, recipient.subscriber_id, channel),
                    event_id=event.id,
                    event_kind=event.kind,
                    case_id=event.case_id,
                    ref=event.ref,
                    subscriber_id=recipient.subscriber_id,
                    channel=channel,
                    language=recipient.preferences.language,
                    audience=recipient.audience,
                    status=NotificationStatus.HELD if held else NotificationStatus.CREATED,
                    created_at=now,
                    updated_at=now,
                    expires_at=max(now, held or now) + retention,
                    subscription_id=recipient.subscription_id,
                    hold_until=held,
                )
            )
    return planned
