"""A case (zaak) and what a behandelaar can do with it, modelled on the ZGW Zaken API.

A case is an immutable value. Each command returns a new case or raises a domain error; nothing here
reads a clock or stores anything, so every rule can be tested on its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime

from chalicelib.domain.catalogue import Vertrouwelijkheid, Zaaktype
from chalicelib.domain.durations import Duration
from chalicelib.domain.errors import CaseRuleError, DocumentRequestNotFoundError
from chalicelib.domain.reference import Point
from chalicelib.domain.workdays import amsterdam_date

# A case is one DynamoDB item (at most 400 KB) holding its whole history. These bounds keep the largest
# possible case well below that: 100 statuses with 1,000-character notes, 50 messages of 2,000 characters,
# 100 document requests and 20 suspensions come to about 230 KB.
LIMITS = {"statuses": 100, "messages": 50, "documents": 100, "suspensions": 20}
# DynamoDB counts an item in bytes (at most 400 KB), and one character may take four bytes in UTF-8: the counts
# above cannot keep a case inside that. Its texts together stay under this many bytes, which leaves the rest of
# the item (ids, times, parties, at most about 60 KB at the counts above) room to spare.
MAX_TEXT_BYTES = 200 * 1024
# A case number (ZGW ``identificatie``: at most 40 characters) such as SUB-2026-000123. A longer one names no
# case and is refused before it is looked up (a DynamoDB key holds at most 2,048 bytes).
MAX_CASE_NUMBER_LENGTH = 40


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
class DocumentRequest:
    """A document the behandelaar asked the applicant for, and when it came in."""

    id: str
    omschrijving: str
    requested_at: datetime
    requested_by: str
    due: date | None = None
    received_at: datetime | None = None

    @property
    def received(self) -> bool:
        return self.received_at is not None


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
    version: int = 0

    @property
    def current_status(self) -> StatusEntry:
        return self.statuses[-1]

    @property
    def parties(self) -> tuple[str, ...]:
        """Initiator and co-initiators (ZGW rollen initiator and mede_initiator)."""
        return (self.initiator, *self.co_initiators)

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


def _within_limit(case: Case, part: str, adding: int = 1) -> None:
    if len(getattr(case, part)) + adding > LIMITS[part]:
        raise CaseRuleError("case_full", part=part, maximum=LIMITS[part])


def _texts(case: Case) -> Iterator[str]:
    """Every free text a case holds: what can make its item grow."""
    yield case.omschrijving
    for status in case.statuses:
        yield status.toelichting or ""
    for message in case.messages:
        yield message.text
        if message.link is not None:
            yield message.link.url
            yield message.link.label
    for document in case.documents:
        yield document.omschrijving
    for suspension in case.suspensions:
        yield suspension.reden
    if case.extension is not None:
        yield case.extension.reden


def text_bytes(case: Case) -> int:
    """The bytes the case's texts take in UTF-8, as DynamoDB counts them."""
    return sum(len(text.encode("utf-8")) for text in _texts(case))


def _within_text_budget(changed: Case) -> Case:
    """``changed``, unless its texts outgrow ``MAX_TEXT_BYTES`` (a 4xx naming the limit, never a failed write)."""
    if text_bytes(changed) > MAX_TEXT_BYTES:
        raise CaseRuleError("case_texts_full", maximum_bytes=MAX_TEXT_BYTES)
    return changed


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
    _within_limit(case, "statuses")
    changed = _within_text_budget(replace(case, statuses=(*case.statuses, entry)))
    if statustype.is_eindstatus:
        closed_on = amsterdam_date(entry.set_at)
        suspension = changed.open_suspension
        if suspension is not None:
            changed = _end_suspension(changed, max(closed_on, suspension.start))
        changed = replace(changed, closed_on=closed_on)
    return changed


def request_documents(case: Case, requests: tuple[DocumentRequest, ...]) -> Case:
    _require_open(case)
    if not requests:
        raise CaseRuleError("no_documents")
    _within_limit(case, "documents", len(requests))
    return _within_text_budget(replace(case, documents=(*case.documents, *requests)))


def mark_document_received(case: Case, document_id: str, received_at: datetime) -> Case:
    """Record that a requested document came in. Marking it twice changes nothing."""
    for index, document in enumerate(case.documents):
        if document.id == document_id:
            if document.received:
                return case
            documents = list(case.documents)
            documents[index] = replace(document, received_at=received_at)
            return replace(case, documents=tuple(documents))
    raise DocumentRequestNotFoundError(document_id)


def add_gemachtigde(case: Case, subject: str) -> Case:
    """Register someone authorised to act for the applicants. Adding them twice changes nothing."""
    _require_open(case)
    if subject in case.followers:
        return case
    return replace(case, gemachtigden=(*case.gemachtigden, subject))


def post_message(case: Case, message: CaseMessage) -> Case:
    """Add a message for the applicants; allowed after closing too (e.g. how to object)."""
    _within_limit(case, "messages")
    return _within_text_budget(replace(case, messages=(*case.messages, message)))


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
    return _within_text_budget(replace(case, extension=extension))


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
    _within_limit(case, "suspensions")
    return _within_text_budget(replace(case, suspensions=(*case.suspensions, Suspension(suspension.start, suspension.reden))))


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
