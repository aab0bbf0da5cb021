"""Between stored records and domain objects. The only place that knows both shapes."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from chalicelib.adapters.dynamodb.models import (
    AddressMap,
    AnnouncementRecord,
    BerichtenboxRecord,
    CaseHistoryRecord,
    CaseRecord,
    ContactMomentRecord,
    DocumentMap,
    ExtensionMap,
    FileMap,
    MessageMap,
    NotificationRecord,
    PointMap,
    QuestionRecord,
    StatusMap,
    SubscriberRecord,
    SubscriptionDefinitionRecord,
    SubscriptionEntryRecord,
    SuspensionMap,
)
from chalicelib.domain.announcements import Announcement, AnnouncementStatus
from chalicelib.domain.berichtenbox import BerichtenboxMessage
from chalicelib.domain.cases import (
    Case,
    CaseMessage,
    Counts,
    DocumentRequest,
    DocumentReview,
    Extension,
    HistoryEntry,
    HistoryKind,
    Link,
    Location,
    Medewerker,
    StatusEntry,
    SubmittedFile,
    Suspension,
    Verdict,
)
from chalicelib.domain.catalogue import Vertrouwelijkheid
from chalicelib.domain.contacts import ContactMoment
from chalicelib.domain.deadlines import work_order_key
from chalicelib.domain.durations import Duration
from chalicelib.domain.events import EventKind, Place
from chalicelib.domain.geo import Area, Circle, Polygon, polygon_from_geojson, polygon_to_geojson
from chalicelib.domain.language import Language
from chalicelib.domain.matching import Audience
from chalicelib.domain.notifications import Notification, NotificationStatus, held_shard_of
from chalicelib.domain.questions import Answer, Question
from chalicelib.domain.reference import Point
from chalicelib.domain.subscriptions import (
    Channel,
    Frequency,
    Interest,
    PostalAddress,
    Scope,
    Subscriber,
    Subscription,
    SubscriptionEntry,
    SubscriptionOrigin,
    SubscriptionState,
)
from chalicelib.domain.worklist import open_since_key


def _date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _document_to_map(d: DocumentRequest) -> DocumentMap:
    review = d.review
    return DocumentMap(
        id=d.id,
        omschrijving=d.omschrijving,
        requested_at=d.requested_at,
        requested_by=d.requested_by,
        due=_iso(d.due),
        received_at=d.received_at,
        files=[
            FileMap(
                id=f.id,
                filename=f.filename,
                content_type=f.content_type,
                size=f.size,
                sha256=f.sha256,
                uploaded_at=f.uploaded_at,
                uploaded_by=f.uploaded_by,
            )
            for f in d.files
        ]
        or None,
        verdict=review.verdict.value if review else None,
        verdict_at=review.at if review else None,
        verdict_by=review.by if review else None,
        verdict_reason=review.reason if review else None,
        reason=d.reason,
        replaces=d.replaces,
    )


def _map_to_document(d: DocumentMap) -> DocumentRequest:
    review = (
        DocumentReview(Verdict(d.verdict), d.verdict_at, d.verdict_by or "", d.verdict_reason)
        if d.verdict is not None and d.verdict_at is not None
        else None
    )
    files = tuple(
        SubmittedFile(f.id, f.filename, f.content_type, int(f.size), f.sha256, f.uploaded_at, f.uploaded_by)
        for f in d.files or ()
    )
    return DocumentRequest(
        d.id, d.omschrijving, d.requested_at, d.requested_by, _date(d.due), d.received_at, files, review, d.reason, d.replaces
    )


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
        gemachtigden=list(case.gemachtigden),
        gemeenten=list(case.location.gemeenten),
        point=PointMap(lat=case.location.point.lat, lon=case.location.point.lon) if case.location.point else None,
        vertrouwelijkheid=case.vertrouwelijkheid.value,
        statuses=[
            StatusMap(id=s.id, statustype=s.statustype, set_at=s.set_at, set_by=s.set_by, toelichting=s.toelichting)
            for s in case.statuses
        ],
        documents=[_document_to_map(d) for d in case.documents],
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
        decided_key=f"{case.zaaktype}#{case.closed_on:%Y-%m}" if case.closed_on else None,
        current_statustype=case.current_status.statustype,
        deadline_sort=work_order_key(case),
        open_since=open_since_key(case),
        status_count=case.counts.statuses,
        message_count=case.counts.messages,
        document_count=case.counts.documents,
        source=case.source,
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
        gemachtigden=tuple(str(s) for s in record.gemachtigden or ()),
        location=Location(
            tuple(str(g) for g in record.gemeenten or ()),
            Point(float(point.lat), float(point.lon)) if point is not None else None,
        ),
        vertrouwelijkheid=Vertrouwelijkheid(record.vertrouwelijkheid),
        statuses=tuple(StatusEntry(s.id, s.statustype, s.set_at, s.set_by, s.toelichting) for s in record.statuses or ()),
        documents=tuple(_map_to_document(d) for d in record.documents or ()),
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
        counts=Counts(
            int(record.status_count if record.status_count is not None else len(record.statuses or ())),
            int(record.message_count if record.message_count is not None else len(record.messages or ())),
            int(record.document_count if record.document_count is not None else len(record.documents or ())),
        ),
        source=record.source,
        version=int(record.version or 0),
    )


HISTORY_PREFIX = "history#"


def history_to_record(case_id: str, entry: HistoryEntry) -> CaseHistoryRecord:
    """One history entry as its own item in the case's collection (``case#<id>``, ``history#<key>``)."""
    item = entry.item
    record = CaseHistoryRecord(
        pk=f"case#{case_id}", sk=HISTORY_PREFIX + entry.key, case_id=case_id, kind=entry.kind.value, item_id=item.id, at=entry.at
    )
    if isinstance(item, StatusEntry):
        record.by, record.text, record.statustype = item.set_by, item.toelichting, item.statustype
    elif isinstance(item, CaseMessage):
        record.by, record.text = item.posted_by, item.text
        record.link_url, record.link_label = (item.link.url, item.link.label) if item.link else (None, None)
    else:
        record.by, record.text, record.requested_at, record.due = (
            item.requested_by,
            item.omschrijving,
            item.requested_at,
            _iso(item.due),
        )
    return record


