"""CaseRepository: the in-memory cases and DynamoDB's cases and case-index tables keep the same promises."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from chalicelib.domain.cases import (
    TAIL,
    CaseMessage,
    DocumentRequest,
    HistoryKind,
    Link,
    Medewerker,
    Suspension,
    add_gemachtigde,
    history_added,
    mark_document_received,
    post_message,
    request_documents,
    set_status,
)
from chalicelib.domain.errors import CaseNotFoundError, CaseNumberTakenError, ConcurrentUpdateError, ValidationError
from chalicelib.domain.subscriptions import Indexed, Interest, automatic_subscriptions
from chalicelib.domain.worklist import DeadlineFilter, WorkOrder, deadline_range, position_of
from tests.contract.conftest import CaseStore
from tests.factories import FATIMA, JAN, MARK, SUBSIDIE, T0, a_case, status, zaaktype

KAREN = "pu-karin-2b6f90"


def created(store: CaseStore, **case_fields):
    """A new case as the commands open it (version 0), created with its parties' subscriptions."""
    case = a_case(version=0, **case_fields)
    return store.cases.create(case, automatic_subscriptions(case, T0))


def test_a_created_case_has_version_one_and_reads_back_the_same(case_store: CaseStore):
    case = a_case(version=0)
    stored = case_store.cases.create(case, automatic_subscriptions(case, T0))
    assert stored == replace(case, version=1)
    assert case_store.cases.get(case.id) == stored


def test_a_case_with_all_its_parts_reads_back_the_same(case_store: CaseStore):
    case = replace(
        a_case(version=0),
        statuses=(*a_case().statuses, status("in-behandeling", toelichting="Wij kijken ernaar")),
        messages=(CaseMessage("msg-1", "Zie de bijlage", T0, "mdw-anna-bakker", Link("https://example.test/a", "Bijlage")),),
        suspensions=(Suspension(date(2026, 10, 6), "wacht op advies", date(2026, 10, 9)),),
        gemachtigden=(KAREN,),
    )
    stored = case_store.cases.create(case, automatic_subscriptions(case, T0))
    assert case_store.cases.get(case.id) == stored == replace(case, version=1)


def test_creating_a_case_stores_its_followers_subscriptions(case_store: CaseStore):
    case = a_case(version=0)
    subscriptions = automatic_subscriptions(case, T0)
    case_store.cases.create(case, subscriptions)
    entries = case_store.subscriptions.entries_of(Interest.case(case.id).key)
    assert sorted(e.subscriber_id for e in entries) == sorted(case.followers)
    assert {case_store.subscriptions.get(i.subscription.id) for i in subscriptions} == {i.subscription for i in subscriptions}


def test_a_second_create_of_the_same_case_is_refused_and_keeps_the_first(case_store: CaseStore):
    first = created(case_store)
    with pytest.raises(ConcurrentUpdateError):
        case_store.cases.create(replace(first, omschrijving="Anders", version=0), [])
    assert case_store.cases.get(first.id) == first


def test_an_unknown_case_is_not_found(case_store: CaseStore):
    with pytest.raises(CaseNotFoundError):
        case_store.cases.get("case-unknown")


def test_a_case_is_found_by_its_number(case_store: CaseStore):
    case = created(case_store)
    assert case_store.cases.find_by_number(case.case_number) == case
    assert case_store.cases.find_by_number("SUB-2026-999999") is None


def test_case_numbers_count_up_per_prefix_and_year(case_store: CaseStore):
    numbers = [
        case_store.cases.next_case_number(prefix, year)
        for prefix, year in (("SUB", 2026), ("SUB", 2026), ("VRG", 2026), ("SUB", 2027))
    ]
    assert numbers == ["SUB-2026-000001", "SUB-2026-000002", "VRG-2026-000001", "SUB-2027-000001"]


def followers_of(case) -> list[Indexed]:
    return [i for i in automatic_subscriptions(case, T0) if i.subscription.subscriber_id == KAREN]


@pytest.mark.parametrize("with_followers", [False, True], ids=["alone", "with a new follower"])
def test_saving_a_case_read_at_its_current_version_gives_the_next_version(case_store: CaseStore, with_followers):
    case = created(case_store)
    changed = add_gemachtigde(case, KAREN)
    saved = case_store.cases.save(changed, followers_of(changed) if with_followers else ())
    assert saved == replace(changed, version=2)
    assert case_store.cases.get(case.id) == saved


