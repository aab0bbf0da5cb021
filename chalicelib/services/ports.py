"""Ports: what the use cases need from the outside world. Adapters implement them (DynamoDB, SQS, SES,
jinja2) and each has an in-memory twin in ``chalicelib.adapters.memory`` for tests and benchmarks."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from chalicelib.domain.announcements import Announcement
from chalicelib.domain.berichtenbox import BerichtenboxMessage
from chalicelib.domain.cases import Case, HistoryEntry, HistoryKind, HistoryPage, Link
from chalicelib.domain.catalogi import StoredCatalogue
from chalicelib.domain.changes import StoredChange
from chalicelib.domain.cloudevents import CloudEvent
from chalicelib.domain.contacts import ContactMoment
from chalicelib.domain.events import EventKind
from chalicelib.domain.feedback import EmailFeedback
from chalicelib.domain.language import Language
from chalicelib.domain.login import SessionRecord
from chalicelib.domain.matching import Audience
from chalicelib.domain.notifications import Notification, NotificationStatus
from chalicelib.domain.question_topics import Faq, Tally, WeekCount
from chalicelib.domain.questions import Question
from chalicelib.domain.satisfaction import Answer, CommentPage, MonthScores, StoredAnswer
from chalicelib.domain.servicenorms import Decided, MonthFigures
from chalicelib.domain.subscriptions import Indexed, PostalAddress, Subscriber, Subscription, SubscriptionEntry
from chalicelib.domain.watch import Alert, StaffMember, WatchEntry
from chalicelib.domain.worklist import WorkOrder, WorkPosition
from chalicelib.domain.zgw import CatalogiListing, ZaakNotice, ZaakSnapshot, ZgwRol


class Clock:
    """The time, in UTC. Tests replace it with a fixed or stepping clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class ShiftedClock(Clock):
    """The real time moved by a fixed number of seconds: the local stack started at another moment
    (``python -m devstack --at``), running on from there."""

    def __init__(self, offset_seconds: float) -> None:
        self._offset = timedelta(seconds=offset_seconds)

    def now(self) -> datetime:
        return datetime.now(UTC) + self._offset


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
    def advance_case_number(self, prefix: str, year: int, at_least: int) -> None:
        """Make ``next_case_number`` continue after ``at_least`` (a writer that numbers cases itself, such as
        an import, calls this); a counter that is further already stays where it is."""

    @abstractmethod
    def create(self, case: Case, subscriptions: Sequence[Indexed]) -> Case:
        """Store a new case, its first status in its history, its party index and its followers' subscriptions in
        one transaction. Its number
        is claimed in the same transaction: a number any case has already gives CaseNumberTakenError and
        nothing is stored."""

    @abstractmethod
    def save(self, case: Case, new_followers: Sequence[Indexed] = (), history: Sequence[HistoryEntry] = ()) -> Case:
        """Store a changed case if nobody changed it since ``case.version`` was read (else
        ConcurrentUpdateError), with what it adds to its ``history`` (``cases.history_added``: each entry an item
        of its own, written once) and the subscriptions and party index of followers it gained, in one
        transaction: all or nothing. Returns the case with its new version."""

    @abstractmethod
    def history(self, case_id: str, *, limit: int, before: str | None = None) -> HistoryPage:
        """A page of the case's history, newest first: at most ``limit`` entries, starting after the entry whose
        ``key`` is ``before`` (exactly one DynamoDB Query). A cursor that names no moment is ValidationError."""

    @abstractmethod
    def history_entry(self, case_id: str, kind: HistoryKind, ref: str) -> HistoryEntry | None:
        """The newest history entry of ``kind`` about ``ref`` (a status, message or document id), looked for
        newest first: for a notification about something the case item no longer holds in its tail."""

    @abstractmethod
    def cases_of_party(self, subject: str) -> list[Case]:
        """The cases where ``subject`` is initiator or co-initiator, newest first."""

    @abstractmethod
    def read_work_list(
        self,
        behandelaar_id: str,
        order: WorkOrder,
        *,
        bounds: tuple[str, str] | None,
        start: WorkPosition | None,
        forward: bool,
        limit: int,
    ) -> WorkRead:
        """At most ``limit`` open cases of ``behandelaar_id`` in ``order`` (``forward``: in that order, else back
        from ``start``), after ``start`` (exclusive), with sort keys inside ``bounds`` (both included): one Query
        on the order's index, paged by DynamoDB's own key."""

    @abstractmethod
    def count_work(self, behandelaar_id: str, bounds: tuple[str, str], *, cap: int) -> int:
        """How many open cases of ``behandelaar_id`` have a deadline sort key inside ``bounds``, counted up to
        ``cap`` (a COUNT Query on the deadline index; never more than ``cap`` items read)."""

    @abstractmethod
    def decided_in(self, zaaktype: str, month: str) -> Iterator[Case]:
        """The cases of ``zaaktype`` decided (closed) in ``month`` (YYYY-MM), a page at a time: for an operator's
        recompute, never on a request."""


