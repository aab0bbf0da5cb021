"""DynamoDB implementations of the storage ports. Every read is a GetItem, BatchGetItem or Query on a key
or index: nothing here scans a table. Conditional-check failures become domain answers."""

from __future__ import annotations

import itertools
import random
import time
from collections.abc import Callable, Collection, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError
from pynamodb.attributes import UTCDateTimeAttribute
from pynamodb.connection import Connection
from pynamodb.constants import ALL_OLD
from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.adapters.dynamodb import mapping
from chalicelib.adapters.dynamodb.models import (
    AnnouncementRecord,
    BerichtenboxRecord,
    CaseHistoryRecord,
    CaseIndexRecord,
    CaseRecord,
    ContactMomentRecord,
    NotificationRecord,
    QuestionClaimRecord,
    QuestionRecord,
    QuestionTallyRecord,
    SubscriberRecord,
    SubscriptionDefinitionRecord,
    SubscriptionEntryRecord,
)
from chalicelib.domain.announcements import Announcement
from chalicelib.domain.berichtenbox import BerichtenboxMessage
from chalicelib.domain.cases import Case, HistoryEntry, HistoryKind, HistoryPage, cursor_moment, history_added
from chalicelib.domain.contacts import ContactMoment
from chalicelib.domain.errors import (
    AnnouncementNotFoundError,
    BerichtenboxMessageNotFoundError,
    CaseNotFoundError,
    CaseNumberTakenError,
    ConcurrentUpdateError,
)
from chalicelib.domain.notifications import HELD_SHARDS, Notification, NotificationStatus
from chalicelib.domain.question_topics import Tally
from chalicelib.domain.questions import Question
from chalicelib.domain.ratelimit import admit
from chalicelib.domain.subscriptions import Indexed, Subscriber, Subscription, SubscriptionEntry
from chalicelib.domain.worklist import WorkOrder, WorkPosition
from chalicelib.services.ports import (
    AnnouncementRepository,
    BerichtenboxStore,
    CaseRepository,
    Claim,
    ContactMomentStore,
    NotificationOutbox,
    RateLimiter,
    SubscriberDirectory,
    SubscriptionRepository,
    WorkRead,
)

CONDITIONAL_CHECK_FAILED = "ConditionalCheckFailedException"
TRANSACTION_CANCELED = "TransactionCanceledException"
# A write that met another write (or a transaction) on the same item at the same moment: nothing was written,
# and the same write may simply be tried again.
TRANSACTION_CONFLICT = "TransactionConflictException"
MY_CASES_LIMIT = 200  # a person with more cases than this sees the newest 200
TRANSACTION_ATTEMPTS = 5  # a transaction that met others, tried again after a random pause (see _jitter)
CASE_NUMBER_ATTEMPTS = 10  # numbers tried for one new case when they turn out to be taken already

# The pause before trying again; a test may record instead of sleeping.
pause: Callable[[float], None] = time.sleep


def _jitter(attempt: int, *, base: float = 0.005, cap: float = 0.1) -> float:
    """A random pause before attempt ``attempt + 1`` ("full jitter": writers that met once spread out)."""
    return random.uniform(0, min(cap, base * 2**attempt))  # noqa: S311 - spreading retries, not security


def _conditional_failure(error: Any) -> bool:
    return getattr(error, "cause_response_code", None) in (CONDITIONAL_CHECK_FAILED, TRANSACTION_CANCELED, TRANSACTION_CONFLICT)


def _cancellation_codes(error: TransactWriteError) -> list[str | None]:
    """Per item of a cancelled transaction, why it was cancelled (``None``: this item was not the reason)."""
    return [reason.code if reason is not None else None for reason in error.cancellation_reasons]


def _met_another_write(error: TransactWriteError) -> bool:
    """Cancelled only because other writes held the same items at that moment: trying again is safe."""
    if error.cause_response_code == TRANSACTION_CONFLICT:
        return True
    codes = [code for code in _cancellation_codes(error) if code is not None]
    return bool(codes) and all(code == "TransactionConflict" for code in codes)


