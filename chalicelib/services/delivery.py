"""Delivering one notification on its channel: e-mail through the provider, a berichtenbox message, or a
letter handed to the print-and-post partner.

A claim on the notification (created → sending, compare-and-set) makes sure only one worker sends it. Any
failure while sending gives the claim back and asks for a retry, except a permanent refusal, which ends it
as failed. A claim that expired means an earlier worker died mid-send, and a failure whose answer was lost
(a read timeout, a closed connection) may have come after the provider accepted the e-mail: either way the
notification is marked ``maybe_sent`` and the e-mail or letter that goes out next is reported as a possible
duplicate, the one window the provider's lack of idempotency leaves open.

Every e-mail carries a one-click unsubscribe link (RFC 8058) and a link to manage preferences.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import timedelta
from enum import StrEnum
from typing import Any

from chalicelib.domain.cases import Case
from chalicelib.domain.catalogue import Catalogue, Zaaktype
from chalicelib.domain.deadlines import deadline_for
from chalicelib.domain.errors import AnnouncementNotFoundError, CaseNotFoundError
from chalicelib.domain.events import CASE_KINDS, EventKind
from chalicelib.domain.inbox import InboxMessage, inbox_message_id
from chalicelib.domain.matching import Audience
from chalicelib.domain.notifications import FailureReason, Notification, NotificationStatus
from chalicelib.domain.reference import ReferenceData
from chalicelib.domain.subscriptions import Channel, Subscriber, SubscriptionState
from chalicelib.services.links import Links
from chalicelib.services.ports import (
    AnnouncementRepository,
    CaseRepository,
    Clock,
    EmailPermanentError,
    EmailRetryableError,
    EmailSender,
    InboxStore,
    LetterSender,
    MessageContext,
    MessageRenderer,
    NotificationOutbox,
    OutgoingEmail,
    OutgoingLetter,
    RenderedEmail,
    RenderedPortalMessage,
    SubscriberDirectory,
    SubscriptionRepository,
)

# Writes of "delivered" tried before the attempt gives up (and its claim, once expired, is taken over).
RECORD_ATTEMPTS = 3


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


class _Failed(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class Delivery:
    def __init__(
        self,
        *,
        outbox: NotificationOutbox,
        cases: CaseRepository,
        announcements: AnnouncementRepository,
        subscriptions: SubscriptionRepository,
        catalogue: Catalogue,
        reference: ReferenceData,
        subscribers: SubscriberDirectory,
        renderer: MessageRenderer,
        email: EmailSender,
        letters: LetterSender,
        inbox: InboxStore,
        clock: Clock,
        links: Links,
        claim: timedelta,
        on_possible_duplicate: Callable[[Notification], None] | None = None,
    ) -> None:
        self._outbox = outbox
        self._cases = cases
        self._announcements = announcements
        self._subscriptions = subscriptions
        self._catalogue = catalogue
        self._reference = reference
        self._subscribers = subscribers
        self._renderer = renderer
        self._email = email
        self._letters = letters
        self._inbox = inbox
        self._clock = clock
        self._links = links
        self._claim = claim
        self._on_possible_duplicate = on_possible_duplicate
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

    def deliver(self, notification_id: str) -> DeliveryResult:
        stored = self._outbox.get(notification_id)
        if stored is None:
            return DeliveryResult(DeliveryOutcome.UNKNOWN)
        if stored.status.is_final or stored.status is NotificationStatus.HELD:
            return DeliveryResult(DeliveryOutcome.ALREADY_FINAL, stored.channel)
        now = self._clock.now()
        taking_over = stored.status is NotificationStatus.SENDING
        if taking_over and stored.claimed_until is not None and stored.claimed_until > now:
            raise DeliveryBusyError(notification_id)
        # Only an e-mail or a letter can have gone out twice: writing the same berichtenbox message again
        # changes nothing.
        possible_duplicate = (taking_over or stored.maybe_sent) and stored.channel is not Channel.PORTAL
        claimed = stored.moved_to(NotificationStatus.SENDING, now, attempts=stored.attempts + 1, claimed_until=now + self._claim)
        if not self._outbox.transition(stored, claimed):
            raise DeliveryBusyError(notification_id)
        if possible_duplicate and self._on_possible_duplicate is not None:
            # told before sending: this attempt may die after the provider accepted, and never return
            self._on_possible_duplicate(claimed)
        try:
            provider_id = self._send(claimed)
        except _Failed as failure:
            self._finish(claimed, NotificationStatus.PERMANENT_FAILURE, reason=failure.reason)
            self._close_digest(claimed, NotificationStatus.PERMANENT_FAILURE)
            return DeliveryResult(DeliveryOutcome.FAILED, claimed.channel, possible_duplicate, failure.reason)
        except Exception as error:
            # Throttling, a storage hiccup, anything unexpected: give the claim back so the next attempt can
            # start at once. If even that fails, the claim simply expires.
            maybe_sent = possible_duplicate or (isinstance(error, EmailRetryableError) and error.maybe_accepted)
            self._release(claimed, error, maybe_sent=maybe_sent)
            raise DeliveryRetryableError(notification_id) from error
        self._record_delivered(claimed, provider_id)
        self._close_digest(claimed, NotificationStatus.DELIVERED)
        return DeliveryResult(DeliveryOutcome.DELIVERED, claimed.channel, possible_duplicate)

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

    def _record_delivered(self, claimed: Notification, provider_id: str | None) -> None:
        """It went out: record that, trying again at once if the write fails, because a notification left
        ``sending`` is sent again when its claim expires. A write whose answer was lost may have been done:
        then the record says delivered already."""
        for attempt in range(1, RECORD_ATTEMPTS + 1):
            try:
                self._finish(claimed, NotificationStatus.DELIVERED, provider_message_id=provider_id)
                return
            except DeliveryBusyError:
                stored = self._outbox.get(claimed.id)
                if stored is not None and stored.status is NotificationStatus.DELIVERED:
                    return
                raise
            except Exception:
                if attempt == RECORD_ATTEMPTS:
                    raise

    def _finish(self, claimed: Notification, status: NotificationStatus, **changes: Any) -> None:
        done = claimed.moved_to(status, self._clock.now(), claimed_until=None, **changes)
        if not self._outbox.transition(claimed, done):
            raise DeliveryBusyError(claimed.id)

    def _close_digest(self, digest: Notification, outcome: NotificationStatus) -> None:
        """The items a digest carried are delivered (or failed) with it. The digest itself is done, so a
        failure here fails nothing: the next digest run closes what is left (its items name the digest)."""
        with contextlib.suppress(Exception):
            for item_id in digest.digest_items:
                item = self._outbox.get(item_id)
                if item is not None and item.status is NotificationStatus.HELD:
                    self._outbox.transition(item, item.moved_to(outcome, self._clock.now(), reason=f"digest:{digest.id}"))

    def _send(self, notification: Notification) -> str | None:
        context = self._context(notification)
        if notification.channel is Channel.PORTAL:
            self._to_inbox(notification, context)
            return None
        subscriber = self._subscribers.get(notification.subscriber_id)
        self._check_still_wanted(notification, subscriber)
        if notification.channel is Channel.LETTER:
            return self._to_letter(notification, subscriber, context)
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
                    unsubscribe_url=context.unsubscribe_url,
                )
            )
        except EmailPermanentError as error:
            raise _Failed(error.reason) from None

    def _check_still_wanted(self, notification: Notification, subscriber: Subscriber | None) -> None:
        """Someone who stopped this channel, or this subscription, after it was planned (a digest waits up to a
        week) gets nothing more. A confirmation was asked for just now, so it always goes."""
        if notification.event_kind is EventKind.SUBSCRIPTION_CONFIRMATION:
            return
        if subscriber is not None and notification.channel not in subscriber.channels:
            raise _Failed(FailureReason.OPTED_OUT)
        if notification.audience is Audience.FOLLOWER and notification.subscription_id:
            subscription = self._subscriptions.get(notification.subscription_id)
            if subscription is not None and subscription.state is not SubscriptionState.ACTIVE:
                raise _Failed(FailureReason.OPTED_OUT)

    def _to_inbox(self, notification: Notification, context: MessageContext) -> None:
        portal = self._renderer.portal(context)
        self._inbox.put(
            InboxMessage(
                id=inbox_message_id(notification.created_at, notification.id),
                subscriber_id=notification.subscriber_id,
                notification_id=notification.id,
                case_id=notification.case_id,
                kind=notification.event_kind,
                title=portal.title,
                body=portal.body,
                link=context.link,
                created_at=notification.created_at,
            )
        )

    def _to_letter(self, notification: Notification, subscriber: Subscriber | None, context: MessageContext) -> str:
        if subscriber is None or subscriber.postal_address is None:
            raise _Failed(FailureReason.NO_ADDRESS)
        letter = self._renderer.letter(context)
        return self._letters.send(
            letter=OutgoingLetter(
                recipient=subscriber.postal_address,
                language=notification.language.value,
                title=letter.title,
                body=letter.body,
                reference=notification.id,
            )
        )

    # What each kind of message says -------------------------------------------------------------------

    def _case(self, case_id: str) -> Case:
        try:
            if self._batch_cases is None:
                return self._cases.get(case_id)
            if case_id not in self._batch_cases:
                self._batch_cases[case_id] = self._cases.get(case_id)
            return self._batch_cases[case_id]
        except CaseNotFoundError:
            raise _Failed(FailureReason.CASE_GONE) from None

    def _context(self, notification: Notification) -> MessageContext:
        kind = notification.event_kind
        if kind in CASE_KINDS:
            return self._case_context(notification)
        if kind is EventKind.ANNOUNCEMENT:
            return self._announcement_context(notification)
        if kind is EventKind.DIGEST:
            return self._digest_context(notification)
        return self._confirmation_context(notification)

    def _frame(self, notification: Notification, **values: Any) -> MessageContext:
        """The parts every message has: language, audience, the portal, and the unsubscribe and manage links."""
        unsubscribe = manage = None
        if notification.channel is not Channel.PORTAL:  # the berichtenbox is behind login: no links to sign
            if notification.subscription_id and notification.audience is not Audience.PARTY:
                unsubscribe = self._links.unsubscribe_subscription(notification.subscription_id)
            else:
                # a party of a case stops e-mail (about everything), never the berichtenbox about their own case
                unsubscribe = self._links.unsubscribe_email(notification.subscriber_id)
            manage = self._links.manage(notification.subscriber_id)
        values.setdefault("case_number", None)
        values.setdefault("product", None)
        values.setdefault("portal_url", self._links.home())
        values.setdefault("link", None)
        return MessageContext(
            kind=notification.event_kind,
            audience=notification.audience,
            language=notification.language,
            home_url=self._links.home(),
            unsubscribe_url=unsubscribe,
            manage_url=manage,
            **values,
        )

    def _gemeente_names(self, codes: tuple[str, ...]) -> list[str]:
        return [g.naam for code in codes if (g := self._reference.gemeente(code))]

    def render_preview(self, notification: Notification, case: Case) -> RenderedEmail | RenderedPortalMessage:
        """What ``notification`` would say about ``case`` (a change not saved yet), on its own channel, by the
        same code that delivers it; its unsubscribe and manage links carry no working token."""
        context = self._case_context(notification, case)
        context = replace(context, unsubscribe_url=_unsigned(context.unsubscribe_url), manage_url=_unsigned(context.manage_url))
        if notification.channel is Channel.EMAIL:
            return self._renderer.email(context)
        if notification.channel is Channel.LETTER:
            return self._renderer.letter(context)
        return self._renderer.portal(context)

    def _case_context(self, notification: Notification, case: Case | None = None) -> MessageContext:
        case = case or self._case(notification.case_id)
        zaaktype = self._catalogue.get(case.zaaktype)
        party = notification.audience is Audience.PARTY
        detail, link = self._case_detail(notification, case, zaaktype, party)
        return self._frame(
            notification,
            case_number=case.case_number,
            product=zaaktype.omschrijving.in_(notification.language),
            portal_url=self._links.case(case.id) if party else self._links.home(),
            detail=detail,
            link=link,
        )

    def _case_detail(self, notification: Notification, case: Case, zaaktype: Zaaktype, party: bool) -> tuple[dict[str, Any], Any]:
        language = notification.language
        detail: dict[str, Any] = {"gemeenten": self._gemeente_names(case.location.gemeenten)}
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
        return detail, link

    def _announcement_context(self, notification: Notification) -> MessageContext:
        try:
            announcement = self._announcements.get(notification.ref)
        except AnnouncementNotFoundError:
            raise _Failed(FailureReason.CASE_GONE) from None
        topic = self._reference.topic(announcement.topic)
        detail = {
            "title": announcement.title,
            "text": announcement.text,
            "topic": topic.naam.in_(notification.language) if topic else announcement.topic,
            "gemeenten": self._gemeente_names(announcement.place.gemeenten),
        }
        return self._frame(notification, detail=detail, link=announcement.link)

    def _digest_context(self, notification: Notification) -> MessageContext:
        items = []
        for item_id in notification.digest_items:
            item = self._outbox.get(item_id)
            if item is None:
                continue
            with contextlib.suppress(_Failed):
                self._check_still_wanted(item, None)
                items.append(self._summary(self._context(item)))
        if not items:
            raise _Failed(FailureReason.OPTED_OUT)
        return self._frame(notification, detail={"items": items})

    @staticmethod
    def _summary(context: MessageContext) -> dict[str, Any]:
        return {
            "kind": context.kind.value,
            "case_number": context.case_number,
            "product": context.product,
            "title": context.detail.get("title"),
            "status": context.detail.get("status"),
            "gemeenten": context.detail.get("gemeenten", []),
        }

    def _confirmation_context(self, notification: Notification) -> MessageContext:
        subscription = self._subscriptions.get(notification.ref)
        if subscription is None:
            raise _Failed(FailureReason.CASE_GONE)
        scope = subscription.scope
        language = notification.language
        detail = {
            "confirm_url": self._links.confirm(subscription.id),
            "topics": [t.naam.in_(language) for slug in sorted(scope.topics) if (t := self._reference.topic(slug))],
            "gemeenten": self._gemeente_names(tuple(sorted(scope.gemeenten))),
            "area": scope.area is not None,
        }
        return self._frame(notification, detail=detail)


def _unsigned(url: str | None) -> str | None:
    """A signed link with its token left out, for a preview that must not hand anybody a working one."""
    return url.split("?", 1)[0] + "?token=voorbeeld" if url else None
