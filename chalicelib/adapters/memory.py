"""In-memory twins of every port, for unit tests and the pure-code benchmark. They keep the same
contracts as the real adapters (conditional writes, compare-and-set, ordering), and count operations
the way DynamoDB would bill them, so tests can assert on work done."""

from __future__ import annotations

import base64
import hashlib
import json
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlencode

from chalicelib.adapters.ses_email import build_mime
from chalicelib.domain import satisfaction
from chalicelib.domain.announcements import Announcement
from chalicelib.domain.berichtenbox import BerichtenboxMessage
from chalicelib.domain.cases import Case, HistoryEntry, HistoryKind, HistoryPage, cursor_moment, history_added
from chalicelib.domain.catalogi import StoredCatalogue, current_versions
from chalicelib.domain.cloudevents import CloudEvent
from chalicelib.domain.contacts import ContactMoment
from chalicelib.domain.deadlines import work_order_key
from chalicelib.domain.errors import (
    AnnouncementNotFoundError,
    BerichtenboxMessageNotFoundError,
    CaseNotFoundError,
    CaseNumberTakenError,
    ConcurrentUpdateError,
)
from chalicelib.domain.login import SessionRecord
from chalicelib.domain.matching import Audience
from chalicelib.domain.notifications import Notification, NotificationStatus, held_shard_of
from chalicelib.domain.question_topics import Faq, Tally, WeekCount
from chalicelib.domain.questions import Question
from chalicelib.domain.ratelimit import admit
from chalicelib.domain.satisfaction import Answer, Comment, CommentPage, MonthScores, StoredAnswer, comment_key
from chalicelib.domain.servicenorms import MonthFigures, counted_change
from chalicelib.domain.subscriptions import Indexed, Subscriber, Subscription, SubscriptionEntry
from chalicelib.domain.watch import Alert, StaffMember, WatchEntry
from chalicelib.domain.worklist import WorkOrder, WorkPosition, position_of
from chalicelib.domain.zgw import CatalogiListing, ZaakNotice, ZaakSnapshot, ZgwRol, ZgwZaaktype
from chalicelib.services.ports import (
    AnnouncementRepository,
    BerichtenboxStore,
    CaseRepository,
    CatalogueStore,
    Claim,
    ContactMomentStore,
    CountedCase,
    DeliveryQueue,
    DocumentStore,
    EmailSender,
    EventPublisher,
    EventPublishError,
    JobProgress,
    JobQueue,
    KlantcontactActor,
    Klantinteracties,
    KlantinteractiesRetryableError,
    LetterSender,
    NewKlantcontact,
    NoticeQueue,
    NotificationOutbox,
    Onderwerpobjectidentificator,
    OutgoingEmail,
    OutgoingLetter,
    PartyPseudonyms,
    ProgressStore,
    QuestionAnalysisStore,
    RateLimiter,
    RegistrationLedger,
    SatisfactionStore,
    ServicenormStore,
    SessionStore,
    StaffDirectory,
    StoredObject,
    SubscriberDirectory,
    SubscriptionRepository,
    UploadForm,
    WatchStore,
    WorkRead,
    ZaakGoneError,
    ZaakSource,
    ZgwError,
)

MEMORY_SENDER = "Baken <noreply@memory.example>"


def _stored_version(item: Case | Announcement | None) -> int:
    """The version a write is compared with: an item that is not there counts as version 0, as it does for
    pynamodb's version attribute (so a save at version 0 stores a new item, and a create at another fails)."""
    return item.version if item is not None else 0