@dataclass(frozen=True)
class WorkRead:
    """Cases read from a work list's index, in the order read, and whether the index had no more after them."""

    cases: list[Case]
    exhausted: bool


@dataclass(frozen=True)
class UploadForm:
    """Where and how a browser sends one file straight to storage: the form's ``url`` and hidden ``fields``
    (an S3 presigned POST), the name of the file field, and until when it is valid."""

    url: str
    fields: Mapping[str, str]
    expires_at: datetime
    file_field: str = "file"


@dataclass(frozen=True)
class StoredObject:
    """What storage knows of an object: its size in bytes and its first bytes (to tell its kind)."""

    size: int
    head: bytes


class DocumentStore(ABC):
    """The documents bucket: uploads land under an incoming prefix, recorded files are kept under a key of Baken's
    own, and are read through short-lived links."""

    @abstractmethod
    def upload_form(self, *, prefix: str, max_bytes: int, redirect_url: str, expires_in: int) -> UploadForm:
        """A form for one file under ``prefix`` (its own name follows), at most ``max_bytes``, after which the
        browser is sent to ``redirect_url`` (with ``key`` and ``bucket`` added by storage)."""

    @abstractmethod
    def inspect(self, key: str, *, head_bytes: int) -> StoredObject | None:
        """The object at ``key``, or None when there is none."""

    @abstractmethod
    def keep(self, source: str, key: str, *, content_type: str, content_disposition: str) -> str:
        """Copy ``source`` to ``key`` with this type and disposition; the copy's SHA-256 (base64) as storage
        computed it."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove ``key``; removing what is not there is no error."""

    @abstractmethod
    def download_url(self, key: str, *, expires_in: int) -> str:
        """A link that reads ``key`` for ``expires_in`` seconds."""


class AnnouncementRepository(ABC):
    @abstractmethod
    def get(self, announcement_id: str) -> Announcement:
        """The announcement, or AnnouncementNotFoundError."""

    @abstractmethod
    def create(self, announcement: Announcement) -> Announcement: ...

    @abstractmethod
    def save(self, announcement: Announcement) -> Announcement:
        """Store a changed announcement if nobody changed it since it was read (else ConcurrentUpdateError)."""

    @abstractmethod
    def recent(self, limit: int = 100) -> list[Announcement]:
        """The newest announcements, newest first."""


class ContactMomentStore(ABC):
    @abstractmethod
    def add(self, moment: ContactMoment, tally: Tally | None = None) -> None:
        """Store a new moment and, in the same write, count it (``tally``): a moment is counted once or not at all."""

    @abstractmethod
    def for_case(self, case_id: str, *, since: datetime | None = None, until: datetime | None = None) -> list[ContactMoment]:
        """The contact moments of one case, oldest first: those at or after ``since`` and before ``until`` when given
        (the time a page of the case's timeline covers; one Query on the range)."""

    @abstractmethod
    def add_question(self, question: Question, tally: Tally | None = None) -> Question:
        """Store a question an applicant asked and its contact moment (``Question.as_contact_moment``), counted
        as ``tally``: all or nothing. The same question again (its id) stores and counts nothing and gives the
        question as it was stored."""

    @abstractmethod
    def question(self, case_id: str, question_id: str) -> Question | None: ...

    @abstractmethod
    def questions(self, case_id: str, *, limit: int) -> list[Question]:
        """The newest ``limit`` questions of one case, newest first (one Query)."""

    @abstractmethod
    def mark_answered(self, question: Question) -> bool:
        """Keep ``question.answer`` on the stored question; False (and nothing changed) when it had one already."""


