"""The deadline watch (``chalicelib.domain.watch`` says what is watched).

``case_changed`` keeps the entries from the cases stream: a change that adds none (most) costs nothing; one that
does (a document asked for with a date, a term that moved) one BatchWriteItem.

``run`` (every 5 minutes) reads the entries of the last week and — from 07:00 Amsterdam time — of today, at
most ``limit`` per run (the rest waits for the next run), and for each reads its case: an entry the case no
longer holds lapses; a document entry tells the case's parties (an action-required message: never held for the
night or a digest, once per document and due date — the event's id says so, and the outbox keeps one notification
per id); a term entry becomes an alert on the behandelaar's work list. Handled entries are removed; a run that
dies half-way leaves them, and the next run's messages are the same ones (nothing twice).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from chalicelib.domain.cases import Case
from chalicelib.domain.catalogue import Catalogue
from chalicelib.domain.errors import CaseNotFoundError
from chalicelib.domain.language import Language
from chalicelib.domain.watch import (
    DIGEST_FROM_HOUR,
    Alert,
    WatchEntry,
    digest_days,
    new_entries,
    reminder_event,
    still_holds,
    watched_days,
)
from chalicelib.domain.workdays import AMSTERDAM
from chalicelib.services.fanout import FanOut
from chalicelib.services.ports import (
    CaseRepository,
    Clock,
    EmailPermanentError,
    EmailRetryableError,
    EmailSender,
    MessageRenderer,
    OutgoingEmail,
    StaffDirectory,
    WatchStore,
)

WATCH_LIMIT = 500  # entries per run: a run's work is bounded, a backlog drains over the next runs
DIGEST_LIMIT = 50  # behandelaars given their morning overview per run; the others in the next runs
DIGEST_ALERTS = 100  # alerts read per behandelaar for the overview
STARTS_AT_HOUR = 7
CATCH_UP_DAYS = 7
ALERT_DAYS_SHOWN = 7


@dataclass(frozen=True)
class WatchRun:
    looked_at: int = 0
    reminders: int = 0  # notifications created
    alerts: int = 0
    lapsed: int = 0


@dataclass(frozen=True)
class DigestRun:
    sent: int = 0
    no_address: int = 0  # behandelaars whose login gave no e-mail address: their alerts are on the work list only
    failed: int = 0  # not sent this time; the next run tries again


@dataclass(frozen=True)
class StaffMail:
    """What the morning overview needs besides the watch: who staff are, how to write and send it, and where
    the work list is."""

    staff: StaffDirectory
    renderer: MessageRenderer
    email: EmailSender
    work_url: str


def _alert_row(alert: Alert) -> dict[str, object]:
    entry = alert.entry
    return {"case_id": entry.case_id, "case_number": alert.case_number, "kind": entry.kind.value, "target": entry.target}


class DeadlineWatch:
    def __init__(
        self,
        store: WatchStore,
        cases: CaseRepository,
        fanout: FanOut,
        catalogue: Catalogue,
        clock: Clock,
        *,
        limit: int = WATCH_LIMIT,
        mail: StaffMail | None = None,
    ) -> None:
        self._mail = mail
        self._store = store
        self._cases = cases
        self._fanout = fanout
        self._catalogue = catalogue
        self._clock = clock
        self._limit = limit

    def case_changed(self, old: Case | None, new: Case | None) -> int:
        """Keep what the change adds to the watch; the number of entries written."""
        entries = new_entries(old, new, self._today())
        if entries:
            self._store.add(entries)
        return len(entries)

    def run(self) -> WatchRun:
        local = self._clock.now().astimezone(AMSTERDAM)
        result = WatchRun()
        remaining = self._limit
        for day in watched_days(local.date(), local, starts_at_hour=STARTS_AT_HOUR, catch_up_days=CATCH_UP_DAYS):
            if remaining <= 0:
                break
            entries = self._store.due_on(day, limit=remaining)
            remaining -= len(entries)
            for entry in entries:
                result = self._handle(entry, result)
            self._store.done(entries)
        return result

    def morning_digests(self, run: WatchRun) -> DigestRun:
        """After a run that did all it found (fewer entries than its limit), from 08:00 on a working day: each
        behandelaar with alerts for today (and the days off before it) gets one e-mail listing them, once a day —
        claimed before it is sent, the claim given back when sending fails. At most ``DIGEST_LIMIT`` per run."""
        local = self._clock.now().astimezone(AMSTERDAM)
        if self._mail is None or local.hour < DIGEST_FROM_HOUR or run.looked_at >= self._limit:
            return DigestRun()
        days = digest_days(local.date())
        result = DigestRun()
        done = 0
        for behandelaar_id in dict.fromkeys(b for day in days for b in self._store.alerted_on(day, limit=DIGEST_LIMIT)):
            if done >= DIGEST_LIMIT:
                break
            if not self._store.claim_digest(local.date(), behandelaar_id):
                continue
            done += 1
            result = self._send_digest(behandelaar_id, days, result)
        return result

    def _send_digest(self, behandelaar_id: str, days: list[date], result: DigestRun) -> DigestRun:
        assert self._mail is not None  # noqa: S101 - checked by the caller
        member = self._mail.staff.get(behandelaar_id)
        if member is None:
            return DigestRun(result.sent, result.no_address + 1, result.failed)
        alerts = [a for a in self._store.alerts(behandelaar_id, days[0], limit=DIGEST_ALERTS) if a.entry.on in days]
        if not alerts:
            return result
        rendered = self._mail.renderer.staff_email(
            "staff_digest",
            Language.NL,
            {
                "name": member.name,
                "work_url": self._mail.work_url,
                "alerts": [_alert_row(a) for a in sorted(alerts, key=lambda a: (a.entry.target, a.case_number))],
            },
        )
        email = OutgoingEmail(
            to=member.email,
            subject=rendered.subject,
            text=rendered.text,
            html=rendered.html,
            reference=f"digest/{days[-1].isoformat()}/{behandelaar_id}",
        )
        try:
            self._mail.email.send(email=email)
        except (EmailRetryableError, EmailPermanentError):
            self._store.release_digest(days[-1], behandelaar_id)
            return DigestRun(result.sent, result.no_address, result.failed + 1)
        return DigestRun(result.sent + 1, result.no_address, result.failed)

    def alerts_for(self, behandelaar_id: str, *, limit: int = 50) -> list[Alert]:
        """What the watch told the behandelaar this past week, newest first (one Query)."""
        return self._store.alerts(behandelaar_id, self._today() - timedelta(days=ALERT_DAYS_SHOWN), limit=limit)

    def _handle(self, entry: WatchEntry, result: WatchRun) -> WatchRun:
        looked_at = result.looked_at + 1
        try:
            case = self._cases.get(entry.case_id)
        except CaseNotFoundError:
            return WatchRun(looked_at, result.reminders, result.alerts, result.lapsed + 1)
        if not still_holds(entry, case):
            return WatchRun(looked_at, result.reminders, result.alerts, result.lapsed + 1)
        if entry.kind.for_applicant:
            topic = self._catalogue.get(case.zaaktype).onderwerp
            told = self._fanout.handle_events([reminder_event(entry, case, topic, self._clock.now())], followers=case.followers)
            return WatchRun(looked_at, result.reminders + told.created, result.alerts, result.lapsed)
        self._store.alert(case.behandelaar.id, Alert(entry, case.case_number))
        return WatchRun(looked_at, result.reminders, result.alerts + 1, result.lapsed)

    def _today(self) -> date:
        return self._clock.now().astimezone(AMSTERDAM).date()
