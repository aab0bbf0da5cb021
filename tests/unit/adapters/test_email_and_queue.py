"""Raw MIME for SES, provider errors sorted into retryable and permanent, and the queue message format."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError

from chalicelib.adapters.ses_email import SesEmailSender, build_mime
from chalicelib.adapters.sqs_queue import message_body, message_group, notification_id_from_body
from chalicelib.domain.events import EventKind
from chalicelib.domain.language import Language
from chalicelib.domain.matching import Audience
from chalicelib.domain.notifications import Notification, NotificationStatus
from chalicelib.domain.subscriptions import Channel
from chalicelib.services.ports import EmailPermanentError, EmailRetryableError, OutgoingEmail

SENDER = "Provincie Utrecht <noreply@mijn.provincie-utrecht.nl>"
EMAIL = OutgoingEmail("mark@example.org", "Nieuw bericht over zaak SUB-1 – café", "Tekst", "<p>HTML</p>", "a" * 32)


def test_an_email_is_multipart_alternative_with_text_and_html_in_utf8():
    message = message_from_bytes(build_mime(sender=SENDER, email=EMAIL), policy=policy.default)
    assert message.get_content_type() == "multipart/alternative"
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    assert message["Subject"] == "Nieuw bericht over zaak SUB-1 – café"
    assert message["From"] == SENDER
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Message-ID"].endswith("@mijn.provincie-utrecht.nl>")
    assert message["Content-Language"] == "nl"
    english = message_from_bytes(build_mime(sender=SENDER, email=replace(EMAIL, language="en")), policy=policy.default)
    assert english["Content-Language"] == "en"


def test_an_address_with_a_line_break_never_becomes_a_header():
    with pytest.raises(EmailPermanentError):
        build_mime(sender=SENDER, email=OutgoingEmail("a@x.nl\r\nBcc: v@y.nl", "Onderwerp", "t", "h", "a" * 32))


LONG_LINK = "https://mijn.example.test/afmelden?token=" + "a" * 220 + "." + "b" * 43


def _raw_headers(raw: bytes) -> dict[str, str]:
    """The header block as bytes on the wire, unfolded only by joining continuation lines: no decoding."""
    block = raw.split(b"\n\n", 1)[0].decode("ascii")
    unfolded = re.sub(r"\n[ \t]", " ", block)
    return dict(line.split(": ", 1) for line in unfolded.split("\n"))


def test_list_unsubscribe_goes_out_raw_ascii_never_as_an_encoded_word():
    # GIVEN an e-mail whose one-click link is longer than a folded header line (78 characters)
    raw = build_mime(sender=SENDER, email=replace(EMAIL, unsubscribe_url=LONG_LINK))
    # THEN the headers are ASCII, and List-Unsubscribe is the link in angle brackets, as RFC 2369/8058 want it
    headers = _raw_headers(raw)
    assert headers["List-Unsubscribe"] == f"<{LONG_LINK}>"
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "=?" not in headers["List-Unsubscribe"]
    assert headers["To"] == "mark@example.org"
    # AND a subject with accents is still encoded as RFC 2047 allows (outside addresses)
    assert message_from_bytes(raw, policy=policy.default)["Subject"] == EMAIL.subject


@pytest.mark.parametrize("to", ["zoë@example.org", '"a,b"@example.org', "a<b>@example.org", "a b@example.org"])
def test_an_address_outside_what_smtp_without_smtputf8_takes_never_becomes_a_to_header(to):
    # an encoded word inside an address (To: =?utf-8?q?zo=C3=AB?=@example.org) is invalid (RFC 2047 section 5)
    with pytest.raises(EmailPermanentError) as refused:
        build_mime(sender=SENDER, email=replace(EMAIL, to=to))
    assert refused.value.reason == "address_rejected"


def test_line_breaks_in_a_subject_are_folded_into_spaces():
    raw = build_mime(sender=SENDER, email=OutgoingEmail("a@x.nl", "Een\r\nBcc: v@y.nl", "t", "h", "a" * 32))
    message = message_from_bytes(raw, policy=policy.default)
    assert message["Bcc"] is None
    assert message["Subject"] == "Een Bcc: v@y.nl"


class RaisingClient:
    def __init__(self, error: Exception) -> None:
        self.error = error

    def send_email(self, **kwargs):
        raise self.error


def _client_error(code: str, status: int = 400) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "x"}, "ResponseMetadata": {"HTTPStatusCode": status}}, "SendEmail")


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (_client_error("TooManyRequestsException", 429), EmailRetryableError),
        (_client_error("ThrottlingException"), EmailRetryableError),
        (_client_error("InternalFailure", 500), EmailRetryableError),
        (_client_error("SomethingNew", 503), EmailRetryableError),
        (EndpointConnectionError(endpoint_url="https://email.eu-west-1.amazonaws.com"), EmailRetryableError),
        (_client_error("SendingPausedException"), EmailRetryableError),
        (_client_error("MailFromDomainNotVerifiedException"), EmailRetryableError),
        (_client_error("NotFoundException", 404), EmailRetryableError),
        (_client_error("MessageRejected"), EmailPermanentError),
        (_client_error("BadRequestException"), EmailPermanentError),
        (_client_error("InvalidParameterValue"), EmailPermanentError),
    ],
    ids=[
        "too many requests",
        "throttling",
        "internal failure",
        "unknown 5xx",
        "network",
        "sending paused",
        "sender not verified",
        "configuration set missing",
        "rejected",
        "bad request",
        "invalid address",
    ],
)
def test_provider_errors_are_sorted_into_retryable_and_permanent(error, expected):
    sender = SesEmailSender(lambda: RaisingClient(error), sender=SENDER, configuration_set=None)
    with pytest.raises(expected):
        sender.send(email=EMAIL)


def _notification(channel: Channel, subscriber: str = "pu-mark-3f9a1c") -> Notification:
    now = datetime(2026, 11, 28, tzinfo=UTC)
    return Notification(
        "f" * 32, "case/status/1", EventKind.STATUS_CHANGED, "case-1", "1", subscriber, channel, Language.NL,
        Audience.PARTY, NotificationStatus.CREATED, now, now, now + timedelta(days=30),
    )  # fmt: skip


def test_a_queue_message_carries_only_the_notification_id():
    assert notification_id_from_body(message_body(_notification(Channel.EMAIL))) == "f" * 32
    for junk in ('{"notification_id": "../../etc"}', "[]", '{"other": 1}', '{"notification_id": "' + "f" * 31 + '"}'):
        with pytest.raises(ValueError, match="not a delivery message"):
            notification_id_from_body(junk)


def test_messages_are_grouped_per_case_subscriber_and_channel():
    email, portal = _notification(Channel.EMAIL), _notification(Channel.PORTAL)
    assert message_group(email) == message_group(_notification(Channel.EMAIL))
    assert message_group(email) != message_group(portal)
    assert message_group(email) != message_group(_notification(Channel.EMAIL, "pu-jan-51c7b0"))
