"""pynamodb models: the stored shape of Baken's data. Keys and indexes mirror infra/data.json exactly
(a test compares them). Nothing outside this adapter sees these classes."""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model

from chalicelib.config import Settings


class StatusMap(MapAttribute[str, Any]):
    id = UnicodeAttribute()
    statustype = UnicodeAttribute()
    set_at = UTCDateTimeAttribute()
    set_by = UnicodeAttribute()
    toelichting = UnicodeAttribute(null=True)


class FileMap(MapAttribute[str, Any]):
    id = UnicodeAttribute()
    filename = UnicodeAttribute()
    content_type = UnicodeAttribute()
    size = NumberAttribute()
    sha256 = UnicodeAttribute()
    uploaded_at = UTCDateTimeAttribute()
    uploaded_by = UnicodeAttribute()


class DocumentMap(MapAttribute[str, Any]):
    id = UnicodeAttribute()
    omschrijving = UnicodeAttribute()
    requested_at = UTCDateTimeAttribute()
    requested_by = UnicodeAttribute()
    due = UnicodeAttribute(null=True)
    received_at = UTCDateTimeAttribute(null=True)
    # Files sent in, the behandelaar's verdict, and for a request asked again why and which it replaces (absent
    # on older items).
    files = ListAttribute[FileMap](of=FileMap, null=True)
    verdict = UnicodeAttribute(null=True)
    verdict_at = UTCDateTimeAttribute(null=True)
    verdict_by = UnicodeAttribute(null=True)
    verdict_reason = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    replaces = UnicodeAttribute(null=True)


class MessageMap(MapAttribute[str, Any]):
    id = UnicodeAttribute()
    text = UnicodeAttribute()
    posted_at = UTCDateTimeAttribute()
    posted_by = UnicodeAttribute()
    link_url = UnicodeAttribute(null=True)
    link_label = UnicodeAttribute(null=True)


class SuspensionMap(MapAttribute[str, Any]):
    start = UnicodeAttribute()
    reden = UnicodeAttribute()
    end = UnicodeAttribute(null=True)


class ExtensionMap(MapAttribute[str, Any]):
    duur = UnicodeAttribute()
    reden = UnicodeAttribute()
    set_at = UTCDateTimeAttribute()


class PointMap(MapAttribute[str, Any]):
    lat = NumberAttribute()
    lon = NumberAttribute()


class CaseNumberIndex(GlobalSecondaryIndex["CaseRecord"]):
    class Meta:
        index_name = "by_case_number"
        projection = AllProjection()

    case_number = UnicodeAttribute(hash_key=True)


class BehandelaarIndex(GlobalSecondaryIndex["CaseRecord"]):
    """A behandelaar's cases ordered by deadline (the work list)."""

    class Meta:
        index_name = "by_behandelaar"
        projection = AllProjection()

    behandelaar_id = UnicodeAttribute(hash_key=True)
    deadline_sort = UnicodeAttribute(range_key=True)


class OpenSinceIndex(GlobalSecondaryIndex["CaseRecord"]):
    """A behandelaar's open cases by the moment they were registered (the work list, newest first). Sparse:
    ``open_since`` is only on open cases."""

    class Meta:
        index_name = "by_behandelaar_open_since"
        projection = AllProjection()

    behandelaar_id = UnicodeAttribute(hash_key=True)
    open_since = UnicodeAttribute(range_key=True)


class DecidedIndex(GlobalSecondaryIndex["CaseRecord"]):
    """The decided cases of a zaaktype per month (``decided_key`` = ``<zaaktype>#<YYYY-MM>``, only on decided
    cases): for recomputing the servicenorm figures from the cases themselves."""

    class Meta:
        index_name = "by_decided"
        projection = KeysOnlyProjection()

    decided_key = UnicodeAttribute(hash_key=True)
    case_id = UnicodeAttribute(range_key=True)


