"""Recording what the e-mail provider reports afterwards (docs: RELIABILITY.md, promise 7).

- A hard bounce, or SES's own refusal: the e-mail did not arrive — permanent-failure — and e-mail to that
  address stops. A complaint (marked as spam): e-mail to that address stops too.
- A soft bounce: this e-mail did not arrive — temporary-failure — but the address is kept.
- Stopping e-mail leaves the berichtenbox as it is (its message for the same event arrived separately); when
  no digital channel is left and a postal address is known, letters take over.
- The behandelaar and the KCC see the notification's status and reason (``GET /api/cases/{id}/notifications``).
- A notification that failed after it was reported sent is told to the rest of the chain too (``settled``: the
  event ``notificatie-definitief-mislukt`` or ``-technisch-mislukt``, after ``notificatie-verzonden``). Feedback
  that comes again tells it again (the same event id), so an attempt that died before telling loses nothing.

Feedback comes later, unordered and possibly twice: recording it twice changes nothing the second time, and
feedback about a message Baken does not know is counted and dropped.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from enum import StrEnum

from chalicelib.domain.feedback import EmailFeedback, FeedbackKind
from chalicelib.domain.notifications import FailureReason, Notification, NotificationStatus
from chalicelib.domain.subscriptions import Channel, Subscriber
from chalicelib.services.ports import Clock, NotificationOutbox, SubscriberDirectory


class FeedbackOutcome(StrEnum):
    RECORDED = "recorded"
    ALREADY = "already"  # the same feedback came before
    UNKNOWN = "unknown"  # not a message Baken sent (or one whose record has expired)


_FAILURES: dict[FeedbackKind, tuple[NotificationStatus, FailureReason]] = {
    FeedbackKind.HARD_BOUNCE: (NotificationStatus.PERMANENT_FAILURE, FailureReason.HARD_BOUNCE),
    FeedbackKind.REJECTED: (NotificationStatus.PERMANENT_FAILURE, FailureReason.REJECTED),
    FeedbackKind.SOFT_BOUNCE: (NotificationStatus.TEMPORARY_FAILURE, FailureReason.SOFT_BOUNCE),
}
_STOPS_EMAIL = {FeedbackKind.HARD_BOUNCE, FeedbackKind.COMPLAINT}


class FeedbackRecorder:
    def __init__(
        self,
        outbox: NotificationOutbox,
        subscribers: SubscriberDirectory,
        clock: Clock,
        *,
        settled: Callable[[Notification], object] | None = None,
    ) -> None:
        self._outbox = outbox
        self._subscribers = subscribers
        self._clock = clock
        self._settled = settled

    def record(self, feedback: EmailFeedback) -> FeedbackOutcome:
        notification = self._outbox.by_provider_id(feedback.provider_message_id)
        if notification is None:
            return FeedbackOutcome.UNKNOWN
        changed = self._mark(notification, feedback)
        if feedback.kind in _STOPS_EMAIL:
            changed = self._stop_email(notification.subscriber_id, feedback) or changed
        failed = self._failed_by(notification, feedback)
        if failed is not None and self._settled is not None:
            self._settled(failed)
        return FeedbackOutcome.RECORDED if changed else FeedbackOutcome.ALREADY

    def _failed_by(self, notification: Notification, feedback: EmailFeedback) -> Notification | None:
        """The notification as this feedback leaves it, when it makes it fail (now, or when it came before)."""
        if feedback.kind not in _FAILURES:
            return None
        status, reason = _FAILURES[feedback.kind]
        # delivered when read: _mark moved it (or another copy of this feedback did, at the same moment): re-read
        moved = notification.status is NotificationStatus.DELIVERED
        now = self._outbox.get(notification.id) if moved else notification
        if now is None or now.status is not status or now.reason != reason.value:
            return None
        return now

    def _mark(self, notification: Notification, feedback: EmailFeedback) -> bool:
        if feedback.kind is FeedbackKind.COMPLAINT and notification.reason != FailureReason.COMPLAINT.value:
            # it did arrive; the status stays delivered, the reason says what the reader thought of it
            if notification.status is NotificationStatus.DELIVERED:
                return self._outbox.transition(notification, replace(notification, reason=FailureReason.COMPLAINT.value))
            return False
        if feedback.kind not in _FAILURES:
            return False
        status, reason = _FAILURES[feedback.kind]
        if notification.status is not NotificationStatus.DELIVERED:
            return False  # already marked by an earlier copy of this feedback
        failed = notification.moved_to(status, self._clock.now(), reason=reason.value)
        return self._outbox.transition(notification, failed)

    def _stop_email(self, subscriber_id: str, feedback: EmailFeedback) -> bool:
        subscriber = self._subscribers.get(subscriber_id)
        if subscriber is None or subscriber.email is None or Channel.EMAIL not in subscriber.channels:
            return False
        bounced = {address.strip().lower() for address in feedback.recipients}
        if bounced and subscriber.email.strip().lower() not in bounced:
            return False  # the address has been changed since: the new one is not the one that bounced
        self._subscribers.put(_without_email(subscriber))  # one write: preferences are read where they are used
        return True


def _without_email(subscriber: Subscriber) -> Subscriber:
    """E-mail stops; if that leaves no digital channel and a postal address is known, letters take over."""
    channels = subscriber.channels - {Channel.EMAIL}
    if not channels & {Channel.EMAIL, Channel.PORTAL} and subscriber.postal_address is not None:
        channels |= {Channel.LETTER}
    return replace(subscriber, channels=channels)
