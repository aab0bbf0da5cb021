"""Behandelaar commands: who may do what, what is validated, and that a command only writes the case."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from chalicelib.domain.cases import TAIL, CaseMessage, HistoryKind
from chalicelib.domain.durations import Duration
from chalicelib.domain.errors import (
    CaseNotFoundError,
    CaseRuleError,
    ConcurrentUpdateError,
    ForbiddenError,
    ValidationError,
)
from chalicelib.domain.subscriptions import Interest
from chalicelib.services.case_commands import NewCase, NewDocumentRequest
from tests.factories import FATIMA, MARK, SUBSIDIE
from tests.unit.services.conftest import ANNA_PRINCIPAL, MARK_PRINCIPAL, PIETER, SANNE, World

MARKS_CASE = NewCase(SUBSIDIE, "Duurzame recreatie", MARK, (FATIMA,), ("GM1581",))


def fields(error: ValidationError) -> list[str]:
    return [issue.field for issue in error.issues]


def test_a_behandelaar_registers_a_case_in_its_first_status_with_a_case_number(world: World):
    case = world.commands.create(ANNA_PRINCIPAL, MARKS_CASE)
    assert case.case_number == "SUB-2026-000001"
    assert case.current_status.statustype == "ontvangen"
    assert case.behandelaar.id == ANNA_PRINCIPAL.subject
    assert world.commands.create(ANNA_PRINCIPAL, MARKS_CASE).case_number == "SUB-2026-000002"


def test_initiator_and_co_initiator_follow_their_new_case(world: World):
    case = world.commands.create(ANNA_PRINCIPAL, MARKS_CASE)
    followers = {s.subscriber_id: s for s in world.subscriptions.entries_of(Interest.case(case.id).key)}
    assert set(followers) == {MARK, FATIMA}


@pytest.mark.parametrize("principal", [MARK_PRINCIPAL, SANNE], ids=["applicant", "kcc"])
def test_only_a_behandelaar_may_register_a_case(world: World, principal):
    with pytest.raises(ForbiddenError):
        world.commands.create(principal, MARKS_CASE)
    assert world.cases.items == {}


@pytest.mark.parametrize(
    ("new", "field"),
    [
        (replace(MARKS_CASE, zaaktype="bouwvergunning"), "zaaktype"),
        (replace(MARKS_CASE, initiator="123456782"), "initiator"),
        (replace(MARKS_CASE, co_initiators=("999999990",)), "co_initiators.0"),
        (replace(MARKS_CASE, co_initiators=(MARK,)), "co_initiators"),
        (replace(MARKS_CASE, gemeenten=("GM0363",)), "gemeenten.0"),
        (replace(MARKS_CASE, gemeenten=()), "gemeenten"),
        (replace(MARKS_CASE, startdatum=date(2026, 12, 31)), "startdatum"),
    ],
    ids=[
        "unknown zaaktype",
        "bsn as initiator",
        "bsn as co-initiator",
        "initiator twice",
        "gemeente outside",
        "no gemeente",
        "future",
    ],
)
def test_a_case_with_bad_input_is_refused_naming_the_field_and_nothing_is_stored(world: World, new, field):
    with pytest.raises(ValidationError) as refused:
        world.commands.create(ANNA_PRINCIPAL, new)
    assert field in fields(refused.value)
    assert world.cases.items == {}


def test_a_status_change_adds_an_entry_and_a_version(world: World):
    case = world.commands.create(ANNA_PRINCIPAL, MARKS_CASE)
    result = world.commands.set_status(ANNA_PRINCIPAL, case.id, "in-behandeling", "Alles is compleet.")
    assert result.changed
    assert result.case.current_status.statustype == "in-behandeling"
    assert result.case.current_status.toelichting == "Alles is compleet."
    assert result.case.version == case.version + 1


def test_setting_the_status_a_case_already_has_writes_nothing(world: World):
    case = world.commands.create(ANNA_PRINCIPAL, MARKS_CASE)
    result = world.commands.set_status(ANNA_PRINCIPAL, case.id, "ontvangen", None)
    assert not result.changed
    assert world.cases.get(case.id).version == case.version


def test_an_unknown_statustype_is_a_validation_error_on_that_field(world: World):
    case = world.commands.create(ANNA_PRINCIPAL, MARKS_CASE)
    with pytest.raises(ValidationError) as refused:
        world.commands.set_status(ANNA_PRINCIPAL, case.id, "goedgekeurd", None)
    assert fields(refused.value) == ["statustype"]


def test_only_the_cases_own_behandelaar_may_change_it(world: World):
    case = world.commands.create(ANNA_PRINCIPAL, MARKS_CASE)
    with pytest.raises(ForbiddenError):
        world.commands.set_status(PIETER, case.id, "in-behandeling", None)
    assert world.cases.get(case.id) == case


@pytest.mark.parametrize("principal", [SANNE, MARK_PRINCIPAL], ids=["kcc", "applicant"])
def test_someone_who_is_no_behandelaar_is_refused_before_learning_whether_a_case_exists(world: World, principal):
    with pytest.raises(ForbiddenError):
        world.commands.set_status(principal, "no-such-case", "in-behandeling", None)


def test_a_behandelaar_changing_a_case_that_does_not_exist_gets_not_found(world: World):
    with pytest.raises(CaseNotFoundError):
        world.commands.post_message(ANNA_PRINCIPAL, "no-such-case", "Hallo", None)


def test_a_closed_case_takes_no_new_status(world: World):
    case = world.commands.create(ANNA_PRINCIPAL, MARKS_CASE)
    world.commands.set_status(ANNA_PRINCIPAL, case.id, "besluit-genomen", None)
    with pytest.raises(CaseRuleError) as refused:
        world.commands.set_status(ANNA_PRINCIPAL, case.id, "in-behandeling", None)
    assert refused.value.rule == "case_closed"


def test_documents_due_in_the_past_are_refused_per_document(world: World):
    case = world.commands.create(ANNA_PRINCIPAL, MARKS_CASE)
    requests = (NewDocumentRequest("Begroting", date(2026, 12, 1)), NewDocumentRequest("Plan", date(2026, 1, 1)))
    with pytest.raises(ValidationError) as refused:
        world.commands.request_documents(ANNA_PRINCIPAL, case.id, requests)
    assert fields(refused.value) == ["documents.1.due"]


def test_requesting_and_receiving_documents_shows_what_is_missing(world: World):
    case = world.commands.create(ANNA_PRINCIPAL, MARKS_CASE)
    requested = world.commands.request_documents(
        ANNA_PRINCIPAL, case.id, (NewDocumentRequest("Begroting"), NewDocumentRequest("Projectplan"))
    ).case
    budget = requested.documents[0]
    received = world.commands.mark_document_received(ANNA_PRINCIPAL, case.id, budget.id).case
    assert [d.omschrijving for d in received.missing_documents] == ["Projectplan"]
    again = world.commands.mark_document_received(ANNA_PRINCIPAL, case.id, budget.id)
    assert not again.changed


def test_an_extension_and_a_suspension_move_the_deadline(world: World):
    case = world.commands.create(ANNA_PRINCIPAL, MARKS_CASE)
    extended = world.commands.extend(ANNA_PRINCIPAL, case.id, Duration(weeks=6), "Advies van de gemeente nodig").case
    assert extended.extension is not None
    suspended = world.commands.suspend(ANNA_PRINCIPAL, case.id, "Wachten op begroting").case
    assert suspended.open_suspension is not None
    world.clock.advance(days=10)
    resumed = world.commands.resume(ANNA_PRINCIPAL, case.id).case
    assert resumed.suspensions[-1].end == resumed.suspensions[-1].start + timedelta(days=10)


class FlakyCases:
    """A cases repository whose save loses the race ``failures`` times (somebody else saved in between)."""

    def __init__(self, inner, failures: int) -> None:
        self._inner = inner
        self.failures = failures
        self.saves = 0

    def __getattr__(self, name):
        return getattr(self._inner, name)

    def save(self, case, new_followers=(), history=()):
        self.saves += 1
        if self.failures:
            self.failures -= 1
            raise ConcurrentUpdateError(case.id)
        return self._inner.save(case, new_followers, history)


def test_a_command_that_loses_a_race_is_applied_again_to_the_fresh_case(world: World):
    case = world.commands.create(ANNA_PRINCIPAL, MARKS_CASE)
    flaky = FlakyCases(world.cases, failures=1)
    world.commands._cases = flaky  # type: ignore[assignment]
    result = world.commands.post_message(ANNA_PRINCIPAL, case.id, "Hallo", None)
    assert result.changed
    assert flaky.saves == 2
    assert len(world.cases.get(case.id).messages) == 1


def test_a_command_that_keeps_losing_the_race_gives_up_with_a_conflict(world: World):
    case = world.commands.create(ANNA_PRINCIPAL, MARKS_CASE)
    world.commands._cases = FlakyCases(world.cases, failures=5)  # type: ignore[assignment]
    with pytest.raises(ConcurrentUpdateError):
        world.commands.post_message(ANNA_PRINCIPAL, case.id, "Hallo", None)
    assert world.cases.get(case.id).messages == ()


def test_a_case_keeps_every_message_in_its_history_and_its_item_only_the_last_few(world: World):
    # GIVEN Mark's case
    case = world.commands.create(ANNA_PRINCIPAL, MARKS_CASE)
    # WHEN Anna posts 60 messages (once refused from the 51st on, as the case item held them all)
    for index in range(60):
        world.clock.advance(minutes=1)
        assert world.commands.post_message(ANNA_PRINCIPAL, case.id, f"Bericht {index}", None).changed
    # THEN the case item holds the last TAIL and counts them all; its history holds each, once, with its first status
    stored = world.cases.get(case.id)
    assert [m.text for m in stored.messages] == [f"Bericht {i}" for i in range(60 - TAIL, 60)]
    assert stored.counts.messages == 60
    history = list(world.cases.histories[case.id].values())
    texts = sorted(e.item.text for e in history if isinstance(e.item, CaseMessage))
    assert texts == sorted(f"Bericht {i}" for i in range(60))
    assert len(history) == 61


def test_a_change_that_fails_to_save_leaves_no_history_behind(world: World):
    case = world.commands.create(ANNA_PRINCIPAL, MARKS_CASE)
    world.commands._cases = FlakyCases(world.cases, failures=5)  # type: ignore[assignment]
    with pytest.raises(ConcurrentUpdateError):
        world.commands.set_status(ANNA_PRINCIPAL, case.id, "in-behandeling", None)
    assert [e.kind for e in world.cases.histories[case.id].values()] == [HistoryKind.STATUS]
