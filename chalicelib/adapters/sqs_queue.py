"""The delivery queue on SQS FIFO: one message group per (case × subscriber × channel), so messages about
one case to one person never overtake each other, while other people's messages flow in parallel. The
notification id is the deduplication id: a re-queued notification within five minutes is dropped by SQS,
and later ones are harmless because delivery claims each notification once."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from typing import Any

from chalicelib.domain.notifications import Notification
from chalicelib.services.ports import DeliveryQueue

BATCH = 10


class QueueSendError(Exception):
    """SQS did not take every message; the caller fails so the change is tried again."""


def message_group(notification: Notification) -> str:
    key = f"{notification.case_id}|{notification.subscriber_id}|{notification.channel.value}"
    return hashlib.sha256(key.encode()).hexdigest()[:40]


def message_body(notification: Notification) -> str:
    return json.dumps({"notification_id": notification.id, "v": 1}, separators=(",", ":"))


def notification_id_from_body(body: str) -> str:
    """The notification a queue message is about; ValueError for anything that is not ours."""
    try:
        data = json.loads(body)
    except json.JSONDecodeError:
        raise ValueError("not a delivery message") from None
    value = data.get("notification_id") if isinstance(data, dict) else None
    if not isinstance(value, str) or not value.isalnum() or len(value) != 32:
        raise ValueError("not a delivery message")
    return value


class SqsDeliveryQueue(DeliveryQueue):
    def __init__(self, client: Callable[[], Any], queue_url: Callable[[], str]) -> None:
        self._client = client  # the boto3 SQS client, made on first use
        self._queue_url = queue_url

    def enqueue(self, notifications: Sequence[Notification]) -> None:
        url = self._queue_url()
        for start in range(0, len(notifications), BATCH):
            chunk = notifications[start : start + BATCH]
            response = self._client().send_message_batch(
                QueueUrl=url,
                Entries=[
                    {
                        "Id": str(index),
                        "MessageBody": message_body(n),
                        "MessageGroupId": message_group(n),
                        "MessageDeduplicationId": n.id,
                    }
                    for index, n in enumerate(chunk)
                ],
            )
            failed = response.get("Failed") or []
            if failed:
                raise QueueSendError(f"{len(failed)} of {len(chunk)} messages not queued")

    def notification_id(self, body: str) -> str:
        return notification_id_from_body(body)

    def postpone(self, receipt: str, seconds: int) -> None:
        self._client().change_message_visibility(QueueUrl=self._queue_url(), ReceiptHandle=receipt, VisibilityTimeout=seconds)