class DynamoDBCases(CaseRepository):
    def __init__(self, connection: Connection | None = None) -> None:
        self._connection = connection or Connection(region=getattr(CaseRecord.Meta, "region", None))

    def get(self, case_id: str) -> Case:
        try:
            return mapping.record_to_case(CaseRecord.get(case_id, consistent_read=True))
        except DoesNotExist:
            raise CaseNotFoundError(case_id) from None

    def find_by_number(self, case_number: str) -> Case | None:
        for record in CaseRecord.by_case_number.query(case_number, limit=1):
            return mapping.record_to_case(record)
        return None

    def next_case_number(self, prefix: str, year: int) -> str:
        counter = CaseIndexRecord(pk=f"sequence#{prefix}-{year}", sk="sequence")
        counter.update(actions=[CaseIndexRecord.counter.add(1)])
        return f"{prefix}-{year}-{int(counter.counter or 0):06d}"

    def advance_case_number(self, prefix: str, year: int, at_least: int) -> None:
        counter = CaseIndexRecord(pk=f"sequence#{prefix}-{year}", sk="sequence")
        try:
            counter.update(
                actions=[CaseIndexRecord.counter.set(at_least)],
                condition=CaseIndexRecord.counter.does_not_exist() | (CaseIndexRecord.counter < at_least),
            )
        except UpdateError as error:
            if not _conditional_failure(error):
                raise  # else the counter is there already

    def create(self, case: Case, subscriptions: Sequence[Indexed]) -> Case:
        """Store a new case, claiming its number: a number taken already — by a case of any writer, through
        its uniqueness item or (for a case stored before those existed) the number index — is refused with
        CaseNumberTakenError and nothing is written. Its first status goes into its history in the same
        transaction."""
        holder = self.find_by_number(case.case_number)
        if holder is not None:
            raise ConcurrentUpdateError(case.id) if holder.id == case.id else CaseNumberTakenError(case.case_number)
        record = mapping.case_to_record(case)
        self._write(
            case,
            record,
            subscriptions,
            history_added(None, case),
            condition=CaseRecord.case_id.does_not_exist(),
            number=case.case_number,
        )
        return mapping.record_to_case(record)

    def save(self, case: Case, new_followers: Sequence[Indexed] = (), history: Sequence[HistoryEntry] = ()) -> Case:
        """A change that adds nothing to the history and no follower is one PutItem (with the version check); one
        that does (a status, message, document request or receipt) is one TransactWriteItems of the case item and
        its new history item(s)."""
        record = mapping.case_to_record(case)
        if not new_followers and not history:
            try:
                record.save()
            except PutError as error:
                if _conditional_failure(error):
                    raise ConcurrentUpdateError(case.id) from None
                raise
        else:
            self._write(case, record, new_followers, history, condition=None)
        return mapping.record_to_case(record)

    def _write(
        self,
        case: Case,
        record: CaseRecord,
        followers: Sequence[Indexed],
        history: Sequence[HistoryEntry],
        condition: Any,
        number: str | None = None,
    ) -> None:
        """The case (its version checked), the claim on its ``number`` (a new case), its new history entries (each
        written once), a party link and a subscription (definition and entries) per follower: all or nothing. A
        transaction cancelled only because other writes held the same items is tried again, a few times, after a
        random pause; a condition that failed is not."""
        roles = {case.initiator: "initiator", **dict.fromkeys(case.co_initiators, "mede_initiator")}
        roles.update(dict.fromkeys(case.gemachtigden, "gemachtigde"))
        for attempt in range(1, TRANSACTION_ATTEMPTS + 1):
            try:
                with TransactWrite(connection=self._connection) as transaction:
                    transaction.save(record, condition=condition)
                    if number is not None:
                        claim = CaseIndexRecord(pk=f"case-number#{number}", sk="case", case_id=case.id)
                        transaction.save(claim, condition=CaseIndexRecord.pk.does_not_exist())
                    for happened in history:
                        item = mapping.history_to_record(case.id, happened)
                        transaction.save(item, condition=CaseHistoryRecord.sk.does_not_exist())
                    for indexed in followers:
                        subject = indexed.subscription.subscriber_id
                        transaction.save(
                            CaseIndexRecord(
                                pk=f"party#{subject}",
                                sk=f"case#{case.registered_at.isoformat()}#{case.id}",
                                case_id=case.id,
                                role=roles.get(subject, "gemachtigde"),
                            )
                        )
                        transaction.save(mapping.definition_to_record(indexed.subscription))
                        for entry in indexed.entries:
                            transaction.save(mapping.entry_to_record(entry))
                return
            except TransactWriteError as error:
                codes = _cancellation_codes(error)
                if number is not None and len(codes) > 1 and codes[1] == "ConditionalCheckFailed" and codes[0] is None:
                    raise CaseNumberTakenError(number) from None
                if _met_another_write(error):
                    if attempt < TRANSACTION_ATTEMPTS:
                        pause(_jitter(attempt))
                        continue
                    raise ConcurrentUpdateError(case.id, conflict="transaction") from None
                if _conditional_failure(error):
                    raise ConcurrentUpdateError(case.id) from None
                raise

    def history(self, case_id: str, *, limit: int, before: str | None = None) -> HistoryPage:
        """One Query, newest first, from just before the cursor's entry (``history#`` up to it: the contact
        moments in the same collection sort before it and are not read)."""
        until = cursor_moment(before) if before is not None else None
        prefix = mapping.HISTORY_PREFIX
        condition = CaseHistoryRecord.sk.between(prefix, prefix + before) if before else CaseHistoryRecord.sk.startswith(prefix)
        records = CaseHistoryRecord.query(
            f"case#{case_id}", condition, scan_index_forward=False, limit=limit + 2, page_size=limit + 2
        )
        found = [r for r in records if r.sk != prefix + (before or "")][: limit + 1]
        shown = found[:limit]
        more = len(found) > limit
        return HistoryPage(
            tuple(mapping.record_to_history(r) for r in shown), shown[-1].sk[len(prefix) :] if more and shown else None, until
        )

    def history_entry(self, case_id: str, kind: HistoryKind, ref: str) -> HistoryEntry | None:
        records = CaseHistoryRecord.query(
            f"case#{case_id}",
            CaseHistoryRecord.sk.startswith(mapping.HISTORY_PREFIX),
            filter_condition=(CaseHistoryRecord.kind == kind.value) & (CaseHistoryRecord.item_id == ref),
            scan_index_forward=False,
            page_size=100,
        )
        for record in records:
            return mapping.record_to_history(record)
        return None

    def cases_of_party(self, subject: str) -> list[Case]:
        links = CaseIndexRecord.query(
            f"party#{subject}", CaseIndexRecord.sk.startswith("case#"), scan_index_forward=False, limit=MY_CASES_LIMIT
        )
        ids = [link.case_id for link in links if link.case_id]
        if not ids:
            return []
        found = {r.case_id: mapping.record_to_case(r) for r in CaseRecord.batch_get(ids)}
        return [found[i] for i in ids if i in found]

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
        deadline = order is WorkOrder.DEADLINE
        index = CaseRecord.by_behandelaar if deadline else CaseRecord.by_behandelaar_open_since
        sort_key = CaseRecord.deadline_sort if deadline else CaseRecord.open_since
        sort_name = "deadline_sort" if deadline else "open_since"
        start_key = None
        if start is not None:
            start_key = {
                "case_id": {"S": start.case_id},
                "behandelaar_id": {"S": behandelaar_id},
                sort_name: {"S": start.key},
            }
        records = index.query(
            behandelaar_id,
            sort_key.between(*bounds) if bounds is not None else None,
            scan_index_forward=forward if deadline else not forward,  # newest first is the index backwards
            last_evaluated_key=start_key,
            limit=limit,
            page_size=limit,
        )
        cases = [mapping.record_to_case(record) for record in records]
        return WorkRead(cases, exhausted=len(cases) < limit or records.last_evaluated_key is None)

    def count_work(self, behandelaar_id: str, bounds: tuple[str, str], *, cap: int) -> int:
        return CaseRecord.by_behandelaar.count(behandelaar_id, CaseRecord.deadline_sort.between(*bounds), limit=cap)

    def decided_in(self, zaaktype: str, month: str) -> Iterator[Case]:
        """The index holds the keys only: a page of keys, then the cases by BatchGetItem (100 at a time)."""
        keys = (record.case_id for record in CaseRecord.by_decided.query(f"{zaaktype}#{month}", page_size=100))
        while chunk := list(itertools.islice(keys, 100)):
            for record in CaseRecord.batch_get(chunk):
                if record.kind == "case" and record.closed_on is not None:
                    yield mapping.record_to_case(record)


