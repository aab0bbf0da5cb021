"""From a change of one case (or an approved announcement) to notifications in the outbox and jobs on the
delivery queue.

An event's audience is told in bounded units: the stream handler tells the case's parties and the first
``UNIT`` entries of the rest; the rest goes to the jobs queue as pages of one interest key each (``run_job``),
and the event's progress (jobs planned and done, notifications written) is kept in the progress store.

Safe to run twice for the same change (or job): notification ids are business keys and the outbox refuses a
second copy. A notification that was stored but never queued (a crash in between) is queued again when
the change is redelivered. E-mails that must wait (quiet hours, a digest) are stored as held and left for
the digest run.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import astuple, dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain.announcements import announcement_events
from chalicelib.domain.cases import Case
from chalicelib.domain.catalogue import Catalogue
from chalicelib.domain.changes import CaseChange, StoredChange
from chalicelib.domain.events import (
    CASE_KINDS,
    CaseEvent,
    EventKind,
    derive_events,
    event_from_json,
    event_to_json,
    interests_for,
)
from chalicelib.domain.geo import Area
from chalicelib.domain.matching import Match, Recipient, match_event, polygon_candidates, with_preferences
from chalicelib.domain.notifications import Notification, NotificationStatus, plan_notifications
from chalicelib.domain.schedule import may_have_held_email
from chalicelib.domain.subscriptions import Channel, Interest, InterestKind, Subscriber, SubscriptionEntry
from chalicelib.services.digests import RELEASED
from chalicelib.services.ports import (
    Clock,
    DeliveryQueue,
    JobProgress,
    JobQueue,
    NotificationOutbox,
    ProgressStore,
    SubscriberDirectory,
    SubscriptionRepository,
)

QUEUE_CHUNK = 100
UNIT = 1_000
"""The most index entries one invocation reads for one event (its case's own entries, always read whole, aside):
an audience beyond it is split into jobs, one page of one interest key each."""
INLINE = "inline"  # the progress id of the part the stream handler does itself


@dataclass(frozen=True)
class FanOutResult:
    events: int = 0
    created: int = 0
    held: int = 0
    requeued: int = 0
    duplicates: int = 0
    queries: int = 0
    jobs: int = 0
    entries: int = 0

    def __add__(self, other: FanOutResult) -> FanOutResult:
        return FanOutResult(*(a + b for a, b in zip(astuple(self), astuple(other), strict=True)))


@dataclass(frozen=True)
class FanOutJob:
    """One page of one interest key of one event's audience: the page starting after ``start`` (None: the first).
    Its id is derived from what it is, so a job planned twice is the same job."""

    event: CaseEvent
    key: str
    start: str | None = None

    @property
    def id(self) -> str:
        return hashlib.sha256(f"{self.event.id}|{self.key}|{self.start or ''}".encode()).hexdigest()[:16]

    def to_json(self) -> dict[str, Any]:
        return {"kind": "fanout", "v": 1, "id": self.id, "event": event_to_json(self.event), "key": self.key, "start": self.start}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> FanOutJob:
        start = data.get("start")
        return cls(event_from_json(data["event"]), str(data["key"]), None if start is None else str(start))


class FanOut:
    def __init__(
        self,
        catalogue: Catalogue,
        subscriptions: SubscriptionRepository,
        outbox: NotificationOutbox,
        queue: DeliveryQueue,
        clock: Clock,
        retention: timedelta,
        *,
        subscribers: SubscriberDirectory,
        jobs: JobQueue | None = None,
        progress: ProgressStore | None = None,
        unit: int = UNIT,
    ) -> None:
        self._catalogue = catalogue
        self._subscriptions = subscriptions
        self._subscribers = subscribers
        self._outbox = outbox
        self._queue = queue
        self._clock = clock
        self._retention = retention
        self._jobs = jobs  # None: every audience is handled inline, however large (no jobs queue)
        self._progress = progress
        self._unit = unit
        self._batch_entries: dict[str, list[SubscriptionEntry]] | None = None
        self._batch_shapes: dict[str, Area] | None = None
        self._batch_pages: dict[tuple[str, int], tuple[list[SubscriptionEntry], str | None]] | None = None

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Within one batch of changes each interest key is queried once, however many records reach it (a
        subscription added meanwhile counts from the next batch, seconds later). Outside it nothing is kept."""
        self._batch_entries, self._batch_shapes, self._batch_pages = {}, {}, {}
        try:
            yield
        finally:
            self._batch_entries, self._batch_shapes, self._batch_pages = None, None, None

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
        self._read_shapes(interests, entries, shapes)
        return self._with_preferences(match_event(event, entries, parties=followers, shapes=shapes)), queried

    def _read_shapes(
        self, interests: Sequence[Interest], entries: dict[str, list[SubscriptionEntry]], shapes: dict[str, Area]
    ) -> None:
        missing = polygon_candidates(interests, entries) - set(shapes)
        for subscription_id, definition in self._subscriptions.definitions(missing).items():
            if definition.scope.area is not None:
                shapes[subscription_id] = definition.scope.area

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
        """Each event's parties (its case's own entries) and the first ``unit`` entries of the rest of its audience
        are told here; the rest is split into jobs, one page of one interest key each, queued after this part
        is written so that the parties hear as parties. Without a jobs queue everything is told here."""
        if not events:
            return FanOutResult()
        result = FanOutResult(events=len(events))
        to_queue: list[Notification] = []
        now = self._clock.now()
        entries, shapes = self._caches()
        pages = self._batch_pages if self._batch_pages is not None else {}
        waiting = _WaitingEmail(self._outbox)
        for event in events:
            read, jobs, queried = self._plan_pages(event, entries, pages)
            self._read_shapes(interests_for(event), read, shapes)
            recipients = self._with_preferences(match_event(event, read, parties=followers, shapes=shapes))
            told = self._tell(event, recipients, now, waiting, to_queue)
            result += replace(told, queries=queried, jobs=len(jobs), entries=sum(len(e) for e in read.values()))
            self._hand_over(event, jobs, told)
        if to_queue:
            self._queue.enqueue(to_queue)
        return result

    def progress(self, event_id: str) -> JobProgress | None:
        """How far the fan-out of one event is (None: never split into jobs, or no progress kept)."""
        return None if self._progress is None else self._progress.get(event_id)

    def run_job(self, job: FanOutJob) -> FanOutResult:
        """One page of an event's audience: read it, queue the next page as a job of its own (before telling this
        one, so the pages of a large key go out in parallel), tell this page, count it done. Safe to run twice:
        a job counted done is skipped, and the outbox refuses a second copy of any notification."""
        event = job.event
        if self._progress is not None and self._progress.is_finished(event.id, job.id):
            return FanOutResult()
        page, after = self._subscriptions.entries_page(job.key, limit=self._unit, start=job.start)
        follow = [FanOutJob(event, job.key, after)] if after is not None else []
        if follow:
            if self._progress is not None:
                self._progress.plan(event.id, event.case_id, [f.id for f in follow])
            self._submit(follow)
        read = {job.key: page}
        shapes: dict[str, Area] = {}  # polygons are read per job
        self._read_shapes(interests_for(event), read, shapes)
        recipients = self._with_preferences(match_event(event, read, parties=(), shapes=shapes))
        to_queue: list[Notification] = []
        told = self._tell(event, recipients, self._clock.now(), _WaitingEmail(self._outbox), to_queue)
        if to_queue:
            self._queue.enqueue(to_queue)
        if self._progress is not None:
            self._progress.finish(event.id, job.id, created=told.created, held=told.held)
        return replace(told, events=1, queries=1, jobs=len(follow), entries=len(page))

    def _plan_pages(
        self,
        event: CaseEvent,
        entries: dict[str, list[SubscriptionEntry]],
        pages: dict[tuple[str, int], tuple[list[SubscriptionEntry], str | None]],
    ) -> tuple[dict[str, list[SubscriptionEntry]], list[FanOutJob], int]:
        """What this invocation reads of an event's audience, and the jobs for the rest: the case's own entries
        whole, then the other interest keys in order, page by page, until ``unit`` entries are read."""
        read: dict[str, list[SubscriptionEntry]] = {}
        jobs: list[FanOutJob] = []
        queried = 0
        budget = self._unit
        for interest in interests_for(event):
            key = interest.key
            if interest.kind is InterestKind.CASE or self._jobs is None:
                queried += self._load([interest], entries)
                read[key] = entries[key]
                budget -= len(read[key])
            elif budget <= 0:
                jobs.append(FanOutJob(event, key))
            else:
                page, after, queries = self._page(key, budget, pages)
                queried += queries
                read[key] = page
                budget -= len(page)
                if after is not None:
                    jobs.append(FanOutJob(event, key, after))
        return read, jobs, queried

    def _page(
        self, key: str, limit: int, pages: dict[tuple[str, int], tuple[list[SubscriptionEntry], str | None]]
    ) -> tuple[list[SubscriptionEntry], str | None, int]:
        if (key, limit) in pages:
            return (*pages[(key, limit)], 0)
        page, after = self._subscriptions.entries_page(key, limit=limit)
        pages[(key, limit)] = (page, after)
        return page, after, 1

    def _hand_over(self, event: CaseEvent, jobs: list[FanOutJob], told: FanOutResult) -> None:
        """Queue the jobs for the rest of the audience, after recording them (and this part, done) as the event's
        progress. An announcement's progress is recorded however small its audience: staff look for it."""
        if self._progress is not None and (jobs or event.kind is EventKind.ANNOUNCEMENT):
            self._progress.plan(event.id, event.case_id, [INLINE, *(job.id for job in jobs)])
        if jobs:
            self._submit(jobs)
        if self._progress is not None and (jobs or event.kind is EventKind.ANNOUNCEMENT):
            self._progress.finish(event.id, INLINE, created=told.created, held=told.held)

    def _submit(self, jobs: Sequence[FanOutJob]) -> None:
        if self._jobs is None:
            raise RuntimeError("no jobs queue to hand the rest of an audience to")
        self._jobs.submit([job.to_json() for job in jobs])

    def _tell(
        self,
        event: CaseEvent,
        recipients: list[Recipient],
        now: datetime,
        waiting: _WaitingEmail,
        to_queue: list[Notification],
    ) -> FanOutResult:
        """The planning step: the notifications for ``recipients`` written to the outbox (a second copy is refused)
        and queued in chunks; held ones left for the digest run."""
        created = held = requeued = duplicates = 0
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
                    to_queue[:] = self._flush(to_queue)
                continue
            stored = self._outbox.get(notification.id)
            if stored is not None and stored.status is NotificationStatus.CREATED:
                requeued += 1
                to_queue.append(stored)
                to_queue[:] = self._flush(to_queue)
            else:
                duplicates += 1
        return FanOutResult(0, created, held, requeued, duplicates)

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
