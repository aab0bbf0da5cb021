"""Following things: for people logged in (their own subscriptions and preferences), for people without
DigiD (by e-mail, with double opt-in), and through the signed links in every e-mail (confirm, unsubscribe in
one click, manage preferences).

An e-mail address somebody types in is only written to after they confirm it; a confirmation link never
brings back a subscription that was stopped; stopping twice is as good as once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from enum import StrEnum

from chalicelib.domain.addresses import canonical_address
from chalicelib.domain.errors import CaseRuleError, Issue, SubscriptionNotFoundError, TooManyRequestsError, ValidationError
from chalicelib.domain.events import EventKind
from chalicelib.domain.identity import Principal, Role, require_role
from chalicelib.domain.language import Language
from chalicelib.domain.matching import Audience
from chalicelib.domain.notifications import Notification, NotificationStatus, notification_id
from chalicelib.domain.ratelimit import source_key
from chalicelib.domain.reference import ReferenceData
from chalicelib.domain.subscriptions import (
    Channel,
    Frequency,
    PostalAddress,
    Scope,
    Subscriber,
    Subscription,
    SubscriptionOrigin,
    SubscriptionState,
    index_interests,
)
from chalicelib.domain.tokens import InvalidTokenError, TokenPurpose, verify
from chalicelib.services.ids import new_id
from chalicelib.services.links import CONFIRM_VALID
from chalicelib.services.ports import (
    Clock,
    DeliveryQueue,
    NotificationOutbox,
    RateLimiter,
    SubscriberDirectory,
    SubscriptionRepository,
)

# Per address (in its canonical form: domain/addresses.py) and per source.
PER_ADDRESS = (3, timedelta(hours=1))
PER_SOURCE = (30, timedelta(hours=1))
# A preference change is one write of the subscriber record, whatever the person follows. It is still limited
# per person, by login and by the manage link alike: the manage link works without a login, so a forwarded or
# leaked link (or a script) must not flip where someone's messages go back and forth at will; a person changes
# their choices a few times an hour, not dozens.
PREFERENCE_CHANGES = (10, timedelta(hours=1))
# What one person may make Baken keep: subscriptions, and index entries for one (each topic multiplies an
# area's cells; a 10 km circle is about 2,900 cells).
MAX_SUBSCRIPTIONS = 25
MAX_INDEX_ENTRIES = 6_000
# How long a request to follow by e-mail, and an address only such requests know, wait for a confirmation
# before they are forgotten (TTL): the confirmation link's lifetime and a day for a delivery that was retried.
UNCONFIRMED_KEPT = CONFIRM_VALID + timedelta(days=1)


class Outcome(StrEnum):
    DONE = "done"
    ALREADY = "already"
    STOPPED = "stopped"


@dataclass(frozen=True)
class UnsubscribeTarget:
    """What an unsubscribe link stops: all e-mail (the link in e-mail to a party of a case, and in digests: the
    berichtenbox keeps every message about their own cases), or one subscription to topics and places."""

    all_email: bool
    subscription: Subscription | None = None


@dataclass(frozen=True)
class PreferenceChange:
    channels: frozenset[Channel]
    language: Language
    frequency: Frequency
    quiet_hours: bool
    postal_address: PostalAddress | None = None


class SubscriptionService:
    def __init__(
        self,
        *,
        subscriptions: SubscriptionRepository,
        subscribers: SubscriberDirectory,
        reference: ReferenceData,
        outbox: NotificationOutbox,
        queue: DeliveryQueue,
        limiter: RateLimiter,
        clock: Clock,
        secret: bytes,
        fingerprint: Callable[[str], str],
        retention: timedelta,
        ids: Callable[[], str] = new_id,
    ) -> None:
        self._subscriptions = subscriptions
        self._subscribers = subscribers
        self._reference = reference
        self._outbox = outbox
        self._queue = queue
        self._limiter = limiter
        self._clock = clock
        self._secret = secret
        self._fingerprint = fingerprint
        self._retention = retention
        self._ids = ids

    # For people who are logged in ------------------------------------------------------------------------

    def mine(self, principal: Principal) -> list[Subscription]:
        require_role(principal, Role.APPLICANT, "list_subscriptions")
        return [s for s in self._subscriptions.of_subscriber(principal.subject) if s.state is not SubscriptionState.CANCELLED]

    def follow(self, principal: Principal, scope: Scope) -> Subscription:
        require_role(principal, Role.APPLICANT, "follow")
        self.check_scope(scope)
        if self._active_count(principal.subject) >= MAX_SUBSCRIPTIONS:
            raise ValidationError.single("subscriptions", "too_many_subscriptions", max=MAX_SUBSCRIPTIONS)
        subscription = Subscription(
            self._ids(),
            principal.subject,
            scope,
            SubscriptionOrigin.SELF,
            SubscriptionState.ACTIVE,
            self._clock.now(),
            indexed_revision=0,
        )
        self._subscriptions.store(subscription)  # the definition: the index follows off the request
        return subscription

    def change(self, principal: Principal, subscription_id: str, scope: Scope) -> Subscription:
        require_role(principal, Role.APPLICANT, "change_subscription")
        current = self._own(principal.subject, subscription_id)
        if current.scope.case_id is not None:
            raise ValidationError.single("scope", "case_subscription_fixed")
        self.check_scope(scope)
        changed = current.revised(scope=scope)
        self._subscriptions.store(changed)
        return changed

    def stop(self, principal: Principal, subscription_id: str) -> None:
        """Stopping one that is already stopped changes nothing (someone else's is not found). A party's own
        case cannot be stopped (CaseRuleError ``party_follows_own_case``): a party always hears of it (see
        domain/matching.py), and chooses how with their preferences."""
        require_role(principal, Role.APPLICANT, "stop_subscription")
        subscription = self._own(principal.subject, subscription_id, stopped_too=True)
        if subscription.origin is SubscriptionOrigin.AUTOMATIC or subscription.scope.case_id is not None:
            raise CaseRuleError("party_follows_own_case")
        if subscription.state is not SubscriptionState.CANCELLED:
            self._cancel(subscription)

    def preferences(self, principal: Principal) -> Subscriber:
        require_role(principal, Role.APPLICANT, "read_preferences")
        return self._subscriber(principal.subject)

    def set_preferences(self, principal: Principal, change: PreferenceChange) -> Subscriber:
        """New preferences apply to every subscription at once: they are read from the subscriber record
        whenever something is planned, so this is one write."""
        require_role(principal, Role.APPLICANT, "set_preferences")
        if Channel.LETTER in change.channels and change.postal_address is None:
            raise ValidationError.single("postal_address", "required_for_letters")
        current = self._subscriber(principal.subject)
        if Channel.EMAIL in change.channels and not current.email:
            raise ValidationError.single("channels", "no_email_address")
        updated = replace(
            current,
            channels=change.channels,
            language=change.language,
            frequency=change.frequency,
            quiet_hours=change.quiet_hours,
            postal_address=change.postal_address,
        )
        self._store_preferences(updated)
        return updated

    # For people without DigiD: by e-mail, with double opt-in ---------------------------------------------

    def subscribe_by_email(self, email: str, language: Language, scope: Scope, *, source: str) -> None:
        """Ask for a subscription; a confirmation e-mail follows, unless the address stopped e-mail (see
        ``MessageComposer.still_wanted``). The answer is the same whether or not the address is known, and
        so is the work: a known address costs the read an unknown one's first write costs, and nothing else
        is looked at here (no count, no preferences) — what differs is decided later, off the request.

        A request is kept ``UNCONFIRMED_KEPT`` (the confirmation link's 7 days and a day for a delayed
        delivery), and an address first seen in one as long: a request nobody confirms is forgotten. Pending
        requests never count toward ``MAX_SUBSCRIPTIONS``; confirming does (so a stranger's requests never
        lock the owner of the address out)."""
        self.check_scope(scope)
        now = self._clock.now()
        address = email.strip()
        limits = (
            (f"address:{self._fingerprint(canonical_address(address))}", PER_ADDRESS),
            (f"source:{source_key(source)}", PER_SOURCE),
        )
        for key, (limit, window) in limits:
            wait = self._limiter.hit(key, limit=limit, window=window, now=now)
            if wait is not None:
                raise TooManyRequestsError(wait)
        forget_at = (now + UNCONFIRMED_KEPT).replace(microsecond=0)
        subscriber = self._subscribers.find_by_email(address)
        if subscriber is None:
            subscriber = Subscriber(self._ids(), address, language, frozenset({Channel.EMAIL}), now, expires_at=forget_at)
            self._subscribers.put(subscriber)
        subscription = Subscription(
            self._ids(), subscriber.id, scope, SubscriptionOrigin.ANONYMOUS, SubscriptionState.PENDING, now, forget_at
        )
        self._subscriptions.store(subscription)  # pending: nothing to index
        event_id = f"subscription-{subscription.id}/confirmation"
        confirmation = Notification(
            id=notification_id(event_id, subscriber.id, Channel.EMAIL),
            event_id=event_id,
            event_kind=EventKind.SUBSCRIPTION_CONFIRMATION,
            case_id=f"subscription-{subscription.id}",
            ref=subscription.id,
            subscriber_id=subscriber.id,
            channel=Channel.EMAIL,
            language=language,
            audience=Audience.FOLLOWER,
            status=NotificationStatus.CREATED,
            created_at=now,
            updated_at=now,
            expires_at=now + self._retention,
            subscription_id=subscription.id,
        )
        if self._outbox.add_if_absent(confirmation):
            self._queue.enqueue([confirmation])

    def confirm(self, token: str) -> Outcome:
        """Confirm from the page (a POST, so a mail scanner following the link confirms nothing). Only now
        does the limit of ``MAX_SUBSCRIPTIONS`` apply; the subscription and the address stop expiring."""
        subject = self._verified(token, TokenPurpose.CONFIRM)
        subscription = self._subscriptions.get(subject)
        if subscription is None:
            raise SubscriptionNotFoundError(subject)
        if subscription.state is SubscriptionState.ACTIVE:
            return Outcome.ALREADY
        if subscription.state is SubscriptionState.CANCELLED:
            return Outcome.STOPPED
        subscriber = self._subscribers.get(subscription.subscriber_id)
        if subscriber is None or not subscriber.email:
            raise SubscriptionNotFoundError(subject)  # the address was forgotten: the link no longer works
        if self._active_count(subscriber.id) >= MAX_SUBSCRIPTIONS:
            raise ValidationError.single("subscriptions", "too_many_subscriptions", max=MAX_SUBSCRIPTIONS)
        active = subscription.revised(state=SubscriptionState.ACTIVE, expires_at=None)
        if Channel.EMAIL not in subscriber.channels:
            # they stopped all e-mail after asking, and now confirmed they want e-mail again
            subscriber = replace(subscriber, channels=subscriber.channels | {Channel.EMAIL}, expires_at=None)
            self._store_preferences(subscriber)
        elif subscriber.expires_at is not None:  # a confirmed address is kept
            subscriber = replace(subscriber, expires_at=None)
            self._subscribers.put(subscriber)
        self._subscriptions.store(active)
        return Outcome.DONE

    def unsubscribe_target(self, token: str) -> UnsubscribeTarget:
        """What the unsubscribe link ``token`` stops, for its page to say before the button is pressed (nothing
        changes): one subscription (which), or all e-mail to its owner. InvalidTokenError for a link that
        cannot work; SubscriptionNotFoundError for a subscription that is gone."""
        kind, _, identifier = self._verified(token, TokenPurpose.UNSUBSCRIBE).partition(":")
        if kind == "subscription":
            subscription = self._subscriptions.get(identifier)
            if subscription is None:
                raise SubscriptionNotFoundError(identifier)
            return UnsubscribeTarget(all_email=False, subscription=subscription)
        if kind == "subscriber":
            return UnsubscribeTarget(all_email=True)
        raise InvalidTokenError("malformed")

    def unsubscribe(self, token: str) -> Outcome:
        """One click (RFC 8058): stop the subscription the e-mail came from, or all e-mail. Repeating is harmless."""
        subject = self._verified(token, TokenPurpose.UNSUBSCRIBE)
        kind, _, identifier = subject.partition(":")
        if kind == "subscription":
            subscription = self._subscriptions.get(identifier)
            if subscription is None:
                raise SubscriptionNotFoundError(identifier)
            if subscription.state is SubscriptionState.CANCELLED:
                return Outcome.ALREADY
            self._cancel(subscription)
            return Outcome.DONE
        if kind == "subscriber":
            subscriber = self._subscriber(identifier)
            if Channel.EMAIL not in subscriber.channels:
                return Outcome.ALREADY
            self._store_preferences(replace(subscriber, channels=subscriber.channels - {Channel.EMAIL}))
            return Outcome.DONE
        raise InvalidTokenError("malformed")

    def managed(self, token: str) -> tuple[Subscriber, list[Subscription]]:
        """What the manage-preferences page shows: the subscriber's choices and the topics and places they
        follow. Their own cases are not among them: a party of a case is always told in the berichtenbox
        (e-mail about it stops with "stop all e-mail"), whoever the link was forwarded to."""
        subscriber = self._subscriber(self._verified(token, TokenPurpose.MANAGE))
        followed = self._subscriptions.of_subscriber(subscriber.id)
        return subscriber, [
            s for s in followed if s.state is SubscriptionState.ACTIVE and s.origin is not SubscriptionOrigin.AUTOMATIC
        ]

    def manage(
        self, token: str, *, frequency: Frequency, language: Language, quiet_hours: bool, stop: frozenset[str]
    ) -> Subscriber:
        subscriber, subscriptions = self.managed(token)
        for subscription in subscriptions:
            if subscription.id in stop:
                self._cancel(subscription)
        updated = replace(subscriber, frequency=frequency, language=language, quiet_hours=quiet_hours)
        self._store_preferences(updated)
        return updated

    # Shared ---------------------------------------------------------------------------------------------

    def _active_count(self, subscriber_id: str) -> int:
        return sum(1 for s in self._subscriptions.of_subscriber(subscriber_id) if s.state is SubscriptionState.ACTIVE)

    def check_scope(self, scope: Scope) -> None:
        """Topics and gemeenten must exist (the area is checked where it is read), and an area with its topics
        must not need more index entries than one subscription may have."""
        issues = [
            Issue(f"topics.{i}", "unknown_topic", {"topic": t})
            for i, t in enumerate(sorted(scope.topics))
            if not self._reference.topic(t)
        ]
        issues.extend(
            Issue(f"gemeenten.{i}", "unknown_gemeente", {"gemeente": g})
            for i, g in enumerate(sorted(scope.gemeenten))
            if not self._reference.gemeente(g)
        )
        if issues:
            raise ValidationError(issues)
        if scope.area is not None and len(index_interests(scope)) > MAX_INDEX_ENTRIES:
            raise ValidationError.single("area", "area_too_large_for_topics", max=MAX_INDEX_ENTRIES)

    def check_token(self, token: str, purpose: TokenPurpose) -> None:
        """InvalidTokenError unless ``token`` is ours, for ``purpose`` and unexpired (nothing is read or changed)."""
        self._verified(token, purpose)

    def _verified(self, token: str, purpose: TokenPurpose) -> str:
        return verify(token, self._secret, purpose, now=self._clock.now()).subject

    def _subscriber(self, subscriber_id: str) -> Subscriber:
        return self._subscribers.get(subscriber_id) or Subscriber.default(subscriber_id, self._clock.now())

    def _own(self, subscriber_id: str, subscription_id: str, *, stopped_too: bool = False) -> Subscription:
        subscription = self._subscriptions.get(subscription_id)
        if (
            subscription is None
            or subscription.subscriber_id != subscriber_id
            or (subscription.state is SubscriptionState.CANCELLED and not stopped_too)
        ):
            raise SubscriptionNotFoundError(subscription_id)
        return subscription

    def _cancel(self, subscription: Subscription) -> None:
        """Cancelled first (matching may still find its entries, delivery refuses them), entries removed after."""
        self._subscriptions.store(subscription.revised(state=SubscriptionState.CANCELLED))

    def _store_preferences(self, subscriber: Subscriber) -> None:
        """One write of the subscriber record (see ``PREFERENCE_CHANGES`` for the limit)."""
        limit, window = PREFERENCE_CHANGES
        wait = self._limiter.hit(f"preferences:{subscriber.id}", limit=limit, window=window, now=self._clock.now())
        if wait is not None:
            raise TooManyRequestsError(wait)
        self._subscribers.put(subscriber)
