"""A case (zaak) and what a behandelaar can do with it, modelled on the ZGW Zaken API.

A case is an immutable value. Each command returns a new case or raises a domain error; nothing here
reads a clock or stores anything, so every rule can be tested on its own. A case holds the tail of its history
(``TAIL``); ``history_added`` says what a change adds to the full history, which is stored beside it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from enum import StrEnum

from chalicelib.domain.catalogue import Vertrouwelijkheid, Zaaktype
from chalicelib.domain.documents import MAX_FILES_PER_DOCUMENT
from chalicelib.domain.durations import Duration
from chalicelib.domain.errors import CaseRuleError, DocumentRequestNotFoundError, ValidationError
from chalicelib.domain.reference import Point
from chalicelib.domain.workdays import amsterdam_date

# A case is one DynamoDB item (at most 400 KB, counted in bytes) with its current state and what the pages need at
# a glance; its full history (every status, message, document request and receipt) is kept as items of their own
# beside it (``HistoryEntry``), so the history has no bound. The item keeps a TAIL: the last few statuses and
# messages, and the documents still open plus the last few requested or received, so that a stream record's old and
# new images still show what one command added (a command adds at most one status or message, and its documents
# are open). What the item keeps besides grows only within these bounds:
TAIL = 5
LIMITS = {"open_documents": 50, "suspensions": 20, "gemachtigden": 20}
# Each text a command stores, at most this many bytes in UTF-8 (as DynamoDB counts them; one character may take
# four). Each is at least four times the characters the ZGW field allows, so every text ZGW accepts fits in any
# script (1,000 emoji are 4,000 bytes). The request schemas refuse more with 400 naming the field and the limit;
# the commands below check again, so a direct call cannot write more either. With TAIL and LIMITS this bounds the
# case item (``tests/unit/adapters/test_case_item_size.py`` computes the worst case: far below 400 KB).
TEXT_BYTES = {
    "omschrijving": 320,  # the case's (ZGW: 80 characters)
    "toelichting": 4_000,  # a status's (ZGW statustoelichting: 1,000)
    "text": 8_000,  # a message's (2,000 characters)
    "link.url": 2_000,
    "link.label": 480,  # 120 characters
    "documents.omschrijving": 800,  # a document request's (200 characters)
    "reden": 4_000,  # of a suspension or extension (ZGW: 1,000)
    "reason": 1_000,  # why a document is asked again (250 characters)
    "filename": 200,  # a sent-in file's name (documents.MAX_FILENAME characters; sanitise_filename keeps it within)
}
# A case number (ZGW ``identificatie``: at most 40 characters) such as SUB-2026-000123. A longer one names no
# case and is refused before it is looked up (a DynamoDB key holds at most 2,048 bytes).
MAX_CASE_NUMBER_LENGTH = 40
# What a zaaksysteem sets on the cases it owns (``Case.source``): Baken reads it from there and never sets it itself.
# Messages and document requests stay Baken's own.
SET_BY_ZAAKSYSTEEM = frozenset({"set_status", "extend", "suspend", "resume", "add_gemachtigde"})


class PartyRole(StrEnum):
    """The part somebody plays in a case (ZGW ``omschrijvingGeneriek``; a gemachtigde by ``indicatieMachtiging``)."""

    INITIATOR = "initiator"
    MEDE_INITIATOR = "mede_initiator"
    GEMACHTIGDE = "gemachtigde"


@dataclass(frozen=True)
class Medewerker:
    """An employee of the province; ``id`` is their stable employee subject."""

    id: str
    naam: str


@dataclass(frozen=True)
class StatusEntry:
    """ZGW Status: each change is a new entry (``statustype``, ``datumStatusGezet``, ``gezetdoor``)."""

    id: str
    statustype: str
    set_at: datetime
    set_by: str
    toelichting: str | None = None


@dataclass(frozen=True)
class SubmittedFile:
    """A file the applicant sent in for a requested document: its (sanitised) name, kind, size and SHA-256
    (base64, as S3 gives it), kept under ``documents.stored_key(case, document, id)``."""

    id: str
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: datetime
    uploaded_by: str


class Verdict(StrEnum):
    ACCEPTED = "accepted"  # geaccepteerd
    ASKED_AGAIN = "asked_again"  # opnieuw gevraagd: a new request replaces this one


@dataclass(frozen=True)
class DocumentReview:
    """What the behandelaar decided about a received document; ``reason`` says why it is asked again."""

    verdict: Verdict
    at: datetime
    by: str
    reason: str | None = None


class DocumentState(StrEnum):
    REQUESTED = "requested"  # still open: nothing (acceptable) came in yet
    RECEIVED = "received"  # ontvangen, nog niet beoordeeld
    ACCEPTED = "accepted"  # geaccepteerd
    ASKED_AGAIN = "asked_again"  # not accepted; the request that replaces it is open


@dataclass(frozen=True)
class DocumentRequest:
    """A document the behandelaar asked the applicant for, when it came in (sent in here, or marked received
    when it came by post), the files sent in, and the behandelaar's verdict. A request asked again names the
    reason and the request it ``replaces``."""

    id: str
    omschrijving: str
    requested_at: datetime
    requested_by: str
    due: date | None = None
    received_at: datetime | None = None
    files: tuple[SubmittedFile, ...] = ()
    review: DocumentReview | None = None
    reason: str | None = None
    replaces: str | None = None

    @property
    def received(self) -> bool:
        return self.received_at is not None

    @property
    def state(self) -> DocumentState:
        if self.review is not None:
            return DocumentState(self.review.verdict.value)
        return DocumentState.RECEIVED if self.received else DocumentState.REQUESTED

    @property
    def unfinished(self) -> bool:
        """Open, or received and waiting for the behandelaar's verdict: the case item always keeps it."""
        return self.state in (DocumentState.REQUESTED, DocumentState.RECEIVED)


