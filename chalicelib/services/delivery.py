"""Delivering one notification on its channel: e-mail through the provider, or a berichtenbox message.

A claim on the notification (created → sending, compare-and-set) makes sure only one worker sends it. A
retryable provider error releases the claim and asks for a retry; a permanent one ends it as failed. A
claim that expired means an earlier worker died mid-send: the take-over is reported as a possible
duplicate, the one window the provider's lack of idempotency leaves open.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

from chalicelib.domain.cases import Case
from chalicelib.domain.catalogue import Catalogue, Zaaktype
from chalicelib.domain.deadlines import deadline_for
from chalicelib.domain.errors import CaseNotFoundError
from chalicelib.domain.events import EventKind
from chalicelib.domain.inbox import InboxMessage, inbox_message_id
from chalicelib.domain.matching import Audience
from chalicelib.domain.notifications import FailureReason, Notification, NotificationStatus
from chalicelib.domain.reference import ReferenceData
from chalicelib.domain.subscriptions import Channel
from chalicelib.services.ports import (
    CaseRepository,
    Clock,
    EmailPermanentError,
    EmailSender,
    InboxStore,
    MessageContext,
    MessageRenderer,
    NotificationOutbox,
    OutgoingEmail,
    SubscriberDirectory,
)


class DeliveryOutcome(StrEnum):
    DELIVERED = "delivered"
    FAILED = "failed"
    ALREADY_FINAL = "already_final"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class DeliveryResult:
    outcome: DeliveryOutcome
    channel: Channel | None = None
    possible_duplicate: bool = False
    reason: str | None = None


class DeliveryBusyError(Exception):
    """Another worker holds a live claim on this notification: try again after it expires."""


class DeliveryRetryableError(Exception):
    """The channel could not take the message now; the claim was released, try again later."""


class Delivery:
    def __init__(
        self,
        *,
        outbox: NotificationOutbox,
        cases: CaseRepository,
        catalogue: Catalogue,
        reference: ReferenceData,
        subscribers: SubscriberDirectory,
        renderer: MessageRenderer,
        email: EmailSender,
        inbox: InboxStore,
        clock: Clock,
        portal_url: str,
        claim: timedelta,
    ) -> None:
        self._outbox = outbox
        self._cases = cases
        self._catalogue = catalogue
        self._reference = reference
        self._subscribers = subscribers
        self._renderer = renderer
        self._email = email
        self._inbox = inbox
        self._clock = clock
        self._portal_url = portal_url
        self._claim = claim
        self._batch_cases: dict[str, Case] | None = None

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Within one batch of messages a case is read once, however many notifications are about it; what
        they render (a status entry, a message) never changes once written. Outside it nothing is kept."""
        self._batch_cases = {}
        try:
            yield
        finally:
            self._batch_cases = None

    def _case(self, case_id: str) -> Case:
        if self._batch_cases is None:
            return self._cases.get(case_id)
        if case_id not in self._batch_cases:
            self._batch_cases[case_id] = self._cases.get(case_id)
        return self._batch_cases[case_id]

    def deliver(self, notification_id: str) -> DeliveryResult:
        stored = self._outbox.get(notification_id)
        if stored is None:
            return DeliveryResult(DeliveryOutcome.UNKNOWN)
        if stored.status.is_final:
            return DeliveryResult(DeliveryOutcome.ALREADY_FINAL, stored.channel)
        now = self._clock.now()
        taking_over = stored.status is NotificationStatus.SENDING
        if taking_over and stored.claimed_until is not None and stored.claimed_until > now:
            raise DeliveryBusyError(notification_id)
        # Only an e-mail can have gone out twice: writing the same berichtenbox message again changes nothing.
        possible_duplicate = taking_over and stored.channel is Channel.EMAIL
        claimed = stored.moved_to(NotificationStatus.SENDING, now, attempts=stored.attempts + 1, claimed_until=now + self._claim)
        if not self._outbox.transition(stored, claimed):
            raise DeliveryBusyError(notification_id)
        try:
            provider_id = self._send(claimed)
        except _Failed as failure:
            self._finish(claimed, NotificationStatus.FAILED, reason=failure.reason)
            return DeliveryResult(DeliveryOutcome.FAILED, claimed.channel, possible_duplicate, failure.reason)
        except Exception as error:
            # Throttling, a storage hiccup, anything unexpected: give the claim back so the next attempt can
            # start at once. If even that fails, the claim simply expires.
            self._release(claimed, error)
            raise DeliveryRetryableError(notification_id) from error
        self._finish(claimed, NotificationStatus.DELIVERED, provider_message_id=provider_id)
        return DeliveryResult(DeliveryOutcome.DELIVERED, claimed.channel, possible_duplicate)

    def _release(self, claimed: Notification, error: Exception) -> None:
        # If even this fails the claim expires by itself; the original error is what counts.
        with contextlib.suppress(Exception):
            self._finish(claimed, NotificationStatus.CREATED, reason=f"retryable: {type(error).__name__}")

    def _finish(self, claimed: Notification, status: NotificationStatus, **changes: Any) -> None:
        done = claimed.moved_to(status, self._clock.now(), claimed_until=None, **changes)
        if not self._outbox.transition(claimed, done):
            raise DeliveryBusyError(claimed.id)

    def _send(self, notification: Notification) -> str | None:
        try:
            case = self._case(notification.case_id)
        except CaseNotFoundError:
            raise _Failed(FailureReason.CASE_GONE) from None
        zaaktype = self._catalogue.get(case.zaaktype)
        context = self._context(notification, case, zaaktype)
        if notification.channel is Channel.EMAIL:
            subscriber = self._subscribers.get(notification.subscriber_id)
            if subscriber is None or not subscriber.email:
                raise _Failed(FailureReason.NO_ADDRESS)
            rendered = self._renderer.email(context)
            try:
                return self._email.send(
                    email=OutgoingEmail(
                        to=subscriber.email,
                        subject=rendered.subject,
                        text=rendered.text,
                        html=rendered.html,
                        reference=notification.id,
                        language=notification.language.value,
                    )
                )
            except EmailPermanentError as error:
                raise _Failed(error.reason) from None
        portal = self._renderer.portal(context)
        self._inbox.put(
            InboxMessage(
                id=inbox_message_id(notification.created_at, notification.id),
                subscriber_id=notification.subscriber_id,
                notification_id=notification.id,
                case_id=case.id,
                kind=notification.event_kind,
                title=portal.title,
                body=portal.body,
                link=context.link,
                created_at=notification.created_at,
            )
        )
        return None

    def _context(self, notification: Notification, case: Case, zaaktype: Zaaktype) -> MessageContext:
        language = notification.language
        party = notification.audience is Audience.PARTY
        detail: dict[str, Any] = {
            "gemeenten": [g.naam for code in case.location.gemeenten if (g := self._reference.gemeente(code))],
        }
        link = None
        kind = notification.event_kind
        if kind is EventKind.STATUS_CHANGED:
            entry = next((s for s in case.statuses if s.id == notification.ref), case.current_status)
            statustype = zaaktype.statustype(entry.statustype)
            detail["status"] = statustype.omschrijving.in_(language)
            detail["statustekst"] = statustype.statustekst.in_(language) if statustype.statustekst else None
            detail["toelichting"] = entry.toelichting if party else None
            detail["is_eindstatus"] = statustype.is_eindstatus
        elif kind is EventKind.MESSAGE_POSTED:
            message = next(m for m in case.messages if m.id == notification.ref)
            detail["text"] = message.text
            link = message.link
        elif kind is EventKind.DOCUMENTS_REQUESTED:
            # the request as it was made; what came in since is marked, not left out
            wanted = set(notification.ref.split(","))
            detail["documents"] = [
                {"omschrijving": d.omschrijving, "due": d.due, "received": d.received} for d in case.documents if d.id in wanted
            ]
        elif kind is EventKind.DEADLINE_CHANGED:
            deadline = deadline_for(case)
            detail["due"] = deadline.due
            detail["paused"] = deadline.due is None
        return MessageContext(
            kind=kind,
            audience=notification.audience,
            language=language,
            case_number=case.case_number,
            product=zaaktype.omschrijving.in_(language),
            portal_url=f"{self._portal_url}/zaken/{case.id}" if party else f"{self._portal_url}/",
            home_url=f"{self._portal_url}/",
            detail=detail,
            link=link,
        )


class _Failed(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)
