"""The local event runner: what AWS Lambda's event source mappings do, done against moto.

``StreamPoller`` reads the cases table's stream and invokes the stream handler with Lambda-shaped batches,
obeying the settings in infra/app.json: ReportBatchItemFailures (restart from the lowest failed record),
bisect on error, finite retries, a maximum record age and the on-failure destination. ``QueuePoller``
receives from the delivery queue and deletes only what the handler did not report failed; the rest
comes back after the visibility timeout, as on AWS. ``Scheduled`` invokes a ``@app.schedule`` function with
an EventBridge-shaped event at a fixed interval. ``LetterPrinter`` stands in for the print-and-post partner:
it takes letters off the letters queue and keeps each as a JSON file.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

Handler = Callable[[dict[str, Any], Any], Any]


@dataclass
class LambdaContext:
    """Enough of Lambda's context object for the handlers and powertools."""

    function_name: str
    timeout_seconds: int = 60
    memory_limit_in_mb: int = 512
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    started: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:eu-west-1:123456789012:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.timeout_seconds - (time.monotonic() - self.started)) * 1000))


@dataclass
class StreamSettings:
    batch_size: int = 25
    maximum_retry_attempts: int = 10
    bisect_on_error: bool = True
    maximum_record_age_seconds: int = 21600
    report_batch_item_failures: bool = True

    @classmethod
    def from_mapping(cls, mapping: dict[str, Any], batch_size: int) -> StreamSettings:
        return cls(
            batch_size=batch_size,
            maximum_retry_attempts=int(mapping.get("MaximumRetryAttempts", -1)),
            bisect_on_error=bool(mapping.get("BisectBatchOnFunctionError", False)),
            maximum_record_age_seconds=int(mapping.get("MaximumRecordAgeInSeconds", -1)),
            report_batch_item_failures="ReportBatchItemFailures" in mapping.get("FunctionResponseTypes", []),
        )


@dataclass
class StreamStats:
    invocations: int = 0
    records_succeeded: int = 0
    retries: int = 0
    sent_to_failure_destination: int = 0