class DynamoDBAnnouncements(AnnouncementRepository):
    """Announcements live in the cases table (so approval reaches the stream); a list item in the case
    index keeps them findable newest first without a scan."""

    def __init__(self, connection: Connection | None = None) -> None:
        self._connection = connection or Connection(region=getattr(AnnouncementRecord.Meta, "region", None))

    def get(self, announcement_id: str) -> Announcement:
        try:
            record = AnnouncementRecord.get(announcement_id, consistent_read=True)
        except DoesNotExist:
            raise AnnouncementNotFoundError(announcement_id) from None
        if record.kind != "announcement":
            raise AnnouncementNotFoundError(announcement_id)
        return mapping.record_to_announcement(record)

    def create(self, announcement: Announcement) -> Announcement:
        """Stored once: an id already taken, or an announcement that claims a version already, is refused."""
        record = mapping.announcement_to_record(announcement)
        try:
            with TransactWrite(connection=self._connection) as transaction:
                transaction.save(record, condition=AnnouncementRecord.case_id.does_not_exist())
                transaction.save(
                    CaseIndexRecord(
                        pk="announcements",
                        sk=f"{announcement.created_at.isoformat()}#{announcement.id}",
                        case_id=announcement.id,
                    )
                )
        except TransactWriteError as error:
            if _conditional_failure(error):
                raise ConcurrentUpdateError(announcement.id) from None
            raise
        return mapping.record_to_announcement(record)

    def save(self, announcement: Announcement) -> Announcement:
        record = mapping.announcement_to_record(announcement)
        try:
            record.save()
        except PutError as error:
            if _conditional_failure(error):
                raise ConcurrentUpdateError(announcement.id) from None
            raise
        return mapping.record_to_announcement(record)

    def recent(self, limit: int = 100) -> list[Announcement]:
        ids = [r.case_id for r in CaseIndexRecord.query("announcements", scan_index_forward=False, limit=limit) if r.case_id]
        found = {r.case_id: mapping.record_to_announcement(r) for r in AnnouncementRecord.batch_get(ids)} if ids else {}
        return [found[i] for i in ids if i in found]


