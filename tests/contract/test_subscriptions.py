"""SubscriptionRepository: the in-memory index and DynamoDB's subscriptions table keep the same promises."""

from __future__ import annotations

from dataclasses import replace

from chalicelib.domain.geo import Circle
from chalicelib.domain.language import Language
from chalicelib.domain.reference import Point
from chalicelib.domain.subscriptions import (
    Channel,
    Frequency,
    Indexed,
    Interest,
    Preferences,
    Scope,
    Subscription,
    SubscriptionOrigin,
    SubscriptionState,
)
from chalicelib.services.ports import SubscriptionRepository
from tests.factories import FATIMA, JAN, MARK, T0

PREFERENCES = Preferences(frozenset({Channel.EMAIL, Channel.PORTAL}), Language.EN, Frequency.DAILY, quiet_hours=True)
UTRECHT = "GM0344"
AMERSFOORT = "GM0307"


def a_subscription(
    subscription_id: str, subscriber_id: str = MARK, *, gemeenten: tuple[str, ...] = (UTRECHT,), **changes
) -> Subscription:
    subscription = Subscription(
        id=subscription_id,
        subscriber_id=subscriber_id,
        scope=Scope(topics=frozenset({"subsidies"}), gemeenten=frozenset(gemeenten)),
        origin=SubscriptionOrigin.SELF,
        state=SubscriptionState.ACTIVE,
        created_at=T0,
    )
    return replace(subscription, **changes)


def saved(subscriptions: SubscriptionRepository, subscription: Subscription, previous_keys=()) -> Indexed:
    indexed = Indexed.of(subscription, PREFERENCES)
    subscriptions.save(indexed, previous_keys=previous_keys)
    return indexed


def test_a_saved_subscription_reads_back_with_its_entries(subscriptions: SubscriptionRepository):
    indexed = saved(subscriptions, a_subscription("sub-1", gemeenten=(UTRECHT, AMERSFOORT)))
    assert subscriptions.get("sub-1") == indexed.subscription
    for entry in indexed.entries:
        assert subscriptions.entries_of(entry.interest.key) == [entry]


def test_a_circle_subscription_keeps_its_circle_on_its_cell_entries(subscriptions: SubscriptionRepository):
    circle = Circle(Point(52.0907, 5.1214), 500.0)
    indexed = saved(subscriptions, a_subscription("sub-1", scope=Scope(area=circle)))
    [entry, *_] = indexed.entries
    assert entry.circle == circle
    assert subscriptions.entries_of(entry.interest.key) == [entry]
    assert subscriptions.get("sub-1") == indexed.subscription


def test_an_unknown_subscription_is_none_and_an_unused_key_has_no_entries(subscriptions: SubscriptionRepository):
    assert subscriptions.get("sub-unknown") is None
    assert subscriptions.entries_of(Interest.gemeente(UTRECHT, "subsidies").key) == []


def test_entries_under_one_key_come_in_member_order(subscriptions: SubscriptionRepository):
    # GIVEN three people following the same key, saved out of order
    for subscription_id, person in (("sub-b", JAN), ("sub-c", FATIMA), ("sub-a", MARK), ("sub-d", FATIMA)):
        saved(subscriptions, a_subscription(subscription_id, person))
    # WHEN the key is read
    entries = subscriptions.entries_of(Interest.gemeente(UTRECHT, "subsidies").key)
    # THEN they come ordered by subscriber, then subscription (the sort key of the index)
    assert [(e.subscriber_id, e.subscription_id) for e in entries] == sorted(
        [(FATIMA, "sub-c"), (FATIMA, "sub-d"), (JAN, "sub-b"), (MARK, "sub-a")]
    )


def test_several_definitions_are_read_at_once_leaving_out_the_unknown(subscriptions: SubscriptionRepository):
    first, second = (saved(subscriptions, a_subscription(i)).subscription for i in ("sub-1", "sub-2"))
    assert subscriptions.definitions(["sub-2", "sub-unknown", "sub-1", "sub-2"]) == {"sub-1": first, "sub-2": second}
    assert subscriptions.definitions([]) == {}


