"""From a change of one case to notifications in the outbox and jobs on the delivery queue.

Safe to run twice for the same change: notification ids are business keys and the outbox refuses a
second copy. A notification that was stored but never queued (a crash in between) is queued again when
the change is redelivered.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.domain.cases import Case
from chalicelib.domain.catalogue import Catalogue
from chalicelib.domain.events import derive_events, interests_for
from chalicelib.domain.matching import match_recipients
from chalicelib.domain.notifications import Notification, NotificationStatus, plan_notifications
from chalicelib.domain.subscriptions import Subscription
from chalicelib.services.ports import Clock, DeliveryQueue, NotificationOutbox, SubscriptionRepository


@dataclass(frozen=True)
class FanOutResult:
    events: int = 0
    created: int = 0
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
    ) -> None:
        self._catalogue = catalogue
        self._subscriptions = subscriptions
        self._outbox = outbox
        self._queue = queue
        self._clock = clock
        self._retention = retention
        self._batch_found: dict[str, list[Subscription]] | None = None

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Within one batch of changes each interest key is queried once, however many records reach it (a
        subscription added meanwhile counts from the next batch, seconds later). Outside it nothing is kept."""
        self._batch_found = {}
        try:
            yield
        finally:
            self._batch_found = None

    def handle_change(self, old: Case | None, new: Case | None, observed_at: datetime) -> FanOutResult:
        current = new or old
        if current is None or new is None:
            return FanOutResult()
        zaaktype = self._catalogue.get(current.zaaktype)
        events = derive_events(old, new, zaaktype, observed_at)
        if not events:
            return FanOutResult()
        found: dict[str, list[Subscription]] = self._batch_found if self._batch_found is not None else {}
        queried = 0
        created = requeued = duplicates = 0
        to_queue: list[Notification] = []
        now = self._clock.now()
        for event in events:
            interests = interests_for(event, new, zaaktype)
            for interest in interests:
                if interest.key not in found:
                    found[interest.key] = self._subscriptions.subscribers_of(interest.key)
                    queried += 1
            recipients = match_recipients(interests, found, parties=new.parties, public=event.public)
            for notification in plan_notifications(event, recipients, now=now, retention=self._retention):
                if self._outbox.add_if_absent(notification):
                    created += 1
                    to_queue.append(notification)
                    continue
                stored = self._outbox.get(notification.id)
                if stored is not None and stored.status is NotificationStatus.CREATED:
                    requeued += 1
                    to_queue.append(stored)
                else:
                    duplicates += 1
        if to_queue:
            self._queue.enqueue(to_queue)
        return FanOutResult(len(events), created, requeued, duplicates, queried)
