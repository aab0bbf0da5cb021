"""The zaaksysteem tells Baken: accept a notice fast, then bring the case to the zaak's state off the request.

``ZaakIntake`` is the callback's side: it checks nothing but the message (the route checked who sent it), queues
the notice and answers — a slow zaaksysteem never fails the callback. ``ZaakSync`` is the queue's side: it reads
the zaak as the zaaksysteem has it now (``ZaakSource``) and writes what Baken lacks, one case write per real
status transition in the order the zaaksysteem set them (``zgw.plan_sync``). Because it reads the state rather
than trusting the message, a notice delivered twice, late, or before an earlier one ends the same way: the case
as the zaaksysteem has it, each transition told once. The existing stream → match → outbox path does the rest.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from chalicelib.domain.cases import Case, Medewerker, history_added
from chalicelib.domain.catalogue import Catalogue, Zaaktype
from chalicelib.domain.errors import CaseNotFoundError, CaseNumberTakenError, ConcurrentUpdateError, UnknownZaaktypeError
from chalicelib.domain.subscriptions import automatic_subscriptions, gained_followers
from chalicelib.domain.zgw import (
    Handling,
    SyncProblem,
    SyncRefused,
    ZaakNotice,
    ZaakSnapshot,
    case_id_for,
    plan_sync,
    rol_parties,
)
from chalicelib.services.ports import CaseRepository, Clock, NoticeQueue, PartyPseudonyms, ZaakGoneError, ZaakSource

MAX_ATTEMPTS = 3  # a concurrent write to the same case (a behandelaar's message) starts the sync again
# Who handles a zaak whose rollen name no behandelaar Baken knows: shown as the province, never as a person.
UNASSIGNED = Medewerker("zaaksysteem", "Provincie Utrecht")


class SyncOutcome(StrEnum):
    CREATED = "created"  # Baken did not know the zaak: the case is stored with every status so far
    UPDATED = "updated"  # the case was brought to the zaak's state (``writes`` case writes)
    UNCHANGED = "unchanged"  # Baken already had it all (a duplicate or late notice)
    WAITING = "waiting"  # the zaak has no status yet: the status's own notification follows
    GONE = "gone"  # the zaak was deleted in the zaaksysteem: the case stays as it was last known
    REFUSED = "refused"  # the zaak cannot become a case (``problem``): kept for the operator, not retried
    SKIPPED = "skipped"  # a notice that asks for nothing (the callback check, a resource Baken does not show)


@dataclass(frozen=True)
class SyncResult:
    outcome: SyncOutcome
    case_id: str | None = None
    writes: int = 0
    problem: str | None = None


class ZaakIntake:
    """What the callback and the CloudEvents route do with an accepted message: queue it, nothing else."""

    def __init__(self, queue: NoticeQueue, *, reads_catalogue: bool = False) -> None:
        self._queue = queue
        self._reads_catalogue = reads_catalogue

    def accept(self, notice: ZaakNotice) -> bool:
        """Queue the notice when there is work in it; False when there is none (answered all the same): a
        zaaktype's change is work only when the catalogue is read from the Catalogi API."""
        wanted = {Handling.SYNC, Handling.CATALOGUE} if self._reads_catalogue else {Handling.SYNC}
        if notice.handling not in wanted:
            return False
        self._queue.send(notice)
        return True


class ZaakSync:
    def __init__(
        self,
        source: ZaakSource,
        cases: CaseRepository,
        catalogue: Catalogue,
        pseudonyms: PartyPseudonyms,
        clock: Clock,
    ) -> None:
        self._source = source
        self._cases = cases
        self._catalogue = catalogue
        self._pseudonyms = pseudonyms
        self._clock = clock

    def sync(self, notice: ZaakNotice) -> SyncResult:
        """Bring the case of ``notice.zaak_url`` to the zaak's state. A ``ZgwError`` that is worth retrying
        (unavailable, refused, a malformed answer) is raised, so the notice goes back on its queue."""
        if notice.handling is not Handling.SYNC:
            return SyncResult(SyncOutcome.SKIPPED)
        case_id = case_id_for(notice.zaak_url)
        try:
            snapshot = self._source.snapshot(notice.zaak_url)
        except ZaakGoneError:
            return SyncResult(SyncOutcome.GONE, case_id)
        try:
            zaaktype = self._catalogue.get(snapshot.zaaktype.identificatie)
        except UnknownZaaktypeError:
            return SyncResult(SyncOutcome.REFUSED, case_id, problem=SyncProblem.UNKNOWN_ZAAKTYPE.value)
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                return self._apply(case_id, snapshot, zaaktype)
            except SyncRefused as refused:
                outcome = SyncOutcome.WAITING if refused.problem is SyncProblem.NO_STATUS else SyncOutcome.REFUSED
                return SyncResult(outcome, case_id, problem=refused.problem.value)
            except ConcurrentUpdateError:
                if attempt == MAX_ATTEMPTS:
                    raise
        raise AssertionError("unreachable")

    def _apply(self, case_id: str, snapshot: ZaakSnapshot, zaaktype: Zaaktype) -> SyncResult:
        existing = self._existing(case_id)
        parties = rol_parties(snapshot.rollen, self._pseudonyms.subject_for, UNASSIGNED)
        states = plan_sync(existing, snapshot, zaaktype, parties, self._clock.now())
        if not states:
            return SyncResult(SyncOutcome.UNCHANGED, case_id)
        try:
            self._write(existing, states)
        except CaseNumberTakenError:
            return SyncResult(SyncOutcome.REFUSED, case_id, problem=SyncProblem.NUMBER_TAKEN.value)
        outcome = SyncOutcome.CREATED if existing is None else SyncOutcome.UPDATED
        return SyncResult(outcome, case_id, writes=len(states))

    def _existing(self, case_id: str) -> Case | None:
        try:
            return self._cases.get(case_id)
        except CaseNotFoundError:
            return None

    def _write(self, existing: Case | None, states: Sequence[Case]) -> None:
        """Each state its own write, so each transition is a change of its own on the stream (told on its own,
        in order). A write that fails leaves the ones before it: the next sync starts from there."""
        before = existing
        for planned in states:
            if before is None:
                before = self._cases.create(planned, automatic_subscriptions(planned, self._clock.now()))
                continue
            state = replace(planned, version=before.version)
            gained = gained_followers(before, state, self._clock.now())
            before = self._cases.save(state, gained, history_added(before, state))
