"""Delivery handler on the FIFO delivery queue: each message is one notification to send.

Messages of one group (case × subscriber × channel) stay in order: when one fails, the later ones of its
group in the batch are reported failed too (powertools SqsFifoPartialProcessor, skip_group_on_error).
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
    from chalicelib.adapters.sqs_queue import notification_id_from_body
    from chalicelib.observability import count, logger
    from chalicelib.services.delivery import DeliveryOutcome

    try:
        notification_id = notification_id_from_body(record.body)
    except ValueError:
        logger().warning("dropping a message that is not a delivery job", extra={"message_id": record.message_id})
        count("UnrecognisedDeliveryMessages")
        return
    try:
        result = wiring.delivery().deliver(notification_id)
    except Exception as error:
        logger().warning(
            "delivery will be retried",
            extra={"notification_id": notification_id, "error_type": type(error).__name__},
        )
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
    if result.possible_duplicate:
        count("PossibleDuplicate")


def process_delivery_batch(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Lambda-shaped SQS event in, ``{"batchItemFailures": [...]}`` out."""
    from aws_lambda_powertools.utilities.batch import SqsFifoPartialProcessor, process_partial_response

    from chalicelib.observability import flush_metrics

    try:
        processor = SqsFifoPartialProcessor(skip_group_on_error=True)
        with wiring.delivery().batch():
            return dict(
                process_partial_response(event=event, record_handler=deliver_message, processor=processor, context=context)
            )
    finally:
        flush_metrics()


@bp.on_sqs_message(queue=QUEUE_NAME, batch_size=BATCH_SIZE, name="deliver")
def deliver(event: Any) -> dict[str, Any]:
    return process_delivery_batch(event.to_dict(), event.context)
