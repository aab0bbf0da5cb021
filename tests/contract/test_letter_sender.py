"""LetterSender: the in-memory letters and the SQS letters queue of the print-and-post partner keep the same
promises."""

from __future__ import annotations

from chalicelib.domain.subscriptions import PostalAddress
from chalicelib.services.ports import LetterSender, OutgoingLetter
from tests.contract.conftest import Sent

LETTER = OutgoingLetter(
    recipient=PostalAddress("F. el Amrani", "Croeselaan", "15-bis", "3521 BJ", "Utrecht"),
    language="nl",
    title="Uw zaak SUB-2026-000001 heeft een nieuwe status",
    body="Beste mevrouw,\n\nUw aanvraag is in behandeling – wij laten het u weten.",
    reference="a" * 32,
)


def test_a_letter_reaches_the_partner_as_it_was_handed_over(letter_sender: Sent[LetterSender, OutgoingLetter]):
    letter_sender.port.send(letter=LETTER)
    assert letter_sender.taken() == [LETTER]


def test_each_letter_gets_its_own_hand_over_id(letter_sender: Sent[LetterSender, OutgoingLetter]):
    ids = {letter_sender.port.send(letter=LETTER) for _ in range(3)}
    assert len(ids) == 3
    assert letter_sender.taken() == [LETTER] * 3
