"""EmailSender: the in-memory sender and SES (v2, raw MIME) keep the same promises about what is sent."""

from __future__ import annotations

import pytest

from chalicelib.services.ports import EmailPermanentError, EmailSender, OutgoingEmail
from tests.contract.conftest import ReceivedEmail, Sent

EMAIL = OutgoingEmail(
    to="mark@example.org",
    subject="Nieuw bericht over zaak SUB-2026-000001 – café",
    text="Beste Mark,\n\nEr staat een bericht voor u klaar.",
    html="<p>Beste Mark,</p><p>Er staat een bericht voor u klaar.</p>",
    reference="a" * 32,
    language="en",
    unsubscribe_url="https://mijn.example.test/afmelden?token=abc",
)


def test_an_email_arrives_as_it_was_given_under_the_id_send_returned(email_sender: Sent[EmailSender, ReceivedEmail]):
    message_id = email_sender.port.send(email=EMAIL)
    assert email_sender.taken() == [
        ReceivedEmail(message_id, EMAIL.to, EMAIL.subject, EMAIL.text, EMAIL.html, "en", EMAIL.unsubscribe_url)
    ]


def test_an_email_without_an_unsubscribe_link_arrives_without_one(email_sender: Sent[EmailSender, ReceivedEmail]):
    email_sender.port.send(email=OutgoingEmail("jan@example.org", "Onderwerp", "Tekst", "<p>Tekst</p>", "b" * 32))
    [received] = email_sender.taken()
    assert (received.unsubscribe_url, received.language) == (None, "nl")


def test_each_email_gets_its_own_message_id(email_sender: Sent[EmailSender, ReceivedEmail]):
    ids = [email_sender.port.send(email=EMAIL) for _ in range(3)]
    assert len(set(ids)) == 3
    assert [received.message_id for received in email_sender.taken()] == ids


def test_line_breaks_in_a_subject_arrive_as_spaces(email_sender: Sent[EmailSender, ReceivedEmail]):
    email_sender.port.send(email=OutgoingEmail("jan@example.org", "Een\r\nBcc: v@example.org", "t", "h", "c" * 32))
    [received] = email_sender.taken()
    assert received.subject == "Een Bcc: v@example.org"


@pytest.mark.parametrize("to", ["a@example.org\r\nBcc: v@example.org", "a@example.org\nCc: v@example.org"])
def test_an_address_with_a_line_break_is_refused_for_good_and_nothing_is_sent(email_sender: Sent[EmailSender, ReceivedEmail], to):
    with pytest.raises(EmailPermanentError) as refused:
        email_sender.port.send(email=OutgoingEmail(to, "Onderwerp", "t", "h", "d" * 32))
    assert refused.value.reason == "address_rejected"
    assert email_sender.taken() == []