def record_to_history(r: CaseHistoryRecord) -> HistoryEntry:
    kind = HistoryKind(r.kind)
    item: StatusEntry | CaseMessage | DocumentRequest
    if kind is HistoryKind.STATUS:
        item = StatusEntry(r.item_id, r.statustype or "", r.at, r.by, r.text)
    elif kind is HistoryKind.MESSAGE:
        item = CaseMessage(
            r.item_id, r.text or "", r.at, r.by, Link(r.link_url, r.link_label or r.link_url) if r.link_url else None
        )
    else:
        received = r.at if kind is HistoryKind.DOCUMENT_RECEIVED else None
        item = DocumentRequest(r.item_id, r.text or "", r.requested_at or r.at, r.by, _date(r.due), received)
    return HistoryEntry(kind, r.at, item)


def case_from_image(image: dict[str, Any] | None) -> Case | None:
    """A case from a DynamoDB stream image (DynamoDB JSON), or None for a missing image or another item kind."""
    if not image or image.get("kind", {}).get("S") != "case":
        return None
    return record_to_case(CaseRecord.from_raw_data(image))


def entry_to_record(entry: SubscriptionEntry) -> SubscriptionEntryRecord:
    circle = entry.circle
    return SubscriptionEntryRecord(
        interest=entry.interest.key,
        member=f"{entry.subscriber_id}#{entry.subscription_id}",
        subscription_id=entry.subscription_id,
        subscriber_id=entry.subscriber_id,
        circle=PointMap(lat=circle.center.lat, lon=circle.center.lon) if circle else None,
        radius_m=circle.radius_m if circle else None,
        needs_shape=entry.needs_shape,
    )


def record_to_entry(r: SubscriptionEntryRecord) -> SubscriptionEntry:
    circle = None
    if r.circle is not None and r.radius_m is not None:
        circle = Circle(Point(float(r.circle.lat), float(r.circle.lon)), float(r.radius_m))
    return SubscriptionEntry(
        interest=Interest.parse(r.interest),
        subscription_id=r.subscription_id,
        subscriber_id=r.subscriber_id,
        circle=circle,
        needs_shape=bool(r.needs_shape),
    )


def scope_to_json(scope: Scope) -> str:
    data: dict[str, Any] = {}
    if scope.case_id is not None:
        data["case_id"] = scope.case_id
    if scope.topics:
        data["topics"] = sorted(scope.topics)
    if scope.gemeenten:
        data["gemeenten"] = sorted(scope.gemeenten)
    if isinstance(scope.area, Circle):
        data["circle"] = {"lat": scope.area.center.lat, "lon": scope.area.center.lon, "radius_m": scope.area.radius_m}
    elif isinstance(scope.area, Polygon):
        data["polygon"] = polygon_to_geojson(scope.area)
    return json.dumps(data, separators=(",", ":"), sort_keys=True)