class CaseRecord(Model):
    """One item per case: its current state and the tail of its history (the last few statuses and messages; open
    document requests and the last few requested or received; see ``domain.cases.TAIL``), so a stream record's
    images still show what one command added. The full history is ``CaseHistoryRecord`` items."""

    class Meta:
        table_name = "baken-local-cases"

    case_id = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute(default="case")
    case_number = UnicodeAttribute()
    zaaktype = UnicodeAttribute()
    omschrijving = UnicodeAttribute()
    startdatum = UnicodeAttribute()
    registered_at = UTCDateTimeAttribute()
    doorlooptijd = UnicodeAttribute()
    servicenorm = UnicodeAttribute(null=True)
    behandelaar_id = UnicodeAttribute()
    behandelaar_naam = UnicodeAttribute()
    initiator = UnicodeAttribute()
    co_initiators = ListAttribute(of=UnicodeAttribute, default=list)
    gemachtigden = ListAttribute(of=UnicodeAttribute, default=list)
    gemeenten = ListAttribute(of=UnicodeAttribute, default=list)
    point = PointMap(null=True)
    vertrouwelijkheid = UnicodeAttribute()
    statuses = ListAttribute[StatusMap](of=StatusMap, default=list)
    documents = ListAttribute[DocumentMap](of=DocumentMap, default=list)
    messages = ListAttribute[MessageMap](of=MessageMap, default=list)
    suspensions = ListAttribute[SuspensionMap](of=SuspensionMap, default=list)
    extension = ExtensionMap(null=True)
    closed_on = UnicodeAttribute(null=True)
    current_statustype = UnicodeAttribute()
    deadline_sort = UnicodeAttribute()
    open_since = UnicodeAttribute(null=True)  # registered_at (UTC) while the case is open; absent once closed
    # How many statuses, messages and document requests the case has had in all (absent on older items).
    status_count = NumberAttribute(null=True)
    message_count = NumberAttribute(null=True)
    document_count = NumberAttribute(null=True)
    # the zaak's URL when a zaaksysteem owns the case
    source = UnicodeAttribute(null=True)
    decided_key = UnicodeAttribute(null=True)  # <zaaktype>#<YYYY-MM of closed_on>, on decided cases only
    version = VersionAttribute()

    by_case_number = CaseNumberIndex()
    by_behandelaar = BehandelaarIndex()
    by_behandelaar_open_since = OpenSinceIndex()
    by_decided = DecidedIndex()


class AnnouncementRecord(Model):
    """An announcement, in the cases table (``kind`` = announcement) so its approval reaches the same stream."""

    class Meta:
        table_name = "baken-local-cases"

    case_id = UnicodeAttribute(hash_key=True)
    kind = UnicodeAttribute(default="announcement")
    title = UnicodeAttribute()
    text = UnicodeAttribute()
    topic = UnicodeAttribute()
    gemeenten = ListAttribute(of=UnicodeAttribute, default=list)
    point = PointMap(null=True)
    polygon = UnicodeAttribute(null=True)
    link_url = UnicodeAttribute(null=True)
    link_label = UnicodeAttribute(null=True)
    author_id = UnicodeAttribute()
    author_naam = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    status = UnicodeAttribute()
    submitted_at = UTCDateTimeAttribute(null=True)
    decided_by_id = UnicodeAttribute(null=True)
    decided_by_naam = UnicodeAttribute(null=True)
    decided_at = UTCDateTimeAttribute(null=True)
    rejection_reason = UnicodeAttribute(null=True)
    version = VersionAttribute()


class CaseIndexRecord(Model):
    """Who may see which case (``party#<subject>`` → ``case#<registered>#<id>``), case number sequences, the
    announcement list, and rate-limit windows (``limit#…``: ``moments``, with ``counter`` as revision; expiring
    through ``expires_at``)."""

    class Meta:
        table_name = "baken-local-case-index"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    case_id = UnicodeAttribute(null=True)
    role = UnicodeAttribute(null=True)
    counter = NumberAttribute(null=True)
    moments: ListAttribute[float] = ListAttribute(of=NumberAttribute, null=True)  # type: ignore[arg-type]  # stubs: of=
    expires_at = TTLAttribute(null=True)


