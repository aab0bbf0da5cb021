"""DynamoDB implementations of the storage ports. Every read is a GetItem, BatchGetItem or Query on a key
or index: nothing here scans a table. Conditional-check failures become domain answers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pynamodb.connection import Connection
from pynamodb.exceptions import DoesNotExist, PutError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from chalicelib.adapters.dynamodb import mapping
from chalicelib.adapters.dynamodb.models import (
    CaseIndexRecord,
    CaseRecord,
    ContactMomentRecord,
    InboxRecord,
    NotificationRecord,
    SubscriberRecord,
    SubscriptionRecord,
)
from chalicelib.domain.cases import Case
from chalicelib.domain.contacts import ContactMoment
from chalicelib.domain.errors import CaseNotFoundError, ConcurrentUpdateError, InboxMessageNotFoundError
from chalicelib.domain.inbox import InboxMessage
from chalicelib.domain.notifications import Notification
from chalicelib.domain.subscriptions import Subscriber, Subscription
from chalicelib.services.ports import (
    CaseRepository,
    ContactMomentStore,
    InboxStore,
    NotificationOutbox,
    SubscriberDirectory,
    SubscriptionRepository,
)

CONDITIONAL_CHECK_FAILED = "ConditionalCheckFailedException"
TRANSACTION_CANCELED = "TransactionCanceledException"
MY_CASES_LIMIT = 200  # a person with more cases than this sees the newest 200


def _conditional_failure(error: Any) -> bool:
    return getattr(error, "cause_response_code", None) in (CONDITIONAL_CHECK_FAILED, TRANSACTION_CANCELED)


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

    def create(self, case: Case, subscriptions: Sequence[Subscription]) -> Case:
        record = mapping.case_to_record(case)
        try:
            with TransactWrite(connection=self._connection) as transaction:
                transaction.save(record, condition=CaseRecord.case_id.does_not_exist())
                for role, subject in (("initiator", case.initiator), *(("mede_initiator", s) for s in case.co_initiators)):
                    transaction.save(
                        CaseIndexRecord(
                            pk=f"party#{subject}",
                            sk=f"case#{case.registered_at.isoformat()}#{case.id}",
                            case_id=case.id,
                            role=role,
                        )
                    )
                for subscription in subscriptions:
                    transaction.save(mapping.subscription_to_record(subscription))
        except TransactWriteError as error:
            if _conditional_failure(error):
                raise ConcurrentUpdateError(case.id) from None
            raise
        return mapping.record_to_case(record)

    def save(self, case: Case) -> Case:
        record = mapping.case_to_record(case)
        try:
            record.save()
        except PutError as error:
            if _conditional_failure(error):
                raise ConcurrentUpdateError(case.id) from None
            raise
        return mapping.record_to_case(record)

    def cases_of_party(self, subject: str) -> list[Case]:
        links = CaseIndexRecord.query(
            f"party#{subject}", CaseIndexRecord.sk.startswith("case#"), scan_index_forward=False, limit=MY_CASES_LIMIT
        )
        ids = [link.case_id for link in links if link.case_id]
        if not ids:
            return []
        found = {r.case_id: mapping.record_to_case(r) for r in CaseRecord.batch_get(ids)}
        return [found[i] for i in ids if i in found]


class DynamoDBContacts(ContactMomentStore):
    def add(self, moment: ContactMoment) -> None:
        mapping.contact_to_record(moment).save(condition=ContactMomentRecord.sk.does_not_exist())

    def for_case(self, case_id: str) -> list[ContactMoment]:
        return [
            mapping.record_to_contact(r)
            for r in ContactMomentRecord.query(f"case#{case_id}", ContactMomentRecord.sk.startswith("contact#"))
        ]


class DynamoDBSubscriptions(SubscriptionRepository):
    def subscribers_of(self, interest_key: str) -> list[Subscription]:
        return [mapping.record_to_subscription(r) for r in SubscriptionRecord.query(interest_key)]

    def add(self, subscription: Subscription) -> None:
        mapping.subscription_to_record(subscription).save()

    def of_subscriber(self, subscriber_id: str) -> list[Subscription]:
        return [mapping.record_to_subscription(r) for r in SubscriptionRecord.by_subscriber.query(subscriber_id)]


class DynamoDBSubscribers(SubscriberDirectory):
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
        mapping.subscriber_to_record(subscriber).save()


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
        try:
            mapping.notification_to_record(after).save(condition=condition)
        except PutError as error:
            if _conditional_failure(error):
                return False
            raise
        return True

    def for_case(self, case_id: str) -> list[Notification]:
        return [mapping.record_to_notification(r) for r in NotificationRecord.by_case.query(case_id)]


class DynamoDBInbox(InboxStore):
    def put(self, message: InboxMessage) -> bool:
        try:
            mapping.inbox_to_record(message).save(condition=InboxRecord.message_id.does_not_exist())
        except PutError as error:
            if _conditional_failure(error):
                return False
            raise
        return True

    def list(self, subscriber_id: str, *, limit: int, after: str | None = None) -> list[InboxMessage]:
        condition = InboxRecord.message_id < after if after else None
        records = InboxRecord.query(subscriber_id, condition, scan_index_forward=False, limit=limit)
        return [mapping.record_to_inbox(r) for r in records]

    def unread_count(self, subscriber_id: str) -> int:
        return InboxRecord.unread.count(subscriber_id)

    def mark_read(self, subscriber_id: str, message_id: str, at: datetime) -> InboxMessage:
        try:
            record = InboxRecord.get(subscriber_id, message_id)
        except DoesNotExist:
            raise InboxMessageNotFoundError(message_id) from None
        if record.read_at is None:
            try:
                record.update(
                    actions=[InboxRecord.read_at.set(at), InboxRecord.unread_by.remove()],
                    condition=InboxRecord.read_at.does_not_exist(),
                )
            except UpdateError as error:
                if not _conditional_failure(error):
                    raise
                record.refresh()
        return mapping.record_to_inbox(record)
