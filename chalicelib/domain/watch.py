"""The deadline watch: what has to happen on which day for an open case, so it can be looked up by date.

For every open case, on a date:

* a requested document that is due: a reminder to the applicant ``REMINDER_DAYS`` days before the date it is due
  (when it was asked for before then) and one on the day itself — each an action-required message, never held
  for the night or a digest, and sent once per document and due date (a new due date gets its own reminders);
* the servicenorm and the legal term: an alert for the behandelaar ``ALERT_DAYS`` days before each, and one the day
  after it passed.

``watch_entries(case)`` is the whole set for a case as it is now. The cases stream writes the entries a change adds
(``new_entries``); the watch reads the entries of a date and acts on an entry only while ``watch_entries`` of the
case as it is then still holds it — a document received, a term extended or a case decided meanwhile makes the
entry lapse without a message. Entries are never updated in place, only added and, once handled, removed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from chalicelib.domain.cases import Case, DocumentState
from chalicelib.domain.deadlines import deadline_for
from chalicelib.domain.events import CaseEvent, EventKind, Place

REMINDER_DAYS = 3
ALERT_DAYS = 5
SHARDS = 8  # the entries of one date are spread over this many partitions


class WatchKind(StrEnum):
    DOCUMENT_SOON = "document-soon"  # to the applicant: due in REMINDER_DAYS days
    DOCUMENT_DUE = "document-due"  # to the applicant: due today
    NORM_SOON = "norm-soon"  # to the behandelaar: the servicenorm ends in ALERT_DAYS days
    NORM_PASSED = "norm-passed"  # the servicenorm ended yesterday
    TERM_SOON = "term-soon"  # the legal term ends in ALERT_DAYS days
    TERM_PASSED = "term-passed"  # the legal term ended yesterday

    @property
    def for_applicant(self) -> bool:
        return self in (WatchKind.DOCUMENT_SOON, WatchKind.DOCUMENT_DUE)


@dataclass(frozen=True, order=True)
class WatchEntry:
    on: date  # the day it is to happen
    case_id: str
    kind: WatchKind
    target: date  # the date it is about: a document's due date, the servicenorm's or the term's end
    ref: str = ""  # a document's id

    @property
    def key(self) -> str:
        return f"{self.case_id}#{self.kind.value}#{self.ref}#{self.target.isoformat()}"

    @property
    def shard(self) -> int:
        return int(hashlib.sha256(self.case_id.encode()).hexdigest()[:8], 16) % SHARDS

    @property
    def event_id(self) -> str:
        """The id of the message or alert it gives: one per document (or term) and date."""
        return f"{self.case_id}/watch/{self.kind.value}/{self.ref or 'case'}@{self.target.isoformat()}"


@dataclass(frozen=True)
class Alert:
    """What the behandelaar is told about one of their cases."""

    entry: WatchEntry
    case_number: str


@dataclass(frozen=True)
class StaffMember:
    """A member of staff as their last login named them: the address their morning overview goes to."""

    subject: str
    name: str
    email: str


DIGEST_FROM_HOUR = 8  # the behandelaars' morning overview goes out from 08:00, once the watch has done the day


def digest_days(today: date) -> list[date]:
    """The days whose alerts the morning overview of ``today`` gives: a working day's overview also gives those of
    the weekend and holidays before it (nobody reads one on those days); none on a day off."""
    from chalicelib.domain.workdays import is_working_day

    if not is_working_day(today):
        return []
    days = [today]
    before = today - timedelta(days=1)
    while not is_working_day(before) and len(days) < 7:
        days.insert(0, before)
        before -= timedelta(days=1)
    return days


def watch_entries(case: Case) -> frozenset[WatchEntry]:
    """What is to happen for ``case`` as it is now (nothing once it is decided)."""
    if case.is_closed:
        return frozenset()
    entries: set[WatchEntry] = set()
    for document in case.documents:
        if document.due is None or document.state is not DocumentState.REQUESTED:
            continue
        soon = document.due - timedelta(days=REMINDER_DAYS)
        if soon > document.requested_at.date():
            entries.add(WatchEntry(soon, case.id, WatchKind.DOCUMENT_SOON, document.due, document.id))
        entries.add(WatchEntry(document.due, case.id, WatchKind.DOCUMENT_DUE, document.due, document.id))
    deadline = deadline_for(case)
    for due, soon_kind, passed_kind in (
        (deadline.servicenorm_due, WatchKind.NORM_SOON, WatchKind.NORM_PASSED),
        (deadline.due, WatchKind.TERM_SOON, WatchKind.TERM_PASSED),
    ):
        if due is None:  # no servicenorm, or the term stands still (opschorting)
            continue
        entries.add(WatchEntry(due - timedelta(days=ALERT_DAYS), case.id, soon_kind, due))
        entries.add(WatchEntry(due + timedelta(days=1), case.id, passed_kind, due))
    return frozenset(entries)


def new_entries(old: Case | None, new: Case | None, today: date) -> list[WatchEntry]:
    """The entries a change adds that are still to come (from ``today`` on), in date order."""
    if new is None:
        return []
    before = watch_entries(old) if old is not None else frozenset()
    return sorted(e for e in watch_entries(new) - before if e.on >= today)


def still_holds(entry: WatchEntry, case: Case) -> bool:
    """Whether the entry is still what the case asks for (else it lapses without a message)."""
    return entry in watch_entries(case)


def watched_days(today: date, now: datetime, *, starts_at_hour: int, catch_up_days: int) -> list[date]:
    """The dates a run looks at: the last ``catch_up_days`` days (a run that did not happen), and today once its
    local hour is ``starts_at_hour`` (reminders go out in the morning, not at midnight)."""
    days = [today - timedelta(days=n) for n in range(catch_up_days, 0, -1)]
    return [*days, today] if now.hour >= starts_at_hour else days


def reminder_event(entry: WatchEntry, case: Case, topic: str, now: datetime) -> CaseEvent:
    """The message a document entry gives the case's parties: ``ref`` names the document, its due date and
    whether it is due soon or today (``reminder_ref`` reads it back)."""
    stage = "due" if entry.kind is WatchKind.DOCUMENT_DUE else "soon"
    ref = f"{entry.ref}|{entry.target.isoformat()}|{stage}"
    place = Place(case.location.gemeenten, case.location.point)
    return CaseEvent(entry.event_id, EventKind.DOCUMENT_REMINDER, case.id, ref, now, False, topic, place)


def reminder_ref(ref: str) -> tuple[str, date, str]:
    """A reminder's document id, due date and stage (``soon``, ``due``)."""
    document_id, due, stage = ref.rsplit("|", 2)
    return document_id, date.fromisoformat(due), stage
