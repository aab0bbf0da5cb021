"""Between stored records and domain objects. The only place that knows both shapes."""

from __future__ import annotations

from datetime import date
from typing import Any

from chalicelib.adapters.dynamodb.models import (
    CaseRecord,
    ContactMomentRecord,
    DocumentMap,
    ExtensionMap,
    InboxRecord,
    MessageMap,
    NotificationRecord,
    PointMap,
    StatusMap,
    SubscriberRecord,
    SubscriptionRecord,
    SuspensionMap,
)
from chalicelib.domain.cases import (
    Case,
    CaseMessage,
    DocumentRequest,
    Extension,
    Link,
    Location,
    Medewerker,
    StatusEntry,
    Suspension,
)
from chalicelib.domain.catalogue import Vertrouwelijkheid
from chalicelib.domain.contacts import ContactMoment
from chalicelib.domain.deadlines import deadline_for
from chalicelib.domain.durations import Duration
from chalicelib.domain.events import EventKind
from chalicelib.domain.inbox import InboxMessage
from chalicelib.domain.language import Language
from chalicelib.domain.matching import Audience
from chalicelib.domain.notifications import Notification, NotificationStatus
from chalicelib.domain.reference import Point
from chalicelib.domain.subscriptions import Channel, Interest, Subscriber, Subscription, SubscriptionOrigin


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def deadline_sort_key(case: Case) -> str:
    """Sort key of the behandelaar work list: open cases by due date, paused after them, closed last."""
    if case.is_closed:
        return f"3#{case.closed_on}"
    due = deadline_for(case).due
    return f"1#{due.isoformat()}" if due else "2#paused"


def case_to_record(case: Case) -> CaseRecord:
    record = CaseRecord(
        case_id=case.id,
        case_number=case.case_number,
        zaaktype=case.zaaktype,
        omschrijving=case.omschrijving,
        startdatum=case.startdatum.isoformat(),
        registered_at=case.registered_at,
        doorlooptijd=str(case.doorlooptijd),
        servicenorm=str(case.servicenorm) if case.servicenorm else None,
        behandelaar_id=case.behandelaar.id,
        behandelaar_naam=case.behandelaar.naam,
        initiator=case.initiator,
        co_initiators=list(case.co_initiators),
        gemeenten=list(case.location.gemeenten),
        point=PointMap(lat=case.location.point.lat, lon=case.location.point.lon) if case.location.point else None,
        vertrouwelijkheid=case.vertrouwelijkheid.value,
        statuses=[
            StatusMap(id=s.id, statustype=s.statustype, set_at=s.set_at, set_by=s.set_by, toelichting=s.toelichting)
            for s in case.statuses
        ],
        documents=[
            DocumentMap(
                id=d.id,
                omschrijving=d.omschrijving,
                requested_at=d.requested_at,
                requested_by=d.requested_by,
                due=_iso(d.due),
                received_at=d.received_at,
            )
            for d in case.documents
        ],
        messages=[
            MessageMap(
                id=m.id,
                text=m.text,
                posted_at=m.posted_at,
                posted_by=m.posted_by,
                link_url=m.link.url if m.link else None,
                link_label=m.link.label if m.link else None,
            )
            for m in case.messages
        ],
        suspensions=[SuspensionMap(start=s.start.isoformat(), reden=s.reden, end=_iso(s.end)) for s in case.suspensions],
        extension=(
            ExtensionMap(duur=str(case.extension.duur), reden=case.extension.reden, set_at=case.extension.set_at)
            if case.extension
            else None
        ),
        closed_on=_iso(case.closed_on),
        current_statustype=case.current_status.statustype,
        deadline_sort=deadline_sort_key(case),
    )
    if case.version:
        record.version = case.version
    return record


def record_to_case(record: CaseRecord) -> Case:
    point = record.point
    return Case(
        id=record.case_id,
        case_number=record.case_number,
        zaaktype=record.zaaktype,
        omschrijving=record.omschrijving,
        startdatum=date.fromisoformat(record.startdatum),
        registered_at=record.registered_at,
        doorlooptijd=Duration.parse(record.doorlooptijd),
        servicenorm=Duration.parse(record.servicenorm) if record.servicenorm else None,
        behandelaar=Medewerker(record.behandelaar_id, record.behandelaar_naam),
        initiator=record.initiator,
        co_initiators=tuple(str(s) for s in record.co_initiators or ()),
        location=Location(
            tuple(str(g) for g in record.gemeenten or ()),
            Point(float(point.lat), float(point.lon)) if point is not None else None,
        ),
        vertrouwelijkheid=Vertrouwelijkheid(record.vertrouwelijkheid),
        statuses=tuple(StatusEntry(s.id, s.statustype, s.set_at, s.set_by, s.toelichting) for s in record.statuses or ()),
        documents=tuple(
            DocumentRequest(d.id, d.omschrijving, d.requested_at, d.requested_by, _date(d.due), d.received_at)
            for d in record.documents or ()
        ),
        messages=tuple(
            CaseMessage(
                m.id,
                m.text,
                m.posted_at,
                m.posted_by,
                Link(m.link_url, m.link_label or m.link_url) if m.link_url else None,
            )
            for m in record.messages or ()
        ),
        suspensions=tuple(Suspension(date.fromisoformat(s.start), s.reden, _date(s.end)) for s in record.suspensions or ()),
        extension=(
            Extension(Duration.parse(record.extension.duur), record.extension.reden, record.extension.set_at)
            if record.extension is not None
            else None
        ),
        closed_on=_date(record.closed_on),
        version=int(record.version or 0),
    )


