"""Stream handler on the cases table: each change of a case becomes notifications in the outbox and jobs
on the delivery queue.

A failing record must not block the others, and must not let later changes of the same case overtake
it: once a record of a case fails, every later record of that case in the batch is reported failed
without being processed. Lambda (ReportBatchItemFailures, set in infra/app.json) then retries from the
lowest failed record; records that did succeed come again and create nothing new.

Fanning out a change is idempotent, so a record that fails is first tried again here, twice, after a short
pause: a passing fault (a throttled table, a lost answer) then costs no function error and no trip through
Lambda's retries, which are finite (after them the change goes to the on-failure destination).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint

from chalicelib import wiring
from chalicelib.config import handler_sources

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

bp = Blueprint(__name__)
STREAM_ARN, _ = handler_sources()
BATCH_SIZE = 25
# Tries of one record within one invocation, and the pause (seconds) before each try after the first.
RECORD_ATTEMPTS = 3
RETRY_PAUSES = (0.2, 1.0)


class CaseBlockedError(Exception):
    """An earlier change of this case in the same batch failed; this one waits for it."""


def _case_key(record: dict[str, Any]) -> str:
    keys = record.get("dynamodb", {}).get("Keys", {})
    return str(keys.get("case_id", {}).get("S", ""))


def _observed_at(raw: dict[str, Any]) -> datetime:
    value = raw.get("dynamodb", {}).get("ApproximateCreationDateTime")
    return datetime.fromtimestamp(float(value), UTC) if value is not None else wiring.clock().now()


def lambda_stream_record(record: dict[str, Any], stream_arn: str, region: str) -> dict[str, Any]:
    """A record from ``dynamodbstreams.get_records`` in the shape Lambda hands to this handler (the local
    event runner and the operator's replay read the stream themselves)."""
    dynamodb = dict(record["dynamodb"])
    created = dynamodb["ApproximateCreationDateTime"]
    dynamodb["ApproximateCreationDateTime"] = created.timestamp() if isinstance(created, datetime) else float(created)
    return {
        "eventID": record["eventID"],
        "eventName": record["eventName"],
        "eventVersion": record.get("eventVersion", "1.1"),
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": dynamodb,
        "eventSourceARN": stream_arn,
    }


def pause(seconds: float) -> None:
    time.sleep(seconds)


def handle_change(record: DynamoDBRecord) -> None:
    """Process one stream record (called by the batch processor), trying again after a failure; the last
    failure is logged and re-raised so the record is reported failed."""
    from chalicelib.observability import count, logger

    for attempt in range(1, RECORD_ATTEMPTS + 1):
        try:
            _fan_out(record)
            return
        except Exception as error:
            logger().warning(
                "stream record failed" if attempt == RECORD_ATTEMPTS else "stream record failed; trying again",
                extra={
                    "sequence_number": record.dynamodb.sequence_number if record.dynamodb else None,
                    "error_type": type(error).__name__,
                    "attempt": attempt,
                },
            )
            if attempt == RECORD_ATTEMPTS:
                raise
            count("StreamRecordRetried")
            pause(RETRY_PAUSES[attempt - 1])


def _fan_out(record: DynamoDBRecord) -> None:
    """A change of a case, or of an announcement; other items in the table (none today) tell nobody."""
    from chalicelib.adapters.dynamodb.mapping import announcement_from_image, case_from_image, image_kind
    from chalicelib.domain.announcements import announcement_events
    from chalicelib.observability import count, logger

    raw = record.raw_event
    images = raw.get("dynamodb", {})
    kind = image_kind(images.get("NewImage") or images.get("OldImage"))
    if kind == "case":
        old, new = case_from_image(images.get("OldImage")), case_from_image(images.get("NewImage"))
        result = wiring.fanout().handle_change(old, new, _observed_at(raw))
        case = new or old
        subject = case.id if case else None
    elif kind == "announcement":
        before, after = announcement_from_image(images.get("OldImage")), announcement_from_image(images.get("NewImage"))
        result = wiring.fanout().handle_events(announcement_events(before, after))
        announcement = after or before
        subject = announcement.id if announcement else None
    else:
        return
    if result.events:
        logger().info(
            "change fanned out",
            extra={
                "kind": kind,
                "subject_id": subject,
                "events": result.events,
                "notifications_created": result.created,
                "notifications_held": result.held,
                "notifications_requeued": result.requeued,
                "duplicates_ignored": result.duplicates,
                "interest_queries": result.queries,
            },
        )
        count("NotificationsCreated", result.created)
        count("NotificationsHeld", result.held)
        count("DuplicateNotificationsIgnored", result.duplicates)


def process_stream_batch(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Lambda-shaped DynamoDB stream event in, ``{"batchItemFailures": [...]}`` out."""
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

    from chalicelib.observability import count, flush_metrics

    class CaseOrderedProcessor(BatchProcessor):
        def __init__(self) -> None:
            super().__init__(EventType.DynamoDBStreams)
            self._failed_cases: set[str] = set()

        def _process_record(self, record: dict[str, Any]) -> Any:
            key = _case_key(record)
            if key in self._failed_cases:
                blocked = CaseBlockedError(key)
                return self.failure_handler(
                    record=self._to_batch_type(record, event_type=self.event_type), exception=(CaseBlockedError, blocked, None)
                )
            result = super()._process_record(record)
            if result[0] == "fail":
                self._failed_cases.add(key)
            return result

    processor = CaseOrderedProcessor()
    try:
        with wiring.fanout().batch():
            response = process_partial_response(event=event, record_handler=handle_change, processor=processor, context=context)
        failures = len(response.get("batchItemFailures", []))
        if failures:
            count("StreamRecordsFailed", failures)
        return dict(response)
    finally:
        flush_metrics()


@bp.on_dynamodb_record(stream_arn=STREAM_ARN, batch_size=BATCH_SIZE, starting_position="TRIM_HORIZON", name="on_case_change")
def on_case_change(event: Any) -> dict[str, Any]:
    return process_stream_batch(event.to_dict(), event.context)