def _count(transaction: TransactWrite, tally: Tally) -> None:
    """Add one question (and one answered at the first contact, if it was) to both counters of its week and
    onderwerp (models.QuestionTallyRecord), as part of ``transaction``."""
    pk = f"questions#{tally.zaaktype}"
    for sk in (f"week#{tally.week}#{tally.topic}", f"topic#{tally.topic}#{tally.week}"):
        transaction.update(
            QuestionTallyRecord(pk=pk, sk=sk),
            actions=[
                QuestionTallyRecord.week.set(tally.week),
                QuestionTallyRecord.topic.set(tally.topic),
                QuestionTallyRecord.questions.add(1),
                QuestionTallyRecord.answered.add(1 if tally.answered else 0),
            ],
        )


def _transact(connection: Connection, write: Callable[[TransactWrite], None]) -> None:
    """One TransactWriteItems that ``write`` fills, tried again after a random pause (a few times) when it was
    cancelled only because other writes held the same items: two contacts counted on the same week and onderwerp
    at the same moment."""
    for attempt in range(1, TRANSACTION_ATTEMPTS + 1):
        try:
            with TransactWrite(connection=connection) as transaction:
                write(transaction)
            return
        except TransactWriteError as error:
            if _met_another_write(error) and attempt < TRANSACTION_ATTEMPTS:
                pause(_jitter(attempt))
                continue
            raise