def scope_from_json(text: str) -> Scope:
    data = json.loads(text)
    area: Area | None = None
    if "circle" in data:
        circle = data["circle"]
        area = Circle(Point(float(circle["lat"]), float(circle["lon"])), float(circle["radius_m"]))
    elif "polygon" in data:
        area = polygon_from_geojson(data["polygon"], max_vertices=100_000)
    return Scope(
        case_id=data.get("case_id"),
        topics=frozenset(data.get("topics", ())),
        gemeenten=frozenset(data.get("gemeenten", ())),
        area=area,
    )


def definition_to_record(subscription: Subscription) -> SubscriptionDefinitionRecord:
    return SubscriptionDefinitionRecord(
        interest=f"subscription#{subscription.id}",
        member="definition",
        subscription_id=subscription.id,
        owner=subscription.subscriber_id,
        scope=scope_to_json(subscription.scope),
        origin=subscription.origin.value,
        state=subscription.state.value,
        created_at=subscription.created_at,
        expires_at=subscription.expires_at,
        revision=subscription.revision,
        indexed_revision=subscription.indexed_revision,
        previous_scopes=[scope_to_json(s) for s in subscription.previous_scopes] or None,
        index_progress=subscription.index_progress or None,
    )


def record_to_definition(r: SubscriptionDefinitionRecord) -> Subscription:
    revision = int(r.revision) if r.revision is not None else 1  # stored before revisions: indexed with it
    return Subscription(
        id=r.subscription_id,
        subscriber_id=r.owner,
        scope=scope_from_json(r.scope),
        origin=SubscriptionOrigin(r.origin),
        state=SubscriptionState(r.state),
        created_at=r.created_at,
        expires_at=r.expires_at,
        revision=revision,
        indexed_revision=int(r.indexed_revision) if r.indexed_revision is not None else revision,
        previous_scopes=tuple(scope_from_json(str(s)) for s in r.previous_scopes or ()),
        index_progress=int(r.index_progress or 0),
    )


def subscriber_to_record(subscriber: Subscriber, email_hash: str | None) -> SubscriberRecord:
    address = subscriber.postal_address
    return SubscriberRecord(
        subscriber_id=subscriber.id,
        email=subscriber.email,
        email_hash=email_hash,
        language=subscriber.language.value,
        channels={c.value for c in subscriber.channels} or None,
        frequency=subscriber.frequency.value,
        quiet_hours=subscriber.quiet_hours,
        postal_address=AddressMap(**address.__dict__) if address else None,
        created_at=subscriber.created_at,
        expires_at=subscriber.expires_at,
    )


def record_to_subscriber(record: SubscriberRecord) -> Subscriber:
    address = record.postal_address
    return Subscriber(
        id=record.subscriber_id,
        email=record.email,
        language=Language(record.language),
        channels=frozenset(Channel(c) for c in record.channels or ()),
        created_at=record.created_at,
        frequency=Frequency(record.frequency or "immediately"),
        quiet_hours=bool(record.quiet_hours),
        postal_address=(
            PostalAddress(address.naam, address.straat, address.huisnummer, address.postcode, address.woonplaats)
            if address
            else None
        ),
        expires_at=record.expires_at,
    )


def held_shard(subscriber_id: str) -> str:
    """Held notifications are spread over ``HELD_SHARDS`` index partitions by subscriber, so the digest job of
    one shard finds all of a person's held items."""
    return f"held#{held_shard_of(subscriber_id)}"


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
        party_case=n.case_id if n.audience is Audience.PARTY else None,
        created_at=n.created_at,
        updated_at=n.updated_at,
        attempts=n.attempts,
        claimed_until=n.claimed_until,
        reason=n.reason,
        provider_message_id=n.provider_message_id,
        subscription_id=n.subscription_id,
        hold_until=n.hold_until,
        held_shard=held_shard(n.subscriber_id) if n.status is NotificationStatus.HELD else None,
        digest_items=list(n.digest_items) or None,
        maybe_sent=n.maybe_sent or None,
        bundled_in=n.bundled_in,
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
        subscription_id=r.subscription_id,
        hold_until=r.hold_until,
        digest_items=tuple(str(i) for i in r.digest_items or ()),
        maybe_sent=bool(r.maybe_sent),
        bundled_in=r.bundled_in,
    )


def berichtenbox_to_record(m: BerichtenboxMessage) -> BerichtenboxRecord:
    return BerichtenboxRecord(
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
        case_box=f"{m.subscriber_id}#{m.case_id}" if m.case_id else None,
        language=m.language.value if m.language else None,
    )


