"""What a behandelaar does to a case. Each command only writes the cases table: telling people is the
stream handler's job, so nothing is ever sent from a request."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from chalicelib.domain import cases as rules
from chalicelib.domain.cases import (
    Case,
    CaseMessage,
    DocumentRequest,
    Extension,
    HistoryKind,
    Link,
    Location,
    Medewerker,
    StatusEntry,
    Suspension,
)
from chalicelib.domain.catalogue import Catalogue, Zaaktype
from chalicelib.domain.deadlines import deadline_for
from chalicelib.domain.durations import Duration
from chalicelib.domain.errors import (
    CaseNumberTakenError,
    CaseRuleError,
    ConcurrentUpdateError,
    Issue,
    TooManyRequestsError,
    UnknownStatustypeError,
    UnknownZaaktypeError,
    ValidationError,
)
from chalicelib.domain.identity import Principal, Role, ensure_can_change, is_valid_subject, require_role
from chalicelib.domain.reference import Point, ReferenceData
from chalicelib.domain.subscriptions import Indexed, automatic_subscriptions, gained_followers
from chalicelib.domain.workdays import amsterdam_date
from chalicelib.services.ids import new_id
from chalicelib.services.ports import CaseRepository, Clock, RateLimiter, SubscriberDirectory

MAX_ATTEMPTS = 3
NUMBER_ATTEMPTS = 10  # numbers tried for one new case (each taken one is skipped)


@dataclass(frozen=True)
class NewCase:
    zaaktype: str
    omschrijving: str
    initiator: str
    co_initiators: tuple[str, ...]
    gemeenten: tuple[str, ...]
    point: Point | None = None
    startdatum: date | None = None


@dataclass(frozen=True)
class NewDocumentRequest:
    omschrijving: str
    due: date | None = None


@dataclass(frozen=True)
class CommandResult:
    case: Case
    changed: bool
    before: Case | None = None


PER_ACTOR = (1_000, timedelta(hours=1))  # changes one medewerker makes to cases (a person, not an import)
PER_CASE_MESSAGES = (10, timedelta(hours=1))  # messages to the parties of one case


class CaseCommands:
    def __init__(
        self,
        cases: CaseRepository,
        subscribers: SubscriberDirectory,
        catalogue: Catalogue,
        reference: ReferenceData,
        clock: Clock,
        ids: Callable[[], str] = new_id,
        limiter: RateLimiter | None = None,
    ) -> None:
        self._limiter = limiter
        self._cases = cases
        self._subscribers = subscribers
        self._catalogue = catalogue
        self._reference = reference
        self._clock = clock
        self._ids = ids

    def create(self, principal: Principal, new: NewCase) -> Case:
        """Register a case for an applicant; the creating behandelaar handles it. Its parties are
        subscribed to it in the same transaction."""
        require_role(principal, Role.BEHANDELAAR, "create_case")
        zaaktype = self._zaaktype_for_input(new.zaaktype)
        self._validate_parties_and_place(new)
        self._throttle(((f"actor:{principal.subject}", PER_ACTOR),))
        now = self._clock.now()
        today = amsterdam_date(now)
        startdatum = new.startdatum or today
        if startdatum > today:
            raise ValidationError.single("startdatum", "in_future")
        case = rules.open_case(
            case_id=self._ids(),
            case_number=self._cases.next_case_number(zaaktype.case_number_prefix, today.year),
            zaaktype=zaaktype,
            omschrijving=new.omschrijving,
            startdatum=startdatum,
            registered_at=now,
            behandelaar=Medewerker(principal.subject, principal.name or principal.subject),
            initiator=new.initiator,
            co_initiators=new.co_initiators,
            location=Location(new.gemeenten, new.point),
            first_status_id=self._ids(),
        )
        subscriptions = automatic_subscriptions(case, now)
        # A number another writer gave a case already (an import that numbers its own cases) is skipped: the
        # case is stored under the next one. Numbers are unique whatever wrote the earlier cases.
        for _ in range(NUMBER_ATTEMPTS):
            try:
                return self._cases.create(case, subscriptions)
            except CaseNumberTakenError:
                case = replace(case, case_number=self._cases.next_case_number(zaaktype.case_number_prefix, today.year))
        raise ConcurrentUpdateError(case.id, conflict="case_number")

    def add_gemachtigde(self, principal: Principal, case_id: str, subject: str) -> CommandResult:
        """Register someone authorised to act for the applicants: they see the case and follow it."""
        if not is_valid_subject(subject):
            raise ValidationError.single("subject", "invalid_subject")
        return self._change(principal, case_id, "add_gemachtigde", lambda case, _: rules.add_gemachtigde(case, subject))

    def set_status(self, principal: Principal, case_id: str, statustype: str, toelichting: str | None) -> CommandResult:
        def apply(case: Case, zaaktype: Zaaktype) -> Case:
            try:
                zaaktype.statustype(statustype)
            except UnknownStatustypeError:
                raise ValidationError.single("statustype", "unknown_statustype", zaaktype=zaaktype.identificatie) from None
            entry = StatusEntry(self._ids(), statustype, self._clock.now(), principal.subject, toelichting)
            return rules.set_status(case, zaaktype, entry)

        return self._change(principal, case_id, "set_status", apply)

    def request_documents(
        self, principal: Principal, case_id: str, requests: tuple[NewDocumentRequest, ...], *, repeat: bool = False
    ) -> CommandResult:
        """Ask for documents; one still open is asked again only with ``repeat`` (else 400 ``already_requested``)."""

        def apply(case: Case, _: Zaaktype) -> Case:
            now = self._clock.now()
            today = amsterdam_date(now)
            issues = [
                Issue(f"documents.{i}.due", "in_past") for i, r in enumerate(requests) if r.due is not None and r.due < today
            ]
            if issues:
                raise ValidationError(issues)
            built = tuple(DocumentRequest(self._ids(), r.omschrijving, now, principal.subject, r.due) for r in requests)
            return rules.request_documents(case, built, repeat=repeat)

        return self._change(principal, case_id, "request_documents", apply)

    def accept_document(self, principal: Principal, case_id: str, document_id: str) -> CommandResult:
        """The received document is what was asked for (geaccepteerd); the applicant sees it on the case page."""
        return self._change(
            principal,
            case_id,
            "accept_document",
            lambda case, _: rules.accept_document(case, document_id, self._clock.now(), principal.subject),
        )

    def ask_document_again(
        self, principal: Principal, case_id: str, document_id: str, reason: str, due: date | None
    ) -> CommandResult:
        """The received document is not what was asked for: a new request with the reason (and maybe a new date),
        which the stream tells the applicant about as any request."""

        def apply(case: Case, _: Zaaktype) -> Case:
            now = self._clock.now()
            if due is not None and due < amsterdam_date(now):
                raise ValidationError.single("due", "in_past")
            again = DocumentRequest(self._ids(), "", now, principal.subject, due, reason=reason)
            return rules.ask_document_again(case, document_id, again)

        return self._change(principal, case_id, "ask_document_again", apply)

    def mark_document_received(self, principal: Principal, case_id: str, document_id: str) -> CommandResult:
        return self._change(
            principal,
            case_id,
            "mark_document_received",
            lambda case, _: rules.mark_document_received(case, document_id, self._clock.now()),
        )

    def post_message(self, principal: Principal, case_id: str, text: str, link: Link | None) -> CommandResult:
        """A message to the parties of the case; at most ``PER_CASE_MESSAGES`` an hour reach the same people."""
        return self._change(
            principal,
            case_id,
            "post_message",
            lambda case, _: rules.post_message(case, CaseMessage(self._ids(), text, self._clock.now(), principal.subject, link)),
            limits=((f"case-messages:{case_id}", PER_CASE_MESSAGES),),
        )

    def post_answer(self, principal: Principal, case_id: str, message_id: str, text: str) -> CommandResult:
        """The answer to an applicant's question, as a message to the parties with the id the question gives it
        (``questions.answer_message_id``): a message with that id on the case already (an answer sent before, whose
        question was not yet marked answered) is not posted again. Limited as any message."""

        def apply(case: Case, _: Zaaktype) -> Case:
            if any(m.id == message_id for m in case.messages) or (
                self._cases.history_entry(case.id, HistoryKind.MESSAGE, message_id) is not None
            ):
                return case
            return rules.post_message(case, CaseMessage(message_id, text, self._clock.now(), principal.subject))

        return self._change(
            principal, case_id, "answer_question", apply, limits=((f"case-messages:{case_id}", PER_CASE_MESSAGES),)
        )

    def extend(self, principal: Principal, case_id: str, duur: Duration, reden: str) -> CommandResult:
        def apply(case: Case, zaaktype: Zaaktype) -> Case:
            now = self._clock.now()
            extension = Extension(duur, reden, now)
            return rules.extend(case, zaaktype, extension, current_due=deadline_for(case).due, today=amsterdam_date(now))

        return self._change(principal, case_id, "extend", apply)

    def suspend(self, principal: Principal, case_id: str, reden: str) -> CommandResult:
        def apply(case: Case, zaaktype: Zaaktype) -> Case:
            return rules.suspend(case, zaaktype, Suspension(amsterdam_date(self._clock.now()), reden))

        return self._change(principal, case_id, "suspend", apply)

    def resume(self, principal: Principal, case_id: str) -> CommandResult:
        return self._change(principal, case_id, "resume", lambda case, _: rules.resume(case, amsterdam_date(self._clock.now())))

    def _change(
        self,
        principal: Principal,
        case_id: str,
        action: str,
        apply: Callable[[Case, Zaaktype], Case],
        *,
        limits: tuple[tuple[str, tuple[int, timedelta]], ...] = (),
    ) -> CommandResult:
        """Check the role, load, check ownership, check the rate limits, apply, save; on a concurrent change
        start again from the fresh case. The role is checked before loading so that nobody learns whether a
        case exists."""
        require_role(principal, Role.BEHANDELAAR, action)
        for attempt in range(1, MAX_ATTEMPTS + 1):
            case = self._cases.get(case_id)
            ensure_can_change(principal, case, action)
            if case.source is not None and action in rules.SET_BY_ZAAKSYSTEEM:
                raise CaseRuleError("owned_by_zaaksysteem")
            if attempt == 1:
                self._throttle(((f"actor:{principal.subject}", PER_ACTOR), *limits))
            changed = apply(case, self._catalogue.get(case.zaaktype))
            if changed == case:
                return CommandResult(case, changed=False, before=case)
            try:
                return CommandResult(self._save(case, changed), changed=True, before=case)
            except ConcurrentUpdateError:
                if attempt == MAX_ATTEMPTS:
                    raise
        raise AssertionError("unreachable")

    def _save(self, before: Case, after: Case) -> Case:
        """The changed case item and what the change adds to its history, in one write (see CaseRepository.save)."""
        return self._cases.save(after, self._gained_followers(before, after), rules.history_added(before, after))

    def dry_run(self) -> CaseCommands:
        """These commands, each working out its change on a copy of the case: nothing is saved and no rate
        limit counts it (the page shows what the applicant would receive before the behandelaar sends it)."""
        return _DryRun(self._cases, self._subscribers, self._catalogue, self._reference, self._clock, self._ids)

    def _throttle(self, limits: tuple[tuple[str, tuple[int, timedelta]], ...]) -> None:
        """429 with Retry-After when a medewerker writes faster than anyone works, or one case's people would
        get a flood of messages."""
        if self._limiter is None:
            return
        now = self._clock.now()
        for key, (limit, window) in limits:
            wait = self._limiter.hit(key, limit=limit, window=window, now=now)
            if wait is not None:
                raise TooManyRequestsError(wait)

    def _gained_followers(self, before: Case, after: Case) -> list[Indexed]:
        """Subscriptions for whoever follows the case now and did not before (a new gemachtigde)."""
        return gained_followers(before, after, self._clock.now())

    def _zaaktype_for_input(self, identificatie: str) -> Zaaktype:
        try:
            return self._catalogue.get(identificatie)
        except UnknownZaaktypeError:
            raise ValidationError.single("zaaktype", "unknown_zaaktype") from None

    def _validate_parties_and_place(self, new: NewCase) -> None:
        issues: list[Issue] = []
        if not is_valid_subject(new.initiator):
            issues.append(Issue("initiator", "invalid_subject"))
        issues.extend(
            Issue(f"co_initiators.{i}", "invalid_subject") for i, s in enumerate(new.co_initiators) if not is_valid_subject(s)
        )
        if new.initiator in new.co_initiators:
            issues.append(Issue("co_initiators", "contains_initiator"))
        if not new.gemeenten:
            issues.append(Issue("gemeenten", "required"))
        issues.extend(
            Issue(f"gemeenten.{i}", "unknown_gemeente", {"gemeente": code})
            for i, code in enumerate(new.gemeenten)
            if self._reference.gemeente(code) is None
        )
        if issues:
            raise ValidationError(issues)


class _DryRun(CaseCommands):
    """The same commands with the same checks, but nothing is written and no rate limit counts."""

    def create(self, principal: Principal, new: NewCase) -> Case:
        raise TypeError("a dry run works out a change to a case; registering one would write")

    def _throttle(self, limits: tuple[tuple[str, tuple[int, timedelta]], ...]) -> None:
        return None

    def _save(self, before: Case, after: Case) -> Case:
        return after
