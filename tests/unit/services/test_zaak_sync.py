"""The zaaksysteem's notices through ZaakSync on in-memory twins: a notice queues, a sync reads the zaak and writes
what Baken lacks — duplicates, late and out-of-order notices end in the zaaksysteem's state and tell each
transition once, in order; a zaak that is gone, unknown or unreachable never half-writes a case."""

from __future__ import annotations

import pytest

from chalicelib.adapters.memory import InMemoryNotices, InMemoryPseudonyms, InMemoryZaakSource
from chalicelib.domain.cases import StatusEntry
from chalicelib.domain.errors import CaseRuleError
from chalicelib.domain.identity import Principal, Role
from chalicelib.domain.subscriptions import Channel
from chalicelib.domain.zgw import Handling, ZaakNotice, case_id_for
from chalicelib.services.ports import ZgwUnavailableError
from chalicelib.services.zaak_sync import SyncOutcome, ZaakIntake, ZaakSync
from tests.factories import ANNA, FATIMA, MARK, T0
from tests.zgw_builders import FATIMA_BSN, MARK_BSN, ZAAK_URL, snapshot

CASE_ID = case_id_for(ZAAK_URL)


def _notice(resource: str = "status", n: int = 1, handling: Handling = Handling.SYNC) -> ZaakNotice:
    return ZaakNotice(f"notice-{resource}-{n}", ZAAK_URL, resource, "create", f"{ZAAK_URL}/{n}", T0, handling)


@pytest.fixture
def zaaksysteem() -> InMemoryZaakSource:
    return InMemoryZaakSource()


@pytest.fixture
def sync(world, zaaksysteem) -> ZaakSync:
    """ZaakSync on the world's cases; every case write is fanned out and delivered at once, as the stream would
    take each write as a change of its own."""
    original_create, original_save = world.cases.create, world.cases.save

    def create(case, subscriptions):
        stored = original_create(case, subscriptions)
        world.propagate()
        return stored

    def save(case, new_followers=(), history=()):
        stored = original_save(case, new_followers, history)
        world.propagate()
        return stored

    world.cases.create, world.cases.save = create, save
    pseudonyms = InMemoryPseudonyms({MARK_BSN: MARK, FATIMA_BSN: FATIMA})
    return ZaakSync(zaaksysteem, world.cases, world.services.catalogue, pseudonyms, world.clock)


def _portal_texts(world, subject: str) -> list[str]:
    return [n.event_id for n in world.outbox.items.values() if n.subscriber_id == subject and n.channel is Channel.PORTAL]


def test_the_callback_queues_only_notices_with_work_and_a_duplicate_once():
    queue = InMemoryNotices()
    intake = ZaakIntake(queue)
    assert intake.accept(_notice()) is True
    assert intake.accept(_notice()) is True  # the same message again: the queue keeps one
    assert intake.accept(_notice("test", handling=Handling.TEST)) is False
    assert intake.accept(_notice("zaakverzoek", handling=Handling.IGNORED)) is False
    assert [n.id for n in queue.drain()] == ["notice-status-1"]


def test_a_new_zaak_becomes_a_case_its_parties_follow_and_a_duplicate_notice_writes_nothing(world, zaaksysteem, sync):
    zaaksysteem.zaken[ZAAK_URL] = snapshot(1)
    result = sync.sync(_notice())
    assert (result.outcome, result.case_id, result.writes) == (SyncOutcome.CREATED, CASE_ID, 1)
    case = world.cases.get(CASE_ID)
    assert (case.source, case.behandelaar.id, case.followers) == (ZAAK_URL, ANNA.id, (MARK, FATIMA))
    told = _portal_texts(world, MARK)
    assert len(told) == 1
    again = sync.sync(_notice())
    assert (again.outcome, again.writes) == (SyncOutcome.UNCHANGED, 0)
    assert _portal_texts(world, MARK) == told