def record_to_berichtenbox(r: BerichtenboxRecord) -> BerichtenboxMessage:
    return BerichtenboxMessage(
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
        language=Language(r.language) if r.language in ("nl", "en") else None,
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
        for_applicant=moment.for_applicant,
        vraagonderwerp=moment.vraagonderwerp,
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
        for_applicant=r.for_applicant or None,
        vraagonderwerp=r.vraagonderwerp or None,
    )


QUESTION_PREFIX = "question#"


def question_sk(question: Question) -> str:
    return f"{QUESTION_PREFIX}{question.asked_at.isoformat()}#{question.id}"


def question_to_record(question: Question) -> QuestionRecord:
    answer = question.answer
    return QuestionRecord(
        pk=f"case#{question.case_id}",
        sk=question_sk(question),
        question_id=question.id,
        case_id=question.case_id,
        text=question.text,
        asked_at=question.asked_at,
        asked_by=question.asked_by,
        on_behalf_of=question.on_behalf_of,
        due=question.due.isoformat(),
        answer_text=answer.text if answer else None,
        answered_at=answer.at if answer else None,
        answered_by_id=answer.by.id if answer else None,
        answered_by_naam=answer.by.naam if answer else None,
        answer_message_id=answer.message_id if answer else None,
        vraagonderwerp=question.vraagonderwerp,
    )


def record_to_question(r: QuestionRecord) -> Question:
    answer = None
    if r.answered_at is not None:
        answer = Answer(
            text=r.answer_text or "",
            at=r.answered_at,
            by=Medewerker(r.answered_by_id or "", r.answered_by_naam or ""),
            message_id=r.answer_message_id or "",
        )
    return Question(
        id=r.question_id,
        case_id=r.case_id,
        text=r.text,
        asked_at=r.asked_at,
        asked_by=r.asked_by,
        on_behalf_of=r.on_behalf_of,
        due=date.fromisoformat(r.due),
        answer=answer,
        vraagonderwerp=r.vraagonderwerp or None,
    )


def announcement_to_record(a: Announcement) -> AnnouncementRecord:
    geometry = a.place.geometry
    record = AnnouncementRecord(
        case_id=a.id,
        title=a.title,
        text=a.text,
        topic=a.topic,
        gemeenten=list(a.place.gemeenten),
        point=PointMap(lat=geometry.lat, lon=geometry.lon) if isinstance(geometry, Point) else None,
        polygon=json.dumps(polygon_to_geojson(geometry)) if isinstance(geometry, Polygon) else None,
        link_url=a.link.url if a.link else None,
        link_label=a.link.label if a.link else None,
        author_id=a.author.id,
        author_naam=a.author.naam,
        created_at=a.created_at,
        status=a.status.value,
        submitted_at=a.submitted_at,
        decided_by_id=a.decided_by.id if a.decided_by else None,
        decided_by_naam=a.decided_by.naam if a.decided_by else None,
        decided_at=a.decided_at,
        rejection_reason=a.rejection_reason,
    )
    if a.version:
        record.version = a.version
    return record


def record_to_announcement(r: AnnouncementRecord) -> Announcement:
    geometry: Point | Polygon | None = None
    if r.point is not None:
        geometry = Point(float(r.point.lat), float(r.point.lon))
    elif r.polygon:
        geometry = polygon_from_geojson(json.loads(r.polygon), max_vertices=100_000)
    return Announcement(
        id=r.case_id,
        title=r.title,
        text=r.text,
        topic=r.topic,
        place=Place(tuple(str(g) for g in r.gemeenten or ()), geometry),
        author=Medewerker(r.author_id, r.author_naam),
        created_at=r.created_at,
        status=AnnouncementStatus(r.status),
        link=Link(r.link_url, r.link_label or r.link_url) if r.link_url else None,
        submitted_at=r.submitted_at,
        decided_by=Medewerker(r.decided_by_id, r.decided_by_naam or r.decided_by_id) if r.decided_by_id else None,
        decided_at=r.decided_at,
        rejection_reason=r.rejection_reason,
        version=int(r.version or 0),
    )


def image_kind(image: dict[str, Any] | None) -> str | None:
    """What a stream image holds: "case", "announcement", or None."""
    return image.get("kind", {}).get("S") if image else None


def announcement_from_image(image: dict[str, Any] | None) -> Announcement | None:
    if image is None or image_kind(image) != "announcement":
        return None
    return record_to_announcement(AnnouncementRecord.from_raw_data(image))