class InMemoryCases(CaseRepository):
    """Cases; ``create`` and ``save`` also store the followers' subscriptions, in ``subscription_store`` when
    given, and make each follower a party to the case (as the DynamoDB adapter writes subscriptions and party
    links in the same transaction)."""

    def __init__(self, subscription_store: SubscriptionRepository | None = None) -> None:
        self.items: dict[str, Case] = {}
        self.sequences: Counter[str] = Counter()
        self.subscriptions: list[Indexed] = []
        self.party_links: defaultdict[str, set[str]] = defaultdict(set)  # subject → case ids
        self._subscription_store = subscription_store
        self.reads = 0
        self.histories: defaultdict[str, dict[str, HistoryEntry]] = defaultdict(dict)  # case id → key → entry
        self.numbers: dict[str, str] = {}  # case number → case id

    def get(self, case_id: str) -> Case:
        self.reads += 1
        try:
            return self.items[case_id]
        except KeyError:
            raise CaseNotFoundError(case_id) from None

    def find_by_number(self, case_number: str) -> Case | None:
        """By the number's index (the GSI on DynamoDB), not by looking at every case."""
        found = self.numbers.get(case_number)
        return None if found is None else self.items.get(found)

    def next_case_number(self, prefix: str, year: int) -> str:
        key = f"{prefix}-{year}"
        self.sequences[key] += 1
        return f"{key}-{self.sequences[key]:06d}"

    def advance_case_number(self, prefix: str, year: int, at_least: int) -> None:
        key = f"{prefix}-{year}"
        self.sequences[key] = max(self.sequences[key], at_least)

    def create(self, case: Case, subscriptions: Sequence[Indexed]) -> Case:
        if case.id in self.items or case.version != 0:
            raise ConcurrentUpdateError(case.id)
        if self.find_by_number(case.case_number) is not None:
            raise CaseNumberTakenError(case.case_number)
        return self._store(case, subscriptions, history_added(None, case))

    def save(self, case: Case, new_followers: Sequence[Indexed] = (), history: Sequence[HistoryEntry] = ()) -> Case:
        if _stored_version(self.items.get(case.id)) != case.version:
            raise ConcurrentUpdateError(case.id)
        return self._store(case, new_followers, history)

    def _store(self, case: Case, followers: Sequence[Indexed], history: Sequence[HistoryEntry]) -> Case:
        """All or nothing, as the DynamoDB transaction: an entry already in the history refuses the whole write."""
        kept = self.histories[case.id]
        if any(entry.key in kept for entry in history):
            raise ConcurrentUpdateError(case.id)
        kept.update((entry.key, entry) for entry in history)
        stored = replace(case, version=case.version + 1)
        self.items[case.id] = stored
        self.numbers[stored.case_number] = stored.id
        self.subscriptions.extend(followers)
        for indexed in followers:
            self.party_links[indexed.subscription.subscriber_id].add(case.id)
            if self._subscription_store is not None:
                self._subscription_store.save(indexed)
        return stored

    def history(self, case_id: str, *, limit: int, before: str | None = None) -> HistoryPage:
        until = cursor_moment(before) if before is not None else None
        self.reads += 1
        keys = sorted((k for k in self.histories.get(case_id, {}) if before is None or k < before), reverse=True)
        shown = keys[:limit]
        history = self.histories[case_id]
        return HistoryPage(tuple(history[k] for k in shown), shown[-1] if len(keys) > limit else None, until)

    def history_entry(self, case_id: str, kind: HistoryKind, ref: str) -> HistoryEntry | None:
        entries = sorted(self.histories.get(case_id, {}).values(), key=lambda e: e.key, reverse=True)
        return next((e for e in entries if e.kind is kind and e.ref == ref), None)

    def cases_of_party(self, subject: str) -> list[Case]:
        mine = [self.items[case_id] for case_id in self.party_links.get(subject, ()) if case_id in self.items]
        return sorted(mine, key=lambda c: (c.registered_at, c.id), reverse=True)  # the party link's sort key

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
        self.reads += 1
        handled = [c for c in self.items.values() if c.behandelaar.id == behandelaar_id and not c.is_closed]
        placed = [(position_of(c, order), c) for c in handled]
        inside = [(p, c) for p, c in placed if bounds is None or bounds[0] <= p.key <= bounds[1]]
        # the index's order: by sort key, then by the table's key; newest first reads the index backwards
        ascending = forward if order is WorkOrder.DEADLINE else not forward
        inside.sort(key=lambda pc: (pc[0].key, pc[0].case_id), reverse=not ascending)
        if start is not None:
            mark = (start.key, start.case_id)
            inside = [(p, c) for p, c in inside if ((p.key, p.case_id) > mark if ascending else (p.key, p.case_id) < mark)]
        return WorkRead([c for _, c in inside[:limit]], exhausted=len(inside) <= limit)

    def count_work(self, behandelaar_id: str, bounds: tuple[str, str], *, cap: int) -> int:
        self.reads += 1
        handled = [c for c in self.items.values() if c.behandelaar.id == behandelaar_id and not c.is_closed]
        return min(cap, sum(1 for c in handled if bounds[0] <= work_order_key(c) <= bounds[1]))

    def decided_in(self, zaaktype: str, month: str) -> Iterator[Case]:
        for case in sorted(self.items.values(), key=lambda c: c.id):
            if case.zaaktype == zaaktype and case.closed_on is not None and f"{case.closed_on:%Y-%m}" == month:
                yield case


class InMemoryAnnouncements(AnnouncementRepository):
    def __init__(self) -> None:
        self.items: dict[str, Announcement] = {}

    def get(self, announcement_id: str) -> Announcement:
        try:
            return self.items[announcement_id]
        except KeyError:
            raise AnnouncementNotFoundError(announcement_id) from None

    def create(self, announcement: Announcement) -> Announcement:
        if announcement.id in self.items or announcement.version != 0:
            raise ConcurrentUpdateError(announcement.id)
        stored = replace(announcement, version=1)
        self.items[announcement.id] = stored
        return stored

    def save(self, announcement: Announcement) -> Announcement:
        if _stored_version(self.items.get(announcement.id)) != announcement.version:
            raise ConcurrentUpdateError(announcement.id)
        stored = replace(announcement, version=announcement.version + 1)
        self.items[announcement.id] = stored
        return stored

    def recent(self, limit: int = 100) -> list[Announcement]:
        return sorted(self.items.values(), key=lambda a: (a.created_at, a.id), reverse=True)[:limit]