class QuestionAnalysisStore(ABC):
    """The questions counted per product, week and onderwerp, and the veelgestelde vragen written from them."""

    @abstractmethod
    def weeks(self, zaaktype: str, first: str, last: str) -> list[WeekCount]:
        """The counts of weeks ``first`` to ``last`` (inclusive), all onderwerpen: one Query."""

    @abstractmethod
    def topic_weeks(self, zaaktype: str, topic: str, first: str, last: str) -> dict[str, int]:
        """Questions per week on one onderwerp, weeks ``first`` to ``last``: one Query."""

    @abstractmethod
    def faqs(self, zaaktype: str) -> list[Faq]:
        """A product's veelgestelde vragen (one Query; a product has at most one per onderwerp)."""

    @abstractmethod
    def faq(self, zaaktype: str, topic: str) -> Faq | None: ...

    @abstractmethod
    def save_faq(self, faq: Faq, *, expected: datetime | None) -> None:
        """Store ``faq`` if the stored one was last changed at ``expected`` (None: there is none yet); else
        ConcurrentUpdateError and nothing changes."""


class SubscriptionRepository(ABC):
    @abstractmethod
    def entries_of(self, interest_key: str) -> list[SubscriptionEntry]:
        """Everything indexed under one interest key: exactly one DynamoDB Query (paginated) per call."""

    @abstractmethod
    def entries_page(
        self, interest_key: str, *, limit: int, start: str | None = None
    ) -> tuple[list[SubscriptionEntry], str | None]:
        """At most ``limit`` entries under one interest key, in key order, from after ``start`` (the key where
        the page before stopped; None: from the first): one Query with a Limit. The key to go on from when the
        page is full (the page after it may be empty, as DynamoDB's LastEvaluatedKey), else None."""

    @abstractmethod
    def get(self, subscription_id: str) -> Subscription | None: ...

    @abstractmethod
    def definitions(self, subscription_ids: Collection[str]) -> dict[str, Subscription]:
        """Several definitions at once (for the exact test of polygon subscriptions)."""

    @abstractmethod
    def of_subscriber(self, subscriber_id: str) -> list[Subscription]: ...

    @abstractmethod
    def save(self, indexed: Indexed, *, previous_keys: Collection[str] = ()) -> None:
        """Store the definition and its entries at once; remove the entries under ``previous_keys`` it no longer
        uses. Safe to repeat. For what is small (a case subscription's one entry) or loaded in bulk (seed data,
        benchmarks): a person's own writes go through ``store`` and the indexer."""

    @abstractmethod
    def store(self, subscription: Subscription) -> None:
        """Store the definition only — its index follows off the request (services/indexing.py). Conditional on
        the revision before ``subscription.revision`` being the one stored (none for revision 1): a write that
        lost a race raises ConcurrentUpdateError and changes nothing."""

    @abstractmethod
    def write_entries(self, entries: Sequence[SubscriptionEntry]) -> None:
        """Store index entries (BatchWriteItem, 25 a call); storing one again changes nothing."""

    @abstractmethod
    def remove_entries(self, entries: Sequence[SubscriptionEntry]) -> None:
        """Delete the index items under these entries' keys; deleting one that is gone changes nothing."""

    @abstractmethod
    def record_index_progress(self, subscription_id: str, revision: int, progress: int) -> bool:
        """Note on the definition how many index steps of ``revision`` are done; False (nothing written) when
        the definition is at another revision by now. The write itself is what the indexer continues from."""

    @abstractmethod
    def mark_indexed(self, subscription_id: str, revision: int) -> bool:
        """The index of ``revision`` is complete: ``indexed_revision`` becomes it and the progress and earlier
        scopes are forgotten; False (nothing written) when the definition is at another revision by now."""


