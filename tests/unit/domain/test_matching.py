"""Who hears about an event: one recipient per subscriber, parties and followers kept apart."""

from __future__ import annotations

import math
from collections.abc import Iterable

import pytest

from chalicelib.domain import subscriptions as definitions
from chalicelib.domain.events import CaseEvent, EventKind, Place, interests_for
from chalicelib.domain.geo import EARTH_RADIUS_M, Area, Circle, Polygon, covering, destination, point_keys
from chalicelib.domain.language import Language
from chalicelib.domain.matching import Audience, Match, Recipient, match_recipients, with_preferences
from chalicelib.domain.reference import Point
from chalicelib.domain.subscriptions import (
    Channel,
    Interest,
    Preferences,
    Scope,
    SubscriptionOrigin,
    SubscriptionState,
    index_entries,
)
from chalicelib.domain.subscriptions import SubscriptionEntry as Subscription
from tests.factories import FATIMA, JAN, MARK, T0, subscription

CASE = Interest.case("case-1")
TOPIC = Interest.topic_anywhere("vergunningen")
HEUVELRUG = Interest.gemeente("GM1581")
UTRECHT = Interest.gemeente("GM0344")
PUBLIC_INTERESTS = (CASE, TOPIC, HEUVELRUG, UTRECHT)
EMAIL = frozenset({Channel.EMAIL})
PORTAL = frozenset({Channel.PORTAL})
BOTH = frozenset({Channel.EMAIL, Channel.PORTAL})


def _index(*subscriptions: Subscription) -> dict[str, list[Subscription]]:
    index: dict[str, list[Subscription]] = {}
    for item in subscriptions:
        index.setdefault(item.interest.key, []).append(item)
    return index


def _match(
    *subscriptions: Subscription,
    public: bool,
    parties: Iterable[str] | None = None,
    interests=PUBLIC_INTERESTS,
    preferences: dict[str, Preferences] | None = None,
) -> list[Recipient]:
    """Match, then give each matched person ``preferences`` (everybody: e-mail and portal, unless said). The
    parties are, unless said, Mark and Fatima as far as they follow the case (a party always hears: see the
    tests of parties without an entry below)."""
    if parties is None:
        parties = {s.subscriber_id for s in subscriptions if s.interest == CASE} & {MARK, FATIMA}
    matches = match_recipients(interests, _index(*subscriptions), parties=parties, public=public)
    chosen = preferences if preferences is not None else {m.subscriber_id: Preferences(BOTH) for m in matches}
    return with_preferences(matches, chosen)


def test_a_party_following_the_case_hears_as_a_party_with_their_own_channels_and_language():
    [recipient] = _match(
        subscription(CASE, MARK),
        public=False,
        interests=(CASE,),
        preferences={MARK: Preferences(PORTAL, Language.EN)},
    )

    assert (recipient.subscriber_id, recipient.channels, recipient.language, recipient.audience, recipient.via) == (
        MARK,
        PORTAL,
        Language.EN,
        Audience.PARTY,
        CASE,
    )
    assert recipient.subscription_id == f"sub-{MARK}-{CASE.key}"


def test_a_subscriber_reached_through_several_interests_is_one_recipient_with_their_channels():
    recipients = _match(
        subscription(CASE, MARK),
        subscription(TOPIC, MARK),
        subscription(HEUVELRUG, MARK),
        public=True,
        preferences={MARK: Preferences(EMAIL)},
    )

    assert [(r.subscriber_id, r.channels) for r in recipients] == [(MARK, BOTH)]  # a party: the berichtenbox too


def test_via_and_audience_come_from_the_most_specific_interest():
    # GIVEN Jan follows the gemeente and the topic
    recipients = _match(subscription(UTRECHT, JAN), subscription(TOPIC, JAN), public=True)

    # THEN the topic, which comes first, decides
    assert [(r.subscriber_id, r.audience, r.via) for r in recipients] == [(JAN, Audience.FOLLOWER, TOPIC)]


def test_a_party_also_following_the_topic_still_hears_as_a_party_via_the_case():
    [recipient] = _match(subscription(TOPIC, MARK), subscription(CASE, MARK), public=True)

    assert (recipient.audience, recipient.via) == (Audience.PARTY, CASE)