class DynamoDBContacts(ContactMomentStore):
    def __init__(self, connection: Connection | None = None) -> None:
        # one connection for the adapter's life: each new one starts a botocore session (slow to make)
        self._connection = connection or Connection(region=getattr(ContactMomentRecord.Meta, "region", None))

    def add(self, moment: ContactMoment, tally: Tally | None = None) -> None:
        """A moment is kept once: the same moment again is refused, the first stays as it was. With a tally, the
        moment and its counters are one TransactWriteItems."""
        record = mapping.contact_to_record(moment)
        condition = ContactMomentRecord.sk.does_not_exist()

        def write(transaction: TransactWrite) -> None:
            transaction.save(record, condition=condition)
            if tally is not None:
                _count(transaction, tally)

        try:
            if tally is None:
                record.save(condition=condition)
            else:
                _transact(self._connection, write)
        except (PutError, TransactWriteError) as error:
            if _conditional_failure(error):
                raise ConcurrentUpdateError(moment.id) from None
            raise

    def for_case(self, case_id: str, *, since: datetime | None = None, until: datetime | None = None) -> list[ContactMoment]:
        """One Query on ``contact#<moment>#<id>``: from ``since`` (inclusive) to ``until`` (exclusive: a moment at
        ``until`` sorts after ``contact#<until>``) when given."""
        low = f"contact#{since.isoformat()}" if since is not None else "contact#"
        high = f"contact#{until.isoformat()}" if until is not None else "contact#\uffff"
        return [
            mapping.record_to_contact(r)
            for r in ContactMomentRecord.query(f"case#{case_id}", ContactMomentRecord.sk.between(low, high))
        ]

    def add_question(self, question: Question, tally: Tally | None = None) -> Question:
        """The claim on its id, the question, its contact moment and its count in one TransactWriteItems, each
        only if new: the same question again (its id claimed) writes nothing and gives the one stored."""
        claim = QuestionClaimRecord(
            pk=f"case#{question.case_id}", sk=f"question-id#{question.id}", question_sk=mapping.question_sk(question)
        )
        moment = mapping.contact_to_record(question.as_contact_moment())

        def write(transaction: TransactWrite) -> None:
            transaction.save(claim, condition=QuestionClaimRecord.sk.does_not_exist())
            transaction.save(mapping.question_to_record(question), condition=QuestionRecord.sk.does_not_exist())
            transaction.save(moment, condition=ContactMomentRecord.sk.does_not_exist())
            if tally is not None:
                _count(transaction, tally)

        try:
            _transact(self._connection, write)
        except TransactWriteError as error:
            stored = self.question(question.case_id, question.id) if _conditional_failure(error) else None
            if stored is None:
                raise ConcurrentUpdateError(question.case_id, conflict="transaction") from None
            return stored
        return question

    def question(self, case_id: str, question_id: str) -> Question | None:
        """Two GetItems: the claim on its id, then the question it points to."""
        try:
            claim = QuestionClaimRecord.get(f"case#{case_id}", f"question-id#{question_id}")
            return mapping.record_to_question(QuestionRecord.get(f"case#{case_id}", claim.question_sk))
        except DoesNotExist:
            return None

    def questions(self, case_id: str, *, limit: int) -> list[Question]:
        """One Query on ``question#``, newest first."""
        records = QuestionRecord.query(
            f"case#{case_id}",
            QuestionRecord.sk.startswith(mapping.QUESTION_PREFIX),
            scan_index_forward=False,
            limit=limit,
            page_size=limit,
        )
        return [mapping.record_to_question(r) for r in records]

    def mark_answered(self, question: Question) -> bool:
        """One conditional UpdateItem: only a question not answered yet takes an answer."""
        answer = question.answer
        if answer is None:
            raise ValueError("a question is marked answered with its answer")
        record = QuestionRecord(pk=f"case#{question.case_id}", sk=mapping.question_sk(question))
        try:
            record.update(
                actions=[
                    QuestionRecord.answer_text.set(answer.text),
                    QuestionRecord.answered_at.set(answer.at),
                    QuestionRecord.answered_by_id.set(answer.by.id),
                    QuestionRecord.answered_by_naam.set(answer.by.naam),
                    QuestionRecord.answer_message_id.set(answer.message_id),
                ],
                condition=QuestionRecord.sk.exists() & QuestionRecord.answered_at.does_not_exist(),
            )
        except UpdateError as error:
            if _conditional_failure(error):
                return False
            raise
        return True


