"""What an applicant (and the KCC, who must see the same) sees of a case: status, timeline, next steps,
the deadline beside the servicenorm, what is still missing, and who handles it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from enum import StrEnum

from chalicelib.domain.cases import (
    Case,
    CaseMessage,
    DocumentRequest,
    HistoryEntry,
    HistoryKind,
    HistoryPage,
    Link,
    StatusEntry,
)
from chalicelib.domain.catalogue import Statustype, Zaaktype
from chalicelib.domain.contacts import ContactMoment
from chalicelib.domain.deadlines import Deadline, deadline_for
from chalicelib.domain.questions import KANAAL as QUESTION_KANAAL
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
    QUESTION = "question"  # a question the applicant asked from the case page (a contact moment, kanaal portaal)


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
    earlier: str | None = None  # where the timeline's earlier page starts (``HistoryPage.before``), or None


def _at_start_of(day: date) -> datetime:
    """Suspensions are kept as Dutch calendar days (the law counts days); their moment is the start of that day
    in the Netherlands, so a suspension from just after midnight never sorts after what followed it."""
    return datetime.combine(day, time.min, tzinfo=AMSTERDAM).astimezone(UTC)


# What a history page holds itself; the rest of the timeline joins it for the time the page covers.
_PAGED = frozenset({TimelineKind.STATUS, TimelineKind.MESSAGE, TimelineKind.DOCUMENTS_REQUESTED, TimelineKind.DOCUMENT_RECEIVED})


def _tail_history(case: Case) -> tuple[HistoryEntry, ...]:
    """The history the case item itself holds (its tail): what just happened, without reading the history."""
    entries = [HistoryEntry(HistoryKind.STATUS, s.set_at, s) for s in case.statuses]
    entries.extend(HistoryEntry(HistoryKind.MESSAGE, m.posted_at, m) for m in case.messages)
    for document in case.documents:
        entries.append(HistoryEntry(HistoryKind.DOCUMENT_REQUESTED, document.requested_at, document))
        if document.received_at is not None:
            entries.append(HistoryEntry(HistoryKind.DOCUMENT_RECEIVED, document.received_at, document))
    return tuple(entries)


def _history_entry(entry: HistoryEntry, zaaktype: Zaaktype) -> TimelineEntry:
    item = entry.item
    if isinstance(item, StatusEntry):
        return TimelineEntry(
            TimelineKind.STATUS, entry.at, item.id, statustype=zaaktype.statustype(item.statustype), text=item.toelichting
        )
    if isinstance(item, CaseMessage):
        return TimelineEntry(TimelineKind.MESSAGE, entry.at, item.id, text=item.text, link=item.link)
    kind = TimelineKind.DOCUMENT_RECEIVED if entry.kind is HistoryKind.DOCUMENT_RECEIVED else TimelineKind.DOCUMENTS_REQUESTED
    return TimelineEntry(kind, entry.at, item.id, text=item.omschrijving)


def case_view(
    case: Case, zaaktype: Zaaktype, contacts: tuple[ContactMoment, ...] = (), history: HistoryPage | None = None
) -> CaseView:
    """Assemble the view, newest timeline entry first. ``history`` is a page of the case's history (newest first);
    without it the timeline shows what the case item holds (the last few of each). Suspensions, the extension and
    ``contacts`` (the contact moments to show) join the page for the time it covers: on a page with an earlier one
    after it, only what happened since its oldest entry."""
    page = history if history is not None else HistoryPage(_tail_history(case))
    since = page.entries[-1].at if page.before is not None and page.entries else None
    until = page.until
    entries = [_history_entry(entry, zaaktype) for entry in page.entries]
    for index, suspension in enumerate(case.suspensions):
        entries.append(TimelineEntry(TimelineKind.SUSPENDED, _at_start_of(suspension.start), f"s{index}", text=suspension.reden))
        if suspension.end is not None:
            entries.append(TimelineEntry(TimelineKind.RESUMED, _at_start_of(suspension.end), f"s{index}"))
    if case.extension is not None:
        entries.append(TimelineEntry(TimelineKind.EXTENDED, case.extension.set_at, "extension", text=case.extension.reden))
    for contact in contacts:
        kind = TimelineKind.QUESTION if contact.kanaal == QUESTION_KANAAL else TimelineKind.CONTACT
        entries.append(TimelineEntry(kind, contact.plaatsgevonden_op, contact.id, text=contact.inhoud, contact=contact))
    entries = [e for e in entries if e.kind in _PAGED or ((since is None or e.at >= since) and (until is None or e.at < until))]
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
        earlier=page.before,
    )


class StepState(StrEnum):
    DONE = "done"  # afgerond
    CURRENT = "current"  # nu
    NEXT = "next"  # nog niet


@dataclass(frozen=True)
class Step:
    statustype: Statustype
    state: StepState


def procedure_steps(zaaktype: Zaaktype, current: Statustype, *, closed: bool) -> tuple[Step, ...]:
    """The zaaktype's procedure as steps in order (volgnummer): those before the current status are done, the
    current one is where the case is now (done too once the case is closed), those after it are still to come.
    A step a case may skip (extra information asked, advice) counts as done once the case is past it."""
    steps = []
    for statustype in zaaktype.statustypen:
        if statustype.volgnummer < current.volgnummer or (closed and statustype.volgnummer == current.volgnummer):
            state = StepState.DONE
        elif statustype.volgnummer == current.volgnummer:
            state = StepState.CURRENT
        else:
            state = StepState.NEXT
        steps.append(Step(statustype, state))
    return tuple(steps)
