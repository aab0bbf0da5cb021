"""What people follow, and the interest keys a subscription is stored under so that an event finds it."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest

from chalicelib.domain.cases import add_gemachtigde
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.geo import EARTH_RADIUS_M, Circle, Polygon, covering
from chalicelib.domain.language import Language
from chalicelib.domain.reference import Point
from chalicelib.domain.subscriptions import (
    Channel,
    Frequency,
    Interest,
    InterestKind,
    PostalAddress,
    Preferences,
    Scope,
    Subscriber,
    Subscription,
    SubscriptionOrigin,
    SubscriptionState,
    automatic_subscriptions,
    case_subscription_id,
    index_entries,
    index_interests,
)
from tests.factories import FATIMA, JAN, MARK, T0, a_case

UTRECHT = Point(lat=52.0907, lon=5.1214)
CIRCLE = Circle(UTRECHT, 500)
_M_PER_DEG = EARTH_RADIUS_M * math.pi / 180
SQUARE = Polygon(
    tuple(
        Point(UTRECHT.lat + y * 400 / _M_PER_DEG, UTRECHT.lon + x * 400 / (_M_PER_DEG * math.cos(math.radians(UTRECHT.lat))))
        for x, y in ((-1, -1), (1, -1), (1, 1), (-1, 1))
    )
)
PREFERENCES = Preferences(frozenset({Channel.EMAIL, Channel.PORTAL}), Language.EN, Frequency.DAILY, quiet_hours=False)
ADDRESS = PostalAddress("M. de Vries", "Archimedeslaan", "6", "3584 BA", "Utrecht")


def _subscription(scope: Scope, state: SubscriptionState = SubscriptionState.ACTIVE) -> Subscription:
    return Subscription("sub-1", JAN, scope, SubscriptionOrigin.SELF, state, T0)


def _keys(scope: Scope) -> list[str]:
    return [interest.key for interest in index_interests(scope)]


# --- interest keys -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("interest", "key"),
    [
        (Interest.case("0b7e3c2a-1d4f-4a51-9c11-2f0e5d6a7b80"), "case#0b7e3c2a-1d4f-4a51-9c11-2f0e5d6a7b80"),
        (Interest.topic_anywhere("grondbeheer"), "topic#grondbeheer"),
        (Interest.gemeente("GM1581"), "gemeente#GM1581"),
        (Interest.gemeente("GM1581", "grondbeheer"), "gemeente#GM1581|topic#grondbeheer"),
        (Interest.cell("6:u1780"), "cell#6:u1780"),
        (Interest.cell("7:u1780x", "subsidies"), "cell#7:u1780x|topic#subsidies"),
        (Interest.cell("6p:u1780"), "cell#6p:u1780"),
    ],
)
def test_an_interest_has_its_documented_key_and_parses_back_from_it(interest, key):
    assert interest.key == key
    assert Interest.parse(key) == interest


@pytest.mark.parametrize(
    "key",
    ["", "case", "case#", "#abc", "zaak#abc", "gemeente#GM1581|topic#", "|topic#subsidies", "topic-subsidies"],
)
def test_a_string_that_is_not_an_interest_key_is_refused(key):
    with pytest.raises(ValueError, match="not an interest key"):
        Interest.parse(key)


def test_only_gemeenten_and_cells_are_places():
    assert [kind for kind in InterestKind if Interest(kind, "x").is_place] == [InterestKind.GEMEENTE, InterestKind.CELL]


# --- scope -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "others",
    [{"topics": frozenset({"subsidies"})}, {"gemeenten": frozenset({"GM1581"})}, {"area": CIRCLE}],
    ids=["topics", "gemeenten", "area"],
)
def test_a_case_subscription_follows_the_case_only(others):
    with pytest.raises(ValueError, match="case only"):
        Scope(case_id="case-1", **others)


def test_a_scope_that_follows_nothing_is_refused_as_nothing_to_follow():
    with pytest.raises(ValidationError) as error:
        Scope()

    [issue] = error.value.issues
    assert (issue.field, issue.code) == ("topics", "nothing_to_follow")


@pytest.mark.parametrize(
    ("scope", "has_place"),
    [
        (Scope(case_id="case-1"), False),
        (Scope(topics=frozenset({"subsidies"})), False),
        (Scope(gemeenten=frozenset({"GM1581"})), True),
        (Scope(area=CIRCLE), True),
    ],
    ids=["case", "topics", "gemeenten", "area"],
)
def test_a_case_topics_a_gemeente_or_an_area_alone_is_something_to_follow(scope, has_place):
    assert scope.has_place is has_place


# --- index interests ---------------------------------------------------------------------------------------------


def test_a_case_subscription_is_stored_under_its_case_alone():
    assert _keys(Scope(case_id="case-1")) == ["case#case-1"]


def test_topics_without_a_place_are_stored_under_each_topic_anywhere():
    assert _keys(Scope(topics=frozenset({"vergunningen", "subsidies"}))) == ["topic#subsidies", "topic#vergunningen"]


def test_gemeenten_without_topics_are_stored_under_each_whole_gemeente():
    assert _keys(Scope(gemeenten=frozenset({"GM1581", "GM0344"}))) == ["gemeente#GM0344", "gemeente#GM1581"]


def test_topics_in_gemeenten_are_stored_under_each_gemeente_narrowed_to_each_topic():
    scope = Scope(topics=frozenset({"subsidies", "grondbeheer"}), gemeenten=frozenset({"GM1581", "GM0344"}))

    assert _keys(scope) == [
        "gemeente#GM0344|topic#grondbeheer",
        "gemeente#GM0344|topic#subsidies",
        "gemeente#GM1581|topic#grondbeheer",
        "gemeente#GM1581|topic#subsidies",
    ]


def test_an_area_is_stored_under_the_cells_that_cover_it():
    interests = index_interests(Scope(area=CIRCLE))

    assert {i.kind for i in interests} == {InterestKind.CELL}
    assert {i.value for i in interests} == covering(CIRCLE).keys()
    assert all(i.topic is None for i in interests)


def test_topics_in_an_area_are_stored_under_each_cell_narrowed_to_each_topic():
    cells = covering(CIRCLE).keys()

    interests = index_interests(Scope(topics=frozenset({"subsidies", "natuur"}), area=CIRCLE))

    assert {(i.kind, i.value, i.topic) for i in interests} == {
        (InterestKind.CELL, cell, topic) for cell in cells for topic in ("subsidies", "natuur")
    }
    assert len(interests) == 2 * len(cells)


def test_gemeenten_and_an_area_together_are_stored_under_both():
    cells = covering(CIRCLE).keys()

    keys = _keys(Scope(gemeenten=frozenset({"GM0344"}), area=CIRCLE))

    assert keys[0] == "gemeente#GM0344"
    assert set(keys[1:]) == {f"cell#{cell}" for cell in cells}


# --- index entries -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("state", [SubscriptionState.PENDING, SubscriptionState.CANCELLED])
def test_a_subscription_that_is_not_active_has_no_entries(state):
    assert index_entries(_subscription(Scope(gemeenten=frozenset({"GM0344"})), state)) == []


def test_each_entry_of_an_active_subscription_carries_its_ids_and_no_preferences():
    subscription = _subscription(Scope(topics=frozenset({"subsidies", "natuur"})))

    entries = index_entries(subscription)

    assert [e.interest for e in entries] == index_interests(subscription.scope)
    assert {(e.subscription_id, e.subscriber_id) for e in entries} == {("sub-1", JAN)}
    assert not any(hasattr(e, "preferences") for e in entries)  # read from the subscriber record when planning


def test_the_cell_entries_of_a_circle_carry_the_circle_so_matching_reads_nothing_else():
    entries = index_entries(_subscription(Scope(area=CIRCLE)))

    assert entries
    assert all(e.circle == CIRCLE and not e.needs_shape for e in entries)


def test_the_cell_entries_of_a_polygon_need_its_shape():
    entries = index_entries(_subscription(Scope(area=SQUARE)))

    assert entries
    assert all(e.circle is None and e.needs_shape for e in entries)


def test_the_gemeente_entries_of_a_subscription_with_an_area_carry_no_shape():
    entries = index_entries(_subscription(Scope(gemeenten=frozenset({"GM0344"}), area=SQUARE)))

    [gemeente] = [e for e in entries if e.interest.kind is InterestKind.GEMEENTE]
    assert (gemeente.circle, gemeente.needs_shape) == (None, False)
    assert all(e.needs_shape for e in entries if e.interest.kind is InterestKind.CELL)


# --- automatic subscriptions -------------------------------------------------------------------------------------


def test_the_initiator_co_initiators_and_gemachtigden_follow_their_case():
    case = add_gemachtigde(a_case(initiator=MARK, co_initiators=(FATIMA,)), JAN)

    indexed = automatic_subscriptions(case, T0)

    assert [i.subscription.subscriber_id for i in indexed] == [MARK, FATIMA, JAN]
    for item in indexed:
        assert item.subscription.id == case_subscription_id(case.id, item.subscription.subscriber_id)
        assert item.subscription.scope == Scope(case_id=case.id)
        assert (item.subscription.origin, item.subscription.state) == (SubscriptionOrigin.AUTOMATIC, SubscriptionState.ACTIVE)
        assert [e.interest for e in item.entries] == [Interest.case(case.id)]


def test_following_the_same_case_again_gives_the_same_subscription_ids():
    case = a_case(initiator=MARK, co_initiators=(FATIMA,))

    first = automatic_subscriptions(case, T0)
    again = automatic_subscriptions(case, T0 + timedelta(days=3))

    assert [i.subscription.id for i in first] == [i.subscription.id for i in again]
    assert len({i.subscription.id for i in first}) == 2


def test_the_subscription_id_differs_per_case_and_per_party():
    ids = {case_subscription_id(c, s) for c in ("case-1", "case-2") for s in (MARK, FATIMA)}

    assert len(ids) == 4


# --- subscribers -------------------------------------------------------------------------------------------------

ALL = frozenset(Channel)


@pytest.mark.parametrize(
    ("channels", "email", "postal_address", "reachable"),
    [
        (ALL, "mark@example.nl", ADDRESS, ALL),
        (ALL, None, ADDRESS, {Channel.PORTAL, Channel.LETTER}),
        (ALL, "", ADDRESS, {Channel.PORTAL, Channel.LETTER}),
        (ALL, "mark@example.nl", None, {Channel.PORTAL, Channel.EMAIL}),
        (ALL, None, None, {Channel.PORTAL}),
        (frozenset({Channel.PORTAL}), "mark@example.nl", ADDRESS, {Channel.PORTAL}),
        (frozenset({Channel.LETTER}), None, ADDRESS, {Channel.LETTER}),
        (frozenset({Channel.LETTER}), "mark@example.nl", None, set()),
    ],
    ids=[
        "all-with-both-addresses",
        "no-email-address",
        "empty-email-address",
        "no-postal-address",
        "no-addresses",
        "portal-only-chosen",
        "letter-only",
        "letter-without-postal-address",
    ],
)
def test_only_chosen_channels_with_an_address_to_use_are_reachable(channels, email, postal_address, reachable):
    subscriber = Subscriber(MARK, email, Language.NL, channels, T0, postal_address=postal_address)

    assert subscriber.reachable_channels == reachable
    assert subscriber.preferences.channels == reachable


def test_somebody_known_only_by_subject_is_reached_in_the_portal_in_dutch():
    subscriber = Subscriber.default(MARK, T0)

    assert (subscriber.email, subscriber.language, subscriber.reachable_channels) == (
        None,
        Language.NL,
        frozenset({Channel.PORTAL}),
    )