class DynamoDBSubscriptions(SubscriptionRepository):
    def entries_of(self, interest_key: str) -> list[SubscriptionEntry]:
        return [mapping.record_to_entry(r) for r in SubscriptionEntryRecord.query(interest_key)]

    def entries_page(
        self, interest_key: str, *, limit: int, start: str | None = None
    ) -> tuple[list[SubscriptionEntry], str | None]:
        begin = None if start is None else {"interest": {"S": interest_key}, "member": {"S": start}}
        records = list(SubscriptionEntryRecord.query(interest_key, limit=limit, page_size=limit, last_evaluated_key=begin))
        # a full page goes on from its last item (what DynamoDB's LastEvaluatedKey names then)
        return [mapping.record_to_entry(r) for r in records], (records[-1].member if len(records) == limit else None)

    def get(self, subscription_id: str) -> Subscription | None:
        try:
            record = SubscriptionDefinitionRecord.get(f"subscription#{subscription_id}", "definition", consistent_read=True)
            return mapping.record_to_definition(record)
        except DoesNotExist:
            return None

    def definitions(self, subscription_ids: Collection[str]) -> dict[str, Subscription]:
        if not subscription_ids:
            return {}
        keys = [(f"subscription#{i}", "definition") for i in dict.fromkeys(subscription_ids)]
        return {r.subscription_id: mapping.record_to_definition(r) for r in SubscriptionDefinitionRecord.batch_get(keys)}

    def of_subscriber(self, subscriber_id: str) -> list[Subscription]:
        return [mapping.record_to_definition(r) for r in SubscriptionDefinitionRecord.by_owner.query(subscriber_id)]

    def save(self, indexed: Indexed, *, previous_keys: Collection[str] = ()) -> None:
        subscription = indexed.subscription
        member = f"{subscription.subscriber_id}#{subscription.id}"
        current = {entry.interest.key for entry in indexed.entries}
        # Order for a crash half-way: entries that go are removed first, then the definition is written, then
        # the entries that come. Whatever step fails, no entry is left that the definition does not imply, so
        # nothing is matched that the person cannot see and stop (doing it again completes it).
        with SubscriptionEntryRecord.batch_write() as batch:
            for key in set(previous_keys) - current:
                batch.delete(SubscriptionEntryRecord(interest=key, member=member))
        mapping.definition_to_record(subscription).save()
        with SubscriptionEntryRecord.batch_write() as batch:
            for entry in indexed.entries:
                batch.save(mapping.entry_to_record(entry))

    def store(self, subscription: Subscription) -> None:
        definition = SubscriptionDefinitionRecord
        condition: Any
        if subscription.revision <= 1:
            condition = definition.interest.does_not_exist()
        else:
            condition = definition.revision == subscription.revision - 1
            if subscription.revision == 2:  # stored before revisions were kept: revision 1
                condition |= definition.revision.does_not_exist() & definition.interest.exists()
        try:
            mapping.definition_to_record(subscription).save(condition=condition)
        except PutError as error:
            if _conditional_failure(error):
                raise ConcurrentUpdateError(subscription.id) from None
            raise

    def write_entries(self, entries: Sequence[SubscriptionEntry]) -> None:
        with SubscriptionEntryRecord.batch_write() as batch:
            for entry in entries:
                batch.save(mapping.entry_to_record(entry))

    def remove_entries(self, entries: Sequence[SubscriptionEntry]) -> None:
        with SubscriptionEntryRecord.batch_write() as batch:
            for entry in entries:
                member = f"{entry.subscriber_id}#{entry.subscription_id}"
                batch.delete(SubscriptionEntryRecord(interest=entry.interest.key, member=member))

    def record_index_progress(self, subscription_id: str, revision: int, progress: int) -> bool:
        definition = SubscriptionDefinitionRecord
        return self._update_at(subscription_id, revision, [definition.index_progress.set(progress)])

    def mark_indexed(self, subscription_id: str, revision: int) -> bool:
        definition = SubscriptionDefinitionRecord
        actions = [
            definition.indexed_revision.set(revision),
            definition.index_progress.remove(),
            definition.previous_scopes.remove(),
        ]
        return self._update_at(subscription_id, revision, actions)

    def _update_at(self, subscription_id: str, revision: int, actions: list[Any]) -> bool:
        """One UpdateItem of the definition, only while it is at ``revision``."""
        record = SubscriptionDefinitionRecord(interest=f"subscription#{subscription_id}", member="definition")
        try:
            record.update(actions=actions, condition=SubscriptionDefinitionRecord.revision == revision)
        except UpdateError as error:
            if _conditional_failure(error):
                return False
            raise
        return True


class DynamoDBSubscribers(SubscriberDirectory):
    def __init__(self, fingerprint: Callable[[str], str]) -> None:
        self._fingerprint = fingerprint

    def get(self, subscriber_id: str) -> Subscriber | None:
        try:
            return mapping.record_to_subscriber(SubscriberRecord.get(subscriber_id))
        except DoesNotExist:
            return None

    def get_many(self, subscriber_ids: Sequence[str]) -> dict[str, Subscriber]:
        if not subscriber_ids:
            return {}
        return {
            r.subscriber_id: mapping.record_to_subscriber(r)
            for r in SubscriberRecord.batch_get(list(dict.fromkeys(subscriber_ids)))
        }

    def put(self, subscriber: Subscriber) -> None:
        mapping.subscriber_to_record(subscriber, self._fingerprint(subscriber.email) if subscriber.email else None).save()

    def find_by_email(self, email: str) -> Subscriber | None:
        for key in SubscriberRecord.by_email_hash.query(self._fingerprint(email), limit=1):
            return self.get(key.subscriber_id)
        return None

    def keep_unconfirmed(self, subscriber_id: str, until: datetime) -> None:
        # A compare-and-set on the expiry (GetItem, then a conditional PutItem of the item as read): a confirmation
        # in between removes the expiry, and then nothing is written.
        for _ in range(3):
            try:
                record = SubscriberRecord.get(subscriber_id, consistent_read=True)
            except DoesNotExist:
                return
            before = record.expires_at
            if before is None or before >= until:
                return
            record.expires_at = until
            try:
                record.save(condition=SubscriberRecord.expires_at == before)
                return
            except PutError as error:
                if not _conditional_failure(error):
                    raise