@dataclass(frozen=True)
class Link:
    url: str
    label: str


@dataclass(frozen=True)
class CaseMessage:
    """A message from the behandelaar to the applicants, optionally pointing somewhere (e.g. the DSO)."""

    id: str
    text: str
    posted_at: datetime
    posted_by: str
    link: Link | None = None


@dataclass(frozen=True)
class Suspension:
    """ZGW opschorting: while open (no ``end``), the handling period stands still."""

    start: date
    reden: str
    end: date | None = None


@dataclass(frozen=True)
class Extension:
    """ZGW verlenging: the handling period is extended once by ``duur``."""

    duur: Duration
    reden: str
    set_at: datetime


@dataclass(frozen=True)
class Location:
    gemeenten: tuple[str, ...]
    point: Point | None = None


@dataclass(frozen=True)
class Counts:
    """How many statuses, messages and document requests the case has had in all (its history holds each)."""

    statuses: int = 0
    messages: int = 0
    documents: int = 0


class HistoryKind(StrEnum):
    STATUS = "status"
    MESSAGE = "message"
    DOCUMENT_REQUESTED = "document"
    DOCUMENT_RECEIVED = "received"


@dataclass(frozen=True)
class HistoryEntry:
    """One thing that happened to a case, kept as an item of its own: a status, a message, a document request,
    or its receipt (``item`` is then the request with ``received_at``). ``key`` (fixed-width UTC moment, kind,
    id) orders them in time as text."""

    kind: HistoryKind
    at: datetime
    item: StatusEntry | CaseMessage | DocumentRequest

    @property
    def ref(self) -> str:
        return self.item.id

    @property
    def key(self) -> str:
        return f"{self.at.astimezone(UTC):%Y-%m-%dT%H:%M:%S.%fZ}#{self.kind.value}#{self.item.id}"


@dataclass(frozen=True)
class HistoryPage:
    """A page of a case's history, newest first; ``before`` is where the next (earlier) page starts, or None.
    ``until``: for an earlier page, the moment of the entry it follows (the page holds what came before it)."""

    entries: tuple[HistoryEntry, ...]
    before: str | None = None
    until: datetime | None = None


