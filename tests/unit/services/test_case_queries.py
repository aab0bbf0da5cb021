"""Reading: applicants see their own cases only (or of whom they act for), the KCC sees the same picture
and records contacts, the berichtenbox pages newest first with an unread count."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from chalicelib.domain.case_view import TimelineKind
from chalicelib.domain.errors import BerichtenboxMessageNotFoundError, CaseNotFoundError, ForbiddenError, ValidationError
from chalicelib.domain.identity import Principal, Role
from chalicelib.domain.worklist import DeadlineFilter, WorkFilter, WorkOrder
from chalicelib.services import case_queries
from chalicelib.services.case_commands import NewCase
from chalicelib.services.case_queries import WorkListRequest
from chalicelib.services.contacts import NewContactMoment
from tests.factories import FATIMA, JAN, MARK, MELDING, SUBSIDIE, subscriber
from tests.unit.services.conftest import (
    ANNA_PRINCIPAL,
    FATIMA_PRINCIPAL,
    JAN_PRINCIPAL,
    KARIN,
    MARK_PRINCIPAL,
    SANNE,
    World,
)

CALL = NewContactMoment("telefoon", "Vergunning waterschap", "Uitgelegd hoe het Omgevingsloket werkt.", vertrouwelijk=False)


@pytest.fixture
def cases(world: World):
    marks = world.commands.create(ANNA_PRINCIPAL, NewCase(SUBSIDIE, "Duurzame recreatie", MARK, (FATIMA,), ("GM1581",)))
    jans = world.commands.create(ANNA_PRINCIPAL, NewCase(MELDING, "Verkeerslicht", JAN, (), ("GM0307",)))
    return marks, jans


def test_an_applicant_lists_only_the_cases_they_are_a_party_to(world: World, cases):
    marks, jans = cases
    assert [v.case.id for v in world.queries.my_cases(MARK_PRINCIPAL)] == [marks.id]
    assert [v.case.id for v in world.queries.my_cases(FATIMA_PRINCIPAL)] == [marks.id]
    assert [v.case.id for v in world.queries.my_cases(JAN_PRINCIPAL)] == [jans.id]


def test_someone_acting_for_mark_sees_marks_cases(world: World, cases):
    marks, _ = cases
    assert [v.case.id for v in world.queries.my_cases(KARIN)] == [marks.id]
    assert world.queries.view(KARIN, marks.id).case.id == marks.id


def test_another_applicants_case_is_not_found_exactly_like_a_missing_one(world: World, cases):
    marks, _ = cases
    with pytest.raises(CaseNotFoundError) as other:
        world.queries.view(JAN_PRINCIPAL, marks.id)
    with pytest.raises(CaseNotFoundError) as missing:
        world.queries.view(JAN_PRINCIPAL, "00000000-0000-0000-0000-000000000000")
    assert type(other.value) is type(missing.value)


def test_the_kcc_sees_any_case_but_an_applicant_may_not_use_the_staff_view(world: World, cases):
    marks, _ = cases
    assert world.queries.staff_view(SANNE, marks.id).case.id == marks.id
    with pytest.raises(ForbiddenError):
        world.queries.staff_view(MARK_PRINCIPAL, marks.id)
    with pytest.raises(ForbiddenError):
        world.queries.delivery_status(MARK_PRINCIPAL, marks.id, limit=10)


def test_staff_see_the_internal_note_and_the_applicant_sees_only_the_sentence_written_for_them(world: World, cases):
    marks, _ = cases
    world.clock.advance(minutes=5)
    told = replace(CALL, for_applicant="  U belde ons over de vergunning van het waterschap.  ")
    moment = world.contact_registry.record(SANNE, marks.id, told)
    assert moment.medewerker.naam == "Sanne de Boer"
    assert moment.for_applicant == "U belde ons over de vergunning van het waterschap."

    newest = world.queries.view(ANNA_PRINCIPAL, marks.id).timeline[0]
    assert (newest.kind, newest.text) == (TimelineKind.CONTACT, "Uitgelegd hoe het Omgevingsloket werkt.")
    assert newest.contact is not None
    assert newest.contact.tags == ()

    for applicant in (MARK_PRINCIPAL, FATIMA_PRINCIPAL, KARIN):
        seen = world.queries.view(applicant, marks.id).timeline[0]
        assert (seen.kind, seen.text) == (TimelineKind.CONTACT, "U belde ons over de vergunning van het waterschap.")
        assert seen.contact is not None
        assert "Omgevingsloket" not in repr(seen.contact)  # the note is not even in what the page is given
        assert seen.contact.onderwerp == ""


def test_a_contact_moment_without_a_sentence_for_the_applicant_is_not_on_their_timeline(world: World, cases):
    """Also every moment stored before the sentence existed: its note was internal and stays so."""
    marks, _ = cases
    world.clock.advance(minutes=5)
    world.contact_registry.record(SANNE, marks.id, replace(CALL, for_applicant="   "))
    assert world.contacts.items[0].for_applicant is None
    assert world.queries.view(ANNA_PRINCIPAL, marks.id).timeline[0].kind is TimelineKind.CONTACT
    kinds = [e.kind for e in world.queries.view(MARK_PRINCIPAL, marks.id).timeline]
    assert TimelineKind.CONTACT not in kinds


def test_a_confidential_contact_moment_cannot_have_a_sentence_for_the_applicant(world: World, cases):
    marks, _ = cases
    with pytest.raises(ValidationError) as refused:
        world.contact_registry.record(SANNE, marks.id, replace(CALL, vertrouwelijk=True, for_applicant="U belde ons."))
    assert [(i.field, i.code) for i in refused.value.issues] == [("for_applicant", "not_with_vertrouwelijk")]
    assert world.contacts.items == []


def test_a_confidential_contact_moment_is_shown_to_staff_only(world: World, cases):
    marks, _ = cases
    world.contact_registry.record(
        SANNE, marks.id, NewContactMoment("telefoon", "Klacht", "Boos over de wachttijd.", vertrouwelijk=True)
    )

    def kinds(principal):
        return [e.kind for e in world.queries.view(principal, marks.id).timeline]

    assert TimelineKind.CONTACT in kinds(ANNA_PRINCIPAL)
    assert TimelineKind.CONTACT not in kinds(MARK_PRINCIPAL)


def test_an_applicant_cannot_record_a_contact_moment_and_no_one_can_date_one_in_the_future(world: World, cases):
    marks, _ = cases
    with pytest.raises(ForbiddenError):
        world.contact_registry.record(MARK_PRINCIPAL, marks.id, CALL)
    later = NewContactMoment(
        "telefoon", "Vraag", "Later", vertrouwelijk=False, plaatsgevonden_op=world.clock.now() + timedelta(hours=1)
    )
    with pytest.raises(ValidationError):
        world.contact_registry.record(SANNE, marks.id, later)
    assert world.contacts.items == []


def test_tags_of_a_contact_moment_are_kept_clean_and_wrong_ones_write_nothing(world: World, cases):
    marks, _ = cases
    tagged = replace(CALL, tags=(" DSO", "vergunning-waterschap", "dso"))
    assert world.contact_registry.record(SANNE, marks.id, tagged).tags == ("dso", "vergunning-waterschap")
    assert world.contacts.items[0].tags == ("dso", "vergunning-waterschap")
    with pytest.raises(ValidationError) as refused:
        world.contact_registry.record(SANNE, marks.id, replace(CALL, tags=("dso", "twee woorden")))
    assert refused.value.issues[0].field == "tags.1"
    assert len(world.contacts.items) == 1


def test_the_kcc_finds_the_cases_of_whoever_gets_our_messages_at_an_address(world: World, cases):
    marks, jans = cases
    # GIVEN Karin, authorised for Mark's case, and a neighbour who only follows news by e-mail
    world.commands.add_gemachtigde(ANNA_PRINCIPAL, marks.id, KARIN.subject)
    world.subscribers.put(subscriber(KARIN.subject, "karin@example.org"))
    world.subscribers.put(subscriber("anon-7c1f", "buurvrouw@example.org"))

    def found(address: str) -> list[str]:
        return [view.case.id for view in world.queries.find_by_email(SANNE, address)]

    # THEN an address finds the cases of its person, whatever its case
    assert found("mark@example.org") == [marks.id]
    assert found("Fatima@Example.org") == [marks.id]
    assert found("jan@example.org") == [jans.id]
    assert [view.case.id for view in world.queries.find_by_email(ANNA_PRINCIPAL, "karin@example.org")] == [marks.id]
    # AND an address of someone without cases, or of nobody, finds nothing
    assert found("buurvrouw@example.org") == []
    assert found("niemand@example.org") == []


def test_applicants_may_not_search_cases_by_address(world: World, cases):
    for principal in (MARK_PRINCIPAL, KARIN):
        with pytest.raises(ForbiddenError):
            world.queries.find_by_email(principal, "jan@example.org")


def test_the_berichtenbox_pages_newest_first_and_counts_unread(world: World, cases):
    marks, _ = cases
    world.propagate()
    for step in ("in-behandeling", "aanvullende-informatie-nodig"):
        world.commands.set_status(ANNA_PRINCIPAL, marks.id, step, None)
        world.propagate()

    first = world.berichtenbox.page(MARK_PRINCIPAL, limit=2, after=None)
    second = world.berichtenbox.page(MARK_PRINCIPAL, limit=2, after=first.next_after)

    assert [m.title for m in first.messages] == ["Nieuwe status: Aanvullende informatie nodig", "Nieuwe status: In behandeling"]
    assert [m.title for m in second.messages] == ["Nieuwe status: Ontvangen"]
    assert second.next_after is None
    assert first.unread == 3


def test_marking_a_message_read_is_idempotent_and_only_for_its_owner(world: World, cases):
    world.propagate()
    (message,) = world.berichtenbox.page(MARK_PRINCIPAL, limit=5, after=None).messages
    read = world.berichtenbox.mark_read(MARK_PRINCIPAL, message.id)
    assert read.read_at is not None
    assert world.berichtenbox.mark_read(MARK_PRINCIPAL, message.id).read_at == read.read_at
    assert world.berichtenbox.page(MARK_PRINCIPAL, limit=5, after=None).unread == 0
    with pytest.raises(BerichtenboxMessageNotFoundError):
        world.berichtenbox.mark_read(JAN_PRINCIPAL, message.id)


def test_the_work_list_holds_the_behandelaars_open_cases_first_deadline_first(world: World):
    start = world.clock.now().date()
    late = world.commands.create(ANNA_PRINCIPAL, NewCase(SUBSIDIE, "Oud", MARK, (), ("GM1581",), startdatum=date(2025, 1, 6)))
    soon = world.commands.create(ANNA_PRINCIPAL, NewCase(MELDING, "Gat in de weg", JAN, (), ("GM0344",), startdatum=start))
    later = world.commands.create(ANNA_PRINCIPAL, NewCase(SUBSIDIE, "Nieuw", MARK, (), ("GM1581",), startdatum=start))
    paused = world.commands.create(ANNA_PRINCIPAL, NewCase(SUBSIDIE, "Wacht", MARK, (), ("GM1581",), startdatum=start))
    world.commands.suspend(ANNA_PRINCIPAL, paused.id, "Wachten op de begroting.")
    closed = world.commands.create(ANNA_PRINCIPAL, NewCase(SUBSIDIE, "Klaar", MARK, (), ("GM1581",), startdatum=start))
    world.commands.set_status(ANNA_PRINCIPAL, closed.id, "besluit-genomen", None)
    pieter = Principal("mdw-pieter-jansen", frozenset({Role.BEHANDELAAR}))
    world.commands.create(pieter, NewCase(SUBSIDIE, "Van Pieter", MARK, (), ("GM1581",), startdatum=start))

    listed = [view.case.id for view in world.queries.work_list_page(ANNA_PRINCIPAL, WorkListRequest(WorkFilter()), start).cases]

    assert listed == [late.id, soon.id, later.id, paused.id]
    with pytest.raises(ForbiddenError):
        world.queries.work_list_page(SANNE, WorkListRequest(WorkFilter()), start)


def _many(world: World, count: int, omschrijving=lambda n: f"Zaak {n}") -> list[str]:
    """``count`` cases of Anna's, each started a week after the one before (so each due a week later)."""
    first = world.clock.now().date() - timedelta(weeks=count)
    made = []
    for n in range(count):
        case = NewCase(SUBSIDIE, omschrijving(n), MARK, (), ("GM1581",), startdatum=first + timedelta(weeks=n))
        made.append(world.commands.create(ANNA_PRINCIPAL, case).id)
        world.clock.advance(minutes=1)
    return made