def case_from_image(image: dict[str, Any] | None) -> Case | None:
    """A case from a DynamoDB stream image (DynamoDB JSON), or None for a missing image or another item kind."""
    if not image or image.get("kind", {}).get("S") != "case":
        return None
    return record_to_case(CaseRecord.from_raw_data(image))


def subscription_to_record(subscription: Subscription) -> SubscriptionRecord:
    return SubscriptionRecord(
        interest=subscription.interest.key,
        subscriber_id=subscription.subscriber_id,
        channels={c.value for c in subscription.channels},
        language=subscription.language.value,
        origin=subscription.origin.value,
        created_at=subscription.created_at,
    )


def record_to_subscription(record: SubscriptionRecord) -> Subscription:
    return Subscription(
        interest=Interest.parse(record.interest),
        subscriber_id=record.subscriber_id,
        channels=frozenset(Channel(c) for c in record.channels or ()),
        language=Language(record.language),
        origin=SubscriptionOrigin(record.origin),
        created_at=record.created_at,
    )


def subscriber_to_record(subscriber: Subscriber) -> SubscriberRecord:
    return SubscriberRecord(
        subscriber_id=subscriber.id,
        email=subscriber.email,
        language=subscriber.language.value,
        channels={c.value for c in subscriber.channels},
        created_at=subscriber.created_at,
    )


def record_to_subscriber(record: SubscriberRecord) -> Subscriber:
    return Subscriber(
        id=record.subscriber_id,
        email=record.email,
        language=Language(record.language),
        channels=frozenset(Channel(c) for c in record.channels or ()),
        created_at=record.created_at,
    )


def notification_to_record(n: Notification) -> NotificationRecord:
    return NotificationRecord(
        notification_id=n.id,
        event_id=n.event_id,
        event_kind=n.event_kind.value,
        case_id=n.case_id,
        ref=n.ref,
        subscriber_id=n.subscriber_id,
        channel=n.channel.value,
        language=n.language.value,
        audience=n.audience.value,
        status=n.status.value,
        open_status=None if n.status.is_final else n.status.value,
        created_at=n.created_at,
        updated_at=n.updated_at,
        attempts=n.attempts,
        claimed_until=n.claimed_until,
        reason=n.reason,
        provider_message_id=n.provider_message_id,
        expires_at=n.expires_at,
    )


def record_to_notification(r: NotificationRecord) -> Notification:
    return Notification(
        id=r.notification_id,
        event_id=r.event_id,
        event_kind=EventKind(r.event_kind),
        case_id=r.case_id,
        ref=r.ref,
        subscriber_id=r.subscriber_id,
        channel=Channel(r.channel),
        language=Language(r.language),
        audience=Audience(r.audience),
        status=NotificationStatus(r.status),
        created_at=r.created_at,
        updated_at=r.updated_at,
        expires_at=r.expires_at,
        attempts=int(r.attempts or 0),
        claimed_until=r.claimed_until,
        reason=r.reason,
        provider_message_id=r.provider_message_id,
    )


def inbox_to_record(m: InboxMessage) -> InboxRecord:
    return InboxRecord(
        subscriber_id=m.subscriber_id,
        message_id=m.id,
        notification_id=m.notification_id,
        case_id=m.case_id,
        kind=m.kind.value,
        title=m.title,
        body=m.body,
        link_url=m.link.url if m.link else None,
        link_label=m.link.label if m.link else None,
        created_at=m.created_at,
        read_at=m.read_at,
        unread_by=m.subscriber_id if m.read_at is None else None,
    )


def record_to_inbox(r: InboxRecord) -> InboxMessage:
    return InboxMessage(
        id=r.message_id,
        subscriber_id=r.subscriber_id,
        notification_id=r.notification_id,
        case_id=r.case_id,
        kind=EventKind(r.kind),
        title=r.title,
        body=r.body,
        link=Link(r.link_url, r.link_label or r.link_url) if r.link_url else None,
        created_at=r.created_at,
        read_at=r.read_at,
    )


def contact_to_record(moment: ContactMoment) -> ContactMomentRecord:
    return ContactMomentRecord(
        pk=f"case#{moment.case_id}",
        sk=f"contact#{moment.plaatsgevonden_op.isoformat()}#{moment.id}",
        contact_id=moment.id,
        case_id=moment.case_id,
        kanaal=moment.kanaal,
        onderwerp=moment.onderwerp,
        inhoud=moment.inhoud,
        plaatsgevonden_op=moment.plaatsgevonden_op,
        medewerker_id=moment.medewerker.id,
        medewerker_naam=moment.medewerker.naam,
        taal=moment.taal,
        vertrouwelijk=moment.vertrouwelijk,
        contact_gelukt=moment.contact_gelukt,
        tags=list(moment.tags),
    )


def record_to_contact(r: ContactMomentRecord) -> ContactMoment:
    return ContactMoment(
        id=r.contact_id,
        case_id=r.case_id,
        kanaal=r.kanaal,
        onderwerp=r.onderwerp,
        inhoud=r.inhoud,
        plaatsgevonden_op=r.plaatsgevonden_op,
        medewerker=Medewerker(r.medewerker_id, r.medewerker_naam),
        taal=r.taal,
        vertrouwelijk=bool(r.vertrouwelijk),
        contact_gelukt=bool(r.contact_gelukt),
        tags=tuple(str(t) for t in r.tags or ()),
    )