@pytest.mark.parametrize("with_followers", [False, True], ids=["alone", "with a new follower"])
def test_saving_a_case_somebody_else_saved_since_it_was_read_is_refused(case_store: CaseStore, with_followers):
    # GIVEN a case two people read at version 1, and the first one saved
    read = created(case_store)
    first = case_store.cases.save(replace(read, omschrijving="Eerste"))
    # WHEN the second saves their change of version 1
    changed = add_gemachtigde(read, KAREN)
    with pytest.raises(ConcurrentUpdateError):
        case_store.cases.save(changed, followers_of(changed) if with_followers else ())
    # THEN the first one's change stands, and nobody gained a subscription
    assert case_store.cases.get(read.id) == first
    assert case_store.cases.cases_of_party(KAREN) == []


def test_saving_a_case_that_was_never_created_at_a_version_is_refused(case_store: CaseStore):
    with pytest.raises(ConcurrentUpdateError):
        case_store.cases.save(a_case(version=1))


def test_a_case_that_is_not_there_counts_as_version_zero_when_saved(case_store: CaseStore):
    case = a_case(version=0)
    assert case_store.cases.save(case) == replace(case, version=1)
    assert case_store.cases.get(case.id) == replace(case, version=1)


def test_creating_a_case_that_already_has_a_version_is_refused(case_store: CaseStore):
    case = a_case(version=1)
    with pytest.raises(ConcurrentUpdateError):
        case_store.cases.create(case, automatic_subscriptions(case, T0))
    with pytest.raises(CaseNotFoundError):
        case_store.cases.get(case.id)


def test_a_new_follower_saved_with_the_case_is_a_party_to_it(case_store: CaseStore):
    case = created(case_store)
    changed = add_gemachtigde(case, KAREN)
    case_store.cases.save(changed, followers_of(changed))
    assert [c.id for c in case_store.cases.cases_of_party(KAREN)] == [case.id]
    assert [e.subscriber_id for e in case_store.subscriptions.entries_of(Interest.case(case.id).key) if e.subscriber_id == KAREN]


def test_a_case_is_a_partys_only_through_the_subscriptions_stored_with_it(case_store: CaseStore):
    # GIVEN a case of Mark and Fatima, created with Mark's subscription only
    case = a_case(version=0)
    case_store.cases.create(case, [i for i in automatic_subscriptions(case, T0) if i.subscription.subscriber_id == MARK])
    # THEN it is Mark's case, and not (yet) Fatima's
    assert [c.id for c in case_store.cases.cases_of_party(MARK)] == [case.id]
    assert case_store.cases.cases_of_party(FATIMA) == []


def test_the_cases_of_a_party_come_newest_first_and_only_theirs(case_store: CaseStore):
    # GIVEN cases where Mark is initiator or co-initiator, registered at different moments, and one without him
    moments = [T0 + timedelta(hours=h) for h in (2, 1, 3)]
    created(case_store, registered_at=moments[0])
    created(case_store, registered_at=moments[1], initiator=FATIMA, co_initiators=(MARK,))
    created(case_store, registered_at=moments[2])
    created(case_store, registered_at=T0 + timedelta(hours=9), initiator=JAN, co_initiators=())
    # WHEN Mark's cases are asked for
    mine = case_store.cases.cases_of_party(MARK)
    # THEN all three come, newest first
    assert [c.registered_at for c in mine] == sorted(moments, reverse=True)
    assert case_store.cases.cases_of_party("pu-nobody") == []