def test_pages_of_the_work_list_follow_each_other_forward_and_back(world: World, monkeypatch):
    monkeypatch.setattr(case_queries, "WORK_PAGE", 4)
    made = _many(world, 10)
    today = world.clock.now().date()

    def page(**cursor):
        found = world.queries.work_list_page(ANNA_PRINCIPAL, WorkListRequest(WorkFilter(), **cursor), today)
        return [view.case.id for view in found.cases], found

    first, one = page()
    second, two = page(after=one.after)
    third, three = page(after=two.after)
    back, _ = page(before=three.before)
    start_again, again = page(before=two.before)

    assert (first, second, third) == (made[:4], made[4:8], made[8:])
    assert one.before is None
    assert three.after is None
    assert back == second
    assert start_again == first
    assert again.before is None  # back at the start: the first page, as it opens


def test_a_filter_the_index_cannot_serve_stops_at_the_read_bound_and_says_where_to_go_on(world: World, monkeypatch):
    monkeypatch.setattr(case_queries, "WORK_PAGE", 2)
    monkeypatch.setattr(case_queries, "WORK_READ_BUDGET", 5)
    made = _many(world, 12, omschrijving=lambda n: "Fietspad" if n in (1, 9) else "Recreatie")
    today = world.clock.now().date()
    request = WorkListRequest(WorkFilter(words=("fietspad",)))

    first = world.queries.work_list_page(ANNA_PRINCIPAL, request, today)
    second = world.queries.work_list_page(ANNA_PRINCIPAL, replace(request, after=first.after), today)

    assert [view.case.id for view in first.cases] == [made[1]]
    assert first.stopped_early
    assert first.read == 5
    assert [view.case.id for view in second.cases] == [made[9]]


