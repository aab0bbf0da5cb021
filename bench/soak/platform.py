"""The simulated platform, as AWS promises it and no better: the clock, the schedules, Lambda's view of a crash, the
cases table's stream, the stream's on-failure destination, the FIFO delivery queue and a check on FIFO order."""

from __future__ import annotations

import itertools
import json
import math
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bench.soak.faults import Crash, CrashedInvocationError, InjectedFaultError
from chalicelib.domain.cases import Case
from chalicelib.domain.subscriptions import Indexed
from chalicelib.services.ports import Clock
from devstack.runner import QueuePoller, StreamPoller

TICK = timedelta(seconds=5)  # the platform polls this often (simulated)
SCHEDULE_EVERY = 900  # seconds: release_held_email and reconcile_notifications, rate(15 minutes)
ASYNC_RETRY_DELAYS = (60, 120)  # Lambda's two retries of a failed asynchronous invocation


def invocation(handler: Callable[[dict[str, Any], Any], Any], name: str, tally: Counter[str]) -> Callable[..., Any]:
    """A Lambda function as its event source mapping sees it: a crash is a function error."""

    def invoke(event: dict[str, Any], context: Any) -> Any:
        tally[f"{name}.invocations"] += 1
        try:
            return handler(event, context)
        except Crash:
            tally[f"{name}.crashed"] += 1
            raise CrashedInvocationError(name) from None
        except Exception:
            tally[f"{name}.function_errors"] += 1
            raise

    return invoke


@contextmanager
def replaced(owner: Any, name: str, value: Any) -> Iterator[None]:
    original = getattr(owner, name)
    setattr(owner, name, value)
    try:
        yield
    finally:
        setattr(owner, name, original)


class SimulatedClock(Clock):
    """Baken's clock (and in the moto mode also moto's SQS clock): hours pass in a moment."""

    def __init__(self, start: datetime) -> None:
        self.current = start

    def now(self) -> datetime:
        return self.current

    def epoch(self) -> float:
        return self.current.timestamp()

    def advance(self, by: timedelta) -> None:
        self.current += by

    def jump_to(self, moment: datetime) -> None:
        self.current = max(self.current, moment)


class Schedule:
    """A function on an EventBridge schedule (every 15 minutes), invoked asynchronously: a failed run is tried
    again after one and after two more minutes."""

    def __init__(self, name: str, function: Callable[[], Any], clock: SimulatedClock) -> None:
        self.name = name
        self._function = function
        self._clock = clock
        self._next = next_mark(clock.epoch())
        self._retries: list[tuple[float, int]] = []
        self.tally: Counter[str] = Counter()

    def run_due(self) -> None:
        now = self._clock.epoch()
        if now >= self._next:
            self._next = next_mark(now + 1)
            self._invoke(0)
        due = [r for r in self._retries if r[0] <= now]
        self._retries = [r for r in self._retries if r[0] > now]
        for _, attempt in due:
            self._invoke(attempt)

    def _invoke(self, attempt: int) -> None:
        self.tally["runs"] += 1
        try:
            self._function()
            return
        except Crash:
            self.tally["crashed"] += 1
        except Exception:  # noqa: BLE001 - a failed asynchronous invocation is retried by Lambda, not raised
            self.tally["failed"] += 1
        if attempt < len(ASYNC_RETRY_DELAYS):
            self._retries.append((self._clock.epoch() + ASYNC_RETRY_DELAYS[attempt], attempt + 1))
        else:
            self.tally["given_up"] += 1


class PlatformTime:
    """The ``time`` module as devstack's runner sees it in memory: a stream record's age (MaximumRecordAge) is
    measured on the simulated clock, like the records' creation times."""

    def __init__(self, clock: SimulatedClock) -> None:
        self._clock = clock
        self.monotonic = time.monotonic
        self.sleep = time.sleep

    def time(self) -> float:
        return self._clock.epoch()


def next_mark(epoch: float) -> float:
    return math.ceil(epoch / SCHEDULE_EVERY) * SCHEDULE_EVERY


