"""on_ses_feedback — SES publishes bounces, complaints and deliveries of the configuration set to an SNS topic,
which sends them to an SQS queue this function reads (docs: RELIABILITY.md, promise 7). There is no public
endpoint: only SES of this account may publish to the topic, only the topic may send to the queue, and a
message that is not an SNS notification of that topic is dropped and counted (attack 16, forged feedback).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice.app import Blueprint

from chalicelib import wiring
from chalicelib.config import feedback_queue_name

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

bp = Blueprint(__name__)
QUEUE_NAME = feedback_queue_name()


def record_feedback(record: SQSRecord) -> None:
    from chalicelib.domain.feedback import FeedbackError
    from chalicelib.observability import count, logger

    try:
        feedback = wiring.adapters().feedback_source.decode(record.body)
    except FeedbackError as error:
        logger().warning(
            "dropping a message that is not SES feedback", extra={"message_id": record.message_id, "reason": error.reason}
        )
        count("UnreadableFeedback")
        return
    outcome = wiring.services().feedback.record(feedback)
    # no addresses in the log: the provider's message id says which e-mail it was
    logger().info(
        "e-mail feedback",
        extra={"kind": feedback.kind.value, "provider_message_id": feedback.provider_message_id, "outcome": outcome.value},
    )
    count(f"Feedback{feedback.kind.value.title().replace('_', '')}")


def process_feedback_batch(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Lambda-shaped SQS event in, ``{"batchItemFailures": [...]}`` out."""
    from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

    from chalicelib.observability import flush_metrics

    try:
        processor = BatchProcessor(event_type=EventType.SQS)
        return dict(process_partial_response(event=event, record_handler=record_feedback, processor=processor, context=context))
    finally:
        flush_metrics()


@bp.on_sqs_message(queue=QUEUE_NAME, batch_size=10, name="on_ses_feedback")
def on_ses_feedback(event: Any) -> dict[str, Any]:
    return process_feedback_batch(event.to_dict(), event.context)