class InMemoryContacts(ContactMomentStore):
    def __init__(self) -> None:
        self.items: list[ContactMoment] = []
        self.asked: dict[tuple[str, str], Question] = {}
        # (zaaktype, week, onderwerp) -> [questions, answered at the first contact]
        self.tallies: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])

    def _count(self, tally: Tally | None) -> None:
        if tally is not None:
            counted = self.tallies[(tally.zaaktype, tally.week, tally.topic)]
            counted[0] += 1
            counted[1] += int(tally.answered)

    def add(self, moment: ContactMoment, tally: Tally | None = None) -> None:
        """A moment is kept once: the same id at the same time again is refused (the item's key on DynamoDB)."""
        if any(
            m.id == moment.id and m.plaatsgevonden_op == moment.plaatsgevonden_op
            for m in self.items
            if m.case_id == moment.case_id
        ):
            raise ConcurrentUpdateError(moment.id)
        self.items.append(moment)
        self._count(tally)

    def for_case(self, case_id: str, *, since: datetime | None = None, until: datetime | None = None) -> list[ContactMoment]:
        within = (
            m
            for m in self.items
            if m.case_id == case_id
            and (since is None or m.plaatsgevonden_op >= since)
            and (until is None or m.plaatsgevonden_op < until)
        )
        return sorted(within, key=lambda m: (m.plaatsgevonden_op, m.id))

    def add_question(self, question: Question, tally: Tally | None = None) -> Question:
        stored = self.question(question.case_id, question.id)
        if stored is not None:
            return stored
        self.asked[(question.case_id, question.id)] = question
        self.items.append(question.as_contact_moment())
        self._count(tally)
        return question

    def question(self, case_id: str, question_id: str) -> Question | None:
        return self.asked.get((case_id, question_id))

    def questions(self, case_id: str, *, limit: int) -> list[Question]:
        of_case = [q for (case, _), q in self.asked.items() if case == case_id]
        return sorted(of_case, key=lambda q: (q.asked_at, q.id), reverse=True)[:limit]

    def mark_answered(self, question: Question) -> bool:
        if question.answer is None:
            raise ValueError("a question is marked answered with its answer")
        stored = self.asked.get((question.case_id, question.id))
        if stored is None or stored.answered:
            return False
        self.asked[(question.case_id, question.id)] = replace(stored, answer=question.answer)
        return True


class InMemoryQuestionAnalysis(QuestionAnalysisStore):
    """The counters ``InMemoryContacts`` keeps, and the veelgestelde vragen."""

    def __init__(self, contacts: InMemoryContacts) -> None:
        self._contacts = contacts
        self.faq_items: dict[tuple[str, str], Faq] = {}

    def weeks(self, zaaktype: str, first: str, last: str) -> list[WeekCount]:
        return [
            WeekCount(week, topic, n, answered)
            for (z, week, topic), (n, answered) in sorted(self._contacts.tallies.items())
            if z == zaaktype and first <= week <= last
        ]

    def topic_weeks(self, zaaktype: str, topic: str, first: str, last: str) -> dict[str, int]:
        return {c.week: c.questions for c in self.weeks(zaaktype, first, last) if c.topic == topic}

    def faqs(self, zaaktype: str) -> list[Faq]:
        return [f for (z, _), f in sorted(self.faq_items.items()) if z == zaaktype]

    def faq(self, zaaktype: str, topic: str) -> Faq | None:
        return self.faq_items.get((zaaktype, topic))

    def save_faq(self, faq: Faq, *, expected: datetime | None) -> None:
        stored = self.faq_items.get((faq.zaaktype, faq.topic))
        if (stored.updated_at if stored else None) != expected:
            raise ConcurrentUpdateError(f"faq#{faq.zaaktype}#{faq.topic}")
        self.faq_items[(faq.zaaktype, faq.topic)] = faq


