"""The interest index agrees with the rule it implements: for any subscriptions and any event, the people
found through the event's interest keys (cells, gemeenten, topics, the case) and the exact filter are exactly
the people ``reaches`` says hear of it — nobody missed near a cell's edge, nobody extra from a shared cell."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.domain.events import CaseEvent, EventKind, Place, interests_for
from chalicelib.domain.geo import Circle, Polygon, destination
from chalicelib.domain.language import Language
from chalicelib.domain.matching import match_event, parties_reached, polygon_candidates, reaches
from chalicelib.domain.reference import Point
from chalicelib.domain.subscriptions import (
    Channel,
    Frequency,
    Preferences,
    Scope,
    Subscription,
    SubscriptionEntry,
    SubscriptionOrigin,
    SubscriptionState,
    index_entries,
)
from tests.factories import T0

ZEIST = Point(52.0893, 5.2320)
TOPICS = ("grondbeheer", "vergunningen", "wegen-en-werkzaamheden")
GEMEENTEN = ("GM0355", "GM1581", "GM0344")
CASES = ("case-1", "case-2")
PREFERENCES = Preferences(frozenset({Channel.EMAIL}), Language.NL, Frequency.IMMEDIATELY, False)

# Places within a few km of Zeist, so areas and events meet often, and often only just.
points = st.builds(
    lambda bearing, distance: destination(ZEIST, bearing, distance),
    st.floats(0, 360),
    st.floats(0, 6000),
)


def _star(centre: Point, radius: float, count: int, hole: bool) -> Polygon:
    step = 360 / count
    exterior = tuple(destination(centre, index * step, radius * (0.6 + 0.4 * (index % 2))) for index in range(count))
    holes = (tuple(destination(centre, angle, radius * 0.2) for angle in range(315, -1, -45)),) if hole else ()
    return Polygon(exterior, holes)


areas = st.one_of(
    st.builds(Circle, points, st.sampled_from([100, 400, 1000, 2500])),
    st.builds(_star, points, st.floats(200, 2000), st.integers(6, 14), st.booleans()),
)
topic_sets = st.frozensets(st.sampled_from(TOPICS), max_size=2)
scopes = st.one_of(
    st.builds(lambda case: Scope(case_id=case), st.sampled_from(CASES)),
    st.builds(lambda topics: Scope(topics=topics), st.frozensets(st.sampled_from(TOPICS), min_size=1, max_size=2)),
    st.builds(lambda topics, gemeenten: Scope(topics=topics, gemeenten=gemeenten), topic_sets,
              st.frozensets(st.sampled_from(GEMEENTEN), min_size=1, max_size=2)),
    st.builds(lambda topics, area: Scope(topics=topics, area=area), topic_sets, areas),
)  # fmt: skip
events = st.builds(
    lambda kind, case, public, topic, gemeenten, geometry: CaseEvent(
        "e1", kind, case, "r1", T0, public or kind is EventKind.ANNOUNCEMENT, topic, Place(gemeenten, geometry)
    ),
    st.sampled_from([EventKind.STATUS_CHANGED, EventKind.ANNOUNCEMENT]),
    st.sampled_from(CASES),
    st.booleans(),
    st.sampled_from(TOPICS),
    st.lists(st.sampled_from(GEMEENTEN), max_size=2, unique=True).map(tuple),
    st.one_of(st.none(), points, st.builds(_star, points, st.floats(50, 500), st.integers(5, 9), st.just(False))),
)


def _found(subscriptions: list[Subscription], event: CaseEvent, parties: tuple[str, ...]) -> set[str]:
    index: dict[str, list[SubscriptionEntry]] = {}
    for subscription in subscriptions:
        for entry in index_entries(subscription):
            index.setdefault(entry.interest.key, []).append(entry)
    interests = interests_for(event)
    shapes = {s.id: s.scope.area for s in subscriptions if s.id in polygon_candidates(interests, index) and s.scope.area}
    return {r.subscriber_id for r in match_event(event, index, parties=parties, shapes=shapes)}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chosen=st.lists(scopes, min_size=1, max_size=8), event=events, party_count=st.integers(0, 3))
def test_the_index_reaches_exactly_whom_the_rule_says(chosen, event, party_count):
    subscriptions = [
        Subscription(f"s{n}", f"p{n}", scope, SubscriptionOrigin.SELF, SubscriptionState.ACTIVE, T0)
        for n, scope in enumerate(chosen)
    ]
    parties = tuple(f"p{n}" for n in range(party_count))

    expected = {s.subscriber_id for s in subscriptions if reaches(s, event, parties=parties)} | parties_reached(event, parties)

    assert _found(subscriptions, event, parties) == expected


def test_the_rule_leaves_out_a_point_in_a_hole_and_the_index_agrees():
    parcel = _star(ZEIST, 1000, 8, hole=True)
    subscription = Subscription("s1", "p1", Scope(area=parcel), SubscriptionOrigin.SELF, SubscriptionState.ACTIVE, T0)
    in_hole = CaseEvent("e1", EventKind.ANNOUNCEMENT, "a1", "a1", T0, True, "grondbeheer", Place((), ZEIST))
    beside_hole = CaseEvent(
        "e2", EventKind.ANNOUNCEMENT, "a2", "a2", T0, True, "grondbeheer", Place((), destination(ZEIST, 0, 400))
    )

    assert (reaches(subscription, in_hole), _found([subscription], in_hole, ())) == (False, set())
    assert (reaches(subscription, beside_hole), _found([subscription], beside_hole, ())) == (True, {"p1"})


def test_a_stopped_or_unconfirmed_subscription_reaches_nobody():
    event = CaseEvent("e1", EventKind.ANNOUNCEMENT, "a1", "a1", T0, True, "grondbeheer", Place(("GM0355",), ZEIST))
    for state in (SubscriptionState.PENDING, SubscriptionState.CANCELLED):
        subscription = Subscription("s1", "p1", Scope(gemeenten=frozenset({"GM0355"})), SubscriptionOrigin.SELF, state, T0)
        assert (reaches(subscription, event), _found([subscription], event, ())) == (False, set())


def test_a_party_whose_case_subscription_was_stopped_still_hears_of_the_case_and_the_index_agrees():
    stopped = Subscription("s1", "p1", Scope(case_id=CASES[0]), SubscriptionOrigin.AUTOMATIC, SubscriptionState.CANCELLED, T0)
    event = CaseEvent("e1", EventKind.STATUS_CHANGED, CASES[0], "r1", T0, False, None, Place((), None))
    assert reaches(stopped, event, parties=("p1",))
    assert _found([stopped], event, ("p1",)) == {"p1"}
    assert not reaches(stopped, event, parties=())  # no longer a party: stopped is stopped