class SubscriberDirectory(ABC):
    @abstractmethod
    def get(self, subscriber_id: str) -> Subscriber | None: ...

    @abstractmethod
    def get_many(self, subscriber_ids: Sequence[str]) -> dict[str, Subscriber]: ...

    @abstractmethod
    def put(self, subscriber: Subscriber) -> None: ...

    @abstractmethod
    def find_by_email(self, email: str) -> Subscriber | None:
        """The subscriber with this e-mail address (compared case-insensitively), if any."""

    @abstractmethod
    def keep_unconfirmed(self, subscriber_id: str, until: datetime) -> None:
        """Keep a subscriber nobody confirmed yet at least ``until``: its expiry moves later, never earlier.
        One confirmed meanwhile (no expiry), or gone, is left as it is, however the calls interleave."""


@dataclass(frozen=True)
class Claim:
    """What a delivery attempt's claim on a notification found. ``before``: the notification as it was (when
    the claim was refused, as it is), None when there is no such notification; ``after``: as claimed now,
    None when it could not be claimed (final, held, or another attempt's claim is still live)."""

    before: Notification | None
    after: Notification | None = None


class NotificationOutbox(ABC):
    @abstractmethod
    def add_if_absent(self, notification: Notification) -> bool:
        """Store the notification unless one with its id exists; True when it was stored now."""

    @abstractmethod
    def get(self, notification_id: str) -> Notification | None: ...

    @abstractmethod
    def transition(self, before: Notification, after: Notification) -> bool:
        """Replace ``before`` by ``after`` only if the stored record still equals ``before`` in status,
        attempts, claim and digest (a compare-and-set); False when somebody else got there first."""

    @abstractmethod
    def claim(self, notification_id: str, *, now: datetime, until: datetime) -> Claim:
        """Claim a notification for one delivery attempt in one conditional write, without reading it first:
        if it is ``claimable(now)`` it becomes ``claimed(now, until)``. The answer carries the notification as
        it was either way, so a refusal needs no second read to tell why."""

    @abstractmethod
    def for_case(self, case_id: str) -> list[Notification]:
        """Every notification about one case, oldest first (delivery status for behandelaar and KCC)."""

    @abstractmethod
    def to_parties(self, case_id: str, *, limit: int, after: tuple[datetime, str] | None = None) -> list[Notification]:
        """The newest ``limit`` notifications to the parties of one case, newest first (one bounded Query);
        ``after``: the ``(created_at, id)`` of the last one of the page before, to go on from there."""

    @abstractmethod
    def held_until(self, moment: datetime, *, shard: int | None = None) -> list[Notification]:
        """Held e-mails that may go out at ``moment`` (their hold ended at or before it), oldest first; with
        ``shard``, only those of the subscribers of that shard (``held_shard_of``): one Query."""

    @abstractmethod
    def by_provider_id(self, provider_message_id: str) -> Notification | None:
        """The notification the e-mail provider knows by ``provider_message_id``, if any."""

    @abstractmethod
    def open_since(self, status: NotificationStatus, before: datetime, *, limit: int) -> list[Notification]:
        """At most ``limit`` notifications in ``status`` (created or sending) that last changed before
        ``before``, oldest first: the ones that look stuck."""


@dataclass(frozen=True)
class JobProgress:
    """How far the fan-out of one event is: the units of work planned and done, and the notifications the
    done ones wrote (created to go now, held for later)."""

    event_id: str
    subject_id: str
    planned: int
    done: int
    created: int
    held: int

    @property
    def finished(self) -> bool:
        return self.done >= self.planned


class ProgressStore(ABC):
    @abstractmethod
    def plan(self, event_id: str, subject_id: str, job_ids: Collection[str]) -> None:
        """Record that these units of work belong to the event (planning the same one twice counts once)."""

    @abstractmethod
    def finish(self, event_id: str, job_id: str, *, created: int, held: int) -> bool:
        """Count a unit of work done with what it wrote, atomically; False (and nothing counted) when it was
        counted before: a retried or duplicated job counts once."""

    @abstractmethod
    def is_finished(self, event_id: str, job_id: str) -> bool: ...

    @abstractmethod
    def get(self, event_id: str) -> JobProgress | None: ...


class JobQueue(ABC):
    """Units of background work (a page of one event's audience, a group of digests), as JSON objects."""

    @abstractmethod
    def submit(self, jobs: Sequence[Mapping[str, Any]]) -> None: ...


