"""SES feedback as it arrives: an SQS message body holding an SNS notification of our feedback topic, which
carries an SES event (configuration set event publishing: ``eventType``; or an identity notification:
``notificationType``). Anything else — another topic, not SNS, not SES — is refused as ``FeedbackError``."""

from __future__ import annotations

import json
from typing import Any

from chalicelib.domain.feedback import EmailFeedback, FeedbackError, FeedbackKind
from chalicelib.services.ports import FeedbackSource


class SnsFeedbackSource(FeedbackSource):
    def __init__(self, topic_name: str) -> None:
        self._topic_name = topic_name

    def decode(self, body: str) -> EmailFeedback:
        return from_sns_envelope(body, topic_name=self._topic_name)


def from_sns_envelope(body: str, *, topic_name: str) -> EmailFeedback:
    """An SQS message body holding an SNS notification of ``topic_name`` that carries an SES event."""
    try:
        envelope = json.loads(body)
        if not isinstance(envelope, dict) or envelope.get("Type") != "Notification":
            raise FeedbackError("not_a_notification")
        if str(envelope.get("TopicArn", "")).rsplit(":", 1)[-1] != topic_name:
            raise FeedbackError("foreign_topic")
        return from_ses_event(json.loads(envelope["Message"]))
    except (ValueError, KeyError, TypeError) as error:
        raise FeedbackError("malformed") from error


def from_ses_event(event: dict[str, Any]) -> EmailFeedback:
    """An SES event (configuration set event publishing: ``eventType``; or an identity notification:
    ``notificationType``)."""
    kind = str(event.get("eventType") or event.get("notificationType") or "")
    message_id = str(event["mail"]["messageId"])
    if kind == "Bounce":
        bounce = event["bounce"]
        hard = bounce.get("bounceType") == "Permanent"
        return EmailFeedback(
            FeedbackKind.HARD_BOUNCE if hard else FeedbackKind.SOFT_BOUNCE,
            message_id,
            tuple(str(r["emailAddress"]) for r in bounce.get("bouncedRecipients", [])),
            str(bounce.get("bounceSubType") or "") or None,
        )
    if kind == "Complaint":
        complaint = event["complaint"]
        return EmailFeedback(
            FeedbackKind.COMPLAINT,
            message_id,
            tuple(str(r["emailAddress"]) for r in complaint.get("complainedRecipients", [])),
            str(complaint.get("complaintFeedbackType") or "") or None,
        )
    if kind == "Delivery":
        return EmailFeedback(FeedbackKind.DELIVERED, message_id, tuple(str(r) for r in event["delivery"].get("recipients", [])))
    if kind == "Reject":
        return EmailFeedback(FeedbackKind.REJECTED, message_id, (), str(event.get("reject", {}).get("reason") or "") or None)
    raise FeedbackError("unknown_event_type")
