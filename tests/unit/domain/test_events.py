"""Events derived from a case's old and new state: what people should be told, each with a stable id."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from chalicelib.domain.cases import (
    Case,
    CaseMessage,
    DocumentRequest,
    Extension,
    Suspension,
    mark_document_received,
    post_message,
    request_documents,
    resume,
    set_status,
    suspend,
)
from chalicelib.domain.catalogue import Vertrouwelijkheid
from chalicelib.domain.durations import Duration
from chalicelib.domain.events import CaseEvent, EventKind, derive_events, interests_for
from chalicelib.domain.subscriptions import Interest
from tests.factories import ANNA, SUBSIDIE, T0, VERGUNNING, a_case, status, zaaktype

OBSERVED = datetime(2026, 10, 7, 12, 0, tzinfo=UTC)


def _events(old: Case | None, new: Case | None, zaaktype_id: str = SUBSIDIE) -> list[CaseEvent]:
    return derive_events(old, new, zaaktype(zaaktype_id), OBSERVED)


def _next(case: Case, changed: Case) -> Case:
    """``changed`` as it is stored: one version on from ``case``."""
    return replace(changed, version=case.version + 1)


def _document(document_id: str, at: datetime = T0 + timedelta(days=1)) -> DocumentRequest:
    return DocumentRequest(document_id, f"Document {document_id}", at, ANNA.id)


def _message(message_id: str, at: datetime = T0 + timedelta(days=1)) -> CaseMessage:
    return CaseMessage(message_id, f"Bericht {message_id}", at, ANNA.id)


def test_a_new_case_tells_its_first_status():
    case = a_case()

    events = _events(None, case)

    assert [(e.kind, e.case_id, e.ref, e.occurred_at) for e in events] == [
        (EventKind.STATUS_CHANGED, case.id, case.statuses[0].id, T0)
    ]


def test_a_new_status_that_informs_is_told():
    old = a_case()
    entry = status("in-behandeling", T0 + timedelta(days=2))

    events = _events(old, _next(old, set_status(old, zaaktype(SUBSIDIE), entry)))

    assert [(e.kind, e.ref, e.occurred_at) for e in events] == [(EventKind.STATUS_CHANGED, entry.id, entry.set_at)]


def test_a_new_status_whose_statustype_does_not_inform_is_not_told():
    # GIVEN "advies-gevraagd" of the subsidy zaaktype has informeren = false
    old = a_case()

    new = _next(old, set_status(old, zaaktype(SUBSIDIE), status("advies-gevraagd")))

    assert _events(old, new) == []


def test_a_write_that_changes_nothing_tells_nothing():
    case = a_case()

    assert _events(case, case) == []
    assert _events(case, replace(case, version=case.version + 1)) == []


def test_when_one_write_adds_several_statuses_only_the_newest_is_told():
    old = a_case()
    first = status("in-behandeling", T0 + timedelta(days=1))
    newest = status("aanvullende-informatie-nodig", T0 + timedelta(days=2))
    new = set_status(set_status(old, zaaktype(SUBSIDIE), first), zaaktype(SUBSIDIE), newest)

    events = _events(old, _next(old, new))

    assert [(e.kind, e.ref) for e in events] == [(EventKind.STATUS_CHANGED, newest.id)]


def test_newly_requested_documents_are_told_once_with_all_their_ids():
    old = request_documents(a_case(), (_document("doc-1"),))
    later = T0 + timedelta(days=3)
    new = request_documents(old, (_document("doc-3", later), _document("doc-2", later)))

    events = _events(old, _next(old, new))

    assert len(events) == 1
    assert events[0].kind is EventKind.DOCUMENTS_REQUESTED
    assert events[0].ref == "doc-2,doc-3"
    assert events[0].occurred_at == later


def test_each_new_message_is_told_on_its_own():
    old = post_message(a_case(), _message("msg-1"))
    new = post_message(post_message(old, _message("msg-2")), _message("msg-3", T0 + timedelta(days=2)))

    events = _events(old, _next(old, new))

    assert [(e.kind, e.ref, e.occurred_at) for e in events] == [
        (EventKind.MESSAGE_POSTED, "msg-2", T0 + timedelta(days=1)),
        (EventKind.MESSAGE_POSTED, "msg-3", T0 + timedelta(days=2)),
    ]


def test_an_extension_changes_the_deadline():
    old = a_case()
    new = _next(old, replace(old, extension=Extension(Duration(weeks=6), "Advies nodig", T0)))

    events = _events(old, new)

    assert [(e.kind, e.ref, e.occurred_at) for e in events] == [(EventKind.DEADLINE_CHANGED, f"v{new.version}", OBSERVED)]


def test_a_suspension_changes_the_deadline():
    old = a_case()
    new = _next(old, suspend(old, zaaktype(SUBSIDIE), Suspension(date(2026, 10, 12), "Wacht op begroting")))

    assert [e.kind for e in _events(old, new)] == [EventKind.DEADLINE_CHANGED]


def test_resuming_changes_the_deadline():
    old = suspend(a_case(), zaaktype(SUBSIDIE), Suspension(date(2026, 10, 12), "Wacht op begroting"))
    new = _next(old, resume(old, date(2026, 10, 20)))

    assert [e.kind for e in _events(old, new)] == [EventKind.DEADLINE_CHANGED]


def test_a_status_change_alone_does_not_change_the_deadline():
    old = a_case()
    new = _next(old, set_status(old, zaaktype(SUBSIDIE), status("in-behandeling")))

    assert EventKind.DEADLINE_CHANGED not in [e.kind for e in _events(old, new)]


def test_a_new_case_that_already_has_an_extension_tells_no_deadline_change():
    case = replace(a_case(), extension=Extension(Duration(weeks=6), "Advies nodig", T0))

    assert [e.kind for e in _events(None, case)] == [EventKind.STATUS_CHANGED]


def test_closing_a_suspended_case_tells_the_decision_but_no_deadline_change():
    # GIVEN a suspended case, WHEN the eindstatus ends the suspension and so moves the deadline
    old = suspend(a_case(), zaaktype(SUBSIDIE), Suspension(date(2026, 10, 6), "Wacht op begroting"))
    new = _next(old, set_status(old, zaaktype(SUBSIDIE), status("besluit-genomen", T0 + timedelta(days=4))))

    # THEN only the decision is told
    assert [e.kind for e in _events(old, new)] == [EventKind.STATUS_CHANGED]


def test_a_removed_case_tells_nothing():
    assert _events(a_case(), None) == []


def test_the_same_change_delivered_twice_gives_the_same_event_ids():
    old = request_documents(a_case(), (_document("doc-1"),))
    changed = set_status(old, zaaktype(SUBSIDIE), status("aanvullende-informatie-nodig"))
    changed = request_documents(changed, (_document("doc-2"),))
    changed = post_message(changed, _message("msg-1"))
    new = _next(old, suspend(changed, zaaktype(SUBSIDIE), Suspension(date(2026, 10, 12), "Wacht")))

    first = _events(old, new)
    again = derive_events(old, new, zaaktype(SUBSIDIE), OBSERVED + timedelta(minutes=5))

    assert len(first) == 4
    assert [e.id for e in again] == [e.id for e in first]


def test_different_status_entries_give_different_event_ids():
    old = a_case()
    one = _events(old, _next(old, set_status(old, zaaktype(SUBSIDIE), status("in-behandeling"))))
    other = _events(old, _next(old, set_status(old, zaaktype(SUBSIDIE), status("in-behandeling"))))

    assert one[0].id != other[0].id


def test_events_of_different_kinds_and_refs_have_different_ids():
    old = a_case()
    new = _next(old, post_message(post_message(old, _message("msg-1")), _message("msg-2")))
    new = request_documents(new, (_document("doc-1"),))

    ids = [e.id for e in _events(old, new)]

    assert len(ids) == 3
    assert len(set(ids)) == 3


def test_a_status_of_a_published_open_zaaktype_is_public():
    # GIVEN the ontgrondingsvergunning: publicatieIndicatie and vertrouwelijkheid openbaar
    [event] = _events(None, a_case(zaaktype_id=VERGUNNING), VERGUNNING)

    assert event.public is True


def test_a_status_of_a_zaaktype_that_is_not_published_is_private():
    [event] = _events(None, a_case(zaaktype_id=SUBSIDIE), SUBSIDIE)

    assert event.public is False


def test_a_case_of_a_published_zaaktype_that_is_not_openbaar_itself_is_private():
    case = replace(a_case(zaaktype_id=VERGUNNING), vertrouwelijkheid=Vertrouwelijkheid.BEPERKT_OPENBAAR)

    [event] = _events(None, case, VERGUNNING)

    assert event.public is False


def test_messages_documents_and_deadlines_stay_private_even_on_a_public_case():
    old = a_case(zaaktype_id=VERGUNNING)
    changed = post_message(old, _message("msg-1"))
    changed = request_documents(changed, (_document("doc-1"),))
    new = _next(old, suspend(changed, zaaktype(VERGUNNING), Suspension(date(2026, 10, 12), "Wacht")))

    events = _events(old, new, VERGUNNING)

    assert {e.kind for e in events} == {EventKind.MESSAGE_POSTED, EventKind.DOCUMENTS_REQUESTED, EventKind.DEADLINE_CHANGED}
    assert not any(e.public for e in events)


def test_a_private_event_reaches_only_the_case():
    case = a_case(zaaktype_id=SUBSIDIE, gemeenten=("GM1581", "GM0344"))
    [event] = _events(None, case, SUBSIDIE)

    assert interests_for(event) == [Interest.case(case.id)]


def test_a_public_event_reaches_the_case_then_each_gemeente_then_the_topic():
    case = a_case(zaaktype_id=VERGUNNING, gemeenten=("GM1581", "GM0344"))
    [event] = _events(None, case, VERGUNNING)

    assert interests_for(event) == [
        Interest.case(case.id),
        Interest.gemeente("GM1581"),
        Interest.gemeente("GM1581", "vergunningen"),
        Interest.gemeente("GM0344"),
        Interest.gemeente("GM0344", "vergunningen"),
        Interest.topic_anywhere("vergunningen"),
    ]


def test_only_documents_requested_a_reminder_about_them_and_a_subscription_confirmation_ask_the_reader_to_act():
    assert [kind for kind in EventKind if kind.action_required] == [
        EventKind.DOCUMENTS_REQUESTED,
        EventKind.DOCUMENT_REMINDER,
        EventKind.SUBSCRIPTION_CONFIRMATION,
    ]


def _full(case: Case, seen: dict[str, dict[str, object]]) -> Case:
    """``case`` holding its whole history, as the case item did before it kept only a tail: every status, message
    and document request seen so far, in the order they came (``seen`` grows with each call)."""
    for part in ("statuses", "messages", "documents"):
        for item in getattr(case, part):
            seen[part][item.id] = item  # a receipt replaces the request as it was
    return replace(
        case,
        statuses=tuple(seen["statuses"].values()),  # type: ignore[arg-type]
        messages=tuple(seen["messages"].values()),  # type: ignore[arg-type]
        documents=tuple(seen["documents"].values()),  # type: ignore[arg-type]
    )


def _busy_command(turn: int) -> Callable[[Case], Case]:
    """The ``turn``-th command of a busy case: a status, a message, two documents, a receipt, a pause, a resume."""
    subsidie = zaaktype(SUBSIDIE)
    at = T0 + timedelta(hours=turn + 1)
    commands: tuple[Callable[[Case], Case], ...] = (
        lambda c: set_status(c, subsidie, status(STATUSES[turn // 6 % 2], at)),
        lambda c: post_message(c, CaseMessage(f"m{turn}", "Nieuws", at, ANNA.id)),
        lambda c: request_documents(c, (_document(f"d{turn}a", at), _document(f"d{turn}b", at))),
        lambda c: mark_document_received(c, f"d{turn - 1}a", at),
        lambda c: suspend(c, subsidie, Suspension(at.date(), "Wacht")),
        lambda c: resume(c, at.date()),
    )
    return commands[turn % 6]


def test_the_case_item_keeping_only_a_tail_derives_exactly_the_events_the_whole_history_did():
    # GIVEN a busy case: 48 commands of every kind, with more statuses, messages and documents than the tail holds
    seen: dict[str, dict[str, object]] = {"statuses": {}, "messages": {}, "documents": {}}
    case = a_case()
    full = _full(case, seen)
    commands = [_busy_command(turn) for turn in range(48)]
    # WHEN each command is applied, and events derived from the stored images (the tail) and from the whole history
    told = 0
    for command in commands:
        changed = _next(case, command(case))
        changed_full = _full(changed, seen)
        from_tail = _events(case, changed)
        # THEN they are the same events, for every command
        assert from_tail == _events(full, changed_full)
        told += len(from_tail)
        case, full = changed, changed_full
    assert len(case.statuses) < len(full.statuses)
    assert len(case.messages) < len(full.messages)
    assert told >= 15


STATUSES = ("in-behandeling", "aanvullende-informatie-nodig")