class InMemorySubscriptions(SubscriptionRepository):
    """Definitions and their entries per interest key; counts Queries and items read like DynamoDB would.
    ``changed`` plays the subscriptions table's stream: the ids of the definitions written, in order, for
    whoever runs the indexer (``Services.indexer.catch_up``) to take. ``writes`` counts items written or
    deleted, as DynamoDB bills them."""

    def __init__(self) -> None:
        self.entries: dict[str, dict[str, SubscriptionEntry]] = defaultdict(dict)
        self.definitions_by_id: dict[str, Subscription] = {}
        self.changed: list[str] = []
        self.queries = 0
        self.items_read = 0
        self.definition_reads = 0
        self.writes = 0
        self._sorted_members: dict[str, list[str]] = {}  # the sort keys per interest key, for paging

    def entries_of(self, interest_key: str) -> list[SubscriptionEntry]:
        self.queries += 1
        ordered = dict(sorted(self.entries.get(interest_key, {}).items()))  # by the sort key: <subscriber>#<subscription>
        if ordered:
            self.entries[interest_key] = ordered  # kept sorted, so sorting it for the next read takes linear time
        found = list(ordered.values())
        self.items_read += len(found)
        return found

    def entries_page(
        self, interest_key: str, *, limit: int, start: str | None = None
    ) -> tuple[list[SubscriptionEntry], str | None]:
        self.queries += 1
        under = self.entries.get(interest_key, {})
        members = self._sorted_members.get(interest_key)
        if members is None or len(members) != len(under):
            members = self._sorted_members[interest_key] = sorted(under)
        first = 0 if start is None else bisect_right(members, start)
        taken = members[first : first + limit]
        self.items_read += len(taken)
        # as DynamoDB: a full page gives the key to go on from, even when nothing comes after it
        return [under[m] for m in taken], (taken[-1] if taken and len(taken) == limit else None)

    def get(self, subscription_id: str) -> Subscription | None:
        return self.definitions_by_id.get(subscription_id)

    def definitions(self, subscription_ids: Collection[str]) -> dict[str, Subscription]:
        found = {i: self.definitions_by_id[i] for i in subscription_ids if i in self.definitions_by_id}
        self.definition_reads += len(found)
        return found

    def of_subscriber(self, subscriber_id: str) -> list[Subscription]:
        # the owner index sorts on the definition's key, subscription#<id>
        return sorted((s for s in self.definitions_by_id.values() if s.subscriber_id == subscriber_id), key=lambda s: s.id)

    def save(self, indexed: Indexed, *, previous_keys: Collection[str] = ()) -> None:
        subscription = indexed.subscription
        member = f"{subscription.subscriber_id}#{subscription.id}"
        current = {entry.interest.key for entry in indexed.entries}
        for key in set(previous_keys) - current:
            self.entries.get(key, {}).pop(member, None)
            self._sorted_members.pop(key, None)
        for entry in indexed.entries:
            self.entries[entry.interest.key][member] = entry
            self._sorted_members.pop(entry.interest.key, None)
        self.definitions_by_id[subscription.id] = subscription
        self.changed.append(subscription.id)
        self.writes += 1 + len(indexed.entries) + len(set(previous_keys) - current)

    def store(self, subscription: Subscription) -> None:
        stored = self.definitions_by_id.get(subscription.id)
        before = stored.revision if stored is not None else None
        if before != (subscription.revision - 1 if subscription.revision > 1 else None):
            raise ConcurrentUpdateError(subscription.id)
        self._write_definition(subscription)

    def _write_definition(self, subscription: Subscription) -> None:
        self.definitions_by_id[subscription.id] = subscription
        self.changed.append(subscription.id)
        self.writes += 1

    def write_entries(self, entries: Sequence[SubscriptionEntry]) -> None:
        for entry in entries:
            self.entries[entry.interest.key][f"{entry.subscriber_id}#{entry.subscription_id}"] = entry
            self._sorted_members.pop(entry.interest.key, None)
        self.writes += len(entries)

    def remove_entries(self, entries: Sequence[SubscriptionEntry]) -> None:
        for entry in entries:
            self.entries.get(entry.interest.key, {}).pop(f"{entry.subscriber_id}#{entry.subscription_id}", None)
            self._sorted_members.pop(entry.interest.key, None)
        self.writes += len(entries)

    def record_index_progress(self, subscription_id: str, revision: int, progress: int) -> bool:
        current = self.definitions_by_id.get(subscription_id)
        if current is None or current.revision != revision:
            return False
        self._write_definition(replace(current, index_progress=progress))
        return True

    def mark_indexed(self, subscription_id: str, revision: int) -> bool:
        current = self.definitions_by_id.get(subscription_id)
        if current is None or current.revision != revision:
            return False
        self._write_definition(replace(current, indexed_revision=revision, index_progress=0, previous_scopes=()))
        return True


class InMemorySubscribers(SubscriberDirectory):
    def __init__(self) -> None:
        self.items: dict[str, Subscriber] = {}

    def get(self, subscriber_id: str) -> Subscriber | None:
        return self.items.get(subscriber_id)

    def get_many(self, subscriber_ids: Sequence[str]) -> dict[str, Subscriber]:
        return {i: self.items[i] for i in subscriber_ids if i in self.items}

    def put(self, subscriber: Subscriber) -> None:
        self.items[subscriber.id] = subscriber

    def find_by_email(self, email: str) -> Subscriber | None:
        wanted = email.strip().lower()
        return next((s for s in self.items.values() if s.email and s.email.lower() == wanted), None)

    def keep_unconfirmed(self, subscriber_id: str, until: datetime) -> None:
        current = self.items.get(subscriber_id)
        if current is not None and current.expires_at is not None and current.expires_at < until:
            self.items[subscriber_id] = replace(current, expires_at=until)


def _claim_fields(n: Notification) -> tuple[object, ...]:
    return (n.status, n.attempts, n.claimed_until, n.bundled_in)


def _as_stored(n: Notification) -> Notification:
    """What the table gives back: the expiry is a TTL attribute, whole seconds since the epoch."""
    return replace(n, expires_at=n.expires_at.replace(microsecond=0))


class InMemoryOutbox(NotificationOutbox):
    def __init__(self) -> None:
        self.items: dict[str, Notification] = {}

    def add_if_absent(self, notification: Notification) -> bool:
        if notification.id in self.items:
            return False
        self.items[notification.id] = _as_stored(notification)
        return True

    def get(self, notification_id: str) -> Notification | None:
        return self.items.get(notification_id)

    def transition(self, before: Notification, after: Notification) -> bool:
        current = self.items.get(before.id)
        if current is None or _claim_fields(current) != _claim_fields(before):
            return False
        self.items[before.id] = _as_stored(after)
        return True

    def claim(self, notification_id: str, *, now: datetime, until: datetime) -> Claim:
        current = self.items.get(notification_id)
        if current is None or not current.claimable(now):
            return Claim(current)
        claimed = _as_stored(current.claimed(now, until))
        self.items[notification_id] = claimed
        return Claim(current, claimed)

    def for_case(self, case_id: str) -> list[Notification]:
        return sorted((n for n in self.items.values() if n.case_id == case_id), key=lambda n: (n.created_at, n.id))

    def to_parties(self, case_id: str, *, limit: int, after: tuple[datetime, str] | None = None) -> list[Notification]:
        mine = [n for n in self.items.values() if n.case_id == case_id and n.audience is Audience.PARTY]
        if after is not None:
            mine = [n for n in mine if (n.created_at, n.id) < after]
        return sorted(mine, key=lambda n: (n.created_at, n.id), reverse=True)[:limit]

    def held_until(self, moment: datetime, *, shard: int | None = None) -> list[Notification]:
        held = [
            n
            for n in self.items.values()
            if n.status is NotificationStatus.HELD
            and n.hold_until
            and n.hold_until <= moment
            and (shard is None or held_shard_of(n.subscriber_id) == shard)
        ]
        return sorted(held, key=lambda n: (n.hold_until or n.created_at, n.id))

    def by_provider_id(self, provider_message_id: str) -> Notification | None:
        return next((n for n in self.items.values() if n.provider_message_id == provider_message_id), None)

    def open_since(self, status: NotificationStatus, before: datetime, *, limit: int) -> list[Notification]:
        stuck = sorted(
            (n for n in self.items.values() if n.status is status and n.updated_at < before), key=lambda n: n.updated_at
        )
        return stuck[:limit]