class DynamoDBOutbox(NotificationOutbox):
    def add_if_absent(self, notification: Notification) -> bool:
        try:
            mapping.notification_to_record(notification).save(condition=NotificationRecord.notification_id.does_not_exist())
        except PutError as error:
            if _conditional_failure(error):
                return False
            raise
        return True

    def get(self, notification_id: str) -> Notification | None:
        try:
            return mapping.record_to_notification(NotificationRecord.get(notification_id, consistent_read=True))
        except DoesNotExist:
            return None

    def transition(self, before: Notification, after: Notification) -> bool:
        condition = (NotificationRecord.status == before.status.value) & (NotificationRecord.attempts == before.attempts)
        if before.claimed_until is None:
            condition &= NotificationRecord.claimed_until.does_not_exist()
        else:
            condition &= NotificationRecord.claimed_until == before.claimed_until
        if before.bundled_in is None:
            condition &= NotificationRecord.bundled_in.does_not_exist()
        else:
            condition &= NotificationRecord.bundled_in == before.bundled_in
        try:
            mapping.notification_to_record(after).save(condition=condition)
        except PutError as error:
            if _conditional_failure(error):
                return False
            raise
        return True

    def claim(self, notification_id: str, *, now: datetime, until: datetime) -> Claim:
        """One UpdateItem: the condition is ``Notification.claimable``, the item as it was comes back on success
        (ReturnValues) and on a refusal (ReturnValuesOnConditionCheckFailure), so no GetItem goes before it.
        ALL_OLD rather than ALL_NEW: whether this is a take-over (a possible duplicate) is in the old state, and
        the new one follows from it exactly (the contract tests read it back)."""
        sending = NotificationStatus.SENDING.value
        lapsed = NotificationRecord.claimed_until.does_not_exist() | (NotificationRecord.claimed_until <= now)
        claimable = (NotificationRecord.status == NotificationStatus.CREATED.value) | (
            (NotificationRecord.status == sending) & lapsed
        )
        actions = [
            NotificationRecord.status.set(sending),
            NotificationRecord.open_status.set(sending),
            NotificationRecord.updated_at.set(now),
            NotificationRecord.attempts.add(1),
            NotificationRecord.claimed_until.set(until),
        ]
        table = NotificationRecord._get_connection()  # the models' own client: the same retries and hooks
        request = table.connection.get_operation_kwargs(
            table.table_name,
            notification_id,
            actions=actions,
            condition=claimable,
            return_values=ALL_OLD,
            return_values_on_condition_failure=ALL_OLD,
        )
        try:
            answer = table.connection.client.update_item(**request)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != CONDITIONAL_CHECK_FAILED:
                raise
            found = error.response.get("Item")
            return Claim(None if found is None else mapping.record_to_notification(NotificationRecord.from_raw_data(found)))
        before = mapping.record_to_notification(NotificationRecord.from_raw_data(answer["Attributes"]))
        return Claim(before, before.claimed(now, until))

    def for_case(self, case_id: str) -> list[Notification]:
        return [mapping.record_to_notification(r) for r in NotificationRecord.by_case.query(case_id)]

    def to_parties(self, case_id: str, *, limit: int, after: tuple[datetime, str] | None = None) -> list[Notification]:
        start = None
        if after is not None:  # where the page before stopped: the index's key and the table's
            start = {
                "party_case": {"S": case_id},
                "created_at": {"S": UTCDateTimeAttribute().serialize(after[0])},
                "notification_id": {"S": after[1]},
            }
        records = NotificationRecord.to_parties.query(
            case_id, scan_index_forward=False, limit=limit, page_size=limit, last_evaluated_key=start
        )
        return [mapping.record_to_notification(r) for r in records]

    def held_until(self, moment: datetime, *, shard: int | None = None) -> list[Notification]:
        held = [
            mapping.record_to_notification(r)
            for number in (range(HELD_SHARDS) if shard is None else (shard,))
            for r in NotificationRecord.by_hold.query(f"held#{number}", NotificationRecord.hold_until <= moment)
        ]
        return sorted(held, key=lambda n: (n.hold_until or n.created_at, n.id))

    def by_provider_id(self, provider_message_id: str) -> Notification | None:
        for key in NotificationRecord.by_provider_id.query(provider_message_id, limit=1):
            return self.get(key.notification_id)
        return None

    def open_since(self, status: NotificationStatus, before: datetime, *, limit: int) -> list[Notification]:
        keys = NotificationRecord.by_open_status.query(status.value, NotificationRecord.updated_at < before, limit=limit)
        found = [self.get(key.notification_id) for key in keys]  # the index holds keys only; read each as it is now
        return [n for n in found if n is not None and n.status is status]


