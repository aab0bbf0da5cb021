"""E-mail through Amazon SES (v2) as raw MIME: multipart/alternative with a plain-text and an HTML part.

Provider errors are sorted into retryable (throttling, service trouble, network) and permanent (the
message or address was refused), so the delivery service knows whether to try again.
"""

from __future__ import annotations

from collections.abc import Callable
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Any

from chalicelib.domain.addresses import is_deliverable_address
from chalicelib.domain.notifications import FailureReason
from chalicelib.services.ports import EmailPermanentError, EmailRetryableError, EmailSender, OutgoingEmail

# Only what is wrong with this one message or recipient is final. Everything else — throttling, an
# outage, and account or configuration trouble (sending paused, sender not verified, configuration set
# missing) — is retried: an operator can fix those, and every e-mail would otherwise fail for good.
PERMANENT_REASONS = {
    "MessageRejected": FailureReason.MESSAGE_REJECTED.value,
    "InvalidParameterValue": FailureReason.ADDRESS_REJECTED.value,
    "BadRequestException": FailureReason.ADDRESS_REJECTED.value,
}
# Headers as they go on the wire: folded only where RFC 5322 must (998 characters), never into RFC 2047 encoded
# words for want of a space. An ASCII header stays ASCII: mail clients read List-Unsubscribe raw (RFC 2369 and
# 8058 allow no encoded words in it), and a long unsubscribe link has no space to fold at.
WIRE = policy.default.clone(max_line_length=998)


def build_mime(*, sender: str, email: OutgoingEmail) -> bytes:
    """A complete RFC 5322 message. Header values cannot carry CR/LF, and an address Baken would not accept
    (non-ASCII, quoted, with ``,;<>"``) never becomes a header: it is refused here, for good."""
    if not is_deliverable_address(email.to):
        raise EmailPermanentError("address_rejected")
    name, address = parseaddr(sender)
    domain = address.rpartition("@")[2] or "localhost"
    message = EmailMessage()
    try:
        message["From"] = Address(display_name=name, addr_spec=address) if name else address
        message["To"] = Address(addr_spec=email.to)
        message["Subject"] = " ".join(email.subject.split())
    except (ValueError, IndexError) as error:
        raise EmailPermanentError("address_rejected") from error
    if email.unsubscribe_url:
        # RFC 8058 one-click: mail clients POST "List-Unsubscribe=One-Click" to this address
        message["List-Unsubscribe"] = f"<{email.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(idstring=email.reference, domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(email.text, subtype="plain", charset="utf-8")
    message.add_alternative(email.html, subtype="html", charset="utf-8")
    message["Content-Language"] = email.language  # after the body: set_content drops Content-* headers
    return message.as_bytes(policy=WIRE)


class SesEmailSender(EmailSender):
    def __init__(self, client: Callable[[], Any], *, sender: str, configuration_set: str | None) -> None:
        self._client = client  # the boto3 SESv2 client, made on first use
        self._sender = sender
        self._configuration_set = configuration_set

    def send(self, *, email: OutgoingEmail) -> str:
        from botocore.exceptions import BotoCoreError, ClientError

        raw = build_mime(sender=self._sender, email=email)
        extra: dict[str, Any] = {}
        if self._configuration_set:
            extra["ConfigurationSetName"] = self._configuration_set
        try:
            response = self._client().send_email(
                FromEmailAddress=self._sender,
                Destination={"ToAddresses": [email.to]},
                Content={"Raw": {"Data": raw}},
                EmailTags=[{"Name": "notification", "Value": email.reference}],
                **extra,
            )
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code in PERMANENT_REASONS:
                raise EmailPermanentError(PERMANENT_REASONS[code]) from error
            raise EmailRetryableError(code or "unknown") from error
        except BotoCoreError as error:
            raise EmailRetryableError(type(error).__name__) from error
        return str(response["MessageId"])
