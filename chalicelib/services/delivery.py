"""Delivering one notification on its channel: e-mail through the provider, a berichtenbox message, or a
letter handed to the print-and-post partner.

A claim on the notification (created → sending, one conditional write that returns what it found) makes sure
only one worker sends it. Any failure while sending gives the claim back and asks for a retry, except a
permanent refusal, which ends it as failed, and a software error (``SOFTWARE_ERRORS``), which ends it at once
as a technical failure. A claim that expired means an earlier worker died mid-send, and a failure whose answer
was lost (a read timeout, a closed connection) may have come after the provider accepted the e-mail: either
way the notification is marked ``maybe_sent`` and the e-mail or letter that goes out next is reported as a
possible duplicate, the one window the provider's lack of idempotency leaves open.

Every e-mail carries a one-click unsubscribe link (RFC 8058) and a link to manage preferences.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

from chalicelib.domain.berichtenbox import BerichtenboxMessage, berichtenbox_message_id
from chalicelib.domain.events import EventKind
from chalicelib.domain.notifications import FailureReason, Notification, NotificationStatus
from chalicelib.domain.subscriptions import Channel, Subscriber
from chalicelib.services.composer import MessageComposer, MessageRenderingError, Undeliverable
from chalicelib.services.ports import (
    BerichtenboxStore,
    Clock,
    EmailPermanentError,
    EmailRetryableError,
    EmailSender,
    LetterSender,
    MessageContext,
    NotificationOutbox,
    OutgoingEmail,
    OutgoingLetter,
    SubscriberDirectory,
)
from chalicelib.services.subscriptions import UNCONFIRMED_KEPT

# Writes of "delivered" tried before the attempt gives up (and its claim, once expired, is taken over).
RECORD_ATTEMPTS = 3


# A fault in Baken itself fails the same way on every attempt: a template that is missing or asks for what its
# context lacks, and the errors of a bug (data that breaks a rule is one too). Retrying it for hours would only
# delay the alarm, so it ends at once as technical-failure (``SoftwareError`` metric). Passing faults — the
# provider's or storage's errors, timeouts, a lost connection — are none of these and are retried.
SOFTWARE_ERRORS: tuple[type[Exception], ...] = (
    MessageRenderingError,
    TypeError,
    AttributeError,
    NameError,
    LookupError,
    ValueError,
    ArithmeticError,
    AssertionError,
    NotImplementedError,
    ImportError,
    RecursionError,
    StopIteration,
)


class DeliveryOutcome(StrEnum):
    DELIVERED = "delivered"
    FAILED = "failed"
    SOFTWARE_ERROR = "software_error"
    ALREADY_FINAL = "already_final"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class DeliveryResult:
    outcome: DeliveryOutcome
    channel: Channel | None = None
    possible_duplicate: bool = False
    reason: str | None = None
    error_type: str | None = None  # a software error's kind (``UndefinedError``), for the log
    notification: Notification | None = None  # as recorded at the end (the outcome the chain is told)


class DeliveryBusyError(Exception):
    """Another worker holds a live claim on this notification: try again after it expires."""


class DeliveryRetryableError(Exception):
    """The channel could not take the message now; the claim was released, try again later."""


class Delivery:
    """The delivery state machine: claim the notification, send it on its channel (what it says comes from the
    composer), record the outcome. Every transition is a compare-and-set on the outbox."""

    def __init__(
        self,
        *,
        outbox: NotificationOutbox,
        composer: MessageComposer,
        subscribers: SubscriberDirectory,
        email: EmailSender,
        letters: LetterSender,
        berichtenbox: BerichtenboxStore,
        clock: Clock,
        claim: timedelta,
        on_possible_duplicate: Callable[[Notification], None] | None = None,
    ) -> None:
        self._outbox = outbox
        self._composer = composer
        self._subscribers = subscribers
        self._email = email
        self._letters = letters
        self._berichtenbox = berichtenbox
        self._clock = clock
        self._claim = claim
        self._on_possible_duplicate = on_possible_duplicate

    def batch(self) -> contextlib.AbstractContextManager[None]:
        """Within one batch of messages a case is read once, however many notifications are about it."""
        return self._composer.batch()

    def deliver(self, notification_id: str) -> DeliveryResult:
        # The claim is the first and only write before sending: one conditional write that also answers what
        # was there, so a notification that is unknown, final, held or claimed by a live attempt costs no read.
        now = self._clock.now()
        claim = self._outbox.claim(notification_id, now=now, until=now + self._claim)
        stored, claimed = claim.before, claim.after
        if stored is None:
            return DeliveryResult(DeliveryOutcome.UNKNOWN)
        if stored.status.is_final or stored.status is NotificationStatus.HELD:
            return DeliveryResult(DeliveryOutcome.ALREADY_FINAL, stored.channel, notification=stored)
        if claimed is None:  # another attempt's claim is live, or it got there first
            raise DeliveryBusyError(notification_id)
        taking_over = stored.status is NotificationStatus.SENDING
        # Only an e-mail or a letter can have gone out twice: writing the same berichtenbox message again
        # changes nothing.
        possible_duplicate = (taking_over or stored.maybe_sent) and stored.channel is not Channel.PORTAL
        if possible_duplicate and self._on_possible_duplicate is not None:
            # told before sending: this attempt may die after the provider accepted, and never return
            self._on_possible_duplicate(claimed)
        try:
            provider_id = self._send(claimed)
        except Undeliverable as failure:
            failed = self._finish(claimed, NotificationStatus.PERMANENT_FAILURE, reason=failure.reason)
            self._close_digest(claimed, NotificationStatus.PERMANENT_FAILURE)
            return DeliveryResult(
                DeliveryOutcome.FAILED, claimed.channel, possible_duplicate, failure.reason, notification=failed
            )
        except SOFTWARE_ERRORS as error:
            reason = FailureReason.SOFTWARE_ERROR.value
            broken = self._finish(claimed, NotificationStatus.TECHNICAL_FAILURE, reason=reason)
            return DeliveryResult(
                DeliveryOutcome.SOFTWARE_ERROR, claimed.channel, possible_duplicate, reason, _cause(error), notification=broken
            )
        except Exception as error:
            # Throttling, a storage hiccup, anything else unexpected: give the claim back so the next attempt can
            # start at once. If even that fails, the claim simply expires.
            maybe_sent = possible_duplicate or (isinstance(error, EmailRetryableError) and error.maybe_accepted)
            self._release(claimed, error, maybe_sent=maybe_sent)
            raise DeliveryRetryableError(notification_id) from error
        delivered = self._record_delivered(claimed, provider_id)
        self._close_digest(claimed, NotificationStatus.DELIVERED)
        return DeliveryResult(DeliveryOutcome.DELIVERED, claimed.channel, possible_duplicate, notification=delivered)

    def give_up(self, notification_id: str) -> Notification | None:
        """The retry budget is spent (the last attempt failed for a passing reason): technical-failure. Its
        message goes on to the dead-letter queue; an operator's redrive brings it back. None when it is not
        waiting for another attempt (delivered meanwhile, or another worker holds it)."""
        stored = self._outbox.get(notification_id)
        if stored is None or stored.status is not NotificationStatus.CREATED:
            return None
        failed = stored.moved_to(
            NotificationStatus.TECHNICAL_FAILURE, self._clock.now(), reason=FailureReason.RETRIES_EXHAUSTED.value
        )
        return failed if self._outbox.transition(stored, failed) else None

    def redrive(self, notification_id: str) -> Notification | None:
        """Make a technical failure created again so it can be queued once more; the notification if it is
        now waiting to be sent (also when an earlier redrive did it), None when there is nothing to send
        (delivered, refused for good, or unknown).

        A notification still ``sending`` whose claim expired was held by an attempt that died (a timeout on
        every try leaves no failure recorded): it is taken back too, marked ``maybe_sent`` as a take-over is.
        One whose claim is live is being sent right now: DeliveryBusyError, try again after it expires."""
        stored = self._outbox.get(notification_id)
        if stored is None:
            return None
        if stored.status is NotificationStatus.CREATED:
            return stored
        now = self._clock.now()
        changes: dict[str, Any] = {"reason": "redriven"}
        if stored.status is NotificationStatus.SENDING:
            if stored.claimed_until is not None and stored.claimed_until > now:
                raise DeliveryBusyError(notification_id)
            changes.update(claimed_until=None, maybe_sent=stored.maybe_sent or stored.channel is not Channel.PORTAL)
        elif stored.status is not NotificationStatus.TECHNICAL_FAILURE:
            return None
        again = stored.moved_to(NotificationStatus.CREATED, now, **changes)
        return again if self._outbox.transition(stored, again) else self._outbox.get(notification_id)

    def _release(self, claimed: Notification, error: Exception, *, maybe_sent: bool) -> None:
        # If even this fails the claim expires by itself (and the next attempt is a take-over, a possible
        # duplicate too); the original error is what counts.
        with contextlib.suppress(Exception):
            self._finish(claimed, NotificationStatus.CREATED, reason=f"retryable: {type(error).__name__}", maybe_sent=maybe_sent)

    def _record_delivered(self, claimed: Notification, provider_id: str | None) -> Notification:
        """It went out: record that, trying again at once if the write fails, because a notification left
        ``sending`` is sent again when its claim expires. A write whose answer was lost may have been done:
        then the record says delivered already."""
        for attempt in range(1, RECORD_ATTEMPTS + 1):
            try:
                return self._finish(claimed, NotificationStatus.DELIVERED, provider_message_id=provider_id)
            except DeliveryBusyError:
                stored = self._outbox.get(claimed.id)
                if stored is not None and stored.status is NotificationStatus.DELIVERED:
                    return stored
                raise
            except Exception:
                if attempt == RECORD_ATTEMPTS:
                    raise
        raise AssertionError("unreachable: the last attempt returns or raises")

    def _finish(self, claimed: Notification, status: NotificationStatus, **changes: Any) -> Notification:
        done = claimed.moved_to(status, self._clock.now(), claimed_until=None, **changes)
        if not self._outbox.transition(claimed, done):
            raise DeliveryBusyError(claimed.id)
        return done

    def _close_digest(self, digest: Notification, outcome: NotificationStatus) -> None:
        """The items a digest carried are delivered (or failed) with it. The digest itself is done, so a
        failure here fails nothing: the next digest run closes what is left (its items name the digest)."""
        with contextlib.suppress(Exception):
            for item_id in digest.digest_items:
                item = self._outbox.get(item_id)
                if item is not None and item.status is NotificationStatus.HELD:
                    self._outbox.transition(item, item.moved_to(outcome, self._clock.now(), reason=f"digest:{digest.id}"))

    def _send(self, notification: Notification) -> str | None:
        context = self._composer.compose(notification)
        if notification.channel is Channel.PORTAL:
            self._to_berichtenbox(notification, context)
            return None
        subscriber = self._subscribers.get(notification.subscriber_id)
        self._composer.still_wanted(notification, subscriber)
        if notification.channel is Channel.LETTER:
            return self._to_letter(notification, subscriber, context)
        if subscriber is None or not subscriber.email:
            raise Undeliverable(FailureReason.NO_ADDRESS)
        if notification.event_kind is EventKind.SUBSCRIPTION_CONFIRMATION and subscriber.expires_at is not None:
            # an address nobody confirmed yet outlives the link that goes out now
            self._subscribers.keep_unconfirmed(subscriber.id, (self._clock.now() + UNCONFIRMED_KEPT).replace(microsecond=0))
        rendered = self._composer.email(context)
        try:
            return self._email.send(
                email=OutgoingEmail(
                    to=subscriber.email,
                    subject=rendered.subject,
                    text=rendered.text,
                    html=rendered.html,
                    reference=notification.id,
                    language=notification.language.value,
                    unsubscribe_url=context.unsubscribe_url,
                )
            )
        except EmailPermanentError as error:
            raise Undeliverable(error.reason) from None

    def _to_berichtenbox(self, notification: Notification, context: MessageContext) -> None:
        portal = self._composer.portal(context)
        self._berichtenbox.put(
            BerichtenboxMessage(
                id=berichtenbox_message_id(notification.created_at, notification.id),
                subscriber_id=notification.subscriber_id,
                notification_id=notification.id,
                case_id=notification.case_id,
                kind=notification.event_kind,
                title=portal.title,
                body=portal.body,
                link=context.link,
                created_at=notification.created_at,
                language=context.language,
            )
        )

    def _to_letter(self, notification: Notification, subscriber: Subscriber | None, context: MessageContext) -> str:
        if subscriber is None or subscriber.postal_address is None:
            raise Undeliverable(FailureReason.NO_ADDRESS)
        letter = self._composer.letter(context)
        return self._letters.send(
            letter=OutgoingLetter(
                recipient=subscriber.postal_address,
                language=notification.language.value,
                title=letter.title,
                body=letter.body,
                reference=notification.id,
            )
        )


def _cause(error: Exception) -> str:
    return error.cause if isinstance(error, MessageRenderingError) else type(error).__name__