def _stream_record(event: str, sequence: int, at: datetime, old: Case | None, new: Case) -> dict[str, Any]:
    from chalicelib.adapters.dynamodb.mapping import case_to_record

    images: dict[str, Any] = {
        "ApproximateCreationDateTime": at,
        "Keys": {"case_id": {"S": new.id}},
        "NewImage": case_to_record(new).serialize(),
        "SequenceNumber": f"{sequence:021d}",
        "SizeBytes": 0,
        "StreamViewType": "NEW_AND_OLD_IMAGES",
    }
    if old is not None:
        images["OldImage"] = case_to_record(old).serialize()
    return {"eventID": f"soak-{sequence}", "eventName": event, "eventVersion": "1.1", "dynamodb": images}


def streaming_cases(subscription_store: Any, clock: SimulatedClock, shards: int) -> Any:
    """The in-memory cases table with a DynamoDB stream: each committed write appears once, in its case's shard,
    with both images."""
    from chalicelib.adapters.memory import InMemoryCases

    class StreamingCases(InMemoryCases):
        def __init__(self) -> None:
            super().__init__(subscription_store)
            self.shards: dict[str, list[dict[str, Any]]] = {f"shardId-{i:04d}": [] for i in range(shards)}
            self._sequence = itertools.count(1)

        def create(self, case: Case, subscriptions: Sequence[Indexed]) -> Case:
            stored = super().create(case, subscriptions)
            self._write("INSERT", None, stored)
            return stored

        def save(self, case: Case, new_followers: Sequence[Indexed] = ()) -> Case:
            before = self.items.get(case.id)
            stored = super().save(case, new_followers)
            self._write("MODIFY", before, stored)
            return stored

        def _write(self, event: str, old: Case | None, new: Case) -> None:
            shard = f"shardId-{int(uuid.UUID(new.id)) % len(self.shards):04d}"
            self.shards[shard].append(_stream_record(event, next(self._sequence), clock.now(), old, new))

    return StreamingCases()


class StreamClient:
    """The three ``dynamodbstreams`` calls devstack's StreamPoller makes, on the in-memory table's stream."""

    def __init__(self, shards: Mapping[str, list[dict[str, Any]]]) -> None:
        self._shards = shards

    def describe_stream(self, *, StreamArn: str) -> dict[str, Any]:
        return {"StreamDescription": {"Shards": [{"ShardId": shard} for shard in self._shards]}}

    def get_shard_iterator(
        self, *, StreamArn: str, ShardId: str, ShardIteratorType: str, SequenceNumber: str | None = None
    ) -> dict[str, Any]:
        position = 0
        if ShardIteratorType == "AT_SEQUENCE_NUMBER":
            sequences = [int(r["dynamodb"]["SequenceNumber"]) for r in self._shards[ShardId]]
            position = sequences.index(int(str(SequenceNumber)))
        return {"ShardIterator": f"{ShardId}|{position}"}

    def get_records(self, *, ShardIterator: str, Limit: int) -> dict[str, Any]:
        shard, _, position = ShardIterator.partition("|")
        records = self._shards[shard][int(position) : int(position) + Limit]
        return {"Records": records, "NextShardIterator": f"{shard}|{int(position) + len(records)}"}


class RecordingStreamPoller(StreamPoller):
    """devstack's StreamPoller, keeping the records it gives up on (its on-failure destination only gets their
    sequence numbers)."""

    def __init__(self, **settings: Any) -> None:
        super().__init__(**settings)
        self.parked: list[tuple[str, dict[str, Any]]] = []

    def _to_failure_destination(self, shard: str, records: list[dict[str, Any]], condition: str) -> None:
        self.parked.extend((condition, record) for record in records)
        super()._to_failure_destination(shard, records, condition)


class FailureDestination:
    """Where the stream's on-failure destination messages go in memory; the operator's replay reads and
    deletes them (a message it received stays invisible for the rest of the replay)."""

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []
        self._received: set[int] = set()

    def send_message(self, *, QueueUrl: str, MessageBody: str) -> dict[str, Any]:
        self.messages.append(json.loads(MessageBody))
        return {"MessageId": str(len(self.messages))}

    def receive_message(self, *, QueueUrl: str, MaxNumberOfMessages: int, **_: Any) -> dict[str, Any]:
        handles = [i for i, m in enumerate(self.messages) if m is not None and i not in self._received][:MaxNumberOfMessages]
        self._received.update(handles)
        return {
            "Messages": [{"MessageId": str(i), "Body": json.dumps(self.messages[i]), "ReceiptHandle": str(i)} for i in handles]
        }

    def delete_message(self, *, QueueUrl: str, ReceiptHandle: str) -> None:
        self.messages[int(ReceiptHandle)] = None  # type: ignore[call-overload]

    def get_queue_attributes(self, *, QueueUrl: str, AttributeNames: list[str]) -> dict[str, Any]:
        """What the operator's replay asks first: how many messages wait (and how many are being worked on)."""
        waiting = [i for i, m in enumerate(self.messages) if m is not None]
        hidden = sum(1 for i in waiting if i in self._received)
        counts = {"ApproximateNumberOfMessages": len(waiting) - hidden, "ApproximateNumberOfMessagesNotVisible": hidden}
        return {"Attributes": {name: str(counts.get(name, 0)) for name in AttributeNames}}


