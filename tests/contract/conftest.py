"""Contract fixtures: every port as a pair, its in-memory twin and its real adapter on moto.

Each fixture is parametrised over ``memory`` and ``moto``, so one test states a behaviour once and checks it
against both: the fakes the unit tests trust are held to what the real adapters do. The real adapters come
from ``chalicelib.wiring`` on the data stack the integration tests deploy from infra/ (CloudFormation on
moto, in-process); nothing here builds tables by hand.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

import pytest

from chalicelib import wiring
from chalicelib.adapters.dev_mailbox import MailboxEntry, read_mailbox
from chalicelib.adapters.memory import (
    InMemoryAnnouncements,
    InMemoryBerichtenbox,
    InMemoryCases,
    InMemoryContacts,
    InMemoryDocuments,
    InMemoryEmail,
    InMemoryLetters,
    InMemoryOutbox,
    InMemoryQueue,
    InMemoryRateLimiter,
    InMemorySubscribers,
    InMemorySubscriptions,
)
from chalicelib.adapters.sqs_queue import notification_id_from_body
from chalicelib.config import settings
from chalicelib.domain.events import EventKind
from chalicelib.domain.language import Language
from chalicelib.domain.matching import Audience
from chalicelib.domain.notifications import Notification, NotificationStatus
from chalicelib.domain.subscriptions import Channel, PostalAddress
from chalicelib.services.ports import (
    CaseRepository,
    DeliveryQueue,
    EmailSender,
    LetterSender,
    OutgoingLetter,
    SubscriptionRepository,
)
from tests.factories import T0
from tests.integration.conftest import Stack, botocore_session, dev_key_file, stack  # noqa: F401 - the moto data stack

MEMORY, MOTO = "memory", "moto"
Port = TypeVar("Port")
Adapter = TypeVar("Adapter")
Seen = TypeVar("Seen")


def twins(fake: Callable[[], Port], real: Callable[[Stack], Port]) -> Any:
    """A fixture giving the fake, then the real adapter on a fresh moto stack."""

    @pytest.fixture(params=[MEMORY, MOTO])
    def fixture(request: pytest.FixtureRequest) -> Port:
        if request.param == MOTO:
            return real(request.getfixturevalue("stack"))
        return fake()

    return fixture


def _receive_all(moto: Stack, queue_url: str) -> list[str]:
    """Every message body waiting in a queue, in the order SQS hands them out; each is deleted once read."""
    sqs = moto.client("sqs")
    bodies: list[str] = []
    while messages := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", []):
        for message in messages:
            bodies.append(message["Body"])
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    return bodies


# Storage ports: the adapter itself is all a test needs ------------------------------------------------------

announcements = twins(InMemoryAnnouncements, lambda _: wiring.adapters().announcement_store)
contacts = twins(InMemoryContacts, lambda _: wiring.adapters().contacts)
subscriptions = twins(InMemorySubscriptions, lambda _: wiring.adapters().subscriptions)
subscribers = twins(InMemorySubscribers, lambda _: wiring.adapters().subscribers)
outbox = twins(InMemoryOutbox, lambda _: wiring.adapters().outbox)
berichtenbox = twins(InMemoryBerichtenbox, lambda _: wiring.adapters().berichtenbox_store)
limiter = twins(InMemoryRateLimiter, lambda _: wiring.adapters().limiter)
documents = twins(InMemoryDocuments, lambda _: wiring.adapters().documents)


@dataclass
class CaseStore:
    """Cases and the subscriptions their create and save write alongside (one transaction on DynamoDB)."""

    cases: CaseRepository
    subscriptions: SubscriptionRepository


def _memory_case_store() -> CaseStore:
    subscription_store = InMemorySubscriptions()
    return CaseStore(InMemoryCases(subscription_store), subscription_store)


case_store = twins(_memory_case_store, lambda _: CaseStore(wiring.adapters().cases, wiring.adapters().subscriptions))


# Sending ports: the adapter, and a way to see what reached the other side ----------------------------------


@dataclass
class Sent(Generic[Adapter, Seen]):
    """A sending adapter and ``taken``: what has reached the receiving side since the last look, oldest first."""

    port: Adapter
    taken: Callable[[], list[Seen]]


def _new_since_last_look(everything: Callable[[], list[Seen]]) -> Callable[[], list[Seen]]:
    """``taken`` for a receiving side that keeps everything it got, oldest first."""
    seen = len(everything())

    def taken() -> list[Seen]:
        nonlocal seen
        found = everything()
        new, seen = found[seen:], len(found)
        return new

    return taken


def _memory_queue() -> Sent[DeliveryQueue, str]:
    queue = InMemoryQueue()
    return Sent(queue, queue.drain)


def _sqs_queue(moto: Stack) -> Sent[DeliveryQueue, str]:
    url = moto.outputs.delivery_queue_url
    return Sent(wiring.adapters().queue, lambda: [notification_id_from_body(body) for body in _receive_all(moto, url)])


delivery_queue = twins(_memory_queue, _sqs_queue)


def _memory_letters() -> Sent[LetterSender, OutgoingLetter]:
    letters = InMemoryLetters()
    return Sent(letters, _new_since_last_look(lambda: list(letters.sent)))


def _letter_from_body(body: str) -> OutgoingLetter:
    data = json.loads(body)
    return OutgoingLetter(PostalAddress(**data["recipient"]), data["language"], data["title"], data["body"], data["reference"])


def _sqs_letters(moto: Stack) -> Sent[LetterSender, OutgoingLetter]:
    url = moto.client("sqs").get_queue_url(QueueName=settings().letters_queue_name)["QueueUrl"]
    return Sent(wiring.adapters().letters, lambda: [_letter_from_body(body) for body in _receive_all(moto, url)])


letter_sender = twins(_memory_letters, _sqs_letters)


@dataclass(frozen=True)
class ReceivedEmail:
    """What the recipient gets of an e-mail: the fields a caller of ``EmailSender`` decides."""

    message_id: str
    to: str
    subject: str
    text: str
    html: str
    language: str
    unsubscribe_url: str | None


def _memory_email() -> Sent[EmailSender, ReceivedEmail]:
    sender = InMemoryEmail()

    def everything() -> list[ReceivedEmail]:
        return [
            ReceivedEmail(f"memory-{number}", e.to, e.subject, e.text, e.html, e.language, e.unsubscribe_url)
            for number, e in enumerate(sender.sent, start=1)
        ]

    return Sent(sender, _new_since_last_look(everything))


def _received(entry: MailboxEntry) -> ReceivedEmail:
    unsubscribe = entry.headers.get("List-Unsubscribe")
    return ReceivedEmail(
        entry.message_id,
        ", ".join(entry.to),
        entry.subject,
        entry.text.removesuffix("\n"),
        entry.html.removesuffix("\n"),
        entry.headers["Content-Language"],
        unsubscribe.strip("<>") if unsubscribe else None,
    )


def _ses_email(_: Stack) -> Sent[EmailSender, ReceivedEmail]:
    """SES on moto; what it accepted is read back as the local stage's mailbox reads it (raw MIME, parsed)."""
    return Sent(wiring.adapters().email, _new_since_last_look(lambda: [_received(entry) for entry in reversed(read_mailbox())]))


email_sender = twins(_memory_email, _ses_email)


# Data --------------------------------------------------------------------------------------------------------


def a_notification(
    *,
    case_id: str = "case-contract",
    status: NotificationStatus = NotificationStatus.CREATED,
    audience: Audience = Audience.PARTY,
    created_at: datetime = T0,
    **changes: Any,
) -> Notification:
    """A notification with a fresh id (32 hex digits, as real ones have)."""
    notification = Notification(
        id=uuid.uuid4().hex,
        event_id=f"{case_id}/status/{uuid.uuid4().hex[:8]}",
        event_kind=EventKind.STATUS_CHANGED,
        case_id=case_id,
        ref="SUB-2026-000001",
        subscriber_id="pu-mark-3f9a1c",
        channel=Channel.EMAIL,
        language=Language.NL,
        audience=audience,
        status=status,
        created_at=created_at,
        updated_at=created_at,
        expires_at=created_at + timedelta(days=30),
    )
    return replace(notification, **changes)