class InMemoryQueue(DeliveryQueue):
    """Notification ids in the order they were queued. The id is the FIFO deduplication id, so a notification
    queued again while it still waits is dropped, as SQS drops it."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.postponed: list[tuple[str, int]] = []
        self._waiting: set[str] = set()  # what ``enqueue`` queued since the last ``drain``

    def enqueue(self, notifications: Sequence[Notification]) -> None:
        for notification in notifications:
            if notification.id not in self._waiting:
                self._waiting.add(notification.id)
                self.messages.append(notification.id)

    def notification_id(self, body: str) -> str:
        """A message here is the notification's id itself."""
        if not body.isalnum() or len(body) != 32:
            raise ValueError("not a delivery message")
        return body

    def postpone(self, receipt: str, seconds: int) -> None:
        self.postponed.append((receipt, seconds))

    def drain(self) -> list[str]:
        taken, self.messages = self.messages, []
        self._waiting = set()
        return taken


class InMemoryEmail(EmailSender):
    """Records what would have been sent, as the recipient gets it; ``fail_with`` makes the next sends raise
    (fault injection). What SES would never get is refused as the SES adapter refuses it: an address or subject
    that would not make a valid message."""

    def __init__(self) -> None:
        self.sent: list[OutgoingEmail] = []
        self.fail_with: list[Exception] = []

    def send(self, *, email: OutgoingEmail) -> str:
        if self.fail_with:
            raise self.fail_with.pop(0)
        build_mime(sender=MEMORY_SENDER, email=email)  # EmailPermanentError for a bad address
        self.sent.append(replace(email, subject=" ".join(email.subject.split())))  # as the header carries it
        return f"memory-{len(self.sent)}"


class InMemoryLetters(LetterSender):
    def __init__(self) -> None:
        self.sent: list[OutgoingLetter] = []

    def send(self, *, letter: OutgoingLetter) -> str:
        self.sent.append(letter)
        return f"letter-{len(self.sent)}"


class InMemoryDocuments(DocumentStore):
    """The documents bucket as a dict of key → bytes. ``post`` is what a browser does with an upload form: it
    stores the file under the form's key (its name filled in) and gives the redirect's address."""

    URL = "https://documents.invalid/upload"

    def __init__(self, now: Callable[[], datetime] | None = None) -> None:
        self.objects: dict[str, tuple[bytes, str, str]] = {}  # key → (content, content type, disposition)
        self._now = now or (lambda: datetime.now(UTC))

    def upload_form(self, *, prefix: str, max_bytes: int, redirect_url: str, expires_in: int) -> UploadForm:
        fields = {"key": prefix + "${filename}", "success_action_redirect": redirect_url, "max_bytes": str(max_bytes)}
        return UploadForm(self.URL, fields, self._now() + timedelta(seconds=expires_in))

    def post(self, form: UploadForm, filename: str, content: bytes) -> str:
        key = form.fields["key"].replace("${filename}", filename)
        self.objects[key] = (content, "application/octet-stream", "")
        separator = "&" if "?" in form.fields["success_action_redirect"] else "?"
        return f"{form.fields['success_action_redirect']}{separator}{urlencode({'bucket': 'memory', 'key': key})}"

    def inspect(self, key: str, *, head_bytes: int) -> StoredObject | None:
        found = self.objects.get(key)
        return StoredObject(len(found[0]), found[0][:head_bytes]) if found else None

    def keep(self, source: str, key: str, *, content_type: str, content_disposition: str) -> str:
        content = self.objects[source][0]
        self.objects[key] = (content, content_type, content_disposition)
        return base64.b64encode(hashlib.sha256(content).digest()).decode()

    def delete(self, key: str) -> None:
        self.objects.pop(key, None)

    def download_url(self, key: str, *, expires_in: int) -> str:
        return f"https://documents.invalid/{quote(key)}?expires_in={expires_in}"