@dataclass(eq=False)
class QueuedMessage:
    message_id: str
    body: str
    group: str
    deduplication_id: str
    sequence: int
    sent_at: float
    visible_at: float
    receive_count: int = 0
    receipt: str | None = None

    def in_flight(self, now: float) -> bool:
        return self.receipt is not None and self.visible_at > now


class SimulatedFifoQueue:
    """An SQS FIFO queue with a dead-letter queue on the simulated clock, answering the calls Baken's
    ``SqsDeliveryQueue`` (send_message_batch, change_message_visibility) and the runner's QueuePoller
    (receive_message, delete_message_batch) make. Kept: order within a message group; no message of a group is
    handed out while another of it is in flight; a message not deleted comes back after the visibility timeout
    or when ChangeMessageVisibility says; the same deduplication id in a group within five minutes is accepted
    and dropped; after ``max_receive_count`` receives a message goes to the dead-letter queue."""

    DEDUPLICATION_WINDOW = 300

    def __init__(self, clock: SimulatedClock, *, visibility_timeout: int, max_receive_count: int) -> None:
        self._clock = clock
        self._visibility = visibility_timeout
        self._max_receives = max_receive_count
        self._groups: dict[str, list[QueuedMessage]] = {}
        self._receipts: dict[str, QueuedMessage] = {}
        self._sent: dict[tuple[str, str], float] = {}
        self._ids = itertools.count(1)
        self.dead_letters: list[QueuedMessage] = []
        self.tally: Counter[str] = Counter()

    def send_message_batch(self, *, QueueUrl: str, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        now = self._clock.epoch()
        successful = []
        for entry in Entries:
            group, deduplication_id = entry["MessageGroupId"], entry["MessageDeduplicationId"]
            number = next(self._ids)
            first = self._sent.get((group, deduplication_id))
            if first is not None and now - first < self.DEDUPLICATION_WINDOW:
                self.tally["deduplicated"] += 1
            else:
                self._sent[(group, deduplication_id)] = now
                message = QueuedMessage(f"m-{number}", entry["MessageBody"], group, deduplication_id, number, now, now)
                self._groups.setdefault(group, []).append(message)
                self.tally["sent"] += 1
            successful.append({"Id": entry["Id"], "MessageId": f"m-{number}", "MD5OfMessageBody": ""})
        return {"Successful": successful, "Failed": []}

    def change_message_visibility(self, *, QueueUrl: str, ReceiptHandle: str, VisibilityTimeout: int) -> None:
        message = self._receipts.get(ReceiptHandle)
        if message is None:
            raise InjectedFaultError("ReceiptHandleIsInvalid")  # what SQS says to a stale receipt
        message.visible_at = self._clock.epoch() + VisibilityTimeout

    def receive_message(self, *, QueueUrl: str, MaxNumberOfMessages: int = 1, **_: Any) -> dict[str, Any]:
        now = self._clock.epoch()
        taken: list[QueuedMessage] = []
        for group, messages in list(self._groups.items()):
            if len(taken) >= MaxNumberOfMessages:
                break
            if any(m.in_flight(now) for m in messages):
                continue
            for message in list(messages):
                if len(taken) >= MaxNumberOfMessages or message.visible_at > now:
                    break
                if message.receive_count >= self._max_receives:
                    self._remove(message)
                    self.dead_letters.append(message)
                    continue
                if message.receipt is not None:
                    self._receipts.pop(message.receipt, None)
                message.receive_count += 1
                message.receipt = f"{group}:{message.sequence}:{message.receive_count}"
                message.visible_at = now + self._visibility
                self._receipts[message.receipt] = message
                taken.append(message)
            if not self._groups.get(group):
                self._groups.pop(group, None)
        self.tally["received"] += len(taken)
        return {"Messages": [self._as_received(m) for m in taken]}

    def delete_message_batch(self, *, QueueUrl: str, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        for entry in Entries:
            message = self._receipts.pop(entry["ReceiptHandle"], None)
            if message is not None:
                self._remove(message)
                self.tally["deleted"] += 1
        return {"Successful": [{"Id": e["Id"]} for e in Entries], "Failed": []}

    def pending(self) -> int:
        return sum(len(messages) for messages in self._groups.values())

    def _remove(self, message: QueuedMessage) -> None:
        messages = self._groups.get(message.group, [])
        if message in messages:
            messages.remove(message)
        if not messages:
            self._groups.pop(message.group, None)

    @staticmethod
    def _as_received(message: QueuedMessage) -> dict[str, Any]:
        return {
            "MessageId": message.message_id,
            "ReceiptHandle": message.receipt,
            "Body": message.body,
            "MD5OfBody": "",
            "Attributes": {
                "ApproximateReceiveCount": str(message.receive_count),
                "MessageGroupId": message.group,
                "MessageDeduplicationId": message.deduplication_id,
                "SentTimestamp": str(int(message.sent_at * 1000)),
                "SequenceNumber": str(message.sequence),
            },
            "MessageAttributes": {},
        }


class FifoWatch:
    """A queue client (moto's, or the simulated one) checked against what SQS FIFO promises: within a message
    group, nothing is handed out while an earlier message of the group was received and not yet deleted, unless
    that one comes first in the same batch. What it hands out too early is counted, and the messages overtaken
    are remembered."""

    def __init__(self, sqs: Any) -> None:
        self._sqs = sqs
        self._open: dict[str, dict[int, str]] = defaultdict(dict)  # group → sequence number → body
        self._receipts: dict[str, tuple[str, int]] = {}
        self.violations = 0
        self.overtaken: set[str] = set()

    def receive_message(self, **request: Any) -> Any:
        from chalicelib.adapters.sqs_queue import notification_id_from_body

        response = self._sqs.receive_message(**request)
        in_batch: set[tuple[str, int]] = set()
        for message in response.get("Messages", []):
            group = message["Attributes"]["MessageGroupId"]
            number = int(message["Attributes"]["SequenceNumber"])
            earlier = [n for n in self._open[group] if n < number and (group, n) not in in_batch]
            if earlier:
                self.violations += 1
                self.overtaken.update(notification_id_from_body(self._open[group][n]) for n in earlier)
            in_batch.add((group, number))
            self._open[group][number] = message["Body"]
            self._receipts[message["ReceiptHandle"]] = (group, number)
        return response

    def delete_message_batch(self, **request: Any) -> Any:
        for entry in request["Entries"]:
            group, number = self._receipts.pop(entry["ReceiptHandle"], ("", 0))
            self._open.get(group, {}).pop(number, None)
        return self._sqs.delete_message_batch(**request)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sqs, name)


def simulated_pauses(clock: SimulatedClock) -> Any:
    """The stream handler's pauses between the tries of a record pass on the simulated clock."""
    from chalicelib.handlers import on_case_change as stream

    return replaced(stream, "pause", lambda seconds: clock.advance(timedelta(seconds=seconds)))


def platform_report(
    stream: RecordingStreamPoller,
    queue: QueuePoller,
    watch: FifoWatch,
    schedules: Sequence[Schedule],
    tally: Counter[str],
    sqs: Mapping[str, int] | None,
    dead_letters: int,
) -> dict[str, Any]:
    return {
        "stream": {
            "invocations": stream.stats.invocations,
            "records_checkpointed": stream.stats.records_succeeded,
            "retries": stream.stats.retries,
            "records_given_up": stream.stats.sent_to_failure_destination,
            "given_up_by_condition": dict(Counter(condition for condition, _ in stream.parked)),
        },
        "delivery_queue": {
            "invocations": queue.stats.invocations,
            "messages_deleted": queue.stats.deleted,
            "messages_failed": queue.stats.failed,
            "dead_letters": dead_letters,
            "fifo_order_broken_by_the_queue": watch.violations,
            **({f"sqs_{k}": v for k, v in sorted(sqs.items())} if sqs else {}),
        },
        "functions": dict(sorted(tally.items())),
        "schedules": {s.name: dict(sorted(s.tally.items())) for s in schedules},
    }
