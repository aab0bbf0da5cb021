"""Who hears about an event: subscriptions found per interest, merged into one recipient per subscriber."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from chalicelib.domain.language import Language
from chalicelib.domain.subscriptions import Channel, Interest, InterestKind, Subscription


class Audience(StrEnum):
    PARTY = "party"
    FOLLOWER = "follower"


@dataclass(frozen=True)
class Recipient:
    subscriber_id: str
    channels: frozenset[Channel]
    language: Language
    audience: Audience
    via: Interest


def match_recipients(
    interests: Sequence[Interest],
    subscriptions: Mapping[str, Iterable[Subscription]],
    *,
    parties: Iterable[str],
    public: bool,
) -> list[Recipient]:
    """One recipient per subscriber, however many of the event's interests reach them.

    ``interests`` come most specific first; a subscriber's language and "via" come from the most specific
    interest that reaches them, their channels are the union over all. A party of the case reached through
    the case itself hears as a party; anybody else hears only of public events, as a follower.
    """
    party_ids = set(parties)
    merged: dict[str, Recipient] = {}
    for interest in interests:
        for subscription in subscriptions.get(interest.key, ()):
            if not subscription.channels:
                continue
            subscriber = subscription.subscriber_id
            is_party = interest.kind is InterestKind.CASE and subscriber in party_ids
            if not is_party and not public:
                continue
            known = merged.get(subscriber)
            if known is None:
                merged[subscriber] = Recipient(
                    subscriber_id=subscriber,
                    channels=subscription.channels,
                    language=subscription.language,
                    audience=Audience.PARTY if is_party else Audience.FOLLOWER,
                    via=interest,
                )
            else:
                merged[subscriber] = Recipient(
                    subscriber_id=subscriber,
                    channels=known.channels | subscription.channels,
                    language=known.language,
                    audience=known.audience,
                    via=known.via,
                )
    return sorted(merged.values(), key=lambda r: r.subscriber_id)
