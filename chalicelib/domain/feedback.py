"""What the e-mail provider tells afterwards: an SES event (published through the configuration set to SNS,
and from SNS to an SQS queue) read into a plain value. Bounces and complaints arrive later than the send,
unordered and possibly twice; reading one changes nothing, so reading it twice is harmless."""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from chalicelib.domain.errors import DomainError


class FeedbackKind(StrEnum):
    DELIVERED = "delivered"  # the receiving server accepted it
    HARD_BOUNCE = "hard_bounce"  # the address does not exist, or the provider refused it for good
    SOFT_BOUNCE = "soft_bounce"  # a passing problem (mailbox full, too large): not this e-mail, maybe a later one
    COMPLAINT = "complaint"  # the recipient marked it as spam
    REJECTED = "rejected"  # SES refused to send it (e.g. a virus)


@dataclass(frozen=True)
class EmailFeedback:
    kind: FeedbackKind
    provider_message_id: str
    recipients: tuple[str, ...]
    detail: str | None = None  # e.g. the bounce subtype; never an address


class FeedbackError(DomainError):
    """Not an SES event from our own topic: dropped, and counted."""

    code = "unreadable_feedback"

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason=reason)


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
