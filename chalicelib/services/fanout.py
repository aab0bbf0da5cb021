"""From a change of one case (or an approved announcement) to notifications in the outbox and jobs on the
delivery queue.

Safe to run twice for the same change: notification ids are business keys and the outbox refuses a
second copy. A notification that was stored but never queued (a crash in between) is queued again when
the change is redelivered. E-mails that must wait (quiet hours, a digest) are stored as held and left for
the digest run.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from chalicelib.domain.announcements import announcement_events
from chalicelib.domain.cases import Case
from chalicelib.domain.catalogue import Catalogue
from chalicelib.domain.changes import CaseChange, StoredChange
from chalicelib.domain.events import CASE_KINDS, CaseEvent, derive_events, interests_for
from chalicelib.domain.geo import Area
from chalicelib.domain.matching import Match, Recipient, match_event, polygon_candidates, with_preferences
from chalicelib.domain.notifications import Notification, NotificationStatus, plan_notifications
from chalicelib.domain.schedule import may_have_held_email
from chalicelib.domain.subscriptions import Channel, Interest, Subscriber, SubscriptionEntry
from chalicelib.services.digests import RELEASED
from chalicelib.services.ports import Clock, DeliveryQueue, NotificationOutbox, SubscriberDirectory, SubscriptionRepository

QUEUE_CHUNK = 100


@dataclass(frozen=True)
class FanOutResult:
    events: int = 0
    created: int = 0
    held: int = 0
    requeued: int = 0
    duplicates: int = 0
    queries: int = 0


class FanOut:
    def __init__(
        self,
        catalogue: Catalogue,
        subscriptions: SubscriptionRepository,
        outbox: NotificationOutbox,
        queue: DeliveryQueue,
        clock: Clock,
        retention: timedelta,
        subscribers: SubscriberDirectory,
    ) -> None:
        self._catalogue = catalogue
        self._subscriptions = subscriptions
        self._subscribers = subscribers
        self._outbox = outbox
        self._queue = queue
        self._clock = clock
        self._retention = retention
        self._batch_entries: dict[str, list[SubscriptionEntry]] | None = None
        self._batch_shapes: dict[str, Area] | None = None

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Within one batch of changes each interest key is queried once, however many records reach it (a
        subscription added meanwhile counts from the next batch, seconds later). Outside it nothing is kept."""
        self._batch_entries, self._batch_shapes = {}, {}
        try:
            yield
        finally:
            self._batch_entries, self._batch_shapes = None, None

    def apply(self, change: StoredChange) -> FanOutResult:
        """Tell whoever must hear of a stored change: a case's, or an announcement's."""
        if isinstance(change, CaseChange):
            return self.handle_change(change.old, change.new, change.observed_at)
        return self.handle_events(announcement_events(change.before, change.after))

    def handle_change(self, old: Case | None, new: Case | None, observed_at: datetime) -> FanOutResult:
        current = new or old
        if current is None or new is None:
            return FanOutResult()
        events = derive_events(old, new, self._catalogue.get(current.zaaktype), observed_at)
        return self.handle_events(events, followers=new.followers)

    def audience(self, event: CaseEvent, *, followers: Sequence[str] = ()) -> tuple[list[Recipient], int]:
        """Who an event reaches, and how many Queries finding them took (nothing is written)."""
        return self._audience(event, followers, *self._caches())

    def _caches(self) -> tuple[dict[str, list[SubscriptionEntry]], dict[str, Area]]:
        """The batch's lookups when inside one, else fresh ones (shared by the events of one change)."""
        entries = self._batch_entries if self._batch_entries is not None else {}
        shapes = self._batch_shapes if self._batch_shapes is not None else {}
        return entries, shapes

    def _audience(
        self, event: CaseEvent, followers: Sequence[str], entries: dict[str, list[SubscriptionEntry]], shapes: dict[str, Area]
    ) -> tuple[list[Recipient], int]:
        interests = interests_for(event)
        queried = self._load(interests, entries)
        missing = polygon_candidates(interests, entries) - set(shapes)
        for subscription_id, definition in self._subscriptions.definitions(missing).items():
            if definition.scope.area is not None:
                shapes[subscription_id] = definition.scope.area
        return self._with_preferences(match_event(event, entries, parties=followers, shapes=shapes)), queried

    def _with_preferences(self, matches: list[Match]) -> list[Recipient]:
        """The matched people with their preferences as they are now, read from their subscriber records (one
        BatchGetItem per 100 people); somebody without a record is reached as ``Subscriber.default`` is: in
        the portal only."""
        found = self._subscribers.get_many([m.subscriber_id for m in matches]) if matches else {}
        now = self._clock.now()
        preferences = {
            m.subscriber_id: (found.get(m.subscriber_id) or Subscriber.default(m.subscriber_id, now)).preferences for m in matches
        }
        return with_preferences(matches, preferences)

    def handle_events(self, events: Sequence[CaseEvent], *, followers: Sequence[str] = ()) -> FanOutResult:
        if not events:
            return FanOutResult()
        created = held = requeued = duplicates = queried = 0
        to_queue: list[Notification] = []
        now = self._clock.now()
        entries, shapes = self._caches()
        waiting = _WaitingEmail(self._outbox)
        for event in events:
            recipients, event_queries = self._audience(event, followers, entries, shapes)
            queried += event_queries
            planned = plan_notifications(event, recipients, now=now, retention=self._retention)
            released, planned = waiting.release_before(event, planned, recipients, now)
            to_queue.extend(released)
            for notification in planned:
                if self._outbox.add_if_absent(notification):
                    if notification.status is NotificationStatus.HELD:
                        held += 1
                        waiting.written(notification)
                    else:
                        created += 1
                        to_queue.append(notification)
                        to_queue = self._flush(to_queue)
                    continue
                stored = self._outbox.get(notification.id)
                if stored is not None and stored.status is NotificationStatus.CREATED:
                    requeued += 1
                    to_queue.append(stored)
                    to_queue = self._flush(to_queue)
                else:
                    duplicates += 1
        if to_queue:
            self._queue.enqueue(to_queue)
        return FanOutResult(len(events), created, held, requeued, duplicates, queried)

    def _flush(self, pending: list[Notification], at: int = QUEUE_CHUNK) -> list[Notification]:
        """Queue what is written in chunks, so a large audience starts going out while the rest is written,
        and a handler stopped half-way (a timeout) has queued most of what it wrote."""
        if len(pending) < at:
            return pending
        self._queue.enqueue(pending)
        return []

    def _load(self, interests: Sequence[Interest], entries: dict[str, list[SubscriptionEntry]]) -> int:
        queried = 0
        for interest in interests:
            if interest.key not in entries:
                entries[interest.key] = self._subscriptions.entries_of(interest.key)
                queried += 1
        return queried


