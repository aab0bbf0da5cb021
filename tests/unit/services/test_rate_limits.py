"""Abuse is rate limited per actor and per recipient (docs: RELIABILITY.md, promise 13, attack 14): a flood of
messages to one case's people, or of changes by one medewerker, is refused with a wait, and nothing of the
refused request is written."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.adapters.memory import InMemoryRateLimiter
from chalicelib.domain.errors import TooManyRequestsError
from chalicelib.services.case_commands import PER_CASE_MESSAGES, CaseCommands, NewCase
from tests.factories import MARK, SUBSIDIE, catalogue, reference
from tests.unit.services.conftest import ANNA_PRINCIPAL, World


@pytest.fixture
def commands(world: World) -> CaseCommands:
    return CaseCommands(world.cases, world.subscribers, catalogue(), reference(), world.clock, limiter=InMemoryRateLimiter())


def test_the_eleventh_message_to_one_case_within_an_hour_is_refused_and_not_written(commands: CaseCommands, world: World):
    case = commands.create(ANNA_PRINCIPAL, NewCase(SUBSIDIE, "Duurzame recreatie", MARK, (), ("GM1581",)))
    limit, window = PER_CASE_MESSAGES
    for number in range(limit):
        commands.post_message(ANNA_PRINCIPAL, case.id, f"Bericht {number}", None)

    with pytest.raises(TooManyRequestsError) as refused:
        commands.post_message(ANNA_PRINCIPAL, case.id, "Nog een bericht", None)

    assert 0 < refused.value.retry_after <= window.total_seconds()
    assert world.cases.get(case.id).counts.messages == limit
    # AND once the hour has passed, the behandelaar can write again
    world.clock.advance(seconds=refused.value.retry_after)
    commands.post_message(ANNA_PRINCIPAL, case.id, "Nu wel", None)


def test_messages_to_another_case_are_not_held_up_by_a_busy_one(commands: CaseCommands, world: World):
    busy = commands.create(ANNA_PRINCIPAL, NewCase(SUBSIDIE, "Druk", MARK, (), ("GM1581",)))
    quiet = commands.create(ANNA_PRINCIPAL, NewCase(SUBSIDIE, "Rustig", MARK, (), ("GM1581",)))
    for number in range(PER_CASE_MESSAGES[0]):
        commands.post_message(ANNA_PRINCIPAL, busy.id, f"Bericht {number}", None)

    commands.post_message(ANNA_PRINCIPAL, quiet.id, "Hallo", None)

    assert len(world.cases.get(quiet.id).messages) == 1


def test_one_medewerker_changing_cases_faster_than_a_person_works_is_refused(commands: CaseCommands, world: World, monkeypatch):
    monkeypatch.setattr("chalicelib.services.case_commands.PER_ACTOR", (5, timedelta(hours=1)))
    case = commands.create(ANNA_PRINCIPAL, NewCase(SUBSIDIE, "Zaak", MARK, (), ("GM1581",)))
    for number in range(4):
        commands.post_message(ANNA_PRINCIPAL, case.id, f"Bericht {number}", None)

    with pytest.raises(TooManyRequestsError):
        commands.suspend(ANNA_PRINCIPAL, case.id, "wacht")
    with pytest.raises(TooManyRequestsError):
        commands.create(ANNA_PRINCIPAL, NewCase(SUBSIDIE, "Nog een zaak", MARK, (), ("GM1581",)))

    assert world.cases.get(case.id).suspensions == ()
    assert len(world.cases.items) == 1
