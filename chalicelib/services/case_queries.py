"""Reading cases and the berichtenbox: the applicant's own, and the same view for behandelaar and KCC, who
find a case by its number or the cases of a person by the e-mail address they get our messages at."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from chalicelib.domain.berichtenbox import BerichtenboxMessage
from chalicelib.domain.case_view import CaseView, case_view
from chalicelib.domain.cases import MAX_CASE_NUMBER_LENGTH, Case, HistoryPage, PartyRole
from chalicelib.domain.catalogue import Catalogue
from chalicelib.domain.errors import CaseNotFoundError, ValidationError
from chalicelib.domain.identity import STAFF, Principal, Role, ensure_can_view, require_any_role, require_role
from chalicelib.domain.notifications import Notification
from chalicelib.domain.subscriptions import Subscriber
from chalicelib.domain.worklist import WorkFilter, WorkOrder, WorkPosition, deadline_range, position_of
from chalicelib.services.ports import (
    BerichtenboxStore,
    CaseRepository,
    Clock,
    ContactMomentStore,
    NotificationOutbox,
    SubscriberDirectory,
    WorkRead,
)

WORK_PAGE = 25  # cases on one page of the work list
# Cases one request for a work-list page reads from the index at most (a page backwards that reaches the start
# reads the first page again: twice this). A filter the index serves (the deadline state, in deadline order) reads
# the page and one more; product, status and words are checked on the cases read, so a rare one may stop at this
# bound before the page is full, and the page says so and goes on from there.
WORK_READ_BUDGET = 200
WORK_COUNT_CAP = 500  # the counts at the top count up to this many cases ("500 or more")
HISTORY_PAGE = 20  # timeline entries of the case's history on one page (one Query); earlier ones on the next


def _covered(page: HistoryPage) -> dict[str, datetime | None]:
    """The time a page of the timeline covers: from its oldest entry when an earlier page follows (else from the
    start), up to the entry the page follows (else up to now); its contact moments are those of that time."""
    since = page.entries[-1].at if page.before is not None and page.entries else None
    return {"since": since, "until": page.until}


class CaseQueries:
    def __init__(
        self,
        cases: CaseRepository,
        catalogue: Catalogue,
        outbox: NotificationOutbox,
        contacts: ContactMomentStore,
        subscribers: SubscriberDirectory,
    ) -> None:
        self._cases = cases
        self._catalogue = catalogue
        self._outbox = outbox
        self._contacts = contacts
        self._subscribers = subscribers

    def _views(self, cases: list[Case]) -> list[CaseView]:
        return [case_view(case, self._catalogue.get(case.zaaktype)) for case in cases]

    def my_cases(self, principal: Principal) -> list[CaseView]:
        """The cases of the applicant, or of whom they act for."""
        require_role(principal, Role.APPLICANT, "list_my_cases")
        return self._views(self._cases.cases_of_party(principal.acting_for))

    def view(self, principal: Principal, case_id: str, *, before: str | None = None) -> CaseView:
        """One case with a page of its timeline: the newest ``HISTORY_PAGE`` entries of its history (one Query),
        or those before the cursor ``before`` (the ``earlier`` of the page before); for an applicant who is not a
        party it does not exist."""
        require_any_role(principal, STAFF | {Role.APPLICANT}, "view_case")
        case = self._cases.get(case_id)
        ensure_can_view(principal, case)
        staff = bool(principal.roles & STAFF)
        history = self._cases.history(case.id, limit=HISTORY_PAGE, before=before)
        moments = self._contacts.for_case(case.id, **_covered(history))
        # the applicant sees only the sentence written for them; the internal note never leaves staff pages
        contacts = tuple(moments) if staff else tuple(seen for c in moments if (seen := c.as_applicant_sees_it()) is not None)
        return case_view(case, self._catalogue.get(case.zaaktype), contacts, history)

    def staff_view(self, principal: Principal, case_id: str, *, before: str | None = None) -> CaseView:
        """One case as behandelaar or KCC see it."""
        require_any_role(principal, STAFF, "view_case")
        return self.view(principal, case_id, before=before)

    def find_by_number(self, principal: Principal, case_number: str) -> CaseView:
        """Look a case up by its human number (behandelaar and KCC); one too long to be any is refused."""
        require_any_role(principal, STAFF, "find_case")
        if len(case_number) > MAX_CASE_NUMBER_LENGTH:
            raise ValidationError.single("case_number", "too_long", max=MAX_CASE_NUMBER_LENGTH)
        case = self._cases.find_by_number(case_number)
        if case is None:
            raise CaseNotFoundError(case_number)
        history = self._cases.history(case.id, limit=HISTORY_PAGE)
        contacts = tuple(self._contacts.for_case(case.id, **_covered(history)))
        return case_view(case, self._catalogue.get(case.zaaktype), contacts, history)

    def work_list_page(self, principal: Principal, request: WorkListRequest, today: date) -> WorkListPage:
        """One page of the behandelaar's open cases as ``request`` narrows and orders them, with where the pages
        before and after it start: at most ``WORK_READ_BUDGET`` cases read (one or a few Queries on an index)."""
        require_role(principal, Role.BEHANDELAAR, "work_list")
        backwards = request.before is not None
        found = self._read_page(principal.subject, request, today, backwards=backwards)
        if backwards and found.exhausted:  # back at the start: the first page, as it is when opened
            return self.work_list_page(principal, WorkListRequest(request.filter, request.order), today)
        shown = found.shown[:WORK_PAGE]
        more = len(found.shown) > WORK_PAGE or not found.exhausted
        go_on = position_of(shown[-1], request.order) if len(found.shown) > WORK_PAGE else found.last
        start = request.before or request.after
        if backwards:
            shown.reverse()
            later = position_of(shown[-1], request.order) if shown else start
            earlier = go_on if more else None
        else:
            later = go_on if more else None
            earlier = (position_of(shown[0], request.order) if shown else start) if start is not None else None
        return WorkListPage(
            cases=[case_view(case, self._catalogue.get(case.zaaktype)) for case in shown],
            after=later,
            before=earlier,
            stopped_early=not found.exhausted and len(found.shown) <= WORK_PAGE,
            read=found.read,
        )

    def _read_page(self, behandelaar: str, request: WorkListRequest, today: date, *, backwards: bool) -> _Found:
        """The cases the filter keeps, read from the index from the request's cursor: up to one more than a page,
        and at most ``WORK_READ_BUDGET`` read."""
        by_deadline = request.order is WorkOrder.DEADLINE
        bounds = deadline_range(request.filter.deadline, today) if by_deadline else None
        only_index = by_deadline and not request.filter.narrowed_past_index
        start = request.before if backwards else request.after
        kept: list[Case] = []
        read, last, exhausted = 0, start, False
        while len(kept) <= WORK_PAGE and read < WORK_READ_BUDGET and not exhausted:
            wanted = WORK_PAGE + 1 - len(kept) if only_index else 50
            chunk: WorkRead = self._cases.read_work_list(
                behandelaar,
                request.order,
                bounds=bounds,
                start=last,
                forward=not backwards,
                limit=min(wanted, WORK_READ_BUDGET - read),
            )
            exhausted = chunk.exhausted
            for number, case in enumerate(chunk.cases):
                read += 1
                last = position_of(case, request.order)
                if request.filter.keeps(case, today, check_deadline=not by_deadline):
                    kept.append(case)
                    if len(kept) > WORK_PAGE:
                        exhausted = exhausted and number == len(chunk.cases) - 1
                        break
        return _Found(kept, last, exhausted, read)

    def work_counts(self, principal: Principal, today: date) -> WorkCounts:
        """How many of the behandelaar's open cases are overdue, and due within 7 days (two COUNT Queries on the
        deadline index, each counting up to ``WORK_COUNT_CAP``)."""
        from chalicelib.domain.worklist import DeadlineFilter

        require_role(principal, Role.BEHANDELAAR, "work_list")
        counted = {
            state: self._cases.count_work(principal.subject, deadline_range(state, today), cap=WORK_COUNT_CAP)
            for state in (DeadlineFilter.OVERDUE, DeadlineFilter.NEAR)
        }
        return WorkCounts(counted[DeadlineFilter.OVERDUE], counted[DeadlineFilter.NEAR], WORK_COUNT_CAP)

    def find_by_email(self, principal: Principal, email: str) -> list[CaseView]:
        """The cases of whoever gets our e-mail at ``email`` (behandelaar and KCC), newest first: those they are
        a party to or act in for someone else. The subscriber id of someone who logged in is their subject;
        somebody who only follows news by e-mail has no cases, and neither has an address nobody uses."""
        require_any_role(principal, STAFF, "find_cases_by_email")
        subscriber = self._subscribers.find_by_email(email)
        if subscriber is None:
            return []
        return self._views(self._cases.cases_of_party(subscriber.id))

    def party_contacts(self, principal: Principal, case: Case) -> list[PartyContact]:
        """How Baken reaches each party of ``case`` (initiator first, then co-initiators and gemachtigden): the
        e-mail and postal address and the channels in their subscriber record (staff only; one BatchGetItem).
        A party Baken has no record of is listed with nothing to reach them by."""
        require_any_role(principal, STAFF, "view_party_contacts")
        subjects = list(dict.fromkeys((*case.parties, *case.gemachtigden)))
        found = self._subscribers.get_many(subjects)
        contacts = []
        for subject in subjects:
            role = case.role_of(subject)
            if role is not None:
                contacts.append(PartyContact(subject, role, found.get(subject)))
        return contacts

    def sent_to_parties(self, principal: Principal, case_id: str, *, limit: int) -> list[Notification]:
        """What the applicant and the other parties were sent, newest first (behandelaar and KCC only)."""
        require_any_role(principal, STAFF, "view_delivery_status")
        return self._outbox.to_parties(case_id, limit=limit)

    def delivery_status(
        self, principal: Principal, case_id: str, *, limit: int, after: tuple[datetime, str] | None = None
    ) -> DeliveryPage:
        """What the parties of the case were sent and whether it arrived, newest first, ``limit`` at a time
        (behandelaar and KCC only). Followers of a public case are not listed: who follows is nobody's business."""
        require_any_role(principal, STAFF, "view_delivery_status")
        self._cases.get(case_id)
        found = self._outbox.to_parties(case_id, limit=limit + 1, after=after)
        shown = found[:limit]
        last = shown[-1] if len(found) > limit else None
        return DeliveryPage(shown, (last.created_at, last.id) if last is not None else None)


