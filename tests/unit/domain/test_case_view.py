"""What an applicant (and the KCC) sees of a case: the timeline, the next steps and what is still missing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from chalicelib.domain.case_view import TimelineKind, case_view, procedure_steps
from chalicelib.domain.cases import (
    Case,
    CaseMessage,
    DocumentRequest,
    Extension,
    Link,
    Suspension,
    mark_document_received,
    post_message,
    request_documents,
    resume,
    set_status,
    suspend,
)
from chalicelib.domain.contacts import ContactMoment
from chalicelib.domain.durations import Duration
from tests.factories import ANNA, SUBSIDIE, T0, a_case, status, zaaktype

DAY = timedelta(days=1)
LINK = Link("https://omgevingsloket.nl", "Omgevingsloket")


def _contact(at: datetime) -> ContactMoment:
    return ContactMoment("contact-1", "case-1", "telefoon", "Vraag over de termijn", "Mark belde over de termijn.", at, ANNA)


def _busy_case() -> tuple[Case, dict[str, str]]:
    """A subsidy case that has seen one of everything, a day apart (T0 is Monday 5 October 2026, 09:00 UTC)."""
    subsidie = zaaktype(SUBSIDIE)
    case = a_case()
    case = request_documents(case, (DocumentRequest("doc-1", "Begroting", T0 + DAY, ANNA.id),))
    case = post_message(case, CaseMessage("msg-1", "Zie het Omgevingsloket.", T0 + 2 * DAY, ANNA.id, LINK))
    case = suspend(case, subsidie, Suspension(date(2026, 10, 8), "Wacht op begroting"))
    case = resume(case, date(2026, 10, 9))
    case = mark_document_received(case, "doc-1", T0 + 4 * DAY + timedelta(hours=3))
    handled = status("in-behandeling", T0 + 5 * DAY, toelichting="Compleet.")
    case = set_status(case, subsidie, handled)
    case = replace(case, extension=Extension(Duration(weeks=6), "Advies nodig", T0 + 6 * DAY))
    return case, {"first": case.statuses[0].id, "handled": handled.id}


def test_the_timeline_shows_everything_that_happened_newest_first():
    case, ids = _busy_case()

    view = case_view(case, zaaktype(SUBSIDIE), (_contact(T0 + 7 * DAY),))

    assert [(entry.kind, entry.ref) for entry in view.timeline] == [
        (TimelineKind.CONTACT, "contact-1"),
        (TimelineKind.EXTENDED, "extension"),
        (TimelineKind.STATUS, ids["handled"]),
        (TimelineKind.DOCUMENT_RECEIVED, "doc-1"),
        (TimelineKind.RESUMED, "s0"),
        (TimelineKind.SUSPENDED, "s0"),
        (TimelineKind.MESSAGE, "msg-1"),
        (TimelineKind.DOCUMENTS_REQUESTED, "doc-1"),
        (TimelineKind.STATUS, ids["first"]),
    ]


def test_timeline_entries_carry_what_is_shown_of_them():
    case, _ = _busy_case()
    contact = _contact(T0 + 7 * DAY)

    entries = {(e.kind, e.ref): e for e in case_view(case, zaaktype(SUBSIDIE), (contact,)).timeline}

    status_entry = entries[(TimelineKind.STATUS, case.current_status.id)]
    assert status_entry.statustype == zaaktype(SUBSIDIE).statustype("in-behandeling")
    assert status_entry.text == "Compleet."
    assert (entries[(TimelineKind.MESSAGE, "msg-1")].text, entries[(TimelineKind.MESSAGE, "msg-1")].link) == (
        "Zie het Omgevingsloket.",
        LINK,
    )
    assert entries[(TimelineKind.DOCUMENTS_REQUESTED, "doc-1")].text == "Begroting"
    assert entries[(TimelineKind.SUSPENDED, "s0")].text == "Wacht op begroting"
    # midnight in the Netherlands (summer time, UTC+2)
    assert entries[(TimelineKind.SUSPENDED, "s0")].at == datetime(2026, 10, 7, 22, tzinfo=UTC)
    assert entries[(TimelineKind.RESUMED, "s0")].at == datetime(2026, 10, 8, 22, tzinfo=UTC)
    assert entries[(TimelineKind.EXTENDED, "extension")].text == "Advies nodig"
    assert entries[(TimelineKind.CONTACT, "contact-1")].contact == contact


def test_a_suspension_just_after_dutch_midnight_sorts_before_what_followed_it():
    # GIVEN a case suspended at 00:18 on 6 December in the Netherlands (23:18 UTC on 5 December)
    suspended_at = datetime(2026, 12, 5, 23, 18, tzinfo=UTC)
    case = suspend(a_case(), zaaktype(SUBSIDIE), Suspension(date(2026, 12, 6), "Wacht op begroting"))

    # WHEN a contact moment follows a minute later
    view = case_view(case, zaaktype(SUBSIDIE), (_contact(suspended_at + timedelta(minutes=1)),))

    # THEN the contact is the newest entry, the suspension comes after it
    assert [entry.kind for entry in view.timeline][:2] == [TimelineKind.CONTACT, TimelineKind.SUSPENDED]


def test_an_open_suspension_shows_no_resumption_yet():
    case = suspend(a_case(), zaaktype(SUBSIDIE), Suspension(date(2026, 10, 8), "Wacht op begroting"))

    kinds = [entry.kind for entry in case_view(case, zaaktype(SUBSIDIE)).timeline]

    assert kinds.count(TimelineKind.SUSPENDED) == 1
    assert TimelineKind.RESUMED not in kinds


def test_a_document_not_yet_received_shows_only_the_request():
    case = request_documents(a_case(), (DocumentRequest("doc-1", "Begroting", T0 + DAY, ANNA.id),))

    kinds = [entry.kind for entry in case_view(case, zaaktype(SUBSIDIE)).timeline]

    assert TimelineKind.DOCUMENTS_REQUESTED in kinds
    assert TimelineKind.DOCUMENT_RECEIVED not in kinds


def test_the_view_shows_the_current_status_and_the_steps_still_to_come():
    case = set_status(a_case(), zaaktype(SUBSIDIE), status("in-behandeling"))

    view = case_view(case, zaaktype(SUBSIDIE))

    assert view.status.identificatie == "in-behandeling"
    assert view.status_entry == case.current_status
    assert [s.identificatie for s in view.next_steps] == ["aanvullende-informatie-nodig", "advies-gevraagd", "besluit-genomen"]


def test_a_closed_case_has_no_next_steps():
    case = set_status(a_case(), zaaktype(SUBSIDIE), status("besluit-genomen"))

    view = case_view(case, zaaktype(SUBSIDIE))

    assert view.status.is_eindstatus
    assert view.next_steps == ()


def test_the_view_lists_only_the_documents_still_missing():
    case = request_documents(
        a_case(),
        (DocumentRequest("doc-1", "Begroting", T0 + DAY, ANNA.id), DocumentRequest("doc-2", "Projectplan", T0 + DAY, ANNA.id)),
    )
    case = mark_document_received(case, "doc-1", T0 + 2 * DAY)

    assert [d.id for d in case_view(case, zaaktype(SUBSIDIE)).missing_documents] == ["doc-2"]


def test_the_view_shows_the_deadline_with_the_extension_and_the_suspended_day():
    # GIVEN 13 weeks from 5 October (4 January 2027), extended by 6 weeks and suspended for 1 day
    case, _ = _busy_case()

    deadline = case_view(case, zaaktype(SUBSIDIE)).deadline

    assert (deadline.due, deadline.extended, deadline.suspended_days) == (date(2027, 2, 16), True, 1)


def _steps(case: Case) -> list[tuple[str, str]]:
    view = case_view(case, zaaktype(SUBSIDIE))
    return [
        (s.statustype.identificatie, s.state.value) for s in procedure_steps(view.zaaktype, view.status, closed=case.is_closed)
    ]


def test_the_procedure_shows_every_step_in_order_done_current_and_to_come():
    case = set_status(a_case(), zaaktype(SUBSIDIE), status("in-behandeling"))

    assert _steps(case) == [
        ("ontvangen", "done"),
        ("in-behandeling", "current"),
        ("aanvullende-informatie-nodig", "next"),
        ("advies-gevraagd", "next"),
        ("besluit-genomen", "next"),
    ]


def test_a_new_case_is_at_its_first_step():
    assert _steps(a_case())[:2] == [("ontvangen", "current"), ("in-behandeling", "next")]


def test_a_step_the_case_went_past_counts_as_done_even_when_it_came_back_to_an_earlier_one_it_is_current_again():
    case = set_status(a_case(), zaaktype(SUBSIDIE), status("advies-gevraagd"))
    assert _steps(case)[2:4] == [("aanvullende-informatie-nodig", "done"), ("advies-gevraagd", "current")]
    back = set_status(case, zaaktype(SUBSIDIE), status("in-behandeling", at=T0 + timedelta(days=2)))
    assert _steps(back)[1:3] == [("in-behandeling", "current"), ("aanvullende-informatie-nodig", "next")]


def test_a_closed_case_has_every_step_up_to_its_end_done():
    case = set_status(a_case(), zaaktype(SUBSIDIE), status("besluit-genomen"))

    assert {state for _, state in _steps(case)} == {"done"}