class EventPublishError(Exception):
    """Events the bus did not take (after the adapter's own retries): the caller fails, and is retried."""


class EventPublisher(ABC):
    """The events Baken tells the rest of the chain (NL GOV CloudEvents on an EventBridge bus). At least once:
    a fact may be published again with the same id; consumers drop what they have seen."""

    @abstractmethod
    def publish(self, events: Sequence[CloudEvent]) -> None:
        """Publish every event, or raise EventPublishError (some may have been published: they come again)."""


class KlantinteractiesRetryableError(Exception):
    """The Klantinteracties API did not answer, answered 5xx or 429, or timed out: try again later."""


class KlantinteractiesPermanentError(Exception):
    """The Klantinteracties API refused the request (4xx other than 429): retrying would not help."""


@dataclass(frozen=True)
class KlantcontactActor:
    """Who had the contact for the province: a medewerker (``identificatie`` their staff subject) or Baken itself
    (soortActor ``geautomatiseerde_actor``)."""

    naam: str
    soort_actor: str
    identificatie: str


@dataclass(frozen=True)
class NewKlantcontact:
    """A Klantcontact as the Klantinteracties API (Open Klant 2) takes it, with what it is about (the zaak URL)."""

    kanaal: str
    onderwerp: str
    inhoud: str | None
    indicatie_contact_gelukt: bool
    taal: str
    vertrouwelijk: bool
    plaatsgevonden_op: datetime
    actor: KlantcontactActor
    onderwerp_object: Onderwerpobjectidentificator


@dataclass(frozen=True)
class Onderwerpobjectidentificator:
    """What a contact was about, as the Onderwerpobject names it: a zaak in the zaaksysteem (the convention KISS
    and Open Klant users read: ``zgw-Zaak`` in ``openzaak`` by uuid) or Baken's own case (by its API url)."""

    object_id: str
    code_objecttype: str
    code_register: str
    code_soort_object_id: str


class Klantinteracties(ABC):
    """The province's Klantinteracties API (Open Klant 2). Each call is one request; errors are
    ``KlantinteractiesRetryableError`` or ``KlantinteractiesPermanentError``. Calls return the created resource's url."""

    @abstractmethod
    def create_klantcontact(self, contact: NewKlantcontact) -> str: ...

    @abstractmethod
    def actor(self, actor: KlantcontactActor) -> str:
        """The actor's url: found by its identificator, or created."""

    @abstractmethod
    def link_actor(self, klantcontact_url: str, actor_url: str) -> str:
        """An ActorKlantcontact: the actor had this contact."""

    @abstractmethod
    def link_onderwerp(self, klantcontact_url: str, onderwerp: Onderwerpobjectidentificator) -> str:
        """An Onderwerpobject: the contact was about this zaak."""


class RegistrationLedger(ABC):
    """What was already registered elsewhere for one job (its key), step by step, so a redelivered job does not
    register twice. ``PENDING`` marks a step begun whose answer was not remembered (a crash in between)."""

    PENDING = "pending"

    @abstractmethod
    def steps(self, key: str) -> dict[str, str]:
        """The steps done (step -> url, or PENDING) for ``key``; empty when nothing was done."""

    @abstractmethod
    def remember(self, key: str, step: str, value: str) -> None: ...


class RateLimiter(ABC):
    @abstractmethod
    def hit(self, key: str, *, limit: int, window: timedelta, now: datetime) -> int | None:
        """Count one request for ``key`` in the current window; ``None`` if allowed, else the seconds until
        the window ends. ``key`` must hold no personal data (use a fingerprint)."""


class DeliveryQueue(ABC):
    @abstractmethod
    def enqueue(self, notifications: Sequence[Notification]) -> None:
        """Hand notifications to delivery, in order per case and subscriber."""

    @abstractmethod
    def notification_id(self, body: str) -> str:
        """The notification a delivery job's message body names; ValueError when it is not a delivery job."""

    @abstractmethod
    def postpone(self, receipt: str, seconds: int) -> None:
        """Let the message received with ``receipt`` come back only after ``seconds`` (a backoff)."""


