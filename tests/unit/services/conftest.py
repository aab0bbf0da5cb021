"""A world of in-memory twins around the real services: no AWS, no network, a clock the test controls."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import cast

import pytest

from chalicelib.adapters.memory import (
    InMemoryAnnouncements,
    InMemoryBerichtenbox,
    InMemoryCases,
    InMemoryContacts,
    InMemoryEmail,
    InMemoryLetters,
    InMemoryOutbox,
    InMemoryQueue,
    InMemoryRateLimiter,
    InMemorySubscribers,
    InMemorySubscriptions,
)
from chalicelib.config import local_settings
from chalicelib.domain.identity import Principal, Role
from chalicelib.services.delivery import DeliveryBusyError, DeliveryRetryableError
from chalicelib.services.ports import RateLimiter
from chalicelib.wiring import Adapters, Services
from tests.factories import ANNA, FATIMA, JAN, MARK, T0, FixedClock, person, subscriber

SECRET = b"test-secret-for-signing-links-000000"


class _SubscriptionLimitsOnly(RateLimiter):
    """The subscription service's limits as on AWS; the case commands' limits let through, since a test here may
    post more messages to one case than an hour allows (those limits are tested in test_rate_limits.py)."""

    CASE_COMMAND_KEYS = ("actor:", "case-messages:")

    def __init__(self, inner: RateLimiter) -> None:
        self._inner = inner

    def hit(self, key: str, *, limit: int, window: timedelta, now: datetime) -> int | None:
        if key.startswith(self.CASE_COMMAND_KEYS):
            return None
        return self._inner.hit(key, limit=limit, window=window, now=now)


class World:
    """The services on ``Adapters.in_memory``, with the twins typed as themselves so tests can look inside."""

    def __init__(self, clock: FixedClock) -> None:
        settings = replace(
            local_settings(),
            portal_url="https://mijn.example.test",
            token_secret=SECRET,
            notification_retention_days=30,
            claim_seconds=90,
        )
        in_memory = Adapters.in_memory(settings, clock=clock)
        self.adapters = in_memory.but(limiter=_SubscriptionLimitsOnly(in_memory.limiter))
        self.services = Services(self.adapters)
        self.clock = clock
        a = self.adapters
        self.cases = cast(InMemoryCases, a.cases)
        self.subscriptions = cast(InMemorySubscriptions, a.subscriptions)
        self.subscribers = cast(InMemorySubscribers, a.subscribers)
        self.outbox = cast(InMemoryOutbox, a.outbox)
        self.queue = cast(InMemoryQueue, a.queue)
        self.email = cast(InMemoryEmail, a.email)
        self.berichtenbox_store = cast(InMemoryBerichtenbox, a.berichtenbox_store)
        self.contacts = cast(InMemoryContacts, a.contacts)
        self.announcement_store = cast(InMemoryAnnouncements, a.announcement_store)
        self.letters = cast(InMemoryLetters, a.letters)
        self.limiter = cast(InMemoryRateLimiter, in_memory.limiter)
        services = self.services
        self.commands = services.case_commands
        self.queries = services.case_queries
        self.berichtenbox = services.berichtenbox
        self.contact_registry = services.contact_registry
        self.fanout = services.fanout
        self.links = services.links
        self.composer = services.composer
        self.delivery = services.delivery
        self.digests = services.digest_run
        self.subscription_service = services.subscription_service
        self.announcements = services.announcements
        self._last_seen: dict[str, object] = {}

    def follow(self, entry, **choices) -> None:
        """Put an index entry in place directly (the management API's work is tested on its own). A person
        not known yet gets a subscriber record (``tests.factories.person``: e-mail and portal, or ``choices``)."""
        self.subscriptions.entries[entry.interest.key][f"{entry.subscriber_id}#{entry.subscription_id}"] = entry
        if choices or self.subscribers.get(entry.subscriber_id) is None:
            self.subscribers.put(person(entry.subscriber_id, **choices))

    def index(self) -> int:
        """What the subscriptions table's stream does: the indexer takes each definition written, in order,
        until nothing changes any more. Returns the records taken."""
        taken = 0
        while self.subscriptions.changed:
            subscription_id = self.subscriptions.changed.pop(0)
            self.services.indexer.catch_up(subscription_id)
            taken += 1
        return taken

    def fan_out(self) -> None:
        """What the stream does: fan out each case's change since the last call (old and new state). Several
        commands in between arrive as one change. The clock moves a second first, as time passes. The
        subscriptions' index has caught up first (its stream is seconds ahead of any news)."""
        self.index()
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
        self.index()
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
    for party, email in ((MARK, "mark@example.org"), (FATIMA, "fatima@example.org"), (JAN, "jan@example.org")):
        world.subscribers.put(subscriber(party, email))
    return world