class ContactMomentRecord(Model):
    """A contact moment, kept in the case-index table under ``case#<id>`` so the case item is never written."""

    class Meta:
        table_name = "baken-local-case-index"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    contact_id = UnicodeAttribute()
    case_id = UnicodeAttribute()
    kanaal = UnicodeAttribute()
    onderwerp = UnicodeAttribute()
    inhoud = UnicodeAttribute()
    plaatsgevonden_op = UTCDateTimeAttribute()
    medewerker_id = UnicodeAttribute()
    medewerker_naam = UnicodeAttribute()
    taal = UnicodeAttribute()
    vertrouwelijk = BooleanAttribute()
    contact_gelukt = BooleanAttribute()
    tags = ListAttribute(of=UnicodeAttribute, default=list)
    # the sentence for the applicant; absent on moments stored before it existed (their note stays internal)
    for_applicant = UnicodeAttribute(null=True)
    vraagonderwerp = UnicodeAttribute(null=True)  # absent on moments stored before onderwerpen were counted


class QuestionRecord(Model):
    """A question an applicant asked about a case, in the case-index table under ``case#<id>`` beside its contact
    moment: ``sk`` is ``question#<asked at>#<id>``, so one Query reads a case's questions newest first. The answer
    is kept on it once given (``answered_at`` exists only then)."""

    class Meta:
        table_name = "baken-local-case-index"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    question_id = UnicodeAttribute()
    case_id = UnicodeAttribute()
    text = UnicodeAttribute()
    asked_at = UTCDateTimeAttribute()
    asked_by = UnicodeAttribute()
    on_behalf_of = UnicodeAttribute()
    due = UnicodeAttribute()
    answer_text = UnicodeAttribute(null=True)
    answered_at = UTCDateTimeAttribute(null=True)
    answered_by_id = UnicodeAttribute(null=True)
    answered_by_naam = UnicodeAttribute(null=True)
    answer_message_id = UnicodeAttribute(null=True)
    vraagonderwerp = UnicodeAttribute(null=True)


class QuestionClaimRecord(Model):
    """The claim on a question's id, ``question-id#<id>`` under ``case#<id>``: written with the question, so the
    same form sent twice stores one question; ``question_sk`` says where the question is."""

    class Meta:
        table_name = "baken-local-case-index"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    question_sk = UnicodeAttribute()


class QuestionTallyRecord(Model):
    """Questions counted for one product (``questions#<zaaktype>``), week and onderwerp, kept twice so both readings
    are one Query: ``week#<week>#<onderwerp>`` (a product's recent weeks) and ``topic#<onderwerp>#<week>`` (one
    onderwerp around the day its veelgestelde vraag was published). ``questions`` and ``answered`` (at the first
    contact) are counters, added to in the transaction that stores the contact moment."""

    class Meta:
        table_name = "baken-local-case-index"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    week = UnicodeAttribute(null=True)
    topic = UnicodeAttribute(null=True)
    questions = NumberAttribute(null=True)
    answered = NumberAttribute(null=True)


class FaqRecord(Model):
    """A veelgestelde vraag, ``faq#<zaaktype>`` / ``topic#<onderwerp>``: one Query reads a product's. It is saved
    on the condition that ``updated_at`` is still what the editor read, so two behandelaars saving at once is a
    conflict instead of a lost edit."""

    class Meta:
        table_name = "baken-local-case-index"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    zaaktype = UnicodeAttribute()
    topic = UnicodeAttribute()
    vraag_nl = UnicodeAttribute()
    antwoord_nl = UnicodeAttribute()
    vraag_en = UnicodeAttribute(null=True)
    antwoord_en = UnicodeAttribute(null=True)
    published_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    updated_by_id = UnicodeAttribute()
    updated_by_naam = UnicodeAttribute()


