"""DeliveryQueue: the in-memory queue and the SQS FIFO delivery queue keep the same promises."""

from __future__ import annotations

from dataclasses import replace

from chalicelib.domain.subscriptions import Channel
from chalicelib.services.ports import DeliveryQueue
from tests.contract.conftest import Sent, a_notification


def test_queued_notifications_come_out_in_the_order_they_went_in(delivery_queue: Sent[DeliveryQueue, str]):
    # GIVEN twelve notifications about one case to one person (more than one SQS batch)
    notifications = [a_notification() for _ in range(12)]
    # WHEN they are queued in two calls
    delivery_queue.port.enqueue(notifications[:5])
    delivery_queue.port.enqueue(notifications[5:])
    # THEN each comes out once, in order
    assert delivery_queue.taken() == [n.id for n in notifications]


def test_the_same_notification_queued_again_before_it_was_taken_comes_out_once(delivery_queue: Sent[DeliveryQueue, str]):
    first, second = a_notification(), a_notification()
    delivery_queue.port.enqueue([first, second])
    delivery_queue.port.enqueue([first, replace(second, attempts=1)])
    assert delivery_queue.taken() == [first.id, second.id]


def test_notifications_to_other_people_and_channels_all_come_out(delivery_queue: Sent[DeliveryQueue, str]):
    notifications = [
        a_notification(),
        a_notification(subscriber_id="pu-fatima-8d21e4"),
        a_notification(channel=Channel.PORTAL),
        a_notification(case_id="case-other"),
    ]
    delivery_queue.port.enqueue(notifications)
    assert sorted(delivery_queue.taken()) == sorted(n.id for n in notifications)


def test_queueing_nothing_queues_nothing(delivery_queue: Sent[DeliveryQueue, str]):
    delivery_queue.port.enqueue([])
    assert delivery_queue.taken() == []