class _WaitingEmail:
    """E-mail about a case waiting for the morning or a digest must not be overtaken by a later e-mail about
    the same case that goes at once (one that asks to act, or the first of the day while the night's wait for
    the release run): the waiting ones are released to go first, in the same message group. One already taken
    into a digest that is on its way cannot be: then the later e-mail waits for the next release run, which
    holds it back until that digest is out. The case's notifications are read only when someone who may have
    e-mail waiting gets one at once, and then once."""

    def __init__(self, outbox: NotificationOutbox) -> None:
        self._outbox = outbox
        self._known: dict[str, list[Notification]] = {}

    def written(self, notification: Notification) -> None:
        if notification.case_id in self._known:
            self._known[notification.case_id].append(notification)

    def release_before(
        self, event: CaseEvent, planned: list[Notification], recipients: Sequence[Recipient], now: datetime
    ) -> tuple[list[Notification], list[Notification]]:
        """The waiting e-mails released to go first, and ``planned`` with those that must wait held."""
        if event.kind not in CASE_KINDS:
            return [], planned
        may_wait = {r.subscriber_id for r in recipients if may_have_held_email(r.preferences, now)}
        at_once = {
            n.id
            for n in planned
            if n.channel is Channel.EMAIL and n.status is NotificationStatus.CREATED and n.subscriber_id in may_wait
        }
        if not at_once:
            return [], planned
        if event.case_id not in self._known:
            self._known[event.case_id] = self._outbox.for_case(event.case_id)
        released: list[Notification] = []
        result = []
        for notification in planned:
            if notification.id in at_once:
                waiting = self._earlier(event.case_id, notification, NotificationStatus.HELD)
                if any(held.bundled_in for held in waiting):
                    notification = replace(notification, status=NotificationStatus.HELD, hold_until=now)  # noqa: PLW2901
                else:
                    released.extend(self._release(waiting, now))
                    # released by the morning run but maybe not queued (it failed in between), or waiting for a
                    # retry: queued again ahead of the new one (delivery sends each once)
                    unsent = self._earlier(event.case_id, notification, NotificationStatus.CREATED)
                    released.extend(n for n in unsent if n.reason == RELEASED)
            result.append(notification)
        return released, result

    def _earlier(self, case_id: str, later: Notification, status: NotificationStatus) -> list[Notification]:
        """The case's other e-mails to the same person in ``status``."""
        return [
            earlier
            for earlier in self._known[case_id]
            if earlier.subscriber_id == later.subscriber_id
            and earlier.channel is Channel.EMAIL
            and earlier.status is status
            and earlier.id != later.id
        ]

    def _release(self, waiting: list[Notification], now: datetime) -> list[Notification]:
        released = []
        for held in waiting:
            going = held.moved_to(NotificationStatus.CREATED, now, hold_until=None, reason=RELEASED)
            if self._outbox.transition(held, going):
                released.append(going)
        return released