class InMemoryBerichtenbox(BerichtenboxStore):
    def __init__(self) -> None:
        self.items: dict[str, dict[str, BerichtenboxMessage]] = defaultdict(dict)

    def put(self, message: BerichtenboxMessage) -> bool:
        box = self.items[message.subscriber_id]
        if message.id in box:
            return False
        box[message.id] = message
        return True

    def list(
        self, subscriber_id: str, *, limit: int, after: str | None = None, case_id: str | None = None
    ) -> list[BerichtenboxMessage]:
        box = self.items.get(subscriber_id, {}).values()
        newest_first = sorted((m for m in box if case_id is None or m.case_id == case_id), key=lambda m: m.id, reverse=True)
        if after is not None:
            newest_first = [m for m in newest_first if m.id < after]
        return newest_first[:limit]

    def unread_count(self, subscriber_id: str) -> int:
        return sum(1 for m in self.items.get(subscriber_id, {}).values() if m.unread)

    def mark_read(self, subscriber_id: str, message_id: str, at: datetime) -> BerichtenboxMessage:
        box = self.items.get(subscriber_id, {})
        if message_id not in box:
            raise BerichtenboxMessageNotFoundError(message_id)
        message = box[message_id]
        if message.unread:
            message = replace(message, read_at=at)
            box[message_id] = message
        return message


class InMemoryRateLimiter(RateLimiter):
    def __init__(self) -> None:
        self.moments: dict[str, list[float]] = {}

    def hit(self, key: str, *, limit: int, window: timedelta, now: datetime) -> int | None:
        kept, wait = admit(self.moments.get(key, []), now.timestamp(), limit, window.total_seconds())
        if kept is not None:
            self.moments[key] = kept
        return wait


class InMemorySessions(SessionStore):
    def __init__(self) -> None:
        self.records: dict[str, SessionRecord] = {}
        self.ended: set[str] = set()

    def put(self, record: SessionRecord) -> None:
        if record.sid not in self.ended:
            self.records[record.sid] = record

    def get(self, sid: str) -> SessionRecord | None:
        return self.records.get(sid)

    def end(self, sid: str) -> None:
        self.records.pop(sid, None)
        self.ended.add(sid)