class DynamoDBBerichtenbox(BerichtenboxStore):
    def put(self, message: BerichtenboxMessage) -> bool:
        try:
            mapping.berichtenbox_to_record(message).save(condition=BerichtenboxRecord.message_id.does_not_exist())
        except PutError as error:
            if _conditional_failure(error):
                return False
            raise
        return True

    def list(
        self, subscriber_id: str, *, limit: int, after: str | None = None, case_id: str | None = None
    ) -> list[BerichtenboxMessage]:
        """One Query, newest first: on the table, or for one case on the ``by_case`` index."""
        condition = BerichtenboxRecord.message_id < after if after else None
        if case_id is not None:
            records = BerichtenboxRecord.by_case.query(
                f"{subscriber_id}#{case_id}", condition, scan_index_forward=False, limit=limit, page_size=limit
            )
        else:
            records = BerichtenboxRecord.query(subscriber_id, condition, scan_index_forward=False, limit=limit)
        return [mapping.record_to_berichtenbox(r) for r in records]

    def unread_count(self, subscriber_id: str) -> int:
        return BerichtenboxRecord.unread.count(subscriber_id)

    def mark_read(self, subscriber_id: str, message_id: str, at: datetime) -> BerichtenboxMessage:
        try:
            record = BerichtenboxRecord.get(subscriber_id, message_id)
        except DoesNotExist:
            raise BerichtenboxMessageNotFoundError(message_id) from None
        if record.read_at is None:
            try:
                record.update(
                    actions=[BerichtenboxRecord.read_at.set(at), BerichtenboxRecord.unread_by.remove()],
                    condition=BerichtenboxRecord.read_at.does_not_exist(),
                )
            except UpdateError as error:
                if not _conditional_failure(error):
                    raise
                record.refresh()
        return mapping.record_to_berichtenbox(record)


class DynamoDBRateLimiter(RateLimiter):
    """An exact sliding window (``domain.ratelimit``): one item per key with the moments of the last allowed
    requests, read and written back with a condition on its revision, so concurrent requests cannot both take
    the last place (the loser reads again). The item expires one window after the last request."""

    # A lost race is tried again after a random pause (each round one of the racers wins, so a handful of
    # parallel requests all get their place); only when it keeps losing is that said (409), never a 429:
    # losing a race says nothing about how many requests were made.
    ATTEMPTS = 20

    def hit(self, key: str, *, limit: int, window: timedelta, now: datetime) -> int | None:
        for attempt in range(1, self.ATTEMPTS + 1):
            if attempt > 1:
                pause(_jitter(attempt - 1))
            try:
                record = CaseIndexRecord.get(f"limit#{key}", "window", consistent_read=True)
            except DoesNotExist:
                record = CaseIndexRecord(pk=f"limit#{key}", sk="window")
            revision = record.counter
            kept, wait = admit([float(m) for m in record.moments or []], now.timestamp(), limit, window.total_seconds())
            if kept is None:
                return wait
            record.moments, record.counter = kept, (revision or 0) + 1
            record.expires_at = now + window
            condition = CaseIndexRecord.counter.does_not_exist() if revision is None else CaseIndexRecord.counter == revision
            try:
                record.save(condition=condition)
            except PutError as error:
                if not _conditional_failure(error):
                    raise
                continue
            return None
        raise ConcurrentUpdateError(key, conflict="rate_limit")