# A history cursor is an entry's ``key``: ``<moment>#<kind>#<id>``.
HISTORY_CURSOR = re.compile(r"(20\d\d-\d\d-\d\dT[0-9:.Z]{8,32})#(?:status|message|document|received)#[A-Za-z0-9_.-]{1,100}")


def cursor_moment(cursor: str) -> datetime:
    """The moment a history cursor names; anything else is 400 naming ``before`` (it never reaches a key)."""
    match = HISTORY_CURSOR.fullmatch(cursor)
    try:
        moment = datetime.fromisoformat(match.group(1)) if match else None
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise ValidationError.single("before", "invalid_format")
    return moment


@dataclass(frozen=True)
class Case:
    id: str
    case_number: str
    zaaktype: str
    omschrijving: str
    startdatum: date
    registered_at: datetime
    doorlooptijd: Duration
    servicenorm: Duration | None
    behandelaar: Medewerker
    initiator: str
    co_initiators: tuple[str, ...]
    location: Location
    vertrouwelijkheid: Vertrouwelijkheid
    statuses: tuple[StatusEntry, ...]
    documents: tuple[DocumentRequest, ...] = ()
    messages: tuple[CaseMessage, ...] = ()
    suspensions: tuple[Suspension, ...] = ()
    extension: Extension | None = None
    closed_on: date | None = None
    gemachtigden: tuple[str, ...] = ()
    counts: Counts = field(default_factory=Counts)
    # The zaak's URL in the zaaksysteem that owns the case (its statuses, parties and terms are set there and
    # only read here); None for a case Baken holds itself.
    source: str | None = None
    version: int = 0

    @property
    def current_status(self) -> StatusEntry:
        """The newest status; ``statuses`` are the last ``TAIL`` (the history holds them all)."""
        return self.statuses[-1]

    @property
    def parties(self) -> tuple[str, ...]:
        """Initiator and co-initiators (ZGW rollen initiator and mede_initiator)."""
        return (self.initiator, *self.co_initiators)

    def role_of(self, subject: str) -> PartyRole | None:
        """What ``subject`` is in this case (ZGW rol), or None for somebody who only follows it."""
        if subject == self.initiator:
            return PartyRole.INITIATOR
        if subject in self.co_initiators:
            return PartyRole.MEDE_INITIATOR
        if subject in self.gemachtigden:
            return PartyRole.GEMACHTIGDE
        return None

    @property
    def followers(self) -> tuple[str, ...]:
        """Everyone told about the case as its own: the parties and whoever is authorised to act for them
        (ZGW rol with indicatieMachtiging gemachtigde)."""
        return (*self.parties, *self.gemachtigden)

    @property
    def is_closed(self) -> bool:
        return self.closed_on is not None

    @property
    def open_suspension(self) -> Suspension | None:
        if self.suspensions and self.suspensions[-1].end is None:
            return self.suspensions[-1]
        return None

    @property
    def missing_documents(self) -> tuple[DocumentRequest, ...]:
        return tuple(d for d in self.documents if not d.received)

    @property
    def documents_to_review(self) -> tuple[DocumentRequest, ...]:
        """Received and not yet accepted or asked again: the behandelaar's "nieuw document"."""
        return tuple(d for d in self.documents if d.state is DocumentState.RECEIVED)

    def document(self, document_id: str) -> DocumentRequest:
        for document in self.documents:
            if document.id == document_id:
                return document
        raise DocumentRequestNotFoundError(document_id)


def _within_limit(case: Case, part: str, count: int) -> None:
    if count > LIMITS[part]:
        raise CaseRuleError("case_full", part=part, maximum=LIMITS[part])


def _within_bytes(**texts: str | None) -> None:
    """Each text within its ``TEXT_BYTES`` (keyword ``link_url`` is ``link.url``): else 400 naming the field and the
    limit, as the request schemas do, so that no command can write an item larger than its bound."""
    for name, text in texts.items():
        where = name.replace("__", ".").replace("link_", "link.")
        limit = TEXT_BYTES[where]
        if text is not None and len(text.encode("utf-8", "surrogatepass")) > limit:
            raise ValidationError.single(where, "too_many_bytes", max_bytes=limit)