class StreamPoller:
    """One DynamoDB stream → one function, like a Lambda event source mapping."""

    def __init__(
        self,
        *,
        streams: Any,
        sqs: Any,
        stream_arn: str,
        handler: Handler,
        settings: StreamSettings,
        failure_queue_url: str | None,
        function_name: str = "on_case_change",
        region: str = "eu-west-1",
        starting_position: str = "TRIM_HORIZON",
        retry_delay: float = 0.2,
    ) -> None:
        self._streams = streams
        self._sqs = sqs
        self._arn = stream_arn
        self._handler = handler
        self.settings = settings
        self._failure_queue_url = failure_queue_url
        self._function = function_name
        self._region = region
        self._starting_position = starting_position
        self._retry_delay = retry_delay
        self._iterators: dict[str, str | None] = {}
        self._pending: dict[str, list[dict[str, Any]]] = {}
        self._attempts: dict[str, int] = {}
        self._window: dict[str, int] = {}
        self.stats = StreamStats()

    def _shards(self) -> list[str]:
        description = self._streams.describe_stream(StreamArn=self._arn)["StreamDescription"]
        return [shard["ShardId"] for shard in description["Shards"]]

    def _fill(self, shard: str) -> None:
        if shard not in self._iterators:
            self._iterators[shard] = self._streams.get_shard_iterator(
                StreamArn=self._arn, ShardId=shard, ShardIteratorType=self._starting_position
            )["ShardIterator"]
        iterator = self._iterators[shard]
        if iterator is None or len(self._pending.setdefault(shard, [])) >= self.settings.batch_size:
            return
        from chalicelib.adapters.dynamodb.stream import lambda_stream_record

        response = self._streams.get_records(ShardIterator=iterator, Limit=100)
        self._iterators[shard] = response.get("NextShardIterator")
        self._pending[shard].extend(lambda_stream_record(r, self._arn, self._region) for r in response.get("Records", []))

    def skip_to_latest(self) -> None:
        """Go on from the stream's end: what was written before is not processed (the local stack's generated
        history, whose figures are computed from the table instead)."""
        for shard in self._shards():
            self._pending[shard] = []
            self._iterators[shard] = self._streams.get_shard_iterator(
                StreamArn=self._arn, ShardId=shard, ShardIteratorType="LATEST"
            )["ShardIterator"]

    def poll_once(self) -> int:
        """Fetch and process at most one batch per shard; returns the number of records checkpointed."""
        done = 0
        for shard in self._shards():
            self._fill(shard)
            done += self._process(shard)
        return done

    def pending(self) -> int:
        return sum(len(records) for records in self._pending.values())

    def _expire_old(self, shard: str) -> None:
        limit = self.settings.maximum_record_age_seconds
        if limit < 0:
            return
        now = time.time()
        records = self._pending[shard]
        expired = [r for r in records if now - r["dynamodb"]["ApproximateCreationDateTime"] > limit]
        if expired:
            self._to_failure_destination(shard, expired, "RecordAgeExceeded")
            self._pending[shard] = [r for r in records if r not in expired]

    def _process(self, shard: str) -> int:
        self._expire_old(shard)
        records = self._pending.get(shard) or []
        if not records:
            return 0
        size = min(self._window.get(shard, self.settings.batch_size), self.settings.batch_size)
        batch = records[:size]
        self.stats.invocations += 1
        failed_from = self._invoke(batch)
        if failed_from is None:
            self._checkpoint(shard, len(batch))
            self._window.pop(shard, None)
            return len(batch)
        self._checkpoint(shard, failed_from)
        attempts = self._attempts.get(shard, 0) + 1
        self._attempts[shard] = attempts
        self.stats.retries += 1
        limit = self.settings.maximum_retry_attempts
        if limit >= 0 and attempts > limit:
            remaining = batch[failed_from:]
            self._to_failure_destination(shard, remaining, "RetryAttemptsExhausted")
            self._checkpoint(shard, len(remaining))
            self._window.pop(shard, None)
            return failed_from + len(remaining)
        if self.settings.bisect_on_error and failed_from == 0 and len(batch) > 1:
            self._window[shard] = max(1, len(batch) // 2)
        time.sleep(self._retry_delay)
        return failed_from

    def _invoke(self, batch: list[dict[str, Any]]) -> int | None:
        """Index of the first record to retry, or None when the whole batch succeeded."""
        try:
            response = self._handler({"Records": batch}, LambdaContext(self._function))
        except Exception:  # noqa: BLE001 - a failing function fails the whole batch, as on Lambda
            return 0
        if not self.settings.report_batch_item_failures:
            return None
        failures = (response or {}).get("batchItemFailures") or []
        if not failures:
            return None
        sequence_numbers = [r["dynamodb"]["SequenceNumber"] for r in batch]
        failed = [f["itemIdentifier"] for f in failures]
        if any(identifier not in sequence_numbers for identifier in failed):
            return 0
        return min(sequence_numbers.index(identifier) for identifier in failed)

    def _checkpoint(self, shard: str, count: int) -> None:
        if count:
            self._pending[shard] = self._pending[shard][count:]
            self.stats.records_succeeded += count
            self._attempts.pop(shard, None)

    def _to_failure_destination(self, shard: str, records: list[dict[str, Any]], condition: str) -> None:
        self.stats.sent_to_failure_destination += len(records)
        if not self._failure_queue_url or not records:
            return
        message = {
            "version": "1.0",
            "timestamp": datetime.now(UTC).isoformat(),
            "requestContext": {
                "requestId": str(uuid.uuid4()),
                "functionArn": LambdaContext(self._function).invoked_function_arn,
                "condition": condition,
                "approximateInvokeCount": self._attempts.get(shard, 0) + 1,
            },
            "DDBStreamBatchInfo": {
                "shardId": shard,
                "startSequenceNumber": records[0]["dynamodb"]["SequenceNumber"],
                "endSequenceNumber": records[-1]["dynamodb"]["SequenceNumber"],
                "batchSize": len(records),
                "streamArn": self._arn,
            },
        }
        self._sqs.send_message(QueueUrl=self._failure_queue_url, MessageBody=json.dumps(message))


@dataclass
class QueueStats:
    invocations: int = 0
    deleted: int = 0
    failed: int = 0


class QueuePoller:
    """One SQS queue → one function: deletes what succeeded, leaves failures for the visibility timeout."""

    def __init__(
        self,
        *,
        sqs: Any,
        queue_url: str,
        queue_arn: str,
        handler: Handler,
        batch_size: int = 10,
        function_name: str = "deliver",
        region: str = "eu-west-1",
    ) -> None:
        self._sqs = sqs
        self._url = queue_url
        self._arn = queue_arn
        self._handler = handler
        self._batch_size = batch_size
        self._function = function_name
        self._region = region
        self.stats = QueueStats()

    def _record(self, message: dict[str, Any]) -> dict[str, Any]:
        return {
            "messageId": message["MessageId"],
            "receiptHandle": message["ReceiptHandle"],
            "body": message["Body"],
            "attributes": message.get("Attributes", {}),
            "messageAttributes": message.get("MessageAttributes", {}),
            "md5OfBody": message.get("MD5OfBody", ""),
            "eventSource": "aws:sqs",
            "eventSourceARN": self._arn,
            "awsRegion": self._region,
        }

    def poll_once(self, wait_seconds: int = 0) -> int:
        """Receive one batch, invoke, delete the successes; returns how many messages were handled."""
        messages = self._sqs.receive_message(
            QueueUrl=self._url,
            MaxNumberOfMessages=self._batch_size,
            WaitTimeSeconds=wait_seconds,
            AttributeNames=["All"],
            MessageSystemAttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        if not messages:
            return 0
        records = [self._record(m) for m in messages]
        self.stats.invocations += 1
        try:
            response = self._handler({"Records": records}, LambdaContext(self._function, timeout_seconds=30))
            failed = {f["itemIdentifier"] for f in (response or {}).get("batchItemFailures") or []}
        except Exception:  # noqa: BLE001 - a failing function leaves the whole batch on the queue
            failed = {r["messageId"] for r in records}
        succeeded = [m for m in messages if m["MessageId"] not in failed]
        if succeeded:
            self._sqs.delete_message_batch(
                QueueUrl=self._url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(succeeded)],
            )
        self.stats.deleted += len(succeeded)
        self.stats.failed += len(failed)
        return len(messages)


class Poller(Protocol):
    def poll_once(self) -> int: ...


class Scheduled:
    """A scheduled function, invoked every ``interval`` seconds (the first time on the first poll)."""

    def __init__(self, handler: Handler, *, name: str, interval: float, region: str = "eu-west-1") -> None:
        self._handler = handler
        self._name = name
        self._interval = interval
        self._region = region
        self._due = 0.0
        self.invocations = 0

    def poll_once(self) -> int:
        if time.monotonic() < self._due:
            return 0
        self._due = time.monotonic() + self._interval
        event = {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": "123456789012",
            "time": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": self._region,
            "resources": [f"arn:aws:events:{self._region}:123456789012:rule/{self._name}"],
            "detail": {},
        }
        self._handler(event, LambdaContext(self._name))
        self.invocations += 1
        return 0  # what it queued shows up in the queue poller's count


class LetterPrinter:
    """Takes letters off the letters queue and keeps each as ``<folder>/<received>-<reference>.json``."""

    def __init__(self, *, sqs: Any, queue_url: str, folder: Path) -> None:
        self._sqs = sqs
        self._url = queue_url
        self._folder = folder

    def poll_once(self) -> int:
        messages = self._sqs.receive_message(QueueUrl=self._url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages", [])
        self._folder.mkdir(parents=True, exist_ok=True)
        for message in messages:
            letter = json.loads(message["Body"])
            stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
            (self._folder / f"{stamp}-{letter['reference']}.json").write_text(
                json.dumps(letter, ensure_ascii=False, indent=2), encoding="utf-8"
            )
            self._sqs.delete_message(QueueUrl=self._url, ReceiptHandle=message["ReceiptHandle"])
        return len(messages)


class EventRunner:
    """Runs both pollers in a background thread until stopped."""

    def __init__(
        self, stream: StreamPoller, queue: QueuePoller, *, others: Sequence[Poller] = (), idle_sleep: float = 0.1
    ) -> None:
        self.stream = stream
        self.queue = queue
        self.others = tuple(others)
        self._idle_sleep = idle_sleep
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._idle = threading.Event()
        self.errors: deque[str] = deque(maxlen=100)  # the latest; a stack that runs for days keeps its memory

    def run_until_idle(self, max_rounds: int = 1000) -> None:
        """Process until neither the stream nor the queue has anything (used at start-up and in tests)."""
        for _ in range(max_rounds):
            moved = self._poll()
            if not moved and not self.stream.pending():
                return

    def _poll(self) -> int:
        return self.stream.poll_once() + self.queue.poll_once() + sum(other.poll_once() for other in self.others)

    def start(self) -> None:
        self._thread = threading.Thread(target=self._loop, name="baken-event-runner", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                moved = self._poll()
            except Exception as error:  # noqa: BLE001 - keep running; moto may be restarting
                self.errors.append(repr(error))
                moved = 0
                self._stop.wait(1.0)
            if moved:
                self._idle.clear()
            else:
                self._idle.set()
                self._stop.wait(self._idle_sleep)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=3)  # a handler still running stops with the process (a daemon thread)