def test_only_parties_hear_of_an_event_that_is_not_public():
    recipients = _match(
        subscription(CASE, MARK),
        subscription(CASE, JAN),  # follows the case, but is no party to it
        subscription(TOPIC, FATIMA),  # a party, but reached only through the topic
        public=False,
    )

    assert [r.subscriber_id for r in recipients] == [MARK]


def test_a_non_party_following_the_case_of_a_public_event_hears_as_a_follower():
    [recipient] = _match(subscription(CASE, JAN), public=True)

    assert (recipient.subscriber_id, recipient.audience, recipient.via) == (JAN, Audience.FOLLOWER, CASE)


def test_a_party_reached_only_through_a_gemeente_hears_as_a_follower():
    [recipient] = _match(subscription(HEUVELRUG, FATIMA), public=True)

    assert (recipient.audience, recipient.via) == (Audience.FOLLOWER, HEUVELRUG)


def test_a_follower_whose_preferences_leave_no_channel_or_who_has_none_is_skipped_but_a_party_never():
    recipients = _match(
        subscription(CASE, MARK),
        subscription(CASE, FATIMA),
        subscription(TOPIC, JAN),
        subscription(TOPIC, "pu-bob"),
        public=True,
        preferences={MARK: Preferences(frozenset()), FATIMA: Preferences(PORTAL), "pu-bob": Preferences(frozenset())},
    )

    assert [(r.subscriber_id, r.channels) for r in recipients] == [(FATIMA, PORTAL), (MARK, PORTAL)]


# Parties always hear of their own case --------------------------------------------------------------------


def test_a_party_without_an_entry_for_the_case_still_hears_of_it_as_a_party():
    """Fatima's automatic subscription was stopped with the old Stoppen button: its entry is gone."""
    recipients = _match(subscription(CASE, MARK), public=False, parties=(MARK, FATIMA), interests=(CASE,))

    assert [(r.subscriber_id, r.audience, r.via) for r in recipients] == [
        (FATIMA, Audience.PARTY, CASE),
        (MARK, Audience.PARTY, CASE),
    ]
    assert recipients[0].subscription_id == definitions.case_subscription_id("case-1", FATIMA)


def test_a_party_reached_first_through_a_topic_hears_as_a_party_of_their_case():
    recipients = _match(subscription(TOPIC, FATIMA), public=True, parties=(FATIMA,))

    assert [(r.subscriber_id, r.audience, r.via) for r in recipients] == [(FATIMA, Audience.PARTY, CASE)]


def test_a_party_always_gets_the_berichtenbox_on_top_of_the_channels_they_chose_with_their_frequency():
    weekly_email = Preferences(EMAIL, Language.EN, definitions.Frequency.WEEKLY)
    [party] = _match(public=False, parties=(FATIMA,), interests=(CASE,), preferences={FATIMA: weekly_email})

    assert (party.channels, party.preferences.frequency, party.language) == (BOTH, definitions.Frequency.WEEKLY, Language.EN)
    [unknown] = _match(public=False, parties=(FATIMA,), interests=(CASE,), preferences={})
    assert unknown.channels == PORTAL


def test_parties_of_a_case_are_not_matched_for_news_without_a_case():
    announcement = (TOPIC, HEUVELRUG)
    assert _match(subscription(TOPIC, JAN), public=True, parties=(MARK, FATIMA), interests=announcement)[0].subscriber_id == JAN
    assert len(_match(public=True, parties=(MARK, FATIMA), interests=announcement)) == 0


def test_recipients_are_sorted_by_subscriber_id():
    recipients = _match(
        subscription(UTRECHT, "pu-zoe"),
        subscription(CASE, MARK),
        subscription(TOPIC, "pu-bob"),
        subscription(CASE, FATIMA),
        public=True,
    )

    assert [r.subscriber_id for r in recipients] == sorted(["pu-zoe", MARK, "pu-bob", FATIMA])