@dataclass(frozen=True)
class PartyContact:
    subject: str
    role: PartyRole
    subscriber: Subscriber | None  # None: the party never logged in or chose how to hear


@dataclass(frozen=True)
class WorkListRequest:
    """Which page of the work list: the filter, the order, and a cursor (after a case, or before one)."""

    filter: WorkFilter
    order: WorkOrder = WorkOrder.DEADLINE
    after: WorkPosition | None = None
    before: WorkPosition | None = None


@dataclass(frozen=True)
class WorkListPage:
    cases: list[CaseView]
    after: WorkPosition | None  # where the next page starts ("Volgende"); None on the last
    before: WorkPosition | None  # where the page before ends ("Vorige"); None on the first
    stopped_early: bool  # the read bound came before a full page: more may follow after ``after``
    read: int  # cases read from the index for this page


@dataclass(frozen=True)
class WorkCounts:
    overdue: int
    near: int
    cap: int  # a count equal to this means "this many or more"


@dataclass(frozen=True)
class _Found:
    shown: list[Case]  # the cases kept, in the order read: a page and perhaps one more
    last: WorkPosition | None  # the last case read (where reading goes on)
    exhausted: bool  # the index has nothing after the last case read
    read: int


@dataclass(frozen=True)
class DeliveryPage:
    notifications: list[Notification]
    next_after: tuple[datetime, str] | None  # where the next page starts; None on the last


