"""fan_out_job — the jobs queue (SQS standard, with a dead-letter queue): a page of one event's audience, a shard
of the held e-mails or a group of their subscribers, each one bounded unit of work (``services/jobs.py``).

Jobs are idempotent (the outbox refuses a second copy, progress counts a job once, digest ids derive from their
items), so a message delivered twice or retried after a failure sends nothing twice. A failing message is
reported alone (ReportBatchItemFailures, set in infra/app.json) and tried again after its visibility timeout;
after the queue's retries it waits in the dead-letter queue.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint

from chalicelib import wiring
from chalicelib.config import jobs_queue_name

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

bp = Blueprint(__name__)
QUEUE_NAME = jobs_queue_name()
BATCH_SIZE = 1  # one job per invocation: a job is the unit of work


def run_job(record: SQSRecord) -> None:
    from chalicelib.observability import count, logger

    result = wiring.services().jobs.run(record.body)
    logger().info(
        "job done",
        extra={
            "job_kind": result.kind,
            "entries_read": result.entries,
            "notifications_created": result.created,
            "notifications_held": result.held,
            "subscribers": result.subscribers,
            "digests": result.digests,
            "jobs_queued": result.jobs,
        },
    )
    count("JobsDone")
    count("NotificationsCreated", result.created)
    count("NotificationsHeld", result.held)


def process_job_batch(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Lambda-shaped SQS event in, ``{"batchItemFailures": [...]}`` out."""
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

    from chalicelib.observability import flush_metrics

    try:
        processor = BatchProcessor(event_type=EventType.SQS)
        return dict(process_partial_response(event=event, record_handler=run_job, processor=processor, context=context))
    finally:
        flush_metrics()


@bp.on_sqs_message(queue=QUEUE_NAME, batch_size=BATCH_SIZE, name="fan_out_job")
def fan_out_job(event: Any) -> dict[str, Any]:
    return process_job_batch(event.to_dict(), event.context)