def test_the_work_list_of_a_behandelaar_comes_by_deadline_then_paused_and_pages_by_a_cursor(case_store: CaseStore):
    # GIVEN Anna's cases started on different days, one paused, one closed, and a colleague's case
    started = [date(2026, 9, d) for d in (28, 7, 21, 14)]  # Mondays a week apart: four different deadlines
    by_start = {created(case_store, startdatum=d).id: d for d in started}
    paused = created(case_store, startdatum=date(2026, 8, 3))
    case_store.cases.save(replace(paused, suspensions=(Suspension(date(2026, 10, 1), "wacht op advies"),)))
    closed = created(case_store, startdatum=date(2026, 8, 4))
    case_store.cases.save(replace(closed, closed_on=date(2026, 10, 5)))
    other = created(case_store, startdatum=date(2026, 8, 5))
    case_store.cases.save(replace(other, behandelaar=Medewerker("mdw-pieter-jansen", "Pieter Jansen")))

    # WHEN her work list is read by deadline, all of it, the first three, and on from the third
    def read(order=WorkOrder.DEADLINE, **options):
        options = {"bounds": deadline_range(DeadlineFilter.ALL, date(2026, 10, 5)), "start": None, "forward": True, **options}
        return case_store.cases.read_work_list("mdw-anna-bakker", order, limit=options.pop("limit", 10), **options)

    everything = read()
    first_three = read(limit=3)
    rest = read(start=position_of(first_three.cases[-1], WorkOrder.DEADLINE))
    back = read(start=position_of(everything.cases[-1], WorkOrder.DEADLINE), forward=False, limit=2)
    # THEN it holds her open cases soonest deadline first, the paused one last, and a cursor goes on or back
    assert [by_start.get(c.id) for c in everything.cases] == [*sorted(started), None]
    assert everything.cases[-1].id == paused.id
    assert everything.exhausted
    assert first_three.cases == everything.cases[:3]
    assert not first_three.exhausted
    assert rest.cases == everything.cases[3:]
    assert back.cases == everything.cases[-2:-4:-1]
    # AND a deadline state is a range of the index: only the paused one is paused
    assert [c.id for c in read(bounds=deadline_range(DeadlineFilter.PAUSED, date(2026, 10, 5))).cases] == [paused.id]
    # AND newest first lists the open ones by registration, closed ones not at all
    newest = read(WorkOrder.NEWEST, bounds=None).cases
    assert [c.id for c in newest] == [c.id for c in sorted(everything.cases, key=lambda c: (c.registered_at, c.id), reverse=True)]
    # AND the counts count her open cases in a range, up to the cap
    assert case_store.cases.count_work("mdw-anna-bakker", deadline_range(DeadlineFilter.ALL, date(2026, 10, 5)), cap=100) == 5
    assert case_store.cases.count_work("mdw-anna-bakker", deadline_range(DeadlineFilter.PAUSED, date(2026, 10, 5)), cap=100) == 1


def test_cases_of_a_party_registered_at_the_same_moment_come_highest_id_first(case_store: CaseStore):
    same_moment = [created(case_store).id for _ in range(3)]
    assert [c.id for c in case_store.cases.cases_of_party(MARK)] == sorted(same_moment, reverse=True)


def test_a_new_case_with_a_number_another_case_has_is_refused_and_nothing_is_stored(case_store: CaseStore):
    # GIVEN a case written with its own number (as an import or the demo data numbers theirs)
    imported = replace(a_case(version=0), case_number="VERG-2026-000041")
    first = case_store.cases.create(imported, automatic_subscriptions(imported, T0))
    # WHEN a new case comes with the same number
    second = replace(a_case(version=0, initiator=JAN, co_initiators=()), case_number="VERG-2026-000041")
    with pytest.raises(CaseNumberTakenError):
        case_store.cases.create(second, automatic_subscriptions(second, T0))
    # THEN it is not stored, and the number still finds the first
    with pytest.raises(CaseNotFoundError):
        case_store.cases.get(second.id)
    assert case_store.cases.find_by_number("VERG-2026-000041") == first
    assert case_store.cases.cases_of_party(JAN) == []


def test_the_counter_continues_after_a_number_given_by_another_writer(case_store: CaseStore):
    assert case_store.cases.next_case_number("VERG", 2026) == "VERG-2026-000001"
    case_store.cases.advance_case_number("VERG", 2026, 41)
    assert case_store.cases.next_case_number("VERG", 2026) == "VERG-2026-000042"
    case_store.cases.advance_case_number("VERG", 2026, 7)  # a counter further already stays where it is
    assert case_store.cases.next_case_number("VERG", 2026) == "VERG-2026-000043"
    case_store.cases.advance_case_number("SUB", 2027, 5)  # a counter not there yet starts after it
    assert case_store.cases.next_case_number("SUB", 2027) == "SUB-2027-000006"


def _with_statuses(store: CaseStore, count: int):
    """A created case, then ``count`` status changes saved one by one, each with what it adds to the history."""
    case = created(store)
    subsidie = zaaktype(SUBSIDIE)
    for turn in range(count):
        entry = status(("in-behandeling", "aanvullende-informatie-nodig")[turn % 2], T0 + timedelta(minutes=turn + 1))
        changed = set_status(case, subsidie, entry)
        case = store.cases.save(changed, (), history_added(case, changed))
    return case