def _touched(document: DocumentRequest) -> datetime:
    if document.review is not None:
        return document.review.at
    return document.received_at or document.requested_at


def _trimmed(case: Case) -> Case:
    """The case as its item keeps it: the last ``TAIL`` statuses and messages; the documents still open or waiting
    for a verdict, and the ``TAIL`` last requested, received or judged (in the order they were requested)."""
    recent = {d.id for d in sorted(case.documents, key=_touched)[-TAIL:]}
    documents = tuple(d for d in case.documents if d.unfinished or d.id in recent)
    return replace(case, statuses=case.statuses[-TAIL:], messages=case.messages[-TAIL:], documents=documents)


def history_added(before: Case | None, after: Case) -> tuple[HistoryEntry, ...]:
    """What a change from ``before`` (None: a new case) to ``after`` adds to the case's history: new statuses,
    messages and document requests, and receipts. Both are cases as their items keep them: a request still open
    is on both, and one just received is among the last touched of ``after``."""
    known_statuses = {s.id for s in before.statuses} if before else set()
    known_messages = {m.id for m in before.messages} if before else set()
    known_documents = {d.id: d for d in before.documents} if before else {}
    entries: list[HistoryEntry] = [
        HistoryEntry(HistoryKind.STATUS, s.set_at, s) for s in after.statuses if s.id not in known_statuses
    ]
    entries.extend(HistoryEntry(HistoryKind.MESSAGE, m.posted_at, m) for m in after.messages if m.id not in known_messages)
    for document in after.documents:
        earlier = known_documents.get(document.id)
        if earlier is None:
            entries.append(HistoryEntry(HistoryKind.DOCUMENT_REQUESTED, document.requested_at, document))
        if document.received_at is not None and (earlier is None or earlier.received_at is None):
            entries.append(HistoryEntry(HistoryKind.DOCUMENT_RECEIVED, document.received_at, document))
    return tuple(entries)


def open_case(
    *,
    case_id: str,
    case_number: str,
    zaaktype: Zaaktype,
    omschrijving: str,
    startdatum: date,
    registered_at: datetime,
    behandelaar: Medewerker,
    initiator: str,
    co_initiators: tuple[str, ...],
    location: Location,
    first_status_id: str,
) -> Case:
    """A new case in the zaaktype's first status, with the zaaktype's periods fixed at application time."""
    if initiator in co_initiators:
        raise CaseRuleError("initiator_is_co_initiator")
    _within_bytes(omschrijving=omschrijving)
    first = zaaktype.first_statustype
    return Case(
        id=case_id,
        case_number=case_number,
        zaaktype=zaaktype.identificatie,
        omschrijving=omschrijving,
        startdatum=startdatum,
        registered_at=registered_at,
        doorlooptijd=zaaktype.doorlooptijd,
        servicenorm=zaaktype.servicenorm,
        behandelaar=behandelaar,
        initiator=initiator,
        co_initiators=tuple(dict.fromkeys(co_initiators)),
        location=location,
        vertrouwelijkheid=zaaktype.vertrouwelijkheidaanduiding,
        statuses=(StatusEntry(first_status_id, first.identificatie, registered_at, behandelaar.id),),
        counts=Counts(statuses=1),
    )


def _require_open(case: Case) -> None:
    if case.is_closed:
        raise CaseRuleError("case_closed", case_number=case.case_number)


