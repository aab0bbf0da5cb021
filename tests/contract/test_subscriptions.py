"""SubscriptionRepository: the in-memory index and DynamoDB's subscriptions table keep the same promises."""

from __future__ import annotations

from dataclasses import replace

import pytest

from chalicelib.domain.errors import ConcurrentUpdateError
from chalicelib.domain.geo import Circle
from chalicelib.domain.reference import Point
from chalicelib.domain.subscriptions import (
    Indexed,
    Interest,
    Scope,
    Subscription,
    SubscriptionOrigin,
    SubscriptionState,
    index_entries,
)
from chalicelib.services.ports import SubscriptionRepository
from tests.factories import FATIMA, JAN, MARK, T0

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
    indexed = Indexed.of(subscription)
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


# Stored without its index (the indexer builds it) ------------------------------------------------------------


def test_a_stored_definition_reads_back_with_its_revision_and_without_entries(subscriptions: SubscriptionRepository):
    new = a_subscription("sub-1", indexed_revision=0)
    subscriptions.store(new)

    assert subscriptions.get("sub-1") == new
    assert subscriptions.entries_of(Interest.gemeente(UTRECHT, "subsidies").key) == []


def test_a_store_that_lost_a_race_changes_nothing(subscriptions: SubscriptionRepository):
    first = a_subscription("sub-1", indexed_revision=0)
    subscriptions.store(first)
    changed = first.revised(scope=Scope(topics=frozenset({"natuur"})))
    subscriptions.store(changed)

    # two writes that both read revision 1: the second finds revision 2 stored; a new one with a taken id too
    with pytest.raises(ConcurrentUpdateError):
        subscriptions.store(first.revised(state=SubscriptionState.CANCELLED))
    with pytest.raises(ConcurrentUpdateError):
        subscriptions.store(first)
    assert subscriptions.get("sub-1") == changed


def test_a_definition_from_before_revisions_counts_as_revision_one_indexed(subscriptions: SubscriptionRepository):
    legacy = a_subscription("sub-1")
    saved(subscriptions, legacy)
    stored = subscriptions.get("sub-1")
    assert stored is not None
    assert (stored.revision, stored.indexed) == (1, True)

    subscriptions.store(stored.revised(state=SubscriptionState.CANCELLED))
    cancelled = subscriptions.get("sub-1")
    assert cancelled is not None
    assert (cancelled.revision, cancelled.indexed, cancelled.previous_scopes) == (2, False, (legacy.scope,))


def test_entries_are_written_and_removed_by_the_indexer_and_doing_it_twice_is_harmless(subscriptions: SubscriptionRepository):
    subscription = a_subscription("sub-1", gemeenten=(UTRECHT, AMERSFOORT), indexed_revision=0)
    subscriptions.store(subscription)
    entries = index_entries(subscription)

    subscriptions.write_entries(entries)
    subscriptions.write_entries(entries)
    assert [e.subscription_id for e in subscriptions.entries_of(Interest.gemeente(UTRECHT, "subsidies").key)] == ["sub-1"]

    subscriptions.remove_entries(entries[:1])
    subscriptions.remove_entries(entries[:1])
    remaining = [subscriptions.entries_of(e.interest.key) for e in entries]
    assert [len(found) for found in remaining] == [0, 1]


def test_progress_and_completion_are_noted_only_at_the_revision_they_are_about(subscriptions: SubscriptionRepository):
    first = a_subscription("sub-1", indexed_revision=0)
    subscriptions.store(first)

    assert subscriptions.record_index_progress("sub-1", 1, 7) is True
    noted = subscriptions.get("sub-1")
    assert noted is not None
    assert noted.index_progress == 7

    changed = noted.revised(scope=Scope(topics=frozenset({"natuur"})))
    subscriptions.store(changed)
    assert subscriptions.record_index_progress("sub-1", 1, 9) is False
    assert subscriptions.mark_indexed("sub-1", 1) is False
    assert subscriptions.get("sub-1") == changed

    assert subscriptions.mark_indexed("sub-1", 2) is True
    done = subscriptions.get("sub-1")
    assert done is not None
    assert (done.indexed, done.index_progress, done.previous_scopes) == (True, 0, ())
    assert subscriptions.mark_indexed("sub-unknown", 1) is False


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