def test_newest_first_and_a_deadline_state_together_are_checked_on_the_cases_read(world: World):
    made = _many(world, 3)
    paused = made[1]
    world.commands.suspend(ANNA_PRINCIPAL, paused, "Wacht op advies.")
    today = world.clock.now().date()

    found = world.queries.work_list_page(
        ANNA_PRINCIPAL, WorkListRequest(WorkFilter(DeadlineFilter.PAUSED), WorkOrder.NEWEST), today
    )
    everything = world.queries.work_list_page(ANNA_PRINCIPAL, WorkListRequest(WorkFilter(), WorkOrder.NEWEST), today)

    assert [view.case.id for view in found.cases] == [paused]
    assert [view.case.id for view in everything.cases] == made[::-1]


def test_the_counts_name_the_overdue_and_the_nearly_due_cases(world: World):
    today = world.clock.now().date()
    for startdatum in (date(2025, 1, 6), today - timedelta(days=88), today):  # P13W: overdue, due in 3 days, later
        world.commands.create(ANNA_PRINCIPAL, NewCase(SUBSIDIE, "Zaak", MARK, (), ("GM1581",), startdatum=startdatum))

    counts = world.queries.work_counts(ANNA_PRINCIPAL, today)

    assert (counts.overdue, counts.near) == (1, 1)


def test_a_contact_moment_shows_on_the_page_of_the_timeline_that_covers_its_time(world: World, cases):
    # GIVEN Mark's case: 3 status changes, a call, then 22 more changes (26 statuses: two pages of 20)
    marks, _ = cases
    for turn in range(25):
        world.clock.advance(minutes=1)
        if turn == 3:
            world.contact_registry.record(SANNE, marks.id, CALL)
            world.clock.advance(minutes=1)
        world.commands.set_status(ANNA_PRINCIPAL, marks.id, ("in-behandeling", "aanvullende-informatie-nodig")[turn % 2], None)
    # WHEN the KCC reads the newest page and the one before it
    newest = world.queries.staff_view(SANNE, marks.id)
    earlier = world.queries.staff_view(SANNE, marks.id, before=newest.earlier)
    # THEN the call is on the earlier page, among the changes around it, and not on the newest
    kinds = [[e.kind for e in view.timeline] for view in (newest, earlier)]
    assert TimelineKind.CONTACT not in kinds[0]
    assert kinds[1].count(TimelineKind.CONTACT) == 1
    assert [len([k for k in page if k is TimelineKind.STATUS]) for page in kinds] == [20, 6]
    assert earlier.earlier is None
