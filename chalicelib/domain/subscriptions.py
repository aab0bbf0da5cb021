"""Interests, subscriptions and subscribers.

An interest is what someone follows: a case (``case#<uuid>``), a topic (``topic#<slug>``) or a gemeente
(``gemeente#GM0344``). A subscription ties one interest to one subscriber, with the channels and language
to use. Personal data (the e-mail address) lives only in the subscriber record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from chalicelib.domain.cases import Case
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.language import Language


class InterestKind(StrEnum):
    CASE = "case"
    TOPIC = "topic"
    GEMEENTE = "gemeente"


@dataclass(frozen=True)
class Interest:
    kind: InterestKind
    value: str

    @property
    def key(self) -> str:
        return f"{self.kind.value}#{self.value}"

    @classmethod
    def parse(cls, key: str) -> Interest:
        kind, separator, value = key.partition("#")
        if not separator or not value or kind not in {k.value for k in InterestKind}:
            raise ValidationError.single("interest", "invalid_interest", value=key[:60])
        return cls(InterestKind(kind), value)

    @classmethod
    def case(cls, case_id: str) -> Interest:
        return cls(InterestKind.CASE, case_id)

    @classmethod
    def topic(cls, slug: str) -> Interest:
        return cls(InterestKind.TOPIC, slug)

    @classmethod
    def gemeente(cls, code: str) -> Interest:
        return cls(InterestKind.GEMEENTE, code)


class Channel(StrEnum):
    EMAIL = "email"
    PORTAL = "portal"


class SubscriptionOrigin(StrEnum):
    AUTOMATIC = "automatic"
    SELF = "self"


@dataclass(frozen=True)
class Subscription:
    interest: Interest
    subscriber_id: str
    channels: frozenset[Channel]
    language: Language
    origin: SubscriptionOrigin
    created_at: datetime


@dataclass(frozen=True)
class Subscriber:
    """A person or organisation Baken can reach. ``email`` is personal data: it stays in this record."""

    id: str
    email: str | None
    language: Language
    channels: frozenset[Channel]
    created_at: datetime

    @classmethod
    def default(cls, subscriber_id: str, now: datetime) -> Subscriber:
        """Somebody we know only by subject: the portal reaches them; e-mail once they give an address."""
        return cls(subscriber_id, None, Language.NL, frozenset({Channel.PORTAL}), now)

    @property
    def reachable_channels(self) -> frozenset[Channel]:
        """The chosen channels that can work: no e-mail without an address."""
        return self.channels if self.email else self.channels - {Channel.EMAIL}


def automatic_subscriptions(case: Case, subscribers: dict[str, Subscriber], now: datetime) -> list[Subscription]:
    """Initiator and co-initiators follow their own case, with their own channel and language choices."""
    subscriptions = []
    for party in case.parties:
        subscriber = subscribers.get(party) or Subscriber.default(party, now)
        subscriptions.append(
            Subscription(
                interest=Interest.case(case.id),
                subscriber_id=party,
                channels=subscriber.reachable_channels,
                language=subscriber.language,
                origin=SubscriptionOrigin.AUTOMATIC,
                created_at=now,
            )
        )
    return subscriptions
