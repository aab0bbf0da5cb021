"""The deadline watch on in-memory twins: a reminder reaches the case's parties once per document and due date, at
once (never held for the night), from seven in the morning; an entry that no longer holds lapses without a message;
term alerts land on the behandelaar's list; and a run's work is bounded."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import cast

from chalicelib.adapters.memory import InMemoryWatch
from chalicelib.domain.cases import DocumentRequest
from chalicelib.domain.events import EventKind
from chalicelib.domain.notifications import NotificationStatus
from chalicelib.domain.watch import WatchKind
from chalicelib.domain.workdays import AMSTERDAM
from tests.factories import FATIMA, MARK, a_case

START = date(2026, 10, 5)
DUE = date(2026, 10, 30)


def _case_with_document(world, **changes):
    case = a_case(startdatum=START, version=0)
    document = DocumentRequest("doc-1", "Begroting", datetime(2026, 10, 12, 9, tzinfo=UTC), "mdw-anna-bakker", DUE)
    case = replace(case, documents=(replace(document, **changes),))
    stored = world.cases.create(case, ())
    world.services.deadline_watch.case_changed(None, stored)
    return stored


def _at(world, day: date, hour: int) -> None:
    world.clock.current = datetime(day.year, day.month, day.day, hour, tzinfo=AMSTERDAM).astimezone(UTC)


def _reminders(world):
    return [n for n in world.outbox.items.values() if n.event_kind is EventKind.DOCUMENT_REMINDER]


def test_a_reminder_reaches_the_parties_three_days_before_and_on_the_day_once_each(world):
    case = _case_with_document(world)
    _at(world, DUE - timedelta(days=3), 6)
    assert world.services.deadline_watch.run().looked_at == 0  # not before seven in the morning
    _at(world, DUE - timedelta(days=3), 8)
    run = world.services.deadline_watch.run()
    reminders = _reminders(world)
    assert {n.subscriber_id for n in reminders} == {MARK, FATIMA}
    assert run.reminders == len(reminders) >= 2
    assert {n.status for n in reminders} <= {NotificationStatus.CREATED}  # at once: never held for the night
    # the same entry again (a redelivered change) and another run: nothing new
    world.services.deadline_watch.case_changed(None, case)
    world.services.deadline_watch.run()
    assert len(_reminders(world)) == len(reminders)
    _at(world, DUE, 8)
    world.services.deadline_watch.run()
    assert len(_reminders(world)) == 2 * len(reminders)


def test_a_document_sent_in_before_its_reminder_makes_it_lapse(world):
    case = _case_with_document(world)
    world.cases.items[case.id] = replace(case, documents=(replace(case.documents[0], received_at=world.clock.now()),))
    _at(world, DUE, 8)
    run = world.services.deadline_watch.run()
    assert (run.reminders, _reminders(world)) == (0, [])
    assert run.lapsed >= 1


def test_term_alerts_land_on_the_behandelaars_list(world):
    case = _case_with_document(world)
    _at(world, date(2026, 11, 25), 8)  # five days before the servicenorm ends
    assert world.services.deadline_watch.run().alerts == 1
    (alert,) = world.services.deadline_watch.alerts_for(case.behandelaar.id)
    assert (alert.entry.kind, alert.entry.case_id, alert.entry.target) == (WatchKind.NORM_SOON, case.id, date(2026, 11, 30))
    assert alert.case_number == case.case_number


def test_a_run_handles_at_most_its_limit_and_the_rest_waits(world):
    for _ in range(3):
        _case_with_document(world)
    watch = world.services.deadline_watch
    bounded = type(watch)(world.adapters.watch, world.cases, world.fanout, world.services.catalogue, world.clock, limit=2)
    _at(world, DUE, 8)
    assert bounded.run().looked_at == 2
    assert bounded.run().looked_at == 2  # today's 3 reminders, and one of the catch-up days' entries
    assert cast(InMemoryWatch, world.adapters.watch).read == 4
