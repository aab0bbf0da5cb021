"""Telling the rest of the chain what Baken did: NL GOV CloudEvents on the event bus, and contacts in the
province's Klantinteracties API (Open Klant 2).

Where each event is published — always by the handler that already processes the fact, after the fact is
recorded, so a failed publication fails that record or message and it comes again (at least once; the event's id
is derived from the fact, so a repeat carries the same id):

- a notification's outcome (sent, technical or permanent failure): ``deliver``, after delivery recorded it; a
  message whose notification was already final publishes its outcome again (the earlier attempt may have died
  between recording and publishing); a bounce SES reports after the e-mail was sent: ``on_ses_feedback``, after
  recording it (``services/feedback.py``);
- a subscription started or stopped: ``on_subscription_change``, from the definition's old and new image;
- an announcement approved: ``on_case_change``, after fan-out of the same record;
- a contact moment recorded: a job on the jobs queue (``contact-recorded``), submitted by the request that stored
  the moment (the case-index table has no stream); the job publishes the event and registers the klantcontact.

Klantinteracties, when configured: every contact moment, and (``BAKEN_KLANTCONTACT_NOTIFICATIONS``) every
notification to a party of a case once it was sent, become a Klantcontact with its actor and an Onderwerpobject
naming the zaak. The job's key is derived from the fact; each step's created url is remembered (``RegistrationLedger``)
before the next, so a redelivered job does nothing twice. Between a POST and remembering its answer (a crash, a
timeout after the server acted) the step is marked pending: the retry does it again and counts a possible duplicate
(``PossibleDuplicateKlantcontact``), since the API has no idempotency key. A job that keeps failing ends on the jobs
dead-letter queue, whose alarm the operator gets.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain.changes import AnnouncementChange
from chalicelib.domain.cloudevents import (
    AnnouncementFact,
    CloudEvent,
    ContactFact,
    EventSource,
    NotificationFact,
    NotificationOutcome,
    SubscriptionTransition,
    announcement_event,
    contact_moment_event,
    notification_event,
    subscription_events,
)
from chalicelib.domain.contacts import ContactMoment
from chalicelib.domain.events import CASE_KINDS, EventKind
from chalicelib.domain.matching import Audience
from chalicelib.domain.notifications import Notification, NotificationStatus
from chalicelib.domain.subscriptions import Channel
from chalicelib.services.ports import (
    CaseRepository,
    ContactMomentStore,
    EventPublisher,
    JobQueue,
    KlantcontactActor,
    Klantinteracties,
    NewKlantcontact,
    NotificationOutbox,
    Onderwerpobjectidentificator,
    RegistrationLedger,
)

CONTACT_JOB = "contact-recorded"
NOTIFICATION_JOB = "notification-klantcontact"
BAKEN_ACTOR = KlantcontactActor(naam="Baken (berichten over zaken)", soort_actor="geautomatiseerde_actor", identificatie="baken")
KANALEN = {Channel.EMAIL: "e-mail", Channel.PORTAL: "berichtenbox", Channel.LETTER: "brief"}
ONDERWERPEN = {
    EventKind.STATUS_CHANGED: "Bericht: de status van de zaak is veranderd",
    EventKind.DOCUMENTS_REQUESTED: "Bericht: documenten gevraagd",
    EventKind.MESSAGE_POSTED: "Bericht van de behandelaar",
    EventKind.DEADLINE_CHANGED: "Bericht: de termijn van de zaak is veranderd",
    EventKind.DOCUMENT_REMINDER: "Herinnering: een gevraagd document",
}
_OUTCOMES = {
    NotificationStatus.DELIVERED: NotificationOutcome.DELIVERED,
    NotificationStatus.TECHNICAL_FAILURE: NotificationOutcome.TECHNICAL_FAILURE,
    NotificationStatus.TEMPORARY_FAILURE: NotificationOutcome.TECHNICAL_FAILURE,
    NotificationStatus.PERMANENT_FAILURE: NotificationOutcome.PERMANENT_FAILURE,
}


class UnknownOutboundJobError(ValueError):
    """A job this service does not know, or one whose fact is gone."""


@dataclass(frozen=True)
class OutboundJobResult:
    events: int = 0
    registered: int = 0  # resources created in the Klantinteracties API
    possible_duplicates: int = 0


class Outbound:
    def __init__(
        self,
        *,
        events: EventPublisher,
        source: EventSource,
        jobs: JobQueue,
        cases: CaseRepository,
        contacts: ContactMomentStore,
        outbox: NotificationOutbox,
        ledger: RegistrationLedger,
        klantinteracties: Klantinteracties | None = None,
        notifications_as_klantcontact: bool = False,
        on_possible_duplicate: Callable[[str], None] | None = None,
    ) -> None:
        self._events = events
        self._source = source
        self._jobs = jobs
        self._cases = cases
        self._contacts = contacts
        self._outbox = outbox
        self._ledger = ledger
        self._klantinteracties = klantinteracties
        self._notifications_as_klantcontact = notifications_as_klantcontact and klantinteracties is not None
        self._on_possible_duplicate = on_possible_duplicate

    # --- events -----------------------------------------------------------------------------------------------

    def notification_settled(self, notification: Notification) -> int:
        """Publish a notification's final outcome (and queue it for Klantinteracties when it was sent to a party
        and that is configured). Raises EventPublishError; nothing for a status that is not final."""
        outcome = _OUTCOMES.get(notification.status)
        if outcome is None:
            return 0
        event = notification_event(
            self._source,
            NotificationFact(
                notification_id=notification.id,
                case_id=notification.case_id,
                about_case=notification.event_kind in CASE_KINDS,
                event_kind=notification.event_kind.value,
                channel=notification.channel.value,
                outcome=outcome,
                attempts=notification.attempts,
                at=notification.updated_at,
                reason=notification.reason if outcome is not NotificationOutcome.DELIVERED else None,
            ),
        )
        self._events.publish([event])
        if (
            self._notifications_as_klantcontact
            and outcome is NotificationOutcome.DELIVERED
            and notification.event_kind in CASE_KINDS
            and notification.audience is Audience.PARTY
        ):
            self._jobs.submit([{"kind": NOTIFICATION_JOB, "notification_id": notification.id}])
        return 1

    def subscription_changed(self, change: SubscriptionTransition) -> int:
        events = subscription_events(self._source, change)
        if events:
            self._events.publish(events)
        return len(events)

    def announcement_changed(self, change: AnnouncementChange) -> int:
        before, after = change.before, change.after
        if after is None or after.status.value != "approved" or (before is not None and before.status.value == "approved"):
            return 0
        event = announcement_event(
            self._source,
            AnnouncementFact(
                announcement_id=after.id,
                topic=after.topic,
                gemeenten=tuple(after.place.gemeenten),
                version=after.version,
                approved_at=after.decided_at or after.submitted_at or after.created_at,
            ),
        )
        self._events.publish([event])
        return 1

    def contact_recorded(self, moment: ContactMoment) -> None:
        """Queue the contact moment's event and registration (called right after it was stored)."""
        self._jobs.submit(
            [
                {
                    "kind": CONTACT_JOB,
                    "case_id": moment.case_id,
                    "contact_id": moment.id,
                    "at": moment.plaatsgevonden_op.isoformat(),
                }
            ]
        )

    # --- jobs -------------------------------------------------------------------------------------------------

    def run_job(self, job: Mapping[str, Any]) -> OutboundJobResult:
        kind = job.get("kind")
        if kind == CONTACT_JOB:
            return self._contact_job(str(job["case_id"]), str(job["contact_id"]), datetime.fromisoformat(str(job["at"])))
        if kind == NOTIFICATION_JOB:
            return self._notification_job(str(job["notification_id"]))
        raise UnknownOutboundJobError(f"unknown job kind {str(kind)[:40]!r}")

    def _contact_job(self, case_id: str, contact_id: str, at: datetime) -> OutboundJobResult:
        stored = self._contacts.for_case(case_id, since=at, until=at + timedelta(microseconds=1))
        found = [m for m in stored if m.id == contact_id]
        if not found:
            raise UnknownOutboundJobError("the contact moment is not stored")
        moment = found[0]
        event: CloudEvent = contact_moment_event(
            self._source,
            ContactFact(moment.id, moment.case_id, moment.kanaal, moment.vertrouwelijk, moment.plaatsgevonden_op),
        )
        self._events.publish([event])
        if self._klantinteracties is None:
            return OutboundJobResult(events=1)
        case = self._cases.get(case_id)
        contact = NewKlantcontact(
            kanaal=moment.kanaal,
            onderwerp=moment.onderwerp,
            # the summary written for the record; tags are Baken's internal labels and never leave it
            inhoud=moment.inhoud,
            indicatie_contact_gelukt=moment.contact_gelukt,
            taal=moment.taal,
            vertrouwelijk=moment.vertrouwelijk,
            plaatsgevonden_op=moment.plaatsgevonden_op,
            actor=KlantcontactActor(naam=moment.medewerker.naam, soort_actor="medewerker", identificatie=moment.medewerker.id),
            onderwerp_object=self._onderwerp(case.id, case.source),
        )
        registered, duplicates = self._register(_key("contact", moment.id), contact)
        return OutboundJobResult(events=1, registered=registered, possible_duplicates=duplicates)

    def _notification_job(self, notification_id: str) -> OutboundJobResult:
        notification = self._outbox.get(notification_id)
        if notification is None or self._klantinteracties is None:
            return OutboundJobResult()  # expired (retention) or no longer configured: nothing to register
        case = self._cases.get(notification.case_id)
        contact = NewKlantcontact(
            kanaal=KANALEN[notification.channel],
            onderwerp=f"{ONDERWERPEN.get(notification.event_kind, 'Bericht over de zaak')} ({case.case_number})",
            inhoud=None,  # information-lean: what it said is in the berichtenbox, behind login
            indicatie_contact_gelukt=True,
            taal="nld" if notification.language.value == "nl" else "eng",
            vertrouwelijk=False,
            plaatsgevonden_op=notification.updated_at,
            actor=BAKEN_ACTOR,
            onderwerp_object=self._onderwerp(case.id, case.source),
        )
        registered, duplicates = self._register(_key("notification", notification.id), contact)
        return OutboundJobResult(registered=registered, possible_duplicates=duplicates)

    def _onderwerp(self, case_id: str, zaak_url: str | None) -> Onderwerpobjectidentificator:
        if zaak_url:
            return Onderwerpobjectidentificator(zaak_url, "zaak", "zrc", "url")
        return Onderwerpobjectidentificator(self._source.url(f"/api/cases/{case_id}"), "zaak", "baken", "url")

    def _register(self, key: str, contact: NewKlantcontact) -> tuple[int, int]:
        """Klantcontact, its actor, its onderwerpobject: each step once (see the module's note on a crash)."""
        api = self._klantinteracties
        if api is None:
            return 0, 0
        done = self._ledger.steps(key)
        created = duplicates = 0

        def step(name: str, call: Callable[[], str]) -> str:
            nonlocal created, duplicates
            known = done.get(name)
            if known and known != RegistrationLedger.PENDING:
                return known
            if known == RegistrationLedger.PENDING:
                duplicates += 1
                if self._on_possible_duplicate is not None:
                    self._on_possible_duplicate(name)
            else:
                self._ledger.remember(key, name, RegistrationLedger.PENDING)
            url = call()
            self._ledger.remember(key, name, url)
            created += 1
            return url

        klantcontact = step("klantcontact", lambda: api.create_klantcontact(contact))
        actor = api.actor(contact.actor)
        step("actorklantcontact", lambda: api.link_actor(klantcontact, actor))
        step("onderwerpobject", lambda: api.link_onderwerp(klantcontact, contact.onderwerp_object))
        return created, duplicates


def _key(kind: str, fact_id: str) -> str:
    return hashlib.sha256(f"klantcontact|{kind}|{fact_id}".encode()).hexdigest()[:32]
