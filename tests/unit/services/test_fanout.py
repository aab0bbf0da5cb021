"""Fan-out: from one change of a case to notifications, once, for the right people."""

from __future__ import annotations

from dataclasses import replace

from chalicelib.domain.cases import CaseMessage, DocumentRequest, set_status
from chalicelib.domain.notifications import NotificationStatus
from chalicelib.domain.subscriptions import Channel, Interest
from tests.factories import FATIMA, JAN, MARK, T0, VERGUNNING, a_case, status, subscription, zaaktype
from tests.unit.services.conftest import World


def _change(case, statustype: str):
    """Store a case and return (old, new) for a status change, as a stream record would carry them."""
    new = set_status(case, zaaktype(case.zaaktype), status(statustype))
    return case, replace(new, version=case.version + 1)


def _follow_case(world: World, case, *people: str) -> None:
    for person in people:
        world.follow(subscription(Interest.case(case.id), person))


def test_a_status_change_gives_one_notification_per_party_and_channel(world: World):
    case = a_case()
    _follow_case(world, case, MARK, FATIMA)
    old, new = _change(case, "in-behandeling")
    result = world.fanout.handle_change(old, new, T0)
    assert (result.events, result.created, result.queries) == (1, 4, 1)
    planned = {(n.subscriber_id, n.channel) for n in world.outbox.items.values()}
    assert planned == {(MARK, Channel.EMAIL), (MARK, Channel.PORTAL), (FATIMA, Channel.EMAIL), (FATIMA, Channel.PORTAL)}
    assert sorted(world.queue.messages) == sorted(world.outbox.items)


def test_the_same_change_handled_twice_creates_nothing_new(world: World):
    case = a_case(co_initiators=())  # Mark is its only party
    _follow_case(world, case, MARK)
    old, new = _change(case, "in-behandeling")
    world.fanout.handle_change(old, new, T0)
    first = dict(world.outbox.items)
    world.queue.drain()

    again = world.fanout.handle_change(old, new, T0)

    assert again.created == 0
    assert world.outbox.items == first
    # not yet delivered: queued again, because the first attempt may have died before queueing
    assert again.requeued == 2
    assert sorted(world.queue.drain()) == sorted(first)


def test_a_redelivered_change_after_delivery_queues_nothing(world: World):
    case = a_case(co_initiators=())  # Mark is its only party
    world.cases.items[case.id] = case
    _follow_case(world, case, MARK)
    old, new = _change(case, "in-behandeling")
    world.cases.items[case.id] = new
    world.fanout.handle_change(old, new, T0)
    for notification_id in world.queue.drain():
        world.delivery.deliver(notification_id)

    again = world.fanout.handle_change(old, new, T0)

    assert (again.created, again.requeued, again.duplicates) == (0, 0, 2)
    assert world.queue.messages == []
    assert len(world.email.sent) == 1


def test_a_statustype_without_informeren_tells_nobody(world: World):
    case = a_case()
    _follow_case(world, case, MARK)
    old, new = _change(case, "advies-gevraagd")
    assert world.fanout.handle_change(old, new, T0).events == 0
    assert world.outbox.items == {}
    assert world.subscriptions.queries == 0


def test_followers_of_a_gemeente_hear_nothing_of_a_private_case(world: World):
    case = a_case(co_initiators=(), gemeenten=("GM1581",))
    _follow_case(world, case, MARK)
    world.follow(subscription(Interest.gemeente("GM1581"), JAN))
    old, new = _change(case, "in-behandeling")
    world.fanout.handle_change(old, new, T0)
    assert {n.subscriber_id for n in world.outbox.items.values()} == {MARK}
    assert world.subscriptions.queries == 1


def test_a_public_case_reaches_followers_once_however_many_interests_match(world: World):
    case = a_case(zaaktype_id=VERGUNNING, initiator="ehk-zandwinning-7c2d", co_initiators=(), gemeenten=("GM0355", "GM0310"))
    interests = (
        Interest.topic_anywhere("vergunningen"),
        Interest.gemeente("GM0355"),
        Interest.gemeente("GM0310", "vergunningen"),
    )
    for interest in interests:
        world.follow(subscription(interest, JAN), channels=frozenset({Channel.EMAIL}))
    old, new = _change(case, "besluit-genomen")

    result = world.fanout.handle_change(old, new, T0)

    # GIVEN three interests reaching Jan  THEN one query per interest key (the case, each gemeente plain and
    # narrowed to the topic, the topic), and one e-mail for Jan
    assert result.queries == 1 + 2 * 2 + 1
    jans = [n for n in world.outbox.items.values() if n.subscriber_id == JAN]
    assert [(n.channel, n.audience.value) for n in jans] == [(Channel.EMAIL, "follower")]


def test_several_events_of_one_change_query_each_interest_once(world: World):
    case = a_case()
    _follow_case(world, case, MARK)
    old, new = _change(case, "aanvullende-informatie-nodig")
    new = replace(
        new,
        documents=(DocumentRequest("doc-1", "Begroting", T0, "mdw-anna-bakker"),),
        messages=(CaseMessage("msg-1", "Stuur de begroting", T0, "mdw-anna-bakker"),),
    )
    result = world.fanout.handle_change(old, new, T0)
    assert result.events == 3
    assert result.queries == 1
    assert {n.status for n in world.outbox.items.values()} == {NotificationStatus.CREATED}


def test_within_one_batch_each_interest_key_is_queried_once(world: World):
    first, second = a_case(), a_case()
    for case in (first, second):
        _follow_case(world, case, MARK)
    public = [
        _change(a_case(zaaktype_id=VERGUNNING, initiator="ehk-a-123", co_initiators=(), gemeenten=("GM0355",)), "besluit-genomen")
        for _ in range(3)
    ]
    with world.fanout.batch():
        results = [world.fanout.handle_change(old, new, T0) for old, new in public]
    # gemeente#GM0355, gemeente#GM0355|topic#vergunningen and topic#vergunningen once for the batch, plus
    # each case's own key
    assert [r.queries for r in results] == [4, 1, 1]
    # outside a batch nothing is remembered
    old, new = public[0]
    assert world.fanout.handle_change(old, new, T0).queries == 4


def test_a_large_audience_is_queued_in_chunks_while_it_is_written(world: World, monkeypatch):
    case = a_case(zaaktype_id=VERGUNNING, initiator="ehk-zandwinning-7c2d", co_initiators=(), gemeenten=("GM0355",))
    for number in range(250):
        world.follow(subscription(Interest.gemeente("GM0355"), f"volger-{number:03d}"), channels=frozenset({Channel.EMAIL}))
    batches: list[int] = []
    original = world.queue.enqueue

    def enqueue(items) -> None:
        batches.append(len(items))
        original(items)

    monkeypatch.setattr(world.queue, "enqueue", enqueue)
    old, new = _change(case, "besluit-genomen")

    world.fanout.handle_change(old, new, T0)

    # THEN the first hundred are queued before the rest is written, and everything is queued once
    # 250 followers, and the initiator in the berichtenbox (a party always hears of the case, entry or not)
    assert batches == [100, 100, 51]
    assert len(set(world.queue.messages)) == len(world.queue.messages) == 251