def test_out_of_order_notices_tell_each_transition_once_in_the_zaaksysteem_s_order(world, zaaksysteem, sync):
    zaaksysteem.zaken[ZAAK_URL] = snapshot(1)
    sync.sync(_notice(n=1))
    # statuses 2 and 3 are set; the notification of 3 arrives first
    zaaksysteem.zaken[ZAAK_URL] = snapshot(1, 2, 3)
    world.clock.advance(hours=3)
    result = sync.sync(_notice(n=3))
    assert (result.outcome, result.writes) == (SyncOutcome.UPDATED, 2)
    assert sync.sync(_notice(n=2)).outcome is SyncOutcome.UNCHANGED
    case = world.cases.get(CASE_ID)
    assert [s.statustype for s in case.statuses] == ["ontvangen", "in-behandeling", "aanvullende-informatie-nodig"]
    history = world.cases.history(CASE_ID, limit=10)
    assert [e.item.statustype for e in reversed(history.entries) if isinstance(e.item, StatusEntry)] == [
        "ontvangen",
        "in-behandeling",
        "aanvullende-informatie-nodig",
    ]
    # Mark heard of the first status and of each transition, in order, once each
    status_events = [e for e in _portal_texts(world, MARK) if "/status/" in e]
    assert [e.rsplit("/", 1)[1] for e in status_events] == [s.id for s in case.statuses]


def test_a_zaak_without_status_waits_and_an_unknown_or_gone_zaak_changes_nothing(world, zaaksysteem, sync):
    zaaksysteem.zaken[ZAAK_URL] = snapshot()
    assert sync.sync(_notice("zaak")).outcome is SyncOutcome.WAITING
    zaaksysteem.zaken[ZAAK_URL] = snapshot(1, identificatie="ZAAK-1")
    other = snapshot(1)
    zaaksysteem.zaken[ZAAK_URL] = type(other)(
        zaak=other.zaak,
        zaaktype=type(other.zaaktype)(**{**other.zaaktype.__dict__, "identificatie": "iets-anders"}),
        statuses=other.statuses,
        rollen=other.rollen,
        gemeenten=other.gemeenten,
    )
    refused = sync.sync(_notice())
    assert (refused.outcome, refused.problem) == (SyncOutcome.REFUSED, "unknown_zaaktype")
    del zaaksysteem.zaken[ZAAK_URL]
    assert sync.sync(_notice()).outcome is SyncOutcome.GONE
    assert CASE_ID not in world.cases.items


def test_an_unreachable_zaaksysteem_raises_so_the_notice_is_retried_and_nothing_is_written(world, zaaksysteem, sync):
    zaaksysteem.zaken[ZAAK_URL] = ZgwUnavailableError(ZAAK_URL, "timeout")
    with pytest.raises(ZgwUnavailableError):
        sync.sync(_notice())
    assert CASE_ID not in world.cases.items
    zaaksysteem.zaken[ZAAK_URL] = snapshot(1)  # back: the retried notice does the work
    assert sync.sync(_notice()).outcome is SyncOutcome.CREATED


def test_the_behandelaar_changes_a_zaaksysteem_s_status_there_and_still_sends_messages_here(world, zaaksysteem, sync):
    zaaksysteem.zaken[ZAAK_URL] = snapshot(1)
    sync.sync(_notice())
    anna = Principal(ANNA.id, frozenset({Role.BEHANDELAAR}), ANNA.naam)
    with pytest.raises(CaseRuleError) as refused:
        world.commands.set_status(anna, CASE_ID, "in-behandeling", None)
    assert refused.value.rule == "owned_by_zaaksysteem"
    with pytest.raises(CaseRuleError):
        world.commands.suspend(anna, CASE_ID, "Wacht")
    assert world.commands.post_message(anna, CASE_ID, "Uw plan heeft ook een vergunning nodig.", None).changed


def test_a_mede_initiator_the_zaaksysteem_adds_starts_following(world, zaaksysteem, sync):
    only_mark = snapshot(1)
    zaaksysteem.zaken[ZAAK_URL] = type(only_mark)(
        only_mark.zaak, only_mark.zaaktype, only_mark.statuses, (only_mark.rollen[0], only_mark.rollen[2]), only_mark.gemeenten
    )
    sync.sync(_notice())
    assert world.cases.get(CASE_ID).followers == (MARK,)
    world.clock.advance(minutes=5)
    zaaksysteem.zaken[ZAAK_URL] = snapshot(1, start=T0)
    result = sync.sync(_notice("rol"))
    assert (result.outcome, result.writes) == (SyncOutcome.UPDATED, 1)
    assert world.cases.get(CASE_ID).followers == (MARK, FATIMA)
    assert [s.scope.case_id for s in world.subscriptions.of_subscriber(FATIMA)] == [CASE_ID]