def test_the_history_holds_every_status_and_one_query_reads_a_page_of_it_newest_first(case_store: CaseStore):
    # GIVEN a case with 45 status changes (46 statuses with its first), of which its item keeps the last TAIL
    case = _with_statuses(case_store, 45)
    assert len(case_store.cases.get(case.id).statuses) == TAIL
    # WHEN its history is read 20 at a time, each page from the cursor of the one before
    pages, before = [], None
    while True:
        page = case_store.cases.history(case.id, limit=20, before=before)
        pages.append(page)
        before = page.before
        if before is None:
            break
    # THEN three pages hold every status once, newest first, as they were saved
    assert [len(p.entries) for p in pages] == [20, 20, 6]
    entries = [e for p in pages for e in p.entries]
    assert [e.at for e in entries] == sorted((e.at for e in entries), reverse=True)
    assert entries[0].item == case.current_status
    assert entries[-1].item == case_store.cases.history(case.id, limit=1, before=entries[-2].key).entries[0].item
    assert len({e.ref for e in entries}) == 46
    # AND an earlier page knows the moment it follows
    assert pages[0].until is None
    assert pages[1].until == pages[0].entries[-1].at


def test_messages_and_documents_come_back_from_the_history_as_they_were_saved(case_store: CaseStore):
    case = created(case_store)
    message = CaseMessage(
        "msg-1", "Zie het loket 😀", T0 + timedelta(hours=1), "mdw-anna", Link("https://example.org/a", "Loket")
    )
    steps = [
        lambda c: post_message(c, message),
        lambda c: request_documents(
            c, (DocumentRequest("doc-1", "Begroting", T0 + timedelta(hours=2), "mdw-anna", date(2026, 11, 1)),)
        ),
        lambda c: mark_document_received(c, "doc-1", T0 + timedelta(hours=3)),
    ]
    for step in steps:
        changed = step(case)
        case = case_store.cases.save(changed, (), history_added(case, changed))
    page = case_store.cases.history(case.id, limit=10)
    assert [(e.kind, e.ref) for e in page.entries] == [
        (HistoryKind.DOCUMENT_RECEIVED, "doc-1"),
        (HistoryKind.DOCUMENT_REQUESTED, "doc-1"),
        (HistoryKind.MESSAGE, "msg-1"),
        (HistoryKind.STATUS, case.statuses[0].id),
    ]
    assert page.entries[2].item == message
    assert page.entries[0].item == case.documents[0]
    assert page.entries[1].item == replace(case.documents[0], received_at=None)
    assert page.before is None


def test_an_entry_the_case_item_no_longer_holds_is_found_in_the_history(case_store: CaseStore):
    case = _with_statuses(case_store, 12)
    first_change = case_store.cases.history(case.id, limit=100).entries[-2]
    assert first_change.item.id not in {s.id for s in case.statuses}
    assert case_store.cases.history_entry(case.id, HistoryKind.STATUS, first_change.ref) == first_change
    assert case_store.cases.history_entry(case.id, HistoryKind.MESSAGE, first_change.ref) is None


def test_a_save_whose_second_item_fails_its_condition_writes_nothing(case_store: CaseStore):
    # GIVEN a case with one status change saved
    case = _with_statuses(case_store, 1)
    stored_before = case_store.cases.get(case.id)
    already = case_store.cases.history(case.id, limit=1).entries[0]
    # WHEN a change is saved whose second item (a history entry) is there already, so its condition fails
    changed = set_status(case, zaaktype(SUBSIDIE), status("besluit-genomen", T0 + timedelta(days=1)))
    new_entries = history_added(case, changed)
    with pytest.raises(ConcurrentUpdateError):
        case_store.cases.save(changed, (), (already, *new_entries))
    # THEN neither the case item nor the new history entry was written
    assert case_store.cases.get(case.id) == stored_before
    keys = {e.key for e in case_store.cases.history(case.id, limit=100).entries}
    assert new_entries[0].key not in keys
    assert len(keys) == 2


def test_a_cursor_that_names_no_moment_is_refused_naming_before(case_store: CaseStore):
    case = created(case_store)
    with pytest.raises(ValidationError) as refused:
        case_store.cases.history(case.id, limit=20, before="case#other#x")
    assert refused.value.issues[0].field == "before"