def set_status(case: Case, zaaktype: Zaaktype, entry: StatusEntry) -> Case:
    """Give the case a new status. Setting the status it already has changes nothing."""
    _require_open(case)
    statustype = zaaktype.statustype(entry.statustype)
    if statustype.identificatie == case.current_status.statustype:
        return case
    _within_bytes(toelichting=entry.toelichting)
    counts = replace(case.counts, statuses=case.counts.statuses + 1)
    changed = _trimmed(replace(case, statuses=(*case.statuses, entry), counts=counts))
    if statustype.is_eindstatus:
        closed_on = amsterdam_date(entry.set_at)
        suspension = changed.open_suspension
        if suspension is not None:
            changed = _end_suspension(changed, max(closed_on, suspension.start))
        changed = replace(changed, closed_on=closed_on)
    return changed


def _same_document(a: str, b: str) -> bool:
    return " ".join(a.casefold().split()) == " ".join(b.casefold().split())


def request_documents(case: Case, requests: tuple[DocumentRequest, ...], *, repeat: bool = False) -> Case:
    """Ask the applicant for documents. Asking again for one still open (the same description, ignoring case and
    spaces) is refused with 400 ``already_requested`` naming it, unless ``repeat`` says the behandelaar means it."""
    _require_open(case)
    if not requests:
        raise CaseRuleError("no_documents")
    _within_limit(case, "open_documents", _unfinished(case) + len(requests))
    for index, request in enumerate(requests):
        _within_bytes(documents__omschrijving=request.omschrijving)
        earlier = next((d for d in case.missing_documents if _same_document(d.omschrijving, request.omschrijving)), None)
        if earlier is not None and not repeat:
            raise ValidationError.single(
                f"documents.{index}.omschrijving",
                "already_requested",
                requested_on=amsterdam_date(earlier.requested_at).isoformat(),
            )
    counts = replace(case.counts, documents=case.counts.documents + len(requests))
    return _trimmed(replace(case, documents=(*case.documents, *requests), counts=counts))


def _unfinished(case: Case) -> int:
    return sum(1 for d in case.documents if d.unfinished)


def _replace_document(case: Case, document: DocumentRequest) -> tuple[DocumentRequest, ...]:
    return tuple(document if d.id == document.id else d for d in case.documents)


def record_file(case: Case, document_id: str, file: SubmittedFile) -> Case:
    """Record a file the applicant sent in: the document is then received and waits for the behandelaar's
    verdict. Recording the same file twice changes nothing (a confirmation sent again). A document already
    accepted or asked again takes no more files; one takes at most ``MAX_FILES_PER_DOCUMENT``."""
    _require_open(case)
    document = case.document(document_id)
    if any(f.id == file.id for f in document.files):
        return case
    if not document.unfinished:
        raise CaseRuleError("document_closed")
    if len(document.files) >= MAX_FILES_PER_DOCUMENT:
        raise CaseRuleError("too_many_files", maximum=MAX_FILES_PER_DOCUMENT)
    _within_bytes(filename=file.filename)
    received = replace(document, files=(*document.files, file), received_at=document.received_at or file.uploaded_at)
    return _trimmed(replace(case, documents=_replace_document(case, received)))


def accept_document(case: Case, document_id: str, at: datetime, by: str) -> Case:
    """The behandelaar accepts a received document. Accepting it again changes nothing."""
    _require_open(case)
    document = case.document(document_id)
    if document.state is DocumentState.ACCEPTED:
        return case
    if document.state is not DocumentState.RECEIVED:
        raise CaseRuleError("document_not_received" if document.state is DocumentState.REQUESTED else "document_closed")
    judged = replace(document, review=DocumentReview(Verdict.ACCEPTED, at, by))
    return _trimmed(replace(case, documents=_replace_document(case, judged)))


def ask_document_again(case: Case, document_id: str, again: DocumentRequest) -> Case:
    """The behandelaar does not accept a received document and asks for it again: it is closed with the reason,
    and ``again`` (the same description, the reason, maybe a new date) is a new request, which the applicant
    is told about as any request is."""
    _require_open(case)
    document = case.document(document_id)
    if document.state is not DocumentState.RECEIVED:
        raise CaseRuleError("document_not_received" if document.state is DocumentState.REQUESTED else "document_closed")
    if not (again.reason or "").strip():
        raise ValidationError.single("reason", "required")
    _within_bytes(reason=again.reason)
    judged = replace(document, review=DocumentReview(Verdict.ASKED_AGAIN, again.requested_at, again.requested_by, again.reason))
    new = replace(again, omschrijving=document.omschrijving, replaces=document.id, received_at=None, files=(), review=None)
    counts = replace(case.counts, documents=case.counts.documents + 1)
    documents = (*_replace_document(case, judged), new)
    return _trimmed(replace(case, documents=documents, counts=counts))


