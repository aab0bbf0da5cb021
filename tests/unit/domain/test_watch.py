"""What the deadline watch keeps for a case, by date: reminders about requested documents (before and on the due
date), alerts about the servicenorm and the legal term (before and after); nothing for a decided case; and an entry
that no longer holds (a document received, a term moved) lapses."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from chalicelib.domain.cases import DocumentRequest, Extension, Suspension
from chalicelib.domain.durations import Duration
from chalicelib.domain.watch import (
    ALERT_DAYS,
    REMINDER_DAYS,
    WatchEntry,
    WatchKind,
    new_entries,
    reminder_ref,
    still_holds,
    watch_entries,
    watched_days,
)
from tests.factories import T0, a_case

START = date(2026, 10, 5)  # subsidie: servicenorm 8 weeks (30 Nov), legal term 13 weeks (Mon 4 Jan 2027)
DUE = date(2026, 10, 30)


def _with_document(due: date | None = DUE, **changes):
    document = DocumentRequest("doc-1", "Begroting", datetime(2026, 10, 12, 9, tzinfo=UTC), "mdw-anna-bakker", due)
    return replace(a_case(startdatum=START), documents=(replace(document, **changes),))


def _kinds(entries):
    return sorted((e.on, e.kind.value) for e in entries)


def test_an_open_case_is_watched_for_its_servicenorm_its_term_and_its_documents():
    assert _kinds(watch_entries(_with_document())) == [
        (DUE - timedelta(days=REMINDER_DAYS), "document-soon"),
        (DUE, "document-due"),
        (date(2026, 11, 30) - timedelta(days=ALERT_DAYS), "norm-soon"),
        (date(2026, 12, 1), "norm-passed"),
        (date(2027, 1, 4) - timedelta(days=ALERT_DAYS), "term-soon"),
        (date(2027, 1, 5), "term-passed"),
    ]


def test_a_document_asked_for_just_before_its_date_gets_only_the_reminder_on_the_day():
    case = _with_document(due=date(2026, 10, 14))
    assert [k for _, k in _kinds(watch_entries(case)) if k.startswith("document")] == ["document-due"]


def test_a_document_without_a_date_received_or_judged_is_not_watched():
    for case in (_with_document(due=None), _with_document(received_at=T0)):
        assert not [e for e in watch_entries(case) if e.kind.for_applicant]


def test_a_decided_case_is_not_watched_and_an_opschorting_stops_the_term_alerts():
    assert watch_entries(replace(_with_document(), closed_on=date(2026, 11, 1))) == frozenset()
    paused = replace(_with_document(), suspensions=(Suspension(date(2026, 10, 20), "wacht"),))
    assert not [e for e in watch_entries(paused) if e.kind in (WatchKind.TERM_SOON, WatchKind.NORM_SOON)]


def test_a_change_adds_only_what_is_new_and_still_to_come():
    new = _with_document()
    old = replace(new, documents=())
    added = new_entries(old, new, date(2026, 10, 12))
    assert [e.kind for e in added] == [WatchKind.DOCUMENT_SOON, WatchKind.DOCUMENT_DUE]
    assert new_entries(new, new, date(2026, 10, 12)) == []
    assert [e.kind for e in new_entries(old, new, DUE)] == [WatchKind.DOCUMENT_DUE]  # the earlier one has passed


def test_a_verlenging_gives_new_term_alerts_and_the_old_ones_lapse():
    case = _with_document()
    extended = replace(case, extension=Extension(Duration(weeks=6), "advies", T0))
    old_alert = next(e for e in watch_entries(case) if e.kind is WatchKind.TERM_SOON)
    assert still_holds(old_alert, case)
    assert not still_holds(old_alert, extended)
    assert [e.target for e in new_entries(case, extended, START) if e.kind is WatchKind.TERM_SOON] == [date(2027, 2, 15)]


def test_a_received_document_makes_its_reminder_lapse():
    entry = next(e for e in watch_entries(_with_document()) if e.kind is WatchKind.DOCUMENT_DUE)
    assert not still_holds(entry, _with_document(received_at=T0))


def test_an_entry_has_a_stable_key_shard_and_message_id():
    entry = WatchEntry(DUE, "case-1", WatchKind.DOCUMENT_DUE, DUE, "doc-1")
    assert entry.key == "case-1#document-due#doc-1#2026-10-30"
    assert 0 <= entry.shard < 8
    assert entry.event_id == "case-1/watch/document-due/doc-1@2026-10-30"
    assert reminder_ref("doc-1|2026-10-30|due") == ("doc-1", DUE, "due")


def test_today_is_watched_from_seven_in_the_morning_and_the_last_week_is_caught_up():
    early = watched_days(DUE, datetime(2026, 10, 30, 6, 59), starts_at_hour=7, catch_up_days=7)
    assert (early[0], early[-1], len(early)) == (DUE - timedelta(days=7), DUE - timedelta(days=1), 7)
    assert watched_days(DUE, datetime(2026, 10, 30, 7, 0), starts_at_hour=7, catch_up_days=7)[-1] == DUE


def test_the_morning_overview_of_a_working_day_carries_the_days_off_before_it():
    from chalicelib.domain.watch import digest_days

    assert digest_days(date(2026, 10, 7)) == [date(2026, 10, 7)]  # a Wednesday
    assert digest_days(date(2026, 10, 12)) == [date(2026, 10, 10), date(2026, 10, 11), date(2026, 10, 12)]  # a Monday
    assert digest_days(date(2026, 10, 10)) == []  # a Saturday: no overview
    # after Christmas (Friday 25 and Saturday 26 December 2026, then Sunday): Monday carries all three
    assert digest_days(date(2026, 12, 28)) == [date(2026, 12, 25), date(2026, 12, 26), date(2026, 12, 27), date(2026, 12, 28)]
