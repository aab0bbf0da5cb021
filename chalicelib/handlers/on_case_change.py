"""on_case_change — the stream handler on the cases table: each change of a case becomes notifications in the outbox and jobs
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
    """The one service call: the change the record reports, to whoever must hear of it."""
    from chalicelib.domain.changes import AnnouncementChange, CaseChange
    from chalicelib.observability import count, logger

    change = wiring.adapters().changes.decode(record.raw_event)
    if change is None:
        return
    result = wiring.services().fanout.apply(change)
    if isinstance(change, CaseChange):
        if wiring.services().servicenorm_figures.case_changed(change.old, change.new):
            count("ServicenormFiguresChanged")
        count("WatchEntriesAdded", wiring.services().deadline_watch.case_changed(change.old, change.new))
    if isinstance(change, AnnouncementChange):
        # after its fan-out: a failure fails this record, which comes again (fan-out creates nothing twice)
        wiring.services().outbound.announcement_changed(change)
    if result.events:
        logger().info(
            "change fanned out",
            extra={
                "kind": "case" if isinstance(change, CaseChange) else "announcement",
                "subject_id": change.subject_id,
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

    from chalicelib.adapters.dynamodb.stream import case_key
    from chalicelib.observability import count, flush_metrics

    class CaseOrderedProcessor(BatchProcessor):
        def __init__(self) -> None:
            super().__init__(EventType.DynamoDBStreams)
            self._failed_cases: set[str] = set()

        def _process_record(self, record: dict[str, Any]) -> Any:
            key = case_key(record)
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
        with wiring.services().fanout.batch():
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
