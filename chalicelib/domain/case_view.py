"""What an applicant (and the KCC, who must see the same) sees of a case: status, timeline, next steps,
the deadline beside the servicenorm, what is still missing, and who handles it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from enum import StrEnum

from chalicelib.domain.cases import Case, DocumentRequest, Link, StatusEntry
from chalicelib.domain.catalogue import Statustype, Zaaktype
from chalicelib.domain.contacts import ContactMoment
from chalicelib.domain.deadlines import Deadline, deadline_for
from chalicelib.domain.workdays import AMSTERDAM


class TimelineKind(StrEnum):
    STATUS = "status"
    MESSAGE = "message"
    DOCUMENTS_REQUESTED = "documents_requested"
    DOCUMENT_RECEIVED = "document_received"
    SUSPENDED = "suspended"
    RESUMED = "resumed"
    EXTENDED = "extended"
    CONTACT = "contact"


@dataclass(frozen=True)
class TimelineEntry:
    kind: TimelineKind
    at: datetime
    ref: str
    statustype: Statustype | None = None
    text: str | None = None
    link: Link | None = None
    contact: ContactMoment | None = None


@dataclass(frozen=True)
class CaseView:
    case: Case
    zaaktype: Zaaktype
    status: Statustype
    status_entry: StatusEntry
    timeline: tuple[TimelineEntry, ...]
    next_steps: tuple[Statustype, ...]
    deadline: Deadline
    missing_documents: tuple[DocumentRequest, ...]


def _at_start_of(day: date) -> datetime:
    """Suspensions are kept as Dutch calendar days (the law counts days); their moment is the start of that day
    in the Netherlands, so a suspension from just after midnight never sorts after what followed it."""
    return datetime.combine(day, time.min, tzinfo=AMSTERDAM).astimezone(UTC)


def case_view(case: Case, zaaktype: Zaaktype, contacts: tuple[ContactMoment, ...] = ()) -> CaseView:
    """Assemble the view, newest timeline entry first; ``contacts`` are the contact moments to show."""
    entries: list[TimelineEntry] = []
    for status in case.statuses:
        entries.append(
            TimelineEntry(
                TimelineKind.STATUS,
                status.set_at,
                status.id,
                statustype=zaaktype.statustype(status.statustype),
                text=status.toelichting,
            )
        )
    for message in case.messages:
        entries.append(TimelineEntry(TimelineKind.MESSAGE, message.posted_at, message.id, text=message.text, link=message.link))
    for document in case.documents:
        entries.append(
            TimelineEntry(TimelineKind.DOCUMENTS_REQUESTED, document.requested_at, document.id, text=document.omschrijving)
        )
        if document.received_at is not None:
            entries.append(
                TimelineEntry(TimelineKind.DOCUMENT_RECEIVED, document.received_at, document.id, text=document.omschrijving)
            )
    for index, suspension in enumerate(case.suspensions):
        entries.append(TimelineEntry(TimelineKind.SUSPENDED, _at_start_of(suspension.start), f"s{index}", text=suspension.reden))
        if suspension.end is not None:
            entries.append(TimelineEntry(TimelineKind.RESUMED, _at_start_of(suspension.end), f"s{index}"))
    if case.extension is not None:
        entries.append(TimelineEntry(TimelineKind.EXTENDED, case.extension.set_at, "extension", text=case.extension.reden))
    for contact in contacts:
        entries.append(
            TimelineEntry(TimelineKind.CONTACT, contact.plaatsgevonden_op, contact.id, text=contact.inhoud, contact=contact)
        )
    entries.sort(key=lambda entry: entry.at, reverse=True)
    current = case.current_status
    statustype = zaaktype.statustype(current.statustype)
    return CaseView(
        case=case,
        zaaktype=zaaktype,
        status=statustype,
        status_entry=current,
        timeline=tuple(entries),
        next_steps=() if case.is_closed else zaaktype.following(statustype.identificatie),
        deadline=deadline_for(case),
        missing_documents=case.missing_documents,
    )
