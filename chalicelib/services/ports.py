"""Ports: what the use cases need from the outside world. Adapters implement them (DynamoDB, SQS, SES,
jinja2) and each has an in-memory twin in ``chalicelib.adapters.memory`` for tests and benchmarks."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from chalicelib.domain.cases import Case, Link
from chalicelib.domain.contacts import ContactMoment
from chalicelib.domain.events import EventKind
from chalicelib.domain.inbox import InboxMessage
from chalicelib.domain.language import Language
from chalicelib.domain.matching import Audience
from chalicelib.domain.notifications import Notification
from chalicelib.domain.subscriptions import Subscriber, Subscription


class Clock:
    """The time, in UTC. Tests replace it with a fixed or stepping clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class CaseRepository(ABC):
    @abstractmethod
    def get(self, case_id: str) -> Case:
        """The case, or CaseNotFoundError."""

    @abstractmethod
    def find_by_number(self, case_number: str) -> Case | None: ...

    @abstractmethod
    def next_case_number(self, prefix: str, year: int) -> str:
        """A new human case number such as ``SUB-2026-000123`` (numbers may have gaps, never repeats)."""

    @abstractmethod
    def create(self, case: Case, subscriptions: Sequence[Subscription]) -> Case:
        """Store a new case, its party index and the parties' subscriptions in one transaction."""

    @abstractmethod
    def save(self, case: Case) -> Case:
        """Store a changed case if nobody changed it since ``case.version`` was read (else
        ConcurrentUpdateError); returns the case with its new version."""

    @abstractmethod
    def cases_of_party(self, subject: str) -> list[Case]:
        """The cases where ``subject`` is initiator or co-initiator, newest first."""


class ContactMomentStore(ABC):
    @abstractmethod
    def add(self, moment: ContactMoment) -> None: ...

    @abstractmethod
    def for_case(self, case_id: str) -> list[ContactMoment]:
        """The contact moments of one case, oldest first."""


class SubscriptionRepository(ABC):
    @abstractmethod
    def subscribers_of(self, interest_key: str) -> list[Subscription]:
        """All subscriptions on one interest key: exactly one DynamoDB Query (paginated) per call."""

    @abstractmethod
    def add(self, subscription: Subscription) -> None: ...

    @abstractmethod
    def of_subscriber(self, subscriber_id: str) -> list[Subscription]: ...


class SubscriberDirectory(ABC):
    @abstractmethod
    def get(self, subscriber_id: str) -> Subscriber | None: ...

    @abstractmethod
    def get_many(self, subscriber_ids: Sequence[str]) -> dict[str, Subscriber]: ...

    @abstractmethod
    def put(self, subscriber: Subscriber) -> None: ...


class NotificationOutbox(ABC):
    @abstractmethod
    def add_if_absent(self, notification: Notification) -> bool:
        """Store the notification unless one with its id exists; True when it was stored now."""

    @abstractmethod
    def get(self, notification_id: str) -> Notification | None: ...

    @abstractmethod
    def transition(self, before: Notification, after: Notification) -> bool:
        """Replace ``before`` by ``after`` only if the stored record still equals ``before`` in status,
        attempts and claim (a compare-and-set); False when somebody else got there first."""

    @abstractmethod
    def for_case(self, case_id: str) -> list[Notification]:
        """Every notification about one case, oldest first (delivery status for behandelaar and KCC)."""


class DeliveryQueue(ABC):
    @abstractmethod
    def enqueue(self, notifications: Sequence[Notification]) -> None:
        """Hand notifications to delivery, in order per case and subscriber."""


@dataclass(frozen=True)
class OutgoingEmail:
    to: str
    subject: str
    text: str
    html: str
    reference: str
    language: str = "nl"


class EmailRetryableError(Exception):
    """The provider could not take the message now (throttled, unavailable): try again later."""


class EmailPermanentError(Exception):
    """The provider refused the message or the address for good: do not try again."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class EmailSender(ABC):
    @abstractmethod
    def send(self, *, email: OutgoingEmail) -> str:
        """Send one e-mail; return the provider's message id. Raises EmailRetryableError or
        EmailPermanentError."""


class InboxStore(ABC):
    @abstractmethod
    def put(self, message: InboxMessage) -> bool:
        """Store the message unless it is there already; True when stored now."""

    @abstractmethod
    def list(self, subscriber_id: str, *, limit: int, after: str | None = None) -> list[InboxMessage]:
        """Newest first; ``after`` is the id of the last message of the previous page."""

    @abstractmethod
    def unread_count(self, subscriber_id: str) -> int: ...

    @abstractmethod
    def mark_read(self, subscriber_id: str, message_id: str, at: datetime) -> InboxMessage:
        """Mark one message read (idempotent); InboxMessageNotFoundError if it is not theirs."""


@dataclass(frozen=True)
class MessageContext:
    """Everything a template may use. Information-lean: no case contents unless ``detail`` is set, which
    only the portal channel (behind a login) does."""

    kind: EventKind
    audience: Audience
    language: Language
    case_number: str
    product: str
    portal_url: str
    home_url: str
    detail: Mapping[str, Any]
    link: Link | None = None


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


@dataclass(frozen=True)
class RenderedPortalMessage:
    title: str
    body: str


class MessageRenderer(ABC):
    @abstractmethod
    def email(self, context: MessageContext) -> RenderedEmail: ...

    @abstractmethod
    def portal(self, context: MessageContext) -> RenderedPortalMessage: ...