class CaseHistoryRecord(Model):
    """One entry of a case's history (a status, message, document request or receipt), in the case-index table
    under ``case#<id>`` beside the contact moments: ``sk`` is ``history#<moment>#<kind>#<id>`` (the moment in
    fixed-width UTC), so one Query reads a page of them newest first. Written once, in the same transaction as the
    case item it belongs to. ``text`` is the toelichting, message text or document omschrijving."""

    class Meta:
        table_name = "baken-local-case-index"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    case_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    item_id = UnicodeAttribute()
    at = UTCDateTimeAttribute()
    by = UnicodeAttribute()
    text = UnicodeAttribute(null=True)
    statustype = UnicodeAttribute(null=True)
    link_url = UnicodeAttribute(null=True)
    link_label = UnicodeAttribute(null=True)
    requested_at = UTCDateTimeAttribute(null=True)
    due = UnicodeAttribute(null=True)


class SubscriptionEntryRecord(Model):
    """Interest key → the subscriptions indexed under it, with what matching needs (no preferences: those are
    read from the subscriber record): the audience of one interest key is one Query. ``member`` is
    ``<subscriber>#<subscription>``."""

    class Meta:
        table_name = "baken-local-subscriptions"

    interest = UnicodeAttribute(hash_key=True)
    member = UnicodeAttribute(range_key=True)
    subscription_id = UnicodeAttribute()
    subscriber_id = UnicodeAttribute()
    circle = PointMap(null=True)
    radius_m = NumberAttribute(null=True)
    needs_shape = BooleanAttribute(default=False)


class OwnerIndex(GlobalSecondaryIndex["SubscriptionDefinitionRecord"]):
    class Meta:
        index_name = "by_owner"
        projection = AllProjection()

    owner = UnicodeAttribute(hash_key=True)
    interest = UnicodeAttribute(range_key=True)


class SubscriptionDefinitionRecord(Model):
    """What a subscription follows, stored once under ``subscription#<id>`` (sort key ``definition``)."""

    class Meta:
        table_name = "baken-local-subscriptions"

    interest = UnicodeAttribute(hash_key=True)
    member = UnicodeAttribute(range_key=True, default="definition")
    subscription_id = UnicodeAttribute()
    owner = UnicodeAttribute()
    scope = UnicodeAttribute()
    origin = UnicodeAttribute()
    state = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    expires_at = TTLAttribute(null=True)  # a pending request nobody confirmed
    # The index is built off the request (services/indexing.py): each write of the definition is a revision,
    # conditional on the one before; the indexer records its progress and, at the end, the revision indexed.
    # A definition stored before that (no revision) was indexed with it: revision 1, indexed.
    revision = NumberAttribute(null=True)
    indexed_revision = NumberAttribute(null=True)
    previous_scopes = ListAttribute(of=UnicodeAttribute, null=True)  # scope JSON whose entries may remain
    index_progress = NumberAttribute(null=True)

    by_owner = OwnerIndex()


class AddressMap(MapAttribute[str, Any]):
    naam = UnicodeAttribute()
    straat = UnicodeAttribute()
    huisnummer = UnicodeAttribute()
    postcode = UnicodeAttribute()
    woonplaats = UnicodeAttribute()


class EmailHashIndex(GlobalSecondaryIndex["SubscriberRecord"]):
    class Meta:
        index_name = "by_email_hash"
        projection = KeysOnlyProjection()

    email_hash = UnicodeAttribute(hash_key=True)


class SubscriberRecord(Model):
    """The only place personal contact data lives."""

    class Meta:
        table_name = "baken-local-subscribers"

    subscriber_id = UnicodeAttribute(hash_key=True)
    email = UnicodeAttribute(null=True)
    email_hash = UnicodeAttribute(null=True)
    language = UnicodeAttribute()
    channels = UnicodeSetAttribute(null=True)
    frequency = UnicodeAttribute(default="immediately")
    quiet_hours = BooleanAttribute(default=True)
    postal_address = AddressMap(null=True)
    created_at = UTCDateTimeAttribute()
    expires_at = TTLAttribute(null=True)  # an address nobody confirmed

    by_email_hash = EmailHashIndex()