@dataclass(frozen=True)
class OutgoingEmail:
    to: str
    subject: str
    text: str
    html: str
    reference: str
    language: str = "nl"
    unsubscribe_url: str | None = None


@dataclass(frozen=True)
class OutgoingLetter:
    """A letter for the print-and-post partner: the non-digital alternative."""

    recipient: PostalAddress
    language: str
    title: str
    body: str
    reference: str


class LetterSender(ABC):
    @abstractmethod
    def send(self, *, letter: OutgoingLetter) -> str:
        """Hand a letter over for printing and posting; returns the hand-over's id."""


# Failures that can come after the provider accepted the e-mail: the request went out, its answer did not
# come back. Trying again may send it twice.
ANSWER_LOST = frozenset({"ReadTimeoutError", "ConnectionClosedError", "ResponseStreamingError", "InternalFailure"})


class EmailRetryableError(Exception):
    """The provider could not take the message now (throttled, unavailable): try again later. ``code`` names
    the failure; ``maybe_accepted`` when it may have come after the provider accepted the e-mail."""

    def __init__(self, code: str) -> None:
        self.code = code
        super().__init__(code)

    @property
    def maybe_accepted(self) -> bool:
        return self.code in ANSWER_LOST


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


class BerichtenboxStore(ABC):
    @abstractmethod
    def put(self, message: BerichtenboxMessage) -> bool:
        """Store the message unless it is there already; True when stored now."""

    @abstractmethod
    def list(
        self, subscriber_id: str, *, limit: int, after: str | None = None, case_id: str | None = None
    ) -> list[BerichtenboxMessage]:
        """Newest first; ``after`` is the id of the last message of the previous page; ``case_id``: only the
        messages about that case (one Query either way)."""

    @abstractmethod
    def unread_count(self, subscriber_id: str) -> int: ...

    @abstractmethod
    def mark_read(self, subscriber_id: str, message_id: str, at: datetime) -> BerichtenboxMessage:
        """Mark one message read (idempotent); BerichtenboxMessageNotFoundError if it is not theirs."""


@dataclass(frozen=True)
class MessageContext:
    """Everything a template may use. Information-lean: no case contents unless ``detail`` is set, which
    only the portal channel (behind a login) does."""

    kind: EventKind
    audience: Audience
    language: Language
    case_number: str | None
    product: str | None
    portal_url: str
    home_url: str
    detail: Mapping[str, Any]
    link: Link | None = None
    unsubscribe_url: str | None = None
    manage_url: str | None = None
    # the unsubscribe link stops all e-mail to the reader (a party's case e-mail, a digest), not one subscription
    unsubscribe_all_email: bool = False


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
    def staff_email(self, name: str, language: Language, variables: Mapping[str, Any]) -> RenderedEmail:
        """An e-mail to a member of staff (``templates/email/<name>.*``), not about one notification."""

    @abstractmethod
    def portal(self, context: MessageContext) -> RenderedPortalMessage: ...

    @abstractmethod
    def letter(self, context: MessageContext) -> RenderedPortalMessage:
        """The letter's title and text: what the portal message says, since a letter is read without login."""


@dataclass(frozen=True)
class TokenAnswer:
    """What a provider's token endpoint answered: the ID token, and a refresh token when it gives one."""

    id_token: str
    refresh_token: str | None = None


class LoginProvider(ABC):
    """Where the pages send people to log in (OIDC authorisation code with PKCE), and how a code becomes an
    ID token."""

    @abstractmethod
    def authorize_url(
        self, *, state: str, nonce: str, challenge: str, redirect_uri: str, login_hint: str | None = None
    ) -> str: ...

    @abstractmethod
    def exchange(self, *, code: str, verifier: str, redirect_uri: str) -> TokenAnswer:
        """The ID token for ``code``; AuthenticationError when the provider refuses it."""

    @abstractmethod
    def refresh(self, refresh_token: str) -> TokenAnswer:
        """A new ID token (with today's roles) for a refresh token; AuthenticationError when refused."""


