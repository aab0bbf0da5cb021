"""deliver — the delivery handler on the FIFO delivery queue: each message is one notification to send.

Messages of one group (case × subscriber × channel) stay in order: when one fails, the later ones of its
group in the batch are reported failed too (powertools SqsFifoPartialProcessor, skip_group_on_error), and the
group waits while the failed one waits. A failure for a passing reason (SES throttled, a storage hiccup) is
retried with backoff — the message stays invisible for 30 s, doubling to at most 10 minutes — for over four
hours (``MAX_DELIVERY_ATTEMPTS`` receives); the last failure marks the notification technical-failure and SQS
moves the message to the dead-letter queue, from where ``python -m chalicelib.ops redrive`` sends it once.
A software error (a missing template, an undefined template variable, a bug) is not retried: delivery marks
the notification technical-failure at once and the ``TechnicalFailure`` and ``SoftwareError`` metrics count it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint

from chalicelib import wiring
from chalicelib.config import handler_sources

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

bp = Blueprint(__name__)
_, QUEUE_NAME = handler_sources()
BATCH_SIZE = 10


def deliver_message(record: SQSRecord) -> None:
    from chalicelib.observability import count, logger
    from chalicelib.services.delivery import DeliveryOutcome

    try:
        notification_id = wiring.adapters().queue.notification_id(record.body)
    except ValueError:
        logger().warning("dropping a message that is not a delivery job", extra={"message_id": record.message_id})
        count("UnrecognisedDeliveryMessages")
        return
    try:
        result = wiring.services().delivery.deliver(notification_id)
    except Exception as error:
        _retry_later(record, notification_id, error)
        raise
    logger().info(
        "notification handled",
        extra={
            "notification_id": notification_id,
            "outcome": result.outcome.value,
            "channel": result.channel.value if result.channel else None,
            "reason": result.reason,
        },
    )
    if result.outcome is DeliveryOutcome.DELIVERED:
        count(f"Delivered{(result.channel.value if result.channel else 'unknown').capitalize()}")
    elif result.outcome is DeliveryOutcome.FAILED:
        count("DeliveryFailed")
    elif result.outcome is DeliveryOutcome.SOFTWARE_ERROR:
        # not retried: every attempt would fail alike. Both metrics are alarmed; the message leaves the queue.
        logger().error(
            "delivery failed on a software error; not retried",
            extra={"notification_id": notification_id, "error_type": result.error_type},
        )
        count("TechnicalFailure")
        count("SoftwareError")
    # a possible duplicate is counted by delivery itself, before it is sent (wiring.possible_duplicate)
    if result.notification is not None:
        # after the outcome is recorded: a failure here fails this message, which comes again, finds the
        # notification final and publishes the same event (same id) once more
        wiring.services().outbound.notification_settled(result.notification)


def _retry_later(record: SQSRecord, notification_id: str, error: Exception) -> None:
    """Back off before the next attempt; after the last one, give up visibly."""
    from chalicelib.domain.notifications import MAX_DELIVERY_ATTEMPTS, retry_delay
    from chalicelib.observability import count, logger

    attempt = int(record.attributes.approximate_receive_count or 1)
    details = {"notification_id": notification_id, "error_type": type(error).__name__, "attempt": attempt}
    if attempt >= MAX_DELIVERY_ATTEMPTS:
        failed = wiring.services().delivery.give_up(notification_id)
        if failed is not None:
            count("TechnicalFailure")
            try:
                wiring.services().outbound.notification_settled(failed)
            except Exception as publish_error:  # noqa: BLE001 - the message goes to the dead-letter queue anyway
                logger().error(
                    "the technical failure was not published", extra={**details, "publish_error": type(publish_error).__name__}
                )
                count("EventsNotPublished")
        logger().error("delivery gave up; the message goes to the dead-letter queue", extra=details)
        return
    delay = retry_delay(attempt)
    logger().warning("delivery will be retried", extra={**details, "retry_in_seconds": delay})
    try:
        wiring.adapters().queue.postpone(record.receipt_handle, delay)
    except Exception as postpone_error:  # noqa: BLE001 - then it comes back after the visibility timeout
        logger().warning("could not postpone the retry", extra={**details, "error_type": type(postpone_error).__name__})


def process_delivery_batch(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Lambda-shaped SQS event in, ``{"batchItemFailures": [...]}`` out."""
    from aws_lambda_powertools.utilities.batch import SqsFifoPartialProcessor, process_partial_response

    from chalicelib.observability import flush_metrics

    try:
        processor = SqsFifoPartialProcessor(skip_group_on_error=True)
        with wiring.services().delivery.batch():
            return dict(
                process_partial_response(event=event, record_handler=deliver_message, processor=processor, context=context)
            )
    finally:
        flush_metrics()


@bp.on_sqs_message(queue=QUEUE_NAME, batch_size=BATCH_SIZE, name="deliver")
def deliver(event: Any) -> dict[str, Any]:
    return process_delivery_batch(event.to_dict(), event.context)