class NotificationsByCase(GlobalSecondaryIndex["NotificationRecord"]):
    class Meta:
        index_name = "by_case"
        projection = AllProjection()

    case_id = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class NotificationsToParties(GlobalSecondaryIndex["NotificationRecord"]):
    """What the parties of a case were sent, newest first: ``party_case`` exists only on their notifications (a
    sparse index), so a public case's followers never crowd them out."""

    class Meta:
        index_name = "by_party_case"
        projection = AllProjection()

    party_case = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class NotificationsByHold(GlobalSecondaryIndex["NotificationRecord"]):
    """Held e-mails by the moment they may go, spread over a few shards: what the digest run looks for."""

    class Meta:
        index_name = "by_hold"
        projection = AllProjection()

    held_shard = UnicodeAttribute(hash_key=True)
    hold_until = UTCDateTimeAttribute(range_key=True)


class NotificationsByOpenStatus(GlobalSecondaryIndex["NotificationRecord"]):
    """Notifications not yet final, by status and age: what a reconciler looks for."""

    class Meta:
        index_name = "by_open_status"
        projection = KeysOnlyProjection()

    open_status = UnicodeAttribute(hash_key=True)
    updated_at = UTCDateTimeAttribute(range_key=True)


class NotificationsByProviderId(GlobalSecondaryIndex["NotificationRecord"]):
    """The notification an e-mail provider's message id belongs to (for bounces and complaints)."""

    class Meta:
        index_name = "by_provider_id"
        projection = KeysOnlyProjection()

    provider_message_id = UnicodeAttribute(hash_key=True)


class NotificationRecord(Model):
    """Outbox and delivery record. ``open_status`` exists only while not final (a sparse index)."""

    class Meta:
        table_name = "baken-local-notifications"

    notification_id = UnicodeAttribute(hash_key=True)
    event_id = UnicodeAttribute()
    event_kind = UnicodeAttribute()
    case_id = UnicodeAttribute()
    ref = UnicodeAttribute()
    subscriber_id = UnicodeAttribute()
    channel = UnicodeAttribute()
    language = UnicodeAttribute()
    audience = UnicodeAttribute()
    status = UnicodeAttribute()
    open_status = UnicodeAttribute(null=True)
    party_case = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute()
    attempts = NumberAttribute(default=0)
    claimed_until = UTCDateTimeAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    provider_message_id = UnicodeAttribute(null=True)
    subscription_id = UnicodeAttribute(null=True)
    hold_until = UTCDateTimeAttribute(null=True)
    held_shard = UnicodeAttribute(null=True)
    digest_items = ListAttribute(of=UnicodeAttribute, null=True)
    maybe_sent = BooleanAttribute(null=True)
    bundled_in = UnicodeAttribute(null=True)
    expires_at = TTLAttribute()

    by_case = NotificationsByCase()
    to_parties = NotificationsToParties()
    by_open_status = NotificationsByOpenStatus()
    by_hold = NotificationsByHold()
    by_provider_id = NotificationsByProviderId()


class UnreadIndex(GlobalSecondaryIndex["BerichtenboxRecord"]):
    class Meta:
        index_name = "unread"
        projection = KeysOnlyProjection()

    unread_by = UnicodeAttribute(hash_key=True)
    message_id = UnicodeAttribute(range_key=True)


class BoxCaseIndex(GlobalSecondaryIndex["BerichtenboxRecord"]):
    """A person's messages about one case, newest first: ``case_box`` is ``<subscriber>#<case>``."""

    class Meta:
        index_name = "by_case"
        projection = AllProjection()

    case_box = UnicodeAttribute(hash_key=True)
    message_id = UnicodeAttribute(range_key=True)