def mark_document_received(case: Case, document_id: str, received_at: datetime) -> Case:
    """Record that a requested document came in. Marking it twice changes nothing."""
    for index, document in enumerate(case.documents):
        if document.id == document_id:
            if document.received:
                return case
            documents = list(case.documents)
            documents[index] = replace(document, received_at=received_at)
            return _trimmed(replace(case, documents=tuple(documents)))
    raise DocumentRequestNotFoundError(document_id)


def add_gemachtigde(case: Case, subject: str) -> Case:
    """Register someone authorised to act for the applicants. Adding them twice changes nothing."""
    _require_open(case)
    if subject in case.followers:
        return case
    _within_limit(case, "gemachtigden", len(case.gemachtigden) + 1)
    return replace(case, gemachtigden=(*case.gemachtigden, subject))


def post_message(case: Case, message: CaseMessage) -> Case:
    """Add a message for the applicants; allowed after closing too (e.g. how to object)."""
    link = message.link
    _within_bytes(text=message.text, link_url=link.url if link else None, link_label=link.label if link else None)
    counts = replace(case.counts, messages=case.counts.messages + 1)
    return _trimmed(replace(case, messages=(*case.messages, message), counts=counts))


def extend(case: Case, zaaktype: Zaaktype, extension: Extension, *, current_due: date | None, today: date) -> Case:
    """Extend the handling period once, by at most the zaaktype's verlengingstermijn, before it ends."""
    _require_open(case)
    if not zaaktype.verlenging_mogelijk or zaaktype.verlengingstermijn is None:
        raise CaseRuleError("extension_not_allowed", zaaktype=zaaktype.identificatie)
    if case.extension is not None:
        raise CaseRuleError("already_extended")
    if extension.duur.is_zero or extension.duur.add_to(today) > zaaktype.verlengingstermijn.add_to(today):
        raise CaseRuleError("extension_too_long", maximum=str(zaaktype.verlengingstermijn))
    if current_due is not None and today > current_due:
        raise CaseRuleError("deadline_passed", due=current_due.isoformat())
    _within_bytes(reden=extension.reden)
    return replace(case, extension=extension)


def suspend(case: Case, zaaktype: Zaaktype, suspension: Suspension) -> Case:
    """Stop the clock (opschorten), e.g. while waiting for documents."""
    _require_open(case)
    if not zaaktype.opschorting_mogelijk:
        raise CaseRuleError("suspension_not_allowed", zaaktype=zaaktype.identificatie)
    if case.open_suspension is not None:
        raise CaseRuleError("already_suspended")
    previous_end = case.suspensions[-1].end if case.suspensions else None
    if suspension.start < case.startdatum or (previous_end is not None and suspension.start < previous_end):
        raise CaseRuleError("suspension_overlaps")
    _within_limit(case, "suspensions", len(case.suspensions) + 1)
    _within_bytes(reden=suspension.reden)
    return replace(case, suspensions=(*case.suspensions, Suspension(suspension.start, suspension.reden)))


def resume(case: Case, on: date) -> Case:
    """Start the clock again."""
    _require_open(case)
    suspension = case.open_suspension
    if suspension is None:
        raise CaseRuleError("not_suspended")
    if on < suspension.start:
        raise CaseRuleError("resume_before_suspension", start=suspension.start.isoformat())
    return _end_suspension(case, on)


def _end_suspension(case: Case, on: date) -> Case:
    ended = replace(case.suspensions[-1], end=on)
    return replace(case, suspensions=(*case.suspensions[:-1], ended))