@dataclass(frozen=True)
class BerichtenboxPage:
    messages: list[BerichtenboxMessage]
    unread: int
    next_after: str | None


class Berichtenbox:
    """The berichtenbox of the applicant (or of whom they act for)."""

    def __init__(self, store: BerichtenboxStore, clock: Clock, cases: CaseRepository | None = None) -> None:
        self._store = store
        self._clock = clock
        self._cases = cases

    def page(self, principal: Principal, *, limit: int, after: str | None, case_id: str | None = None) -> BerichtenboxPage:
        """A page of the berichtenbox, newest first; with ``case_id``, only the messages about that case, which must
        be one of the person's own (else 400 naming ``zaak``: one Query on the party index says so)."""
        require_role(principal, Role.APPLICANT, "read_berichtenbox")
        owner = principal.acting_for
        if case_id is not None and (self._cases is None or case_id not in {c.id for c in self._cases.cases_of_party(owner)}):
            raise ValidationError.single("zaak", "not_your_case")
        messages = self._store.list(owner, limit=limit + 1, after=after, case_id=case_id)
        has_more = len(messages) > limit
        messages = messages[:limit]
        return BerichtenboxPage(
            messages=messages,
            unread=self._store.unread_count(owner),
            next_after=messages[-1].id if has_more and messages else None,
        )

    def mark_read(self, principal: Principal, message_id: str) -> BerichtenboxMessage:
        require_role(principal, Role.APPLICANT, "mark_berichtenbox_read")
        return self._store.mark_read(principal.acting_for, message_id, self._clock.now())