class InMemoryJobs(JobQueue):
    """Jobs as the JSON text SQS would carry, in the order submitted (a standard queue: no deduplication)."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.submitted = 0

    def submit(self, jobs: Sequence[Mapping[str, Any]]) -> None:
        for job in jobs:
            self.messages.append(json.dumps(job, separators=(",", ":")))
            self.submitted += 1

    def drain(self) -> list[str]:
        taken, self.messages = self.messages, []
        return taken


class InMemoryEvents(EventPublisher):
    """Events kept as the JSON the bus would carry; ``fail_next`` makes the next ``publish`` calls raise."""

    def __init__(self) -> None:
        self.published: list[dict[str, Any]] = []
        self.fail_next = 0

    def publish(self, events: Sequence[CloudEvent]) -> None:
        if self.fail_next:
            self.fail_next -= 1
            raise EventPublishError(f"{len(events)} events not published")
        self.published.extend(json.loads(event.to_json()) for event in events)

    def of_type(self, kind: str) -> list[dict[str, Any]]:
        return [event for event in self.published if event["type"] == kind]


class InMemoryKlantinteracties(Klantinteracties):
    """A Klantinteracties API in a dict: every created resource by url, in the order created."""

    BASE = "https://klantinteracties.memory.example/klantinteracties/api/v1"

    def __init__(self) -> None:
        self.resources: dict[str, dict[str, Any]] = {}
        self.fail_next = 0

    def _create(self, collection: str, body: dict[str, Any]) -> str:
        if self.fail_next:
            self.fail_next -= 1
            raise KlantinteractiesRetryableError(collection)
        url = f"{self.BASE}/{collection}/{len(self.resources) + 1:08d}"
        self.resources[url] = {"collection": collection, **body}
        return url

    def of(self, collection: str) -> list[dict[str, Any]]:
        return [r for r in self.resources.values() if r["collection"] == collection]

    def create_klantcontact(self, contact: NewKlantcontact) -> str:
        return self._create("klantcontacten", {"contact": contact})

    def actor(self, actor: KlantcontactActor) -> str:
        for url, resource in self.resources.items():
            if resource["collection"] == "actoren" and resource["actor"].identificatie == actor.identificatie:
                return url
        return self._create("actoren", {"actor": actor})

    def link_actor(self, klantcontact_url: str, actor_url: str) -> str:
        return self._create("actorklantcontacten", {"klantcontact": klantcontact_url, "actor": actor_url})

    def link_onderwerp(self, klantcontact_url: str, onderwerp: Onderwerpobjectidentificator) -> str:
        return self._create("onderwerpobjecten", {"klantcontact": klantcontact_url, "onderwerp": onderwerp})


class InMemoryLedger(RegistrationLedger):
    def __init__(self) -> None:
        self.items: dict[str, dict[str, str]] = {}

    def steps(self, key: str) -> dict[str, str]:
        return dict(self.items.get(key, {}))

    def remember(self, key: str, step: str, value: str) -> None:
        self.items.setdefault(key, {})[step] = value


class InMemoryProgress(ProgressStore):
    def __init__(self) -> None:
        self.items: dict[str, dict[str, Any]] = {}

    def _item(self, event_id: str, subject_id: str = "") -> dict[str, Any]:
        return self.items.setdefault(event_id, {"subject": subject_id, "planned": set(), "done": set(), "created": 0, "held": 0})

    def plan(self, event_id: str, subject_id: str, job_ids: Collection[str]) -> None:
        item = self._item(event_id, subject_id)
        item["subject"] = subject_id
        item["planned"].update(job_ids)

    def finish(self, event_id: str, job_id: str, *, created: int, held: int) -> bool:
        item = self._item(event_id)
        if job_id in item["done"]:
            return False
        item["done"].add(job_id)
        item["created"] += created
        item["held"] += held
        return True

    def is_finished(self, event_id: str, job_id: str) -> bool:
        return job_id in self.items.get(event_id, {}).get("done", ())

    def get(self, event_id: str) -> JobProgress | None:
        item = self.items.get(event_id)
        if item is None:
            return None
        return JobProgress(event_id, item["subject"], len(item["planned"]), len(item["done"]), item["created"], item["held"])


class InMemoryNotices(NoticeQueue):
    """Notices in the order queued; the same id again within the window is one, as a FIFO queue deduplicates."""

    def __init__(self) -> None:
        self.notices: list[ZaakNotice] = []
        self._seen: set[str] = set()

    def send(self, notice: ZaakNotice) -> None:
        if notice.id in self._seen:
            return
        self._seen.add(notice.id)
        self.notices.append(notice)

    def drain(self) -> list[ZaakNotice]:
        taken, self.notices = self.notices, []
        return taken


class InMemoryZaakSource(ZaakSource):
    """The zaaksysteem as a set of snapshots by zaak URL; a URL may instead hold the ZgwError reading it raises.
    ``reads`` counts the snapshots asked for."""

    def __init__(self) -> None:
        self.zaken: dict[str, ZaakSnapshot | ZgwError] = {}
        self.catalogi: list[ZgwZaaktype] | ZgwError = []  # every version of every zaaktype, or the error
        self.reads = 0

    def snapshot(self, zaak_url: str) -> ZaakSnapshot:
        self.reads += 1
        found = self.zaken.get(zaak_url)
        if found is None:
            raise ZaakGoneError(zaak_url, "404")
        if isinstance(found, ZgwError):
            raise found
        return found

    def catalogue(self, catalogus_url: str, wanted: Collection[str], today: date) -> CatalogiListing:
        if isinstance(self.catalogi, ZgwError):
            raise self.catalogi
        current = current_versions(self.catalogi, today)
        return CatalogiListing(
            tuple(z for z in current if z.identificatie in wanted),
            tuple(z.identificatie for z in current if z.identificatie not in wanted),
        )


class InMemoryServicenorms(ServicenormStore):
    """The figures and what each case counts for, in dicts; ``writes`` counts the items a DynamoDB store would
    write (the case's marker and each month changed)."""

    def __init__(self) -> None:
        self.figures: dict[tuple[str, str], MonthFigures] = {}
        self.cases: dict[str, CountedCase] = {}
        self.writes = 0

    def counted(self, case_id: str) -> CountedCase | None:
        return self.cases.get(case_id)

    def count(self, case_id: str, before: CountedCase | None, after: CountedCase) -> bool:
        now = self.cases.get(case_id)
        if now is not None and now.version >= after.version:
            return False
        if now != before:
            raise ConcurrentUpdateError(case_id)
        changes = counted_change(before.decided if before else None, after.decided)
        for decided, sign in changes:
            key = (decided.zaaktype, decided.month)
            self.figures[key] = self.figures.get(key, MonthFigures(*key)).plus(decided, sign)
        self.cases[case_id] = after
        self.writes += 1 + len(changes)
        return True

    def months(self, zaaktype: str, first: str, last: str) -> list[MonthFigures]:
        return [f for (z, m), f in sorted(self.figures.items()) if z == zaaktype and first <= m <= last and f.decided]

    def replace_month(self, figures: MonthFigures, counted: Mapping[str, CountedCase]) -> None:
        self.figures[(figures.zaaktype, figures.month)] = figures
        self.cases.update(counted)


class InMemoryStaff(StaffDirectory):
    def __init__(self) -> None:
        self.members: dict[str, StaffMember] = {}

    def remember(self, member: StaffMember, at: datetime) -> None:
        self.members[member.subject] = member

    def get(self, subject: str) -> StaffMember | None:
        return self.members.get(subject)


class InMemorySatisfaction(SatisfactionStore):
    """Answers, month counts and comments in dicts; ``writes`` counts the items a DynamoDB store would write in
    its transaction (the answer, each month changed, each comment removed or put)."""

    def __init__(self) -> None:
        self.answers: dict[tuple[str, str], StoredAnswer] = {}
        self.figures: dict[tuple[str, str], MonthScores] = {}
        self.comment_items: dict[tuple[str, str], dict[str, tuple[int, str]]] = defaultdict(dict)
        self.writes = 0
        self._unique = 0

    def answer(self, case_id: str, respondent: str) -> StoredAnswer | None:
        return self.answers.get((case_id, respondent))

    def save(self, case_id: str, respondent: str, before: StoredAnswer | None, after: Answer) -> StoredAnswer:
        now = self.answers.get((case_id, respondent))
        if now != before:
            raise ConcurrentUpdateError(case_id, "transaction")
        self._unique += 1
        key = comment_key(after.answered_at, f"{self._unique:012x}") if after.comment else None
        stored = StoredAnswer(after, (before.version if before else 0) + 1, key)
        changes = satisfaction.counted_change(before.answer if before else None, after)
        touched = {(a.zaaktype, a.month): self.figures.get((a.zaaktype, a.month)) for a, _ in changes}
        for answer, sign in changes:
            where = (answer.zaaktype, answer.month)
            self.figures[where] = self.figures.get(where, MonthScores(*where)).plus(answer, sign)
        months = [where for where, was in touched.items() if self.figures[where] != (was or MonthScores(*where))]
        if before is not None and before.comment_key is not None:
            self.comment_items[(before.answer.zaaktype, before.answer.month)].pop(before.comment_key, None)
            self.writes += 1
        if key is not None and after.comment is not None:
            self.comment_items[(after.zaaktype, after.month)][key] = (after.score, after.comment)
            self.writes += 1
        self.answers[(case_id, respondent)] = stored
        self.writes += 1 + len(months)
        return stored

    def months(self, zaaktype: str, first: str, last: str) -> list[MonthScores]:
        return [f for (z, m), f in sorted(self.figures.items()) if z == zaaktype and first <= m <= last and f.answers]

    def replace_month(self, figures: MonthScores, answers: Mapping[tuple[str, str], Answer]) -> None:
        self.figures[(figures.zaaktype, figures.month)] = figures
        for (case_id, respondent), answer in answers.items():
            self._unique += 1
            key = comment_key(answer.answered_at, f"{self._unique:012x}") if answer.comment else None
            self.answers[(case_id, respondent)] = StoredAnswer(answer, 1, key)
            if key is not None and answer.comment is not None:
                self.comment_items[(answer.zaaktype, answer.month)][key] = (answer.score, answer.comment)

    def comments(self, zaaktype: str, month: str, *, limit: int, after: str | None = None) -> CommentPage:
        keys = sorted(self.comment_items.get((zaaktype, month), {}), reverse=True)
        if after is not None:
            keys = [k for k in keys if k < after]
        shown = keys[:limit]
        found = self.comment_items[(zaaktype, month)]
        comments = tuple(Comment(*found[k]) for k in shown)
        return CommentPage(comments, shown[-1] if len(keys) > limit else None)


class InMemoryWatch(WatchStore):
    """Entries by date and alerts by behandelaar in dicts; ``read`` counts the entries given out."""

    def __init__(self) -> None:
        self.entries: dict[date, dict[str, WatchEntry]] = defaultdict(dict)
        self.given: dict[str, list[Alert]] = defaultdict(list)
        self._given: set[tuple[str, Alert]] = set()  # what ``given`` holds, to know in one look
        self.alert_days: defaultdict[date, dict[str, None]] = defaultdict(dict)
        self.digests: set[tuple[date, str]] = set()
        self.read = 0

    def add(self, entries: Sequence[WatchEntry]) -> None:
        for entry in entries:
            self.entries[entry.on].setdefault(entry.key, entry)

    def due_on(self, day: date, *, limit: int) -> list[WatchEntry]:
        found = sorted(self.entries.get(day, {}).values(), key=lambda e: (e.shard, e.key))[:limit]
        self.read += len(found)
        return found

    def done(self, entries: Sequence[WatchEntry]) -> None:
        for entry in entries:
            self.entries.get(entry.on, {}).pop(entry.key, None)

    def alert(self, behandelaar_id: str, alert: Alert) -> None:
        if (behandelaar_id, alert) not in self._given:
            self._given.add((behandelaar_id, alert))
            self.given[behandelaar_id].append(alert)
            self.alert_days[alert.entry.on].setdefault(behandelaar_id, None)

    def alerted_on(self, day: date, *, limit: int) -> list[str]:
        return sorted(self.alert_days.get(day, {}))[:limit]

    def claim_digest(self, day: date, behandelaar_id: str) -> bool:
        if (day, behandelaar_id) in self.digests:
            return False
        self.digests.add((day, behandelaar_id))
        return True

    def release_digest(self, day: date, behandelaar_id: str) -> None:
        self.digests.discard((day, behandelaar_id))

    def alerts(self, behandelaar_id: str, since: date, *, limit: int) -> list[Alert]:
        found = [a for a in self.given.get(behandelaar_id, []) if a.entry.on >= since]
        return sorted(found, key=lambda a: (a.entry.on, a.entry.key), reverse=True)[:limit]


class InMemoryCatalogueStore(CatalogueStore):
    """The stored catalogue in a variable; ``versions`` keeps each changed one, ``loads`` counts the reads."""

    def __init__(self) -> None:
        self.current: StoredCatalogue | None = None
        self.versions: list[StoredCatalogue] = []
        self.loads = 0

    def load(self) -> StoredCatalogue | None:
        self.loads += 1
        return self.current

    def save(self, stored: StoredCatalogue, *, changed: bool) -> None:
        if changed:
            self.versions.append(stored)
        self.current = stored


class InMemoryPseudonyms(PartyPseudonyms):
    """A rol's subject from a table of identification values (a BSN, KvK number) to subjects."""

    def __init__(self, subjects: Mapping[str, str]) -> None:
        self._subjects = dict(subjects)

    def subject_for(self, rol: ZgwRol) -> str | None:
        for key in ("inpBsn", "kvkNummer", "innNnpId"):
            value = rol.identificatie.get(key)
            if isinstance(value, str) and value in self._subjects:
                return self._subjects[value]
        return None