def test_a_subscribers_subscriptions_come_in_id_order_and_only_theirs(subscriptions: SubscriptionRepository):
    for subscription_id in ("sub-3", "sub-1", "sub-2"):
        saved(subscriptions, a_subscription(subscription_id))
    saved(subscriptions, a_subscription("sub-0", JAN))
    assert [s.id for s in subscriptions.of_subscriber(MARK)] == ["sub-1", "sub-2", "sub-3"]
    assert subscriptions.of_subscriber("pu-nobody") == []


def test_saving_again_with_fewer_keys_removes_the_entries_it_no_longer_uses(subscriptions: SubscriptionRepository):
    # GIVEN a subscription in Utrecht and Amersfoort
    before = saved(subscriptions, a_subscription("sub-1", gemeenten=(UTRECHT, AMERSFOORT)))
    # WHEN it is narrowed to Utrecht, naming the keys it had
    after = saved(subscriptions, a_subscription("sub-1"), previous_keys=[e.interest.key for e in before.entries])
    # THEN only Utrecht's entry is left
    assert subscriptions.entries_of(Interest.gemeente(AMERSFOORT, "subsidies").key) == []
    assert subscriptions.entries_of(Interest.gemeente(UTRECHT, "subsidies").key) == after.entries


def test_a_cancelled_subscription_keeps_its_definition_and_loses_its_entries(subscriptions: SubscriptionRepository):
    before = saved(subscriptions, a_subscription("sub-1"))
    cancelled = a_subscription("sub-1", state=SubscriptionState.CANCELLED)
    saved(subscriptions, cancelled, previous_keys=[e.interest.key for e in before.entries])
    assert subscriptions.entries_of(before.entries[0].interest.key) == []
    assert subscriptions.get("sub-1") == cancelled
    assert subscriptions.of_subscriber(MARK) == [cancelled]


def test_saving_the_same_subscription_twice_gives_the_same_items(subscriptions: SubscriptionRepository):
    once = saved(subscriptions, a_subscription("sub-1"))
    saved(subscriptions, a_subscription("sub-1"))
    assert subscriptions.entries_of(once.entries[0].interest.key) == once.entries
    assert subscriptions.of_subscriber(MARK) == [once.subscription]


def test_a_pending_request_keeps_its_expiry_and_confirming_removes_it(subscriptions: SubscriptionRepository):
    from datetime import timedelta

    pending = a_subscription("sub-p", state=SubscriptionState.PENDING, expires_at=T0 + timedelta(days=8))
    saved(subscriptions, pending)
    assert subscriptions.get("sub-p") == pending
    assert subscriptions.of_subscriber(MARK) == [pending]
    confirmed = replace(pending, state=SubscriptionState.ACTIVE, expires_at=None)
    saved(subscriptions, confirmed)
    assert subscriptions.get("sub-p") == confirmed


def test_a_key_read_in_pages_gives_every_entry_once_in_member_order(subscriptions: SubscriptionRepository):
    # GIVEN five subscriptions under the same key
    people = [(f"sub-{n}", person) for n, person in enumerate((JAN, FATIMA, MARK, "pu-a", "pu-b"))]
    for subscription_id, person in people:
        saved(subscriptions, a_subscription(subscription_id, person))
    key = Interest.gemeente(UTRECHT, "subsidies").key
    # WHEN it is read two at a time, each page going on from the key the one before gave
    pages, start = [], None
    while True:
        page, start = subscriptions.entries_page(key, limit=2, start=start)
        pages.append(page)
        if start is None:
            break
    # THEN no page is larger than the limit, and together they are the whole key, in order, each entry once
    assert [len(page) for page in pages] == [2, 2, 1]
    assert [e for page in pages for e in page] == subscriptions.entries_of(key)


def test_a_full_last_page_gives_a_key_that_leads_to_an_empty_page(subscriptions: SubscriptionRepository):
    for subscription_id, person in (("sub-1", JAN), ("sub-2", MARK)):
        saved(subscriptions, a_subscription(subscription_id, person))
    key = Interest.gemeente(UTRECHT, "subsidies").key
    page, start = subscriptions.entries_page(key, limit=2)
    assert len(page) == 2
    assert start is not None
    assert subscriptions.entries_page(key, limit=2, start=start) == ([], None)
    assert subscriptions.entries_page(Interest.gemeente(AMERSFOORT).key, limit=2) == ([], None)
