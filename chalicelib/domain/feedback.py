"""What the e-mail provider tells afterwards, as a plain value (adapters/ses_feedback.py reads it from SES events
published through the configuration set to SNS, and from SNS to an SQS queue). Bounces and complaints arrive later than the send,
unordered and possibly twice; reading one changes nothing, so reading it twice is harmless."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

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
