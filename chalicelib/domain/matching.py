"""Who hears about an event: the entries found under its interest keys, filtered exactly, merged into one
match per subscriber; with each subscriber's preferences (read by the caller for the matched people only) a
match becomes a recipient.

**Parties always hear of their own case.** The parties of a case (initiator, co-initiators, gemachtigden) are
reached by every event of that case whatever the index holds: they are matched from the case itself (its
``followers``), not only through their automatic subscription's entry. So a party whose automatic subscription
was stopped in old data (the "Stoppen" button that once was on Wat ik volg), or whose entry is still being
written, is told all the same; nothing needs migrating. How a party hears is their own choice (channels,
frequency, quiet hours), except that the berichtenbox is always among their channels (``PARTY_CHANNELS``) and
what asks them to act is never held (``schedule.hold_until``).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from chalicelib.domain.events import CaseEvent, EventKind, interests_for
from chalicelib.domain.geo import Area, Geometry, intersects
from chalicelib.domain.language import Language
from chalicelib.domain.subscriptions import (
    Channel,
    Interest,
    InterestKind,
    Preferences,
    Subscription,
    SubscriptionEntry,
    SubscriptionState,
    case_subscription_id,
)

PARTY_CHANNELS = frozenset({Channel.PORTAL})
"""What a party of a case always gets about it, whatever they chose: every message in their berichtenbox."""


class Audience(StrEnum):
    PARTY = "party"
    FOLLOWER = "follower"


@dataclass(frozen=True)
class Match:
    """A subscriber an event reaches: as what, through which interest and which subscription."""

    subscriber_id: str
    audience: Audience
    via: Interest
    subscription_id: str


@dataclass(frozen=True)
class Recipient:
    subscriber_id: str
    channels: frozenset[Channel]
    preferences: Preferences
    audience: Audience
    via: Interest
    subscription_id: str

    @property
    def language(self) -> Language:
        return self.preferences.language


def _reaches(entry: SubscriptionEntry, geometry: Geometry | None, shapes: Mapping[str, Area]) -> bool:
    """The exact test behind a cell key: the cells only say "maybe"."""
    if entry.interest.kind is not InterestKind.CELL:
        return True
    if geometry is None:
        return False
    if entry.circle is not None:
        return intersects(entry.circle, geometry)
    shape = shapes.get(entry.subscription_id)
    return shape is not None and intersects(shape, geometry)


def match_recipients(
    interests: Sequence[Interest],
    entries: Mapping[str, Iterable[SubscriptionEntry]],
    *,
    parties: Iterable[str],
    public: bool,
    geometry: Geometry | None = None,
    shapes: Mapping[str, Area] | None = None,
) -> list[Match]:
    """One match per subscriber, however many of the event's interests reach them.

    ``interests`` come most specific first; a subscriber's "via" and subscription come from the most specific
    interest that reaches them. An area is only a match when it really contains (or overlaps) the event's
    location: ``shapes`` holds the polygons of the polygon subscriptions among the entries. A party of the case
    reached through the case itself hears as a party; anybody else hears only of public events, as a follower.
    ``parties`` are matched for an event of their case (one with a case interest) even without an entry.
    """
    party_ids = set(parties)
    known_shapes = shapes or {}
    merged: dict[str, Match] = {}
    for interest in interests:
        for entry in entries.get(interest.key, ()):
            subscriber = entry.subscriber_id
            if subscriber in merged:
                continue
            is_party = interest.kind is InterestKind.CASE and subscriber in party_ids
            if (not is_party and not public) or not _reaches(entry, geometry, known_shapes):
                continue
            audience = Audience.PARTY if is_party else Audience.FOLLOWER
            merged[subscriber] = Match(subscriber, audience, interest, entry.subscription_id)
    own_case = next((interest for interest in interests if interest.kind is InterestKind.CASE), None)
    if own_case is not None:  # the parties hear of their own case as parties, whether or not their entry is there
        for party in party_ids:
            found = merged.get(party)
            if found is None or found.audience is not Audience.PARTY:
                merged[party] = Match(party, Audience.PARTY, own_case, case_subscription_id(own_case.value, party))
    return sorted(merged.values(), key=lambda m: m.subscriber_id)


def with_preferences(matches: Iterable[Match], preferences: Mapping[str, Preferences]) -> list[Recipient]:
    """The matches as recipients, each with their own preferences as they are now; a follower whose preferences
    leave no channel (or who is missing from ``preferences``) hears nothing, a party always gets the berichtenbox."""
    recipients = []
    for match in matches:
        chosen = preferences.get(match.subscriber_id)
        if match.audience is Audience.PARTY:
            chosen = chosen or Preferences(PARTY_CHANNELS)
            channels = chosen.channels | PARTY_CHANNELS
        elif chosen is None or not chosen.channels:
            continue
        else:
            channels = chosen.channels
        recipients.append(Recipient(match.subscriber_id, channels, chosen, match.audience, match.via, match.subscription_id))
    return recipients


def match_event(
    event: CaseEvent,
    entries: Mapping[str, Iterable[SubscriptionEntry]],
    *,
    parties: Iterable[str],
    shapes: Mapping[str, Area],
) -> list[Match]:
    """``match_recipients`` for one event: its interest keys, its publicity and its location."""
    return match_recipients(
        interests_for(event),
        entries,
        parties=parties,
        public=event.public,
        geometry=event.place.geometry if event.place else None,
        shapes=shapes,
    )


def polygon_candidates(interests: Sequence[Interest], entries: Mapping[str, Iterable[SubscriptionEntry]]) -> set[str]:
    """Subscriptions whose exact test needs their polygon (read once per batch by the caller)."""
    return {
        entry.subscription_id
        for interest in interests
        if interest.kind is InterestKind.CELL
        for entry in entries.get(interest.key, ())
        if entry.needs_shape
    }


def reaches(subscription: Subscription, event: CaseEvent, *, parties: Collection[str] = ()) -> bool:
    """The rule the index implements, written out directly: does ``subscription`` hear of ``event``?

    It reads nothing but the two, so it is slow for many subscriptions — the index exists to avoid calling it
    for each — but it is the definition the index is tested against, and the naive baseline it is measured
    against. A case subscription hears of its case (a party of everything, also when the subscription was
    stopped; anybody else of public news only);
    any other hears of public news of its topics (none chosen: every topic) in its gemeenten or area (none
    chosen: anywhere), where an area must really contain or overlap the event's location.
    """
    scope = subscription.scope
    if scope.case_id is not None and subscription.subscriber_id in parties:  # a party, even if it was stopped
        return event.kind is not EventKind.ANNOUNCEMENT and scope.case_id == event.case_id
    if subscription.state is not SubscriptionState.ACTIVE:
        return False
    if scope.case_id is not None:
        return (
            event.kind is not EventKind.ANNOUNCEMENT
            and scope.case_id == event.case_id
            and (event.public or subscription.subscriber_id in parties)
        )
    if not event.public or (scope.topics and event.topic not in scope.topics):
        return False
    if not scope.has_place:
        return event.topic is not None
    return _in_place(scope.gemeenten, scope.area, event)


def parties_reached(event: CaseEvent, parties: Collection[str]) -> set[str]:
    """The rule for parties, written out directly: every party of a case hears of every event of that case
    (never of an announcement), whatever they subscribe to."""
    return set() if event.kind is EventKind.ANNOUNCEMENT else set(parties)


def _in_place(gemeenten: frozenset[str], area: Area | None, event: CaseEvent) -> bool:
    place = event.place
    if place is None:
        return False
    if gemeenten.intersection(place.gemeenten):
        return True
    return area is not None and place.geometry is not None and intersects(area, place.geometry)