def test_subscriptions_to_interests_the_event_does_not_reach_are_ignored():
    recipients = _match(
        subscription(Interest.case("other-case"), MARK), subscription(Interest.topic_anywhere("subsidies"), JAN), public=True
    )

    assert recipients == []


# --- places: areas, holes and several gemeenten --------------------------------------------------------------------

CENTRE = Point(lat=52.0907, lon=5.1214)
PARK = Point(lat=52.04, lon=5.37)
_M_PER_DEG = EARTH_RADIUS_M * math.pi / 180


def _offset(origin: Point, east_m: float, north_m: float) -> Point:
    return Point(
        lat=origin.lat + north_m / _M_PER_DEG,
        lon=origin.lon + east_m / (_M_PER_DEG * math.cos(math.radians(origin.lat))),
    )


def _square(centre: Point, half_m: float) -> tuple[Point, ...]:
    return tuple(_offset(centre, x * half_m, y * half_m) for x, y in ((-1, -1), (1, -1), (1, 1), (-1, 1)))


def _following(area: Area, subscriber_id: str = JAN) -> list[Subscription]:
    """The index entries of ``subscriber_id``'s active subscription to ``area``."""
    definition = definitions.Subscription(
        f"sub-{subscriber_id}-area", subscriber_id, Scope(area=area), SubscriptionOrigin.SELF, SubscriptionState.ACTIVE, T0
    )
    return index_entries(definition)


def _public_event(place: Place) -> CaseEvent:
    """Public news about a permit at ``place``."""
    return CaseEvent("case-9/status/status-1", EventKind.STATUS_CHANGED, "case-9", "status-1", T0, True, "vergunningen", place)


def _match_at(point: Point, entries: list[Subscription], shapes: dict[str, Area] | None = None) -> list[Match]:
    """Match a public event at ``point`` the way fan-out does: its own interest keys, then the exact test."""
    return match_recipients(
        interests_for(_public_event(Place((), point))), _index(*entries), parties=(), public=True, geometry=point, shapes=shapes
    )


@pytest.mark.parametrize("bearing", [0, 90, 200])
def test_an_event_exactly_on_a_circles_edge_matches_and_one_metre_outside_does_not(bearing):
    area = Circle(CENTRE, 750)
    entries = _following(area)
    on_edge, outside = destination(CENTRE, bearing, 750), destination(CENTRE, bearing, 751)
    # GIVEN the point outside still shares a cell key with the circle, so only the exact test can keep it out
    assert point_keys(outside) & covering(area).keys()

    assert [r.subscriber_id for r in _match_at(on_edge, entries)] == [JAN]
    assert _match_at(outside, entries) == []


def test_an_event_in_the_hole_of_a_polygon_subscription_does_not_match():
    area = Polygon(exterior=_square(PARK, 1000), holes=(_square(PARK, 300),))
    entries = _following(area)
    shapes: dict[str, Area] = {f"sub-{JAN}-area": area}
    in_hole, between_rings = _offset(PARK, 290, 0), _offset(PARK, 600, -200)
    # GIVEN the point in the hole, 10 m from its edge, still shares a cell key with the polygon
    assert point_keys(in_hole) & covering(area).keys()

    assert _match_at(in_hole, entries, shapes) == []
    assert [r.subscriber_id for r in _match_at(between_rings, entries, shapes)] == [JAN]


def test_an_event_in_two_gemeenten_reaches_the_followers_of_either():
    # GIVEN Jan follows all of Heuvelrug, Fatima permits in Utrecht, and Bob grants in Utrecht
    entries = _index(
        subscription(HEUVELRUG, JAN),
        subscription(Interest.gemeente("GM0344", "vergunningen"), FATIMA),
        subscription(Interest.gemeente("GM0344", "subsidies"), "pu-bob"),
    )

    # WHEN a permit in both gemeenten is public news
    recipients = match_recipients(interests_for(_public_event(Place(("GM1581", "GM0344")))), entries, parties=(), public=True)

    # THEN the followers of either gemeente hear of it, each once, and Bob's other topic does not
    assert [(r.subscriber_id, r.audience) for r in recipients] == [(FATIMA, Audience.FOLLOWER), (JAN, Audience.FOLLOWER)]