class SessionStore(ABC):
    """The server's side of the pages' sessions (``SessionRecord``), each until it ends or expires."""

    @abstractmethod
    def put(self, record: SessionRecord) -> None:
        """Starts or updates a session; never one that ended (a request that raced the logout revives nothing)."""

    @abstractmethod
    def get(self, sid: str) -> SessionRecord | None:
        """The session ``sid``; None once it ended, or expired."""

    @abstractmethod
    def end(self, sid: str) -> None:
        """Ends the session: its cookie opens nothing from now on. Ending it twice is harmless."""


class ChangeFeed(ABC):
    """The changes of stored items, as the table's stream reports them."""

    @abstractmethod
    def decode(self, record: Mapping[str, Any]) -> StoredChange | None:
        """The change a stream record reports; None for an item nobody hears of."""


class FeedbackSource(ABC):
    """What the e-mail provider tells afterwards, as messages on a queue."""

    @abstractmethod
    def decode(self, body: str) -> EmailFeedback:
        """The feedback a message body carries; FeedbackError when it is not feedback of ours."""


# --- the zaaksysteem (ZGW) -------------------------------------------------------------------------------------


class ZgwError(Exception):
    """Reading the zaaksysteem failed. ``retry``: worth trying again later (the notice goes back on its queue)."""

    retry: bool = True

    def __init__(self, url: str, detail: str) -> None:
        self.url = url
        self.detail = detail
        super().__init__(f"{detail} ({url})")


class ZaakGoneError(ZgwError):
    """The zaak answers 404 or 410: it was deleted (or never was). Nothing to retry."""

    retry = False


class ZgwUnavailableError(ZgwError):
    """No answer in time, no connection, 429 or 5xx, after the client's own retries with backoff."""


class ZgwRefusedError(ZgwError):
    """401 or 403: Baken's credentials for that API are wrong or lack a scope. An operator fixes the
    configuration; until then the notice waits (retried, then on the dead-letter queue)."""


class ZgwResponseError(ZgwError):
    """The answer is not what the published schema says (not JSON, a required field missing or of another type):
    retried, since a zaaksysteem mid-deploy answers so for a moment; a lasting one ends on the dead-letter queue."""


class ZaakSource(ABC):
    """The zaaksysteem's Zaken and Catalogi APIs, read by URL (adapter: ``chalicelib.adapters.zgw``)."""

    @abstractmethod
    def snapshot(self, zaak_url: str) -> ZaakSnapshot:
        """The zaak as the zaaksysteem has it now: the zaak, its zaaktype with statustypen (cached), every status
        (oldest first), its rollen and the gemeenten of its zaakobjecten. Raises a ``ZgwError``."""

    @abstractmethod
    def catalogue(self, catalogus_url: str, wanted: Collection[str], today: date) -> CatalogiListing:
        """The catalogus's zaaktypen valid ``today``: those whose identificatie is in ``wanted`` with their
        statustypen, the identificaties of the rest. Raises a ``ZgwError``."""


@dataclass(frozen=True)
class CountedCase:
    """What a case counts for in the servicenorm figures (None: nothing, it is open), as of its ``version``."""

    version: int
    decided: Decided | None


class ServicenormStore(ABC):
    """The servicenorm figures per zaaktype and month, kept case by case (``chalicelib.domain.servicenorms``)."""

    @abstractmethod
    def counted(self, case_id: str) -> CountedCase | None:
        """What the case counts for now; None when it never counted."""

    @abstractmethod
    def count(self, case_id: str, before: CountedCase | None, after: CountedCase) -> bool:
        """At once: the case counts for ``after`` instead of ``before`` (as ``counted`` gave it), the month
        figures changed by the difference. False, changing nothing, when the case was counted at ``after``'s
        version or a later one meanwhile."""

    @abstractmethod
    def months(self, zaaktype: str, first: str, last: str) -> list[MonthFigures]:
        """The zaaktype's figures of the months ``first`` to ``last`` (YYYY-MM) that have any."""

    @abstractmethod
    def replace_month(self, figures: MonthFigures, counted: Mapping[str, CountedCase]) -> None:
        """A month recomputed from its cases: its figures, and what each of those cases counts for."""


