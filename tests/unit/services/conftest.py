"""A world of in-memory twins around the real services: no AWS, no network, a clock the test controls."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from chalicelib.adapters.memory import (
    InMemoryAnnouncements,
    InMemoryCases,
    InMemoryContacts,
    InMemoryEmail,
    InMemoryInbox,
    InMemoryLetters,
    InMemoryOutbox,
    InMemoryQueue,
    InMemoryRateLimiter,
    InMemorySubscribers,
    InMemorySubscriptions,
)
from chalicelib.adapters.templates import JinjaRenderer
from chalicelib.domain.identity import Principal, Role
from chalicelib.domain.tokens import email_fingerprint
from chalicelib.services.announcements import Announcements
from chalicelib.services.case_commands import CaseCommands
from chalicelib.services.case_queries import Berichtenbox, CaseQueries
from chalicelib.services.contacts import ContactRegistry
from chalicelib.services.delivery import Delivery, DeliveryBusyError, DeliveryRetryableError
from chalicelib.services.digests import DigestRun
from chalicelib.services.fanout import FanOut
from chalicelib.services.links import Links
from chalicelib.services.subscriptions import SubscriptionService
from tests.factories import ANNA, FATIMA, JAN, MARK, T0, FixedClock, catalogue, reference, subscriber

SECRET = b"test-secret-for-signing-links-000000"


@dataclass
class World:
    clock: FixedClock
    subscriptions: InMemorySubscriptions = field(default_factory=InMemorySubscriptions)
    subscribers: InMemorySubscribers = field(default_factory=InMemorySubscribers)
    outbox: InMemoryOutbox = field(default_factory=InMemoryOutbox)
    queue: InMemoryQueue = field(default_factory=InMemoryQueue)
    email: InMemoryEmail = field(default_factory=InMemoryEmail)
    inbox: InMemoryInbox = field(default_factory=InMemoryInbox)
    contacts: InMemoryContacts = field(default_factory=InMemoryContacts)
    announcement_store: InMemoryAnnouncements = field(default_factory=InMemoryAnnouncements)
    letters: InMemoryLetters = field(default_factory=InMemoryLetters)
    limiter: InMemoryRateLimiter = field(default_factory=InMemoryRateLimiter)

    def __post_init__(self) -> None:
        self.cases = InMemoryCases(self.subscriptions)
        self.commands = CaseCommands(self.cases, self.subscribers, catalogue(), reference(), self.clock)
        self.queries = CaseQueries(self.cases, catalogue(), self.outbox, self.contacts, self.subscribers)
        self.berichtenbox = Berichtenbox(self.inbox, self.clock)
        self.contact_registry = ContactRegistry(self.cases, self.contacts, self.clock)
        self.fanout = FanOut(catalogue(), self.subscriptions, self.outbox, self.queue, self.clock, timedelta(days=30))
        self.links = Links("https://mijn.example.test", SECRET, self.clock)
        self.delivery = Delivery(
            outbox=self.outbox,
            cases=self.cases,
            announcements=self.announcement_store,
            subscriptions=self.subscriptions,
            catalogue=catalogue(),
            reference=reference(),
            subscribers=self.subscribers,
            renderer=JinjaRenderer(),
            email=self.email,
            letters=self.letters,
            inbox=self.inbox,
            clock=self.clock,
            links=self.links,
            claim=timedelta(seconds=90),
        )
        self.digests = DigestRun(self.outbox, self.queue, self.clock, timedelta(days=30))
        self.subscription_service = SubscriptionService(
            subscriptions=self.subscriptions,
            subscribers=self.subscribers,
            reference=reference(),
            outbox=self.outbox,
            queue=self.queue,
            limiter=self.limiter,
            clock=self.clock,
            secret=SECRET,
            fingerprint=lambda email: email_fingerprint(email, SECRET),
            retention=timedelta(days=30),
        )
        self.announcements = Announcements(self.announcement_store, reference(), self.fanout, self.clock)
        self._last_seen: dict[str, object] = {}

    def follow(self, entry) -> None:
        """Put an index entry in place directly (the management API's work is tested on its own)."""
        self.subscriptions.entries[entry.interest.key][f"{entry.subscriber_id}#{entry.subscription_id}"] = entry

    def fan_out(self) -> None:
        """What the stream does: fan out each case's change since the last call (old and new state). Several
        commands in between arrive as one change. The clock moves a second first, as time passes."""
        self.clock.advance(seconds=1)
        for case_id, case in list(self.cases.items.items()):
            old = self._last_seen.get(case_id)
            if old is not case:
                self.fanout.handle_change(old, case, self.clock.now())  # type: ignore[arg-type]
                self._last_seen[case_id] = case

    def deliver_all(self) -> list[str]:
        """What the queue does: deliver everything queued; what fails stays queued. Returns the failed ids."""
        failed = []
        for notification_id in self.queue.drain():
            try:
                self.delivery.deliver(notification_id)
            except (DeliveryRetryableError, DeliveryBusyError):
                failed.append(notification_id)
        self.queue.messages.extend(failed)
        return failed

    def propagate(self) -> None:
        self.fan_out()
        self.deliver_all()

    def fan_out_announcements(self) -> None:
        """What the stream does for announcements: fan out each one's change since the last call (old and new
        state), as ``fan_out`` does for cases. The clock moves a second first."""
        from chalicelib.domain.announcements import Announcement, announcement_events

        if not hasattr(self, "_announcements_seen"):
            self._announcements_seen: dict[str, Announcement] = {}
        self.clock.advance(seconds=1)
        for announcement_id, announcement in list(self.announcement_store.items.items()):
            old = self._announcements_seen.get(announcement_id)
            if old is not announcement:
                self.fanout.handle_events(announcement_events(old, announcement))
                self._announcements_seen[announcement_id] = announcement


ANNA_PRINCIPAL = Principal(ANNA.id, frozenset({Role.BEHANDELAAR}), name=ANNA.naam)
PIETER = Principal("mdw-pieter-jansen", frozenset({Role.BEHANDELAAR}), name="Pieter Jansen")
SANNE = Principal("mdw-sanne-deboer", frozenset({Role.KCC}), name="Sanne de Boer")
MARK_PRINCIPAL = Principal(MARK, frozenset({Role.APPLICANT}))
FATIMA_PRINCIPAL = Principal(FATIMA, frozenset({Role.APPLICANT}))
JAN_PRINCIPAL = Principal(JAN, frozenset({Role.APPLICANT}))
KARIN = Principal("pu-karin-2b6f90", frozenset({Role.APPLICANT}), represents=MARK)


@pytest.fixture
def world() -> World:
    world = World(FixedClock(T0))
    for person, email in ((MARK, "mark@example.org"), (FATIMA, "fatima@example.org"), (JAN, "jan@example.org")):
        world.subscribers.put(subscriber(person, email))
    return world
