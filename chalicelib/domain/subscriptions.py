"""What people follow, and how they want to hear about it.

A **subscription** is a definition: one person follows their own case, or topics in a place (gemeenten,
a circle, a polygon), or topics anywhere. It is stored once, and indexed under **interest keys** — one
**entry** per key — so that an event finds its audience with one Query per key of its own:

- ``case#<uuid>``                      the parties of a case
- ``topic#<slug>``                     a topic, anywhere
- ``gemeente#GM1581``                  everything public in a gemeente
- ``gemeente#GM1581|topic#grondbeheer``  one topic in a gemeente
- ``cell#6:u1780`` / ``cell#7:u1780x`` / ``cell#6p:u1780`` (optionally ``|topic#…``)  an area, by the
  geohash cells that cover it (see geo/coverings.py)

An entry holds only what matching needs (the interest, the subscription and its subscriber, the circle for the
exact test). Delivery preferences belong to the subscriber record alone: fan-out reads them for the people an
event reaches, so a preference change is one write, whatever the person follows. Personal data (e-mail and
postal address) lives only in the subscriber record too.

The index is built off the request (services/indexing.py, from the subscriptions table's stream): a write stores
the definition with a new ``revision``; the index follows in bounded chunks, and ``indexed_revision`` says when
it has caught up (``Subscription.indexed``).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from chalicelib.domain.cases import Case
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.geo import Area, Circle, covering
from chalicelib.domain.language import Language


class InterestKind(StrEnum):
    CASE = "case"
    TOPIC = "topic"
    GEMEENTE = "gemeente"
    CELL = "cell"


TOPIC_SEPARATOR = "|topic#"


@dataclass(frozen=True, order=True)
class Interest:
    """An interest key. ``topic`` narrows a place (gemeente or cell) to one topic."""

    kind: InterestKind
    value: str
    topic: str | None = None

    @property
    def key(self) -> str:
        base = f"{self.kind.value}#{self.value}"
        return f"{base}{TOPIC_SEPARATOR}{self.topic}" if self.topic else base

    @property
    def is_place(self) -> bool:
        return self.kind in (InterestKind.GEMEENTE, InterestKind.CELL)

    @classmethod
    def parse(cls, key: str) -> Interest:
        base, separator, topic = key.partition(TOPIC_SEPARATOR)
        kind, hash_sign, value = base.partition("#")
        if not hash_sign or not value or kind not in {k.value for k in InterestKind} or (separator and not topic):
            raise ValueError(f"not an interest key: {key[:60]!r}")
        return cls(InterestKind(kind), value, topic or None)

    @classmethod
    def case(cls, case_id: str) -> Interest:
        return cls(InterestKind.CASE, case_id)

    @classmethod
    def topic_anywhere(cls, slug: str) -> Interest:
        return cls(InterestKind.TOPIC, slug)

    @classmethod
    def gemeente(cls, code: str, topic: str | None = None) -> Interest:
        return cls(InterestKind.GEMEENTE, code, topic)

    @classmethod
    def cell(cls, cell_key: str, topic: str | None = None) -> Interest:
        return cls(InterestKind.CELL, cell_key, topic)


class Channel(StrEnum):
    EMAIL = "email"
    PORTAL = "portal"
    LETTER = "letter"


class Frequency(StrEnum):
    IMMEDIATELY = "immediately"
    DAILY = "daily"
    WEEKLY = "weekly"


class SubscriptionOrigin(StrEnum):
    AUTOMATIC = "automatic"
    SELF = "self"
    ANONYMOUS = "anonymous"


class SubscriptionState(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class PostalAddress:
    """Where a letter goes: the non-digital alternative."""

    naam: str
    straat: str
    huisnummer: str
    postcode: str
    woonplaats: str


@dataclass(frozen=True)
class Preferences:
    """How someone wants to hear: channels, language, how often, and no e-mail at night."""

    channels: frozenset[Channel]
    language: Language = Language.NL
    frequency: Frequency = Frequency.IMMEDIATELY
    quiet_hours: bool = True


@dataclass(frozen=True)
class Subscriber:
    """A person or organisation Baken can reach. Their addresses are personal data: they stay here."""

    id: str
    email: str | None
    language: Language
    channels: frozenset[Channel]
    created_at: datetime
    frequency: Frequency = Frequency.IMMEDIATELY
    quiet_hours: bool = True
    postal_address: PostalAddress | None = None
    # Known only from a request to follow by e-mail that nobody confirmed yet: forgotten at this moment (TTL).
    expires_at: datetime | None = None

    @classmethod
    def default(cls, subscriber_id: str, now: datetime) -> Subscriber:
        """Somebody we know only by subject: the portal reaches them; e-mail once they give an address."""
        return cls(subscriber_id, None, Language.NL, frozenset({Channel.PORTAL}), now)

    @property
    def reachable_channels(self) -> frozenset[Channel]:
        """The chosen channels that can work: no e-mail without an address, no letter without a postal one."""
        channels = set(self.channels)
        if not self.email:
            channels.discard(Channel.EMAIL)
        if self.postal_address is None:
            channels.discard(Channel.LETTER)
        return frozenset(channels)

    @property
    def preferences(self) -> Preferences:
        return Preferences(self.reachable_channels, self.language, self.frequency, self.quiet_hours)


@dataclass(frozen=True)
class Scope:
    """What a subscription follows: a case; or topics (none = all topics) in a place; or topics anywhere."""

    case_id: str | None = None
    topics: frozenset[str] = frozenset()
    gemeenten: frozenset[str] = frozenset()
    area: Area | None = None

    def __post_init__(self) -> None:
        if self.case_id is not None and (self.topics or self.gemeenten or self.area is not None):
            raise ValueError("a case subscription follows the case only")
        if self.case_id is None and not (self.topics or self.gemeenten or self.area is not None):
            raise ValidationError.single("topics", "nothing_to_follow")

    @property
    def has_place(self) -> bool:
        return bool(self.gemeenten) or self.area is not None


@dataclass(frozen=True)
class Subscription:
    id: str
    subscriber_id: str
    scope: Scope
    origin: SubscriptionOrigin
    state: SubscriptionState
    created_at: datetime
    # A request nobody confirmed is forgotten at this moment (TTL); a confirmed subscription never expires.
    expires_at: datetime | None = None
    # Every write of the definition is a new revision; its index has caught up when ``indexed_revision`` is it.
    revision: int = 1
    indexed_revision: int = 1
    # Scopes of earlier revisions whose entries may still be in the index (removed by the indexer), and how
    # many steps of ``index_steps`` the indexer has done for this revision.
    previous_scopes: tuple[Scope, ...] = ()
    index_progress: int = 0

    @property
    def indexed(self) -> bool:
        """The index holds exactly what this revision implies (until then the person sees "being set up")."""
        return self.indexed_revision >= self.revision

    def revised(self, **changes: object) -> Subscription:
        """The next revision, with ``changes``, its index still to build: the scopes whose entries may exist
        (this one's if it was active, and those an unfinished earlier revision left) are kept to be removed."""
        earlier = () if self.indexed else self.previous_scopes
        carried = (*earlier, self.scope) if self.state is SubscriptionState.ACTIVE else earlier
        return replace(
            self,
            **changes,  # type: ignore[arg-type]
            revision=self.revision + 1,
            previous_scopes=tuple(dict.fromkeys(carried)),
            index_progress=0,
        )


@dataclass(frozen=True)
class SubscriptionEntry:
    """One index item: a subscription under one interest key, with what matching needs (no preferences)."""

    interest: Interest
    subscription_id: str
    subscriber_id: str
    circle: Circle | None = None
    needs_shape: bool = False


def index_interests(scope: Scope) -> list[Interest]:
    """The interest keys a subscription is stored under."""
    if scope.case_id is not None:
        return [Interest.case(scope.case_id)]
    if not scope.has_place:
        return [Interest.topic_anywhere(topic) for topic in sorted(scope.topics)]
    topics: list[str | None] = [*sorted(scope.topics)] or [None]
    places = [Interest.gemeente(code) for code in sorted(scope.gemeenten)]
    if scope.area is not None:
        places.extend(Interest.cell(key) for key in sorted(covering(scope.area).keys()))
    return [Interest(place.kind, place.value, topic) for place in places for topic in topics]


def index_entries(subscription: Subscription) -> list[SubscriptionEntry]:
    """The entries to store for an active subscription (none while pending or after cancelling)."""
    if subscription.state is not SubscriptionState.ACTIVE:
        return []
    area = subscription.scope.area
    circle = area if isinstance(area, Circle) else None
    return [
        SubscriptionEntry(
            interest=interest,
            subscription_id=subscription.id,
            subscriber_id=subscription.subscriber_id,
            circle=circle if interest.kind is InterestKind.CELL else None,
            needs_shape=interest.kind is InterestKind.CELL and circle is None,
        )
        for interest in index_interests(subscription.scope)
    ]


@dataclass(frozen=True)
class IndexStep:
    """One write of the indexer: ``entry`` is stored, or (``remove``) the item under its key is deleted."""

    entry: SubscriptionEntry
    remove: bool = False


def index_steps(subscription: Subscription) -> list[IndexStep]:
    """What makes the index of ``subscription`` exactly right, in a fixed order (so progress is a count):
    first the entries of earlier scopes that this revision no longer implies are removed (all of them, once
    it is cancelled: ``revised`` keeps the scope it had while active), then its own entries are written.
    Every step is safe to do twice."""
    wanted = index_entries(subscription)
    keys = {entry.interest.key for entry in wanted}
    stale: dict[str, Interest] = {}
    for scope in subscription.previous_scopes:
        for interest in index_interests(scope):
            if interest.key not in keys:
                stale.setdefault(interest.key, interest)
    removals = [
        IndexStep(SubscriptionEntry(interest, subscription.id, subscription.subscriber_id), remove=True)
        for _, interest in sorted(stale.items())
    ]
    return [*removals, *(IndexStep(entry) for entry in wanted)]


def case_subscription_id(case_id: str, subscriber_id: str) -> str:
    """The same party of the same case always gets the same subscription id."""
    return "case-" + hashlib.sha256(f"{case_id}|{subscriber_id}".encode()).hexdigest()[:24]


@dataclass(frozen=True)
class Indexed:
    """A subscription with the entries that index it."""

    subscription: Subscription
    entries: list[SubscriptionEntry] = field(default_factory=list)

    @classmethod
    def of(cls, subscription: Subscription) -> Indexed:
        return cls(subscription, index_entries(subscription))


def automatic_subscriptions(case: Case, now: datetime) -> list[Indexed]:
    """The parties of a case (initiator, co-initiators, gemachtigden) follow it (how each hears of it is their
    own choice, read from their subscriber record when something happens)."""
    indexed = []
    for party in case.followers:
        subscription = Subscription(
            id=case_subscription_id(case.id, party),
            subscriber_id=party,
            scope=Scope(case_id=case.id),
            origin=SubscriptionOrigin.AUTOMATIC,
            state=SubscriptionState.ACTIVE,
            created_at=now,
        )
        indexed.append(Indexed.of(subscription))
    return indexed


def gained_followers(before: Case, after: Case, now: datetime) -> list[Indexed]:
    """Subscriptions for whoever follows the case in ``after`` and did not in ``before`` (a new gemachtigde, a
    mede-initiator the zaaksysteem added)."""
    gained = [subject for subject in after.followers if subject not in before.followers]
    if not gained:
        return []
    return [i for i in automatic_subscriptions(after, now) if i.subscription.subscriber_id in gained]