class SatisfactionStore(ABC):
    """The answers to the satisfaction question, one per person per case, and what they count for per product
    and month (``chalicelib.domain.satisfaction``): the month counts and the comments are anonymous."""

    @abstractmethod
    def answer(self, case_id: str, respondent: str) -> StoredAnswer | None:
        """What the person with ``respondent`` key answered about the case; None when nothing yet."""

    @abstractmethod
    def save(self, case_id: str, respondent: str, before: StoredAnswer | None, after: Answer) -> StoredAnswer:
        """At once: the answer becomes ``after`` instead of ``before`` (as ``answer`` gave it), the month counts
        changed by the difference, the old comment replaced by the new one. ConcurrentUpdateError, changing
        nothing, when the answer is no longer ``before``."""

    @abstractmethod
    def months(self, zaaktype: str, first: str, last: str) -> list[MonthScores]:
        """The product's counts of the months ``first`` to ``last`` (YYYY-MM) that have any answer."""

    @abstractmethod
    def comments(self, zaaktype: str, month: str, *, limit: int, after: str | None = None) -> CommentPage:
        """At most ``limit`` comments of the product's month, newest first, after the ``next`` of a page before."""

    @abstractmethod
    def replace_month(self, figures: MonthScores, answers: Mapping[tuple[str, str], Answer]) -> None:
        """A month written whole from its answers (``(case_id, respondent)`` → answer, each a first answer):
        ``figures`` (their recount) and the answers with their comments, in batches rather than one transaction
        each — for the local stack's demo data, never for a month that has answers already."""


class WatchStore(ABC):
    """The deadline watch's entries by date, and the behandelaars' alerts (``chalicelib.domain.watch``)."""

    @abstractmethod
    def add(self, entries: Sequence[WatchEntry]) -> None:
        """Keep the entries (an entry kept already stays as it is)."""

    @abstractmethod
    def due_on(self, day: date, *, limit: int) -> list[WatchEntry]:
        """At most ``limit`` entries of ``day`` not yet done."""

    @abstractmethod
    def done(self, entries: Sequence[WatchEntry]) -> None:
        """Handled: never given by ``due_on`` again."""

    @abstractmethod
    def alert(self, behandelaar_id: str, alert: Alert) -> None:
        """An alert for the behandelaar (kept two weeks)."""

    @abstractmethod
    def alerts(self, behandelaar_id: str, since: date, *, limit: int) -> list[Alert]:
        """The behandelaar's alerts from ``since`` on, newest first."""

    @abstractmethod
    def alerted_on(self, day: date, *, limit: int) -> list[str]:
        """The behandelaars who got an alert for ``day`` (at most ``limit``; one Query)."""

    @abstractmethod
    def claim_digest(self, day: date, behandelaar_id: str) -> bool:
        """Claim the morning overview of ``day`` for the behandelaar: True once, False after (conditional write)."""

    @abstractmethod
    def release_digest(self, day: date, behandelaar_id: str) -> None:
        """Give a claim back (the overview could not be sent: the next run tries again)."""


class StaffDirectory(ABC):
    """Staff as their logins name them: where a behandelaar's morning overview goes."""

    @abstractmethod
    def remember(self, member: StaffMember, at: datetime) -> None: ...

    @abstractmethod
    def get(self, subject: str) -> StaffMember | None: ...


class CatalogueStore(ABC):
    """The catalogue as the last refresh from the Catalogi API made it, shared by every function."""

    @abstractmethod
    def load(self) -> StoredCatalogue | None:
        """The stored catalogue; None before the first refresh."""

    @abstractmethod
    def save(self, stored: StoredCatalogue, *, changed: bool) -> None:
        """Store it as the current one; ``changed``: its content differs from the one before (kept as a version)."""


class NoticeQueue(ABC):
    """Accepted ZGW notifications and CloudEvents waiting to be worked on (one zaak at a time, in order)."""

    @abstractmethod
    def send(self, notice: ZaakNotice) -> None:
        """Queue the notice; the same notice id queued again within the queue's deduplication window is one."""


class PartyPseudonyms(ABC):
    """A rol's party as the pseudonymous subject the person logs in with; a BSN goes in, never out."""

    @abstractmethod
    def subject_for(self, rol: ZgwRol) -> str | None:
        """The subject of the rol's betrokkene; None for a betrokkene Baken does not reach (an organisatorische
        eenheid, a medewerker, a person without a BSN, KvK number or RSIN)."""
