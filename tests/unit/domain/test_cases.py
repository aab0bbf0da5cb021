"""The rules of a case: opening it, and what a behandelaar may and may not do with it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib.domain.cases import (
    LIMITS,
    TAIL,
    TEXT_BYTES,
    Case,
    CaseMessage,
    DocumentRequest,
    Extension,
    HistoryEntry,
    HistoryKind,
    Link,
    Location,
    Suspension,
    accept_document,
    add_gemachtigde,
    cursor_moment,
    extend,
    history_added,
    mark_document_received,
    open_case,
    post_message,
    request_documents,
    resume,
    set_status,
    suspend,
)
from chalicelib.domain.durations import Duration
from chalicelib.domain.errors import CaseRuleError, DocumentRequestNotFoundError, UnknownStatustypeError, ValidationError
from tests.factories import ANNA, FATIMA, JAN, KLACHT, MARK, MELDING, SUBSIDIE, T0, VERGUNNING, a_case, status, zaaktype

START = date(2026, 10, 5)


def _open(*, initiator: str = MARK, co_initiators: tuple[str, ...] = (FATIMA,), zaaktype_id: str = SUBSIDIE) -> Case:
    return open_case(
        case_id="case-1",
        case_number="SUB-2026-000001",
        zaaktype=zaaktype(zaaktype_id),
        omschrijving="Duurzame recreatie",
        startdatum=START,
        registered_at=T0,
        behandelaar=ANNA,
        initiator=initiator,
        co_initiators=co_initiators,
        location=Location(("GM1581",)),
        first_status_id="status-1",
    )


def _closed(case: Case, at: datetime = T0 + timedelta(days=3)) -> Case:
    return set_status(case, zaaktype(case.zaaktype), status("besluit-genomen", at))


def _document(document_id: str = "doc-1", omschrijving: str = "Begroting") -> DocumentRequest:
    return DocumentRequest(document_id, omschrijving, T0 + timedelta(days=1), ANNA.id)


def _extension(weeks: int = 6) -> Extension:
    return Extension(Duration(weeks=weeks), "Advies van de gemeente nodig", T0 + timedelta(days=2))


# --- open_case -------------------------------------------------------------------------------------------------------


def test_a_new_case_is_in_the_first_status_of_its_zaaktype_set_by_its_behandelaar():
    case = _open()

    assert len(case.statuses) == 1
    assert case.current_status.statustype == "ontvangen"
    assert case.current_status.id == "status-1"
    assert case.current_status.set_at == T0
    assert case.current_status.set_by == ANNA.id
    assert not case.is_closed


def test_a_new_case_keeps_the_periods_of_its_zaaktype_at_application_time():
    case = _open(zaaktype_id=VERGUNNING)

    assert case.zaaktype == VERGUNNING
    assert case.doorlooptijd == Duration(weeks=8)
    assert case.servicenorm == Duration(weeks=6)
    assert case.vertrouwelijkheid == zaaktype(VERGUNNING).vertrouwelijkheidaanduiding


def test_a_co_initiator_named_twice_is_a_party_once():
    case = _open(co_initiators=(FATIMA, JAN, FATIMA))

    assert case.co_initiators == (FATIMA, JAN)
    assert case.parties == (MARK, FATIMA, JAN)


def test_the_initiator_cannot_also_be_a_co_initiator():
    with pytest.raises(CaseRuleError) as raised:
        _open(initiator=MARK, co_initiators=(FATIMA, MARK))

    assert raised.value.rule == "initiator_is_co_initiator"


# --- set_status ------------------------------------------------------------------------------------------------------


def test_a_new_status_is_added_after_the_earlier_ones():
    case = a_case()
    entry = status("in-behandeling")

    changed = set_status(case, zaaktype(SUBSIDIE), entry)

    assert changed.statuses == (*case.statuses, entry)
    assert changed.current_status == entry
    assert not changed.is_closed


def test_98_status_changes_of_1000_emoji_each_are_all_kept_because_the_history_is_not_in_the_case_item():
    # GIVEN a case, and status texts of 1,000 emoji each (4,000 bytes in UTF-8: the byte limit of a toelichting)
    case, subsidie, emoji = a_case(), zaaktype(SUBSIDIE), "\U0001f600" * 1000
    added: list[HistoryEntry] = []
    # WHEN the behandelaar changes the status 98 times with such a text (once refused or failed by size)
    for turn in range(98):
        before = case
        case = set_status(case, subsidie, status(("in-behandeling", "aanvullende-informatie-nodig")[turn % 2], toelichting=emoji))
        added.extend(history_added(before, case))
    # THEN every change is a history entry of its own, and the case item keeps only the last TAIL
    assert [entry.kind for entry in added] == [HistoryKind.STATUS] * 98
    assert len(case.statuses) == TAIL
    assert case.counts.statuses == 99
    assert case.current_status == added[-1].item


def test_a_text_over_its_byte_limit_is_refused_naming_the_field_and_the_limit_whatever_calls_the_rule():
    case, subsidie = a_case(), zaaktype(SUBSIDIE)
    over = "\u00e9" * (TEXT_BYTES["toelichting"] // 2 + 1)  # fewer characters than bytes: é takes two
    with pytest.raises(ValidationError) as refused:
        set_status(case, subsidie, status("in-behandeling", toelichting=over))
    issue = refused.value.issues[0]
    assert (issue.field, issue.code, issue.params) == ("toelichting", "too_many_bytes", {"max_bytes": 4_000})
    # AND the same for every text a command stores
    long_text = "\U0001f600" * (TEXT_BYTES["text"] // 4 + 1)
    with pytest.raises(ValidationError, match="text"):
        post_message(case, CaseMessage("m", long_text, T0, ANNA.id))
    with pytest.raises(ValidationError) as label:
        post_message(case, CaseMessage("m", "Zie", T0, ANNA.id, Link("https://example.org", "\U0001f600" * 121)))
    assert label.value.issues[0].field == "link.label"
    with pytest.raises(ValidationError) as omschrijving:
        request_documents(case, (_document(omschrijving="\U0001f600" * 201),))
    assert omschrijving.value.issues[0].field == "documents.omschrijving"
    with pytest.raises(ValidationError, match="reden"):
        suspend(case, subsidie, Suspension(START, "\U0001f600" * 1001))
    # AND exactly at the limit is allowed
    assert set_status(case, subsidie, status("in-behandeling", toelichting="\U0001f600" * 1000)).current_status.toelichting


def test_the_case_item_keeps_its_open_documents_and_the_last_ones_touched_and_the_history_gets_each_receipt():
    case = a_case()
    # GIVEN 12 documents requested one by one, the first 8 received
    for index in range(12):
        case = request_documents(case, (DocumentRequest(f"doc-{index}", f"Stuk {index}", T0 + timedelta(hours=index), ANNA.id),))
    receipts: list[HistoryEntry] = []
    for index in range(8):
        before = case
        case = mark_document_received(case, f"doc-{index}", T0 + timedelta(days=1, hours=index))
        receipts.extend(history_added(before, case))
    # THEN the 4 open ones stay on the case item, and so do the 8 received ones: they wait for the behandelaar's verdict
    assert [d.id for d in case.missing_documents] == ["doc-8", "doc-9", "doc-10", "doc-11"]
    assert len(case.documents) == 12
    assert len(case.documents_to_review) == 8
    # AND once judged, only the TAIL last touched stay beside the open ones
    for index in range(8):
        case = accept_document(case, f"doc-{index}", T0 + timedelta(days=2, hours=index), ANNA.id)
    assert {d.id for d in case.documents} == {"doc-8", "doc-9", "doc-10", "doc-11", "doc-3", "doc-4", "doc-5", "doc-6", "doc-7"}
    assert case.counts.documents == 12
    # AND each receipt is a history entry at the moment it came in
    assert [(e.kind, e.ref, e.at) for e in receipts] == [
        (HistoryKind.DOCUMENT_RECEIVED, f"doc-{i}", T0 + timedelta(days=1, hours=i)) for i in range(8)
    ]


def test_open_document_requests_suspensions_and_gemachtigden_are_bounded_with_a_rule_naming_the_limit():
    case = request_documents(
        a_case(), tuple(DocumentRequest(f"doc-{i}", "Stuk", T0, ANNA.id) for i in range(LIMITS["open_documents"]))
    )
    with pytest.raises(CaseRuleError) as refused:
        request_documents(case, (_document("one-more"),))
    assert refused.value.params == {"rule": "case_full", "part": "open_documents", "maximum": 50}
    # AND once one came in and was judged (a received one waits on the case item for the verdict), another may be asked for
    case = mark_document_received(case, "doc-0", T0 + timedelta(days=1))
    with pytest.raises(CaseRuleError, match="case_full"):
        request_documents(case, (_document("one-more"),))
    case = accept_document(case, "doc-0", T0 + timedelta(days=1), ANNA.id)
    assert len(request_documents(case, (_document("one-more"),)).missing_documents) == 50
    full = a_case()
    for index in range(LIMITS["gemachtigden"]):
        full = add_gemachtigde(full, f"pu-gemachtigde-{index}")
    with pytest.raises(CaseRuleError, match="case_full"):
        add_gemachtigde(full, "pu-one-more")


def test_a_new_case_adds_its_first_status_to_the_history_and_a_change_that_adds_nothing_adds_no_entry():
    case = a_case()
    assert [(e.kind, e.item) for e in history_added(None, case)] == [(HistoryKind.STATUS, case.current_status)]
    suspended = suspend(case, zaaktype(SUBSIDIE), Suspension(START, "Wacht op advies"))
    assert history_added(case, suspended) == ()


def test_a_history_cursor_names_a_moment_or_is_refused_naming_before():
    entry = history_added(None, a_case())[0]
    assert cursor_moment(entry.key) == entry.at
    for bad in ("", "x", "2026-10-05T10:00:00.000000Z#other#id", "2026-13-45T10:00:00.000000Z#status#id", "a" * 300):
        with pytest.raises(ValidationError) as refused:
            cursor_moment(bad)
        assert refused.value.issues[0].field == "before"


def test_setting_the_status_a_case_already_has_changes_nothing():
    case = a_case()

    assert set_status(case, zaaktype(SUBSIDIE), status("ontvangen")) is case


def test_the_eindstatus_closes_the_case_on_the_day_it_was_set():
    case = _closed(a_case(), at=datetime(2026, 10, 9, 14, 0, tzinfo=UTC))

    assert case.is_closed
    assert case.closed_on == date(2026, 10, 9)


def test_a_case_closed_just_after_midnight_in_amsterdam_is_closed_on_the_amsterdam_date():
    # GIVEN 22:30 UTC on 8 October 2026, which is 00:30 on 9 October in Amsterdam (summer time)
    closing = datetime(2026, 10, 8, 22, 30, tzinfo=UTC)

    case = _closed(a_case(), at=closing)

    assert case.closed_on == date(2026, 10, 9)


def test_the_eindstatus_ends_an_open_suspension_on_the_closing_day():
    suspended = suspend(a_case(), zaaktype(SUBSIDIE), Suspension(date(2026, 10, 6), "Wacht op begroting"))

    case = _closed(suspended, at=datetime(2026, 10, 9, 14, 0, tzinfo=UTC))

    assert case.open_suspension is None
    assert case.suspensions == (Suspension(date(2026, 10, 6), "Wacht op begroting", end=date(2026, 10, 9)),)


def test_closing_never_ends_a_suspension_before_it_started():
    suspended = suspend(a_case(), zaaktype(SUBSIDIE), Suspension(date(2026, 10, 12), "Wacht op begroting"))

    case = _closed(suspended, at=datetime(2026, 10, 9, 14, 0, tzinfo=UTC))

    assert case.suspensions[-1].end == date(2026, 10, 12)


def test_a_status_that_is_not_in_the_zaaktype_is_refused():
    with pytest.raises(UnknownStatustypeError):
        set_status(a_case(), zaaktype(SUBSIDIE), status("gearchiveerd"))


# --- a closed case ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(lambda case: set_status(case, zaaktype(SUBSIDIE), status("in-behandeling")), id="set_status"),
        pytest.param(lambda case: set_status(case, zaaktype(SUBSIDIE), status("besluit-genomen")), id="set_same_eindstatus"),
        pytest.param(lambda case: request_documents(case, (_document(),)), id="request_documents"),
        pytest.param(
            lambda case: extend(case, zaaktype(SUBSIDIE), _extension(), current_due=None, today=date(2026, 10, 10)), id="extend"
        ),
        pytest.param(lambda case: suspend(case, zaaktype(SUBSIDIE), Suspension(date(2026, 10, 10), "Wacht")), id="suspend"),
        pytest.param(lambda case: resume(case, date(2026, 10, 10)), id="resume"),
    ],
)
def test_a_closed_case_refuses_every_command_that_changes_its_handling(command):
    closed = _closed(a_case())

    with pytest.raises(CaseRuleError) as raised:
        command(closed)

    assert raised.value.rule == "case_closed"
    assert raised.value.params["case_number"] == closed.case_number


def test_a_message_can_be_posted_after_the_case_is_closed():
    closed = _closed(a_case())
    message = CaseMessage("msg-1", "Zo maakt u bezwaar.", T0 + timedelta(days=4), ANNA.id)

    assert post_message(closed, message).messages == (message,)


# --- documents -------------------------------------------------------------------------------------------------------


def test_requested_documents_are_added_to_the_case_and_count_as_missing():
    case = request_documents(a_case(), (_document("doc-1"), _document("doc-2", "Projectplan")))
    case = request_documents(case, (_document("doc-3", "Offerte"),))

    assert [d.id for d in case.documents] == ["doc-1", "doc-2", "doc-3"]
    assert [d.id for d in case.missing_documents] == ["doc-1", "doc-2", "doc-3"]


def test_a_request_for_no_documents_is_refused():
    with pytest.raises(CaseRuleError) as raised:
        request_documents(a_case(), ())

    assert raised.value.rule == "no_documents"


def test_a_received_document_is_no_longer_missing():
    case = request_documents(a_case(), (_document("doc-1"), _document("doc-2", "Projectplan")))
    received_at = T0 + timedelta(days=2)

    changed = mark_document_received(case, "doc-1", received_at)

    assert changed.documents[0].received_at == received_at
    assert [d.id for d in changed.missing_documents] == ["doc-2"]


def test_marking_a_document_received_twice_keeps_the_first_moment():
    case = request_documents(a_case(), (_document("doc-1"),))
    once = mark_document_received(case, "doc-1", T0 + timedelta(days=2))

    twice = mark_document_received(once, "doc-1", T0 + timedelta(days=5))

    assert twice is once
    assert twice.documents[0].received_at == T0 + timedelta(days=2)


def test_marking_an_unknown_document_received_raises():
    case = request_documents(a_case(), (_document("doc-1"),))

    with pytest.raises(DocumentRequestNotFoundError) as raised:
        mark_document_received(case, "doc-9", T0)

    assert raised.value.params == {"document_id": "doc-9"}


# --- messages --------------------------------------------------------------------------------------------------------


def test_messages_are_kept_in_the_order_they_were_posted():
    first = CaseMessage("msg-1", "Eerste", T0, ANNA.id)
    second = CaseMessage("msg-2", "Tweede", T0 + timedelta(hours=1), ANNA.id)

    assert post_message(post_message(a_case(), first), second).messages == (first, second)


# --- extend ----------------------------------------------------------------------------------------------------------


def test_a_case_is_extended_once_by_at_most_the_verlengingstermijn():
    extension = _extension(weeks=6)

    changed = extend(a_case(), zaaktype(SUBSIDIE), extension, current_due=date(2027, 1, 4), today=date(2026, 12, 1))

    assert changed.extension == extension


def test_a_zaaktype_without_verlenging_cannot_be_extended():
    case = a_case(zaaktype_id=MELDING)

    with pytest.raises(CaseRuleError) as raised:
        extend(case, zaaktype(MELDING), _extension(weeks=1), current_due=date(2026, 10, 19), today=date(2026, 10, 6))

    assert raised.value.rule == "extension_not_allowed"


def test_a_case_cannot_be_extended_twice():
    once = extend(a_case(), zaaktype(SUBSIDIE), _extension(weeks=2), current_due=date(2027, 1, 4), today=date(2026, 12, 1))

    with pytest.raises(CaseRuleError) as raised:
        extend(once, zaaktype(SUBSIDIE), _extension(weeks=2), current_due=date(2027, 1, 18), today=date(2026, 12, 2))

    assert raised.value.rule == "already_extended"


@pytest.mark.parametrize("duur", [Duration(weeks=7), Duration(weeks=6, days=1), Duration(months=2), Duration()])
def test_an_extension_longer_than_the_verlengingstermijn_or_of_nothing_is_refused(duur):
    extension = Extension(duur, "Advies nodig", T0)

    with pytest.raises(CaseRuleError) as raised:
        extend(a_case(), zaaktype(SUBSIDIE), extension, current_due=date(2027, 1, 4), today=date(2026, 12, 1))

    assert raised.value.rule == "extension_too_long"
    assert raised.value.params["maximum"] == "P6W"


@pytest.mark.parametrize("duur", [Duration(days=42), Duration(months=1), Duration(weeks=1)])
def test_an_extension_up_to_the_verlengingstermijn_in_any_unit_is_allowed(duur):
    extension = Extension(duur, "Advies nodig", T0)

    changed = extend(a_case(), zaaktype(SUBSIDIE), extension, current_due=date(2027, 1, 4), today=date(2026, 12, 1))

    assert changed.extension == extension


def test_a_case_can_be_extended_on_the_last_day_but_not_after_it():
    due = date(2027, 1, 4)
    extend(a_case(), zaaktype(SUBSIDIE), _extension(), current_due=due, today=due)

    with pytest.raises(CaseRuleError) as raised:
        extend(a_case(), zaaktype(SUBSIDIE), _extension(), current_due=due, today=date(2027, 1, 5))

    assert raised.value.rule == "deadline_passed"
    assert raised.value.params["due"] == "2027-01-04"


# --- suspend and resume ----------------------------------------------------------------------------------------------


def test_a_suspension_is_opened_without_an_end_whatever_the_caller_passed():
    case = suspend(a_case(), zaaktype(SUBSIDIE), Suspension(date(2026, 10, 12), "Wacht", end=date(2026, 10, 20)))

    assert case.open_suspension == Suspension(date(2026, 10, 12), "Wacht")


@pytest.mark.parametrize("zaaktype_id", [MELDING, KLACHT])
def test_a_zaaktype_without_opschorting_cannot_be_suspended(zaaktype_id):
    with pytest.raises(CaseRuleError) as raised:
        suspend(a_case(zaaktype_id=zaaktype_id), zaaktype(zaaktype_id), Suspension(date(2026, 10, 12), "Wacht"))

    assert raised.value.rule == "suspension_not_allowed"


def test_a_suspended_case_cannot_be_suspended_again():
    case = suspend(a_case(), zaaktype(SUBSIDIE), Suspension(date(2026, 10, 12), "Wacht"))

    with pytest.raises(CaseRuleError) as raised:
        suspend(case, zaaktype(SUBSIDIE), Suspension(date(2026, 10, 13), "Nog eens"))

    assert raised.value.rule == "already_suspended"


def test_a_new_suspension_cannot_start_before_the_previous_one_ended():
    case = resume(suspend(a_case(), zaaktype(SUBSIDIE), Suspension(date(2026, 10, 12), "Wacht")), date(2026, 10, 20))

    with pytest.raises(CaseRuleError) as raised:
        suspend(case, zaaktype(SUBSIDIE), Suspension(date(2026, 10, 19), "Overlapt"))

    assert raised.value.rule == "suspension_overlaps"


def test_a_new_suspension_may_start_on_the_day_the_previous_one_ended():
    case = resume(suspend(a_case(), zaaktype(SUBSIDIE), Suspension(date(2026, 10, 12), "Wacht")), date(2026, 10, 20))

    again = suspend(case, zaaktype(SUBSIDIE), Suspension(date(2026, 10, 20), "Weer wachten"))

    assert len(again.suspensions) == 2
    assert again.open_suspension == Suspension(date(2026, 10, 20), "Weer wachten")


def test_a_suspension_cannot_start_before_the_startdatum():
    with pytest.raises(CaseRuleError) as raised:
        suspend(a_case(startdatum=START), zaaktype(SUBSIDIE), Suspension(date(2026, 10, 4), "Te vroeg"))

    assert raised.value.rule == "suspension_overlaps"


def test_resuming_ends_the_open_suspension():
    case = suspend(a_case(), zaaktype(SUBSIDIE), Suspension(date(2026, 10, 12), "Wacht"))

    resumed = resume(case, date(2026, 10, 20))

    assert resumed.open_suspension is None
    assert resumed.suspensions == (Suspension(date(2026, 10, 12), "Wacht", end=date(2026, 10, 20)),)


def test_a_case_may_be_resumed_on_the_day_it_was_suspended():
    case = suspend(a_case(), zaaktype(SUBSIDIE), Suspension(date(2026, 10, 12), "Wacht"))

    assert resume(case, date(2026, 10, 12)).suspensions[-1].end == date(2026, 10, 12)


def test_a_case_that_is_not_suspended_cannot_be_resumed():
    with pytest.raises(CaseRuleError) as raised:
        resume(a_case(), date(2026, 10, 20))

    assert raised.value.rule == "not_suspended"


def test_a_case_that_was_resumed_cannot_be_resumed_again():
    case = resume(suspend(a_case(), zaaktype(SUBSIDIE), Suspension(date(2026, 10, 12), "Wacht")), date(2026, 10, 20))

    with pytest.raises(CaseRuleError) as raised:
        resume(case, date(2026, 10, 21))

    assert raised.value.rule == "not_suspended"


def test_a_case_cannot_be_resumed_before_the_suspension_started():
    case = suspend(a_case(), zaaktype(SUBSIDIE), Suspension(date(2026, 10, 12), "Wacht"))

    with pytest.raises(CaseRuleError) as raised:
        resume(case, date(2026, 10, 11))

    assert raised.value.rule == "resume_before_suspension"
    assert raised.value.params["start"] == "2026-10-12"