class BerichtenboxRecord(Model):
    """Berichtenbox. ``unread_by`` exists only while unread, so counting unread is one small Query; ``case_box``
    (``<subscriber>#<case>``) lists one person's messages about one case with one Query on ``by_case``."""

    class Meta:
        table_name = "baken-local-inbox"

    subscriber_id = UnicodeAttribute(hash_key=True)
    message_id = UnicodeAttribute(range_key=True)
    notification_id = UnicodeAttribute()
    case_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    title = UnicodeAttribute()
    body = UnicodeAttribute()
    link_url = UnicodeAttribute(null=True)
    link_label = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    read_at = UTCDateTimeAttribute(null=True)
    unread_by = UnicodeAttribute(null=True)
    case_box = UnicodeAttribute(null=True)
    language = UnicodeAttribute(null=True)

    unread = UnreadIndex()
    by_case = BoxCaseIndex()


class SessionItem(Model):
    """The server's side of a pages' session, in the case-index table under ``session#<id>`` (sort key
    ``session``), removed by the table's TTL when the session's absolute lifetime ends."""

    class Meta:
        table_name = "baken-local-case-index"
        region = "eu-west-1"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    subject = UnicodeAttribute()
    realm = UnicodeAttribute()
    roles = UnicodeSetAttribute(null=True)
    last_seen = NumberAttribute()
    roles_checked = NumberAttribute()
    sealed_refresh = UnicodeAttribute(null=True)
    ended = BooleanAttribute(null=True)
    expires_at = TTLAttribute()


class FanOutProgressItem(Model):
    """How far the fan-out of one event is, in the case-index table under ``progress#<event id>`` (sort key
    ``progress``): the job ids planned and done (sets, so planning or finishing a job twice counts once) and the
    notifications the done jobs wrote (ADDed in the same conditional update that adds the job to ``done``)."""

    class Meta:
        table_name = "baken-local-case-index"
        region = "eu-west-1"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    subject_id = UnicodeAttribute(null=True)
    planned = UnicodeSetAttribute(null=True)
    done = UnicodeSetAttribute(null=True)
    created = NumberAttribute(null=True)
    held = NumberAttribute(null=True)
    expires_at = TTLAttribute(null=True)


ALL_MODELS: tuple[type[Model], ...] = (
    CaseRecord,
    AnnouncementRecord,
    CaseIndexRecord,
    ContactMomentRecord,
    QuestionRecord,
    QuestionClaimRecord,
    QuestionTallyRecord,
    FaqRecord,
    CaseHistoryRecord,
    SubscriptionEntryRecord,
    SubscriptionDefinitionRecord,
    SubscriberRecord,
    NotificationRecord,
    BerichtenboxRecord,
    SessionItem,
    FanOutProgressItem,
)


def point_at(model: type[Model], table_name: str, region: str) -> None:
    """Point one model at a table and region (an adapter made with its table's name), dropping a cached
    connection when they change."""
    if model.Meta.table_name != table_name or model.Meta.region != region:
        model.Meta.table_name = table_name
        model.Meta.region = region
        model._connection = None


def bind(settings: Settings) -> None:
    """Point the models at this stage's tables and region, dropping any cached connection."""
    names = {
        CaseRecord: settings.tables.cases,
        AnnouncementRecord: settings.tables.cases,
        CaseIndexRecord: settings.tables.case_index,
        ContactMomentRecord: settings.tables.case_index,
        QuestionRecord: settings.tables.case_index,
        QuestionClaimRecord: settings.tables.case_index,
        QuestionTallyRecord: settings.tables.case_index,
        FaqRecord: settings.tables.case_index,
        CaseHistoryRecord: settings.tables.case_index,
        SubscriptionEntryRecord: settings.tables.subscriptions,
        SubscriptionDefinitionRecord: settings.tables.subscriptions,
        SubscriberRecord: settings.tables.subscribers,
        NotificationRecord: settings.tables.notifications,
        BerichtenboxRecord: settings.tables.berichtenbox,
        SessionItem: settings.tables.case_index,
        FanOutProgressItem: settings.tables.case_index,
    }
    for model, table_name in names.items():
        model.Meta.table_name = table_name
        model.Meta.region = settings.region
        model._connection = None
