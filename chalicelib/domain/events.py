"""Domain events derived from a case's old and new state (a DynamoDB stream record's two images).

Each event has a business id that is the same however often the record is delivered, so the outbox can
refuse duplicates: the status entry, the message or the document requests it is about.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from chalicelib.domain.cases import Case
from chalicelib.domain.catalogue import Vertrouwelijkheid, Zaaktype
from chalicelib.domain.deadlines import deadline_for
from chalicelib.domain.subscriptions import Interest


class EventKind(StrEnum):
    STATUS_CHANGED = "status_changed"
    DOCUMENTS_REQUESTED = "documents_requested"
    MESSAGE_POSTED = "message_posted"
    DEADLINE_CHANGED = "deadline_changed"

    @property
    def action_required(self) -> bool:
        """The applicant has to do something: such messages are never held back for a digest."""
        return self is EventKind.DOCUMENTS_REQUESTED


@dataclass(frozen=True)
class CaseEvent:
    id: str
    kind: EventKind
    case_id: str
    ref: str
    occurred_at: datetime
    public: bool


def derive_events(old: Case | None, new: Case | None, zaaktype: Zaaktype, observed_at: datetime) -> list[CaseEvent]:
    """What changed between two states of one case that people should be told about.

    - a new status whose statustype has ``informeren``; when one write adds several statuses (an import)
      only the newest is told;
    - newly requested documents, as one event;
    - each new message;
    - a changed deadline (extended, paused or resumed) of an open case.
    A write that changes nothing of this yields nothing.
    """
    if new is None:
        return []
    events: list[CaseEvent] = []
    public = zaaktype.publicatie_indicatie and new.vertrouwelijkheid is Vertrouwelijkheid.OPENBAAR

    known_statuses = {s.id for s in old.statuses} if old else set()
    added_statuses = [s for s in new.statuses if s.id not in known_statuses]
    if added_statuses:
        newest = added_statuses[-1]
        if zaaktype.statustype(newest.statustype).informeren:
            events.append(
                CaseEvent(_id(new, "status", newest.id), EventKind.STATUS_CHANGED, new.id, newest.id, newest.set_at, public)
            )

    known_documents = {d.id for d in old.documents} if old else set()
    added_documents = [d for d in new.documents if d.id not in known_documents]
    if added_documents:
        ref = ",".join(sorted(d.id for d in added_documents))
        digest = hashlib.sha256(ref.encode()).hexdigest()[:16]
        events.append(
            CaseEvent(
                _id(new, "documents", digest),
                EventKind.DOCUMENTS_REQUESTED,
                new.id,
                ref,
                added_documents[-1].requested_at,
                False,
            )
        )

    known_messages = {m.id for m in old.messages} if old else set()
    for message in new.messages:
        if message.id not in known_messages:
            events.append(
                CaseEvent(_id(new, "message", message.id), EventKind.MESSAGE_POSTED, new.id, message.id, message.posted_at, False)
            )

    if old is not None and not new.is_closed and _deadline_shown(old) != _deadline_shown(new):
        ref = f"v{new.version}"
        events.append(CaseEvent(_id(new, "deadline", ref), EventKind.DEADLINE_CHANGED, new.id, ref, observed_at, False))
    return events


def interests_for(event: CaseEvent, case: Case, zaaktype: Zaaktype) -> list[Interest]:
    """The interest keys an event reaches, most specific first: the case, then (public events only) the
    topic of its zaaktype and the gemeenten where it takes place."""
    interests = [Interest.case(case.id)]
    if event.public:
        interests.append(Interest.topic(zaaktype.onderwerp))
        interests.extend(Interest.gemeente(code) for code in case.location.gemeenten)
    return interests


def _deadline_shown(case: Case) -> tuple[object, ...]:
    deadline = deadline_for(case)
    return (deadline.due, deadline.paused_since)


def _id(case: Case, kind: str, ref: str) -> str:
    return f"{case.id}/{kind}/{ref}"
