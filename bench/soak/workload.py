"""The workload, drawn from one seed: its sizes, the subscribers, what they follow, and the behandelaar's changes."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from chalicelib.domain.cases import Case
from chalicelib.domain.catalogue import Catalogue, Zaaktype
from chalicelib.domain.language import Language
from chalicelib.domain.subscriptions import (
    Channel,
    Frequency,
    Indexed,
    Scope,
    Subscriber,
    Subscription,
    SubscriptionOrigin,
    SubscriptionState,
)
from chalicelib.domain.workdays import AMSTERDAM


@dataclass(frozen=True)
class Sizes:
    subscribers: int
    cases: int
    updates: int
    interval: timedelta  # between two changes
    start: datetime  # the first change

    @property
    def changes(self) -> int:
        return self.cases + self.updates


def _local(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=AMSTERDAM).astimezone(UTC)


MORNING = _local(2026, 10, 6, 7)  # Tuesday: quiet hours end, daily digests go out


def _around_morning(changes: int, interval: timedelta) -> datetime:
    return MORNING - interval * (changes // 2)


# (a) from Monday 14:00 until Tuesday morning, through the night: 10,000 changes, one every 7 s
IN_MEMORY = Sizes(1_000, 2_000, 8_000, timedelta(seconds=7), _local(2026, 10, 5, 14))
IN_MEMORY_QUICK = Sizes(200, 100, 400, timedelta(seconds=140), _local(2026, 10, 5, 14))
# (b) 1,000 changes, one every 10 s, around Tuesday 07:00
MOTO = Sizes(100, 200, 800, timedelta(seconds=10), _around_morning(1_000, timedelta(seconds=10)))
MOTO_QUICK = Sizes(30, 20, 60, timedelta(seconds=10), _around_morning(80, timedelta(seconds=10)))


SEED = 20261006


CHANNEL_MIX = (
    (frozenset({Channel.EMAIL, Channel.PORTAL}), 0.6),
    (frozenset({Channel.PORTAL}), 0.25),
    (frozenset({Channel.EMAIL}), 0.15),
)
FREQUENCY_MIX = ((Frequency.IMMEDIATELY, 0.8), (Frequency.DAILY, 0.15), (Frequency.WEEKLY, 0.05))
QUIET_HOURS_SHARE = 0.7
ENGLISH_SHARE = 0.1
PLACES = 6  # gemeenten the cases are in
PLACE_FOLLOWER_SHARE = 0.05  # subscribers following one gemeente (every topic)
TOPIC_FOLLOWER_SHARE = 0.01  # subscribers following the public zaaktype's topic anywhere
CASE_FOLLOWERS = 3  # at most this many people follow a case they are no party of
MESSAGE_SHARE = 0.25  # of the updates: a message to the applicants, else a new status
CLOSE_SHARE = 0.06  # of the status updates: the final status


@dataclass(frozen=True)
class Following:
    """Something a subscriber follows besides their own cases, from ``since`` on."""

    subscriber_id: str
    scope: Scope
    since: datetime


@dataclass(frozen=True)
class CaseSpec:
    zaaktype: str
    initiator: str
    co_initiators: tuple[str, ...]
    gemeenten: tuple[str, ...]


class Workload:
    """Everything that happens, drawn from one seed: the subscribers, what they follow, and the changes."""

    def __init__(self, sizes: Sizes, seed: int, catalogue: Catalogue, places: Sequence[str]) -> None:
        self._rng = random.Random(seed)
        self._catalogue = catalogue
        self.places = list(places)
        self.zaaktypen: list[Zaaktype] = sorted(catalogue, key=lambda z: z.identificatie)
        public = [z for z in self.zaaktypen if z.publicatie_indicatie]
        self.public_topic = public[0].onderwerp if public else None
        joined = sizes.start - timedelta(days=30)
        self.subscribers = [self._subscriber(number, joined) for number in range(sizes.subscribers)]
        self.by_id = {s.id: s for s in self.subscribers}
        self.following: list[Following] = []
        self.interest_subscriptions: list[Indexed] = []
        for subscriber in self.subscribers:
            draw = self._rng.random()
            if draw < PLACE_FOLLOWER_SHARE:
                self._follow(subscriber, Scope(gemeenten=frozenset({self._rng.choice(self.places)})), joined)
            elif draw < PLACE_FOLLOWER_SHARE + TOPIC_FOLLOWER_SHARE and self.public_topic:
                self._follow(subscriber, Scope(topics=frozenset({self.public_topic})), joined)
        self.messages = 0

    def _subscriber(self, number: int, joined: datetime) -> Subscriber:
        rng = self._rng
        channels = rng.choices([c for c, _ in CHANNEL_MIX], [w for _, w in CHANNEL_MIX])[0]
        frequency = rng.choices([f for f, _ in FREQUENCY_MIX], [w for _, w in FREQUENCY_MIX])[0]
        subject = f"soak-{number:05d}"
        return Subscriber(
            subject,
            f"{subject}@example.org" if Channel.EMAIL in channels else None,
            Language.EN if rng.random() < ENGLISH_SHARE else Language.NL,
            channels,
            joined,
            frequency=frequency,
            quiet_hours=rng.random() < QUIET_HOURS_SHARE,
        )

    def _follow(self, subscriber: Subscriber, scope: Scope, since: datetime) -> Indexed:
        subscription = Subscription(
            f"soak-follow-{len(self.following):06d}",
            subscriber.id,
            scope,
            SubscriptionOrigin.SELF,
            SubscriptionState.ACTIVE,
            since,
        )
        self.following.append(Following(subscriber.id, scope, since))
        indexed = Indexed.of(subscription)
        self.interest_subscriptions.append(indexed)
        return indexed

    def new_case(self) -> CaseSpec:
        rng = self._rng
        initiator, *co_initiators = rng.sample(self.subscribers, 1 + rng.choice((0, 0, 1, 1, 2)))
        gemeenten = rng.sample(self.places, 2 if rng.random() < 0.2 else 1)
        zaaktype = rng.choice(self.zaaktypen).identificatie
        return CaseSpec(zaaktype, initiator.id, tuple(s.id for s in co_initiators), tuple(gemeenten))

    def follows(self, cases: Sequence[Case], since: datetime) -> list[Indexed]:
        """Some people follow cases they are no party of (only public news of those reaches them)."""
        made = []
        for case in cases:
            others = [s for s in self._rng.sample(self.subscribers, CASE_FOLLOWERS) if s.id not in case.followers]
            for subscriber in others[: self._rng.randint(0, CASE_FOLLOWERS)]:
                made.append(self._follow(subscriber, Scope(case_id=case.id), since))
        return made

    def pick(self, open_ids: Sequence[str]) -> str:
        return self._rng.choice(open_ids)

    def update(self, case: Case) -> tuple[str, str]:
        """("message", text) or ("status", statustype): what the behandelaar does next to ``case``."""
        rng = self._rng
        if rng.random() < MESSAGE_SHARE:
            self.messages += 1
            return "message", f"Bericht {self.messages} over uw zaak."
        zaaktype = self._catalogue.get(case.zaaktype)
        current = case.current_status.statustype
        final = [s.identificatie for s in zaaktype.statustypen if s.is_eindstatus]
        others = [s.identificatie for s in zaaktype.statustypen if not s.is_eindstatus and s.identificatie != current]
        if final and (not others or rng.random() < CLOSE_SHARE):
            return "status", final[0]
        return "status", rng.choice(others)
