"""From the zaaksysteem's messages and its zaak to Baken's case: parsing with errors that name the field, and the
plan of case writes — one per real transition, in the zaaksysteem's order, nothing for what Baken has."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib.domain.cases import Medewerker
from chalicelib.domain.errors import ValidationError
from chalicelib.domain.events import EventKind, derive_events
from chalicelib.domain.zgw import (
    Handling,
    Parties,
    SyncProblem,
    SyncRefused,
    ZgwRol,
    ZgwStatus,
    case_id_for,
    parse_cloudevent,
    parse_notificatie,
    plan_sync,
    rol_parties,
)
from tests.factories import ANNA, FATIMA, MARK, SUBSIDIE, T0, zaaktype
from tests.zgw_builders import FATIMA_BSN, MARK_BSN, SIX_WEEKS, ZAAK_URL, ZAKEN, rol, snapshot, status

MESSAGE = {
    "kanaal": "zaken",
    "hoofdObject": ZAAK_URL,
    "resource": "status",
    "resourceUrl": f"{ZAKEN}/statussen/1",
    "actie": "create",
    "aanmaakdatum": "2026-10-06T12:00:00Z",
    "kenmerken": {"bronorganisatie": "002220647", "zaaktype": "https://x/zaaktypen/1", "vertrouwelijkheidaanduiding": "openbaar"},
}
PARTIES = Parties(MARK, (FATIMA,), (), ANNA)
SUBJECTS = {MARK_BSN: MARK, FATIMA_BSN: FATIMA}


def _pseudonym(r: ZgwRol) -> str | None:
    return SUBJECTS.get(str(r.identificatie.get("inpBsn")))


def _issues(error: pytest.ExceptionInfo[ValidationError]) -> dict[str, str]:
    return {i.field: i.code for i in error.value.issues}


# --- messages ---------------------------------------------------------------------------------------------------


def test_a_status_notification_asks_for_the_zaak_to_be_read_and_has_a_stable_id():
    notice = parse_notificatie(MESSAGE)
    assert (notice.zaak_url, notice.resource, notice.actie, notice.handling) == (ZAAK_URL, "status", "create", Handling.SYNC)
    assert parse_notificatie(dict(MESSAGE)).id == notice.id  # redelivered: the same message
    assert parse_notificatie({**MESSAGE, "resourceUrl": f"{ZAKEN}/statussen/2"}).id != notice.id


def test_the_callback_check_and_resources_baken_does_not_show_are_accepted_without_work():
    assert parse_notificatie({**MESSAGE, "kanaal": "test"}).handling is Handling.TEST
    assert parse_notificatie({**MESSAGE, "resource": "zaakverzoek"}).handling is Handling.IGNORED


def test_a_bad_message_is_refused_naming_every_field():
    with pytest.raises(ValidationError) as error:
        parse_notificatie(
            {"kanaal": "documenten", "hoofdObject": "ftp://x", "resource": 3, "actie": "create", "aanmaakdatum": "gisteren"}
        )
    assert _issues(error) == {
        "kanaal": "not_allowed",
        "hoofdObject": "expected_url",
        "resource": "expected_string",
        "resourceUrl": "required",
        "aanmaakdatum": "expected_datetime",
    }
    with pytest.raises(ValidationError) as error:
        parse_notificatie([MESSAGE])
    assert _issues(error) == {"body": "expected_object"}
    with pytest.raises(ValidationError) as error:
        parse_notificatie({**MESSAGE, "actie": "explode", "kenmerken": ["x"], "hoofdObject": "https://x/" + "a" * 1000})
    assert _issues(error) == {"actie": "not_allowed", "kenmerken": "expected_object", "hoofdObject": "expected_url"}


def test_a_cloudevent_names_its_zaak_by_dataref_or_in_its_data():
    event = {
        "specversion": "1.0",
        "id": "e1",
        "source": "urn:nld:oin:00000001234567890000:systeem:zaaksysteem",
        "type": "nl.overheid.zaken.zaakstatus-gewijzigd",
        "time": "2026-10-06T12:00:00Z",
        "dataref": ZAAK_URL,
    }
    notice = parse_cloudevent(event)
    assert (notice.zaak_url, notice.resource, notice.handling) == (ZAAK_URL, "zaakstatus-gewijzigd", Handling.SYNC)
    assert parse_cloudevent(event).id == notice.id
    without_dataref = {k: v for k, v in event.items() if k != "dataref"}
    assert parse_cloudevent({**without_dataref, "data": {"zaak": ZAAK_URL}}).zaak_url == ZAAK_URL
    with pytest.raises(ValidationError) as error:
        parse_cloudevent({**without_dataref, "specversion": "0.3", "type": "nl.overheid.besluiten.x"})
    assert _issues(error) == {"specversion": "not_allowed", "type": "not_allowed", "dataref": "required"}


# --- the plan ------------------------------------------------------------------------------------------------------


def test_a_zaak_seen_for_the_first_time_becomes_one_case_write_with_every_status_so_far():
    [case] = plan_sync(None, snapshot(1, 2, 3), zaaktype(SUBSIDIE), PARTIES, T0)
    assert case.id == case_id_for(ZAAK_URL)
    assert (case.case_number, case.source, case.zaaktype) == ("ZAAK-2026-0000123", ZAAK_URL, SUBSIDIE)
    assert [s.statustype for s in case.statuses] == ["ontvangen", "in-behandeling", "aanvullende-informatie-nodig"]
    assert (case.initiator, case.co_initiators, case.behandelaar) == (MARK, (FATIMA,), ANNA)
    assert case.location.gemeenten == ("GM1581",)
    # an import: only the newest status is told
    events = derive_events(None, case, zaaktype(SUBSIDIE), T0)
    assert [e.ref for e in events if e.kind is EventKind.STATUS_CHANGED] == [case.statuses[-1].id]


def test_statuses_the_case_lacks_are_written_one_by_one_oldest_first_and_told_once_each():
    [first] = plan_sync(None, snapshot(1), zaaktype(SUBSIDIE), PARTIES, T0)
    # the notification of status 3 arrives before the one of status 2: the zaaksysteem has both by now
    states = plan_sync(first, snapshot(1, 2, 3), zaaktype(SUBSIDIE), PARTIES, T0)
    assert [[s.statustype for s in c.statuses][-1] for c in states] == ["in-behandeling", "aanvullende-informatie-nodig"]
    told = []
    before = first
    for state in states:
        told += [e.ref for e in derive_events(before, state, zaaktype(SUBSIDIE), T0) if e.kind is EventKind.STATUS_CHANGED]
        before = state
    assert told == [s.id for s in states[-1].statuses[1:]]
    # the late notification of status 2, or either one again: nothing to write
    assert plan_sync(states[-1], snapshot(1, 2, 3), zaaktype(SUBSIDIE), PARTIES, T0) == []


def test_a_status_set_before_what_the_case_shows_is_not_told_as_news():
    [case] = plan_sync(None, snapshot(1, 2), zaaktype(SUBSIDIE), PARTIES, T0)
    late = replace(snapshot(1, 2), statuses=(*snapshot(1, 2).statuses, status(3, T0 - timedelta(days=1), n=9)))
    assert plan_sync(case, late, zaaktype(SUBSIDIE), PARTIES, T0) == []


def test_the_eindstatus_closes_the_case_on_the_zaak_s_einddatum():
    [case] = plan_sync(None, snapshot(1), zaaktype(SUBSIDIE), PARTIES, T0)
    done = snapshot(1, 5, einddatum=(T0 + timedelta(days=3)).date())
    [closed] = plan_sync(case, done, zaaktype(SUBSIDIE), PARTIES, T0)
    assert closed.closed_on == (T0 + timedelta(days=3)).date()


def test_opschorting_and_verlenging_follow_the_zaak():
    [case] = plan_sync(None, snapshot(1, 2), zaaktype(SUBSIDIE), PARTIES, T0)
    [paused] = plan_sync(case, snapshot(1, 2, opschorting=(True, "Wacht op advies")), zaaktype(SUBSIDIE), PARTIES, T0)
    assert paused.open_suspension is not None
    assert paused.open_suspension.reden == "Wacht op advies"
    later = T0 + timedelta(days=10)
    [resumed] = plan_sync(paused, snapshot(1, 2, opschorting=(False, "")), zaaktype(SUBSIDIE), PARTIES, later)
    assert resumed.open_suspension is None
    assert resumed.suspensions[-1].end == later.date()
    [extended] = plan_sync(
        resumed, snapshot(1, 2, verlenging=("Advies duurt langer", SIX_WEEKS)), zaaktype(SUBSIDIE), PARTIES, later
    )
    assert extended.extension is not None
    assert extended.extension.duur == SIX_WEEKS
    assert (
        plan_sync(extended, snapshot(1, 2, verlenging=("Advies duurt langer", SIX_WEEKS)), zaaktype(SUBSIDIE), PARTIES, later)
        == []
    )


def test_a_zaak_without_a_status_or_with_a_step_baken_does_not_know_is_refused():
    with pytest.raises(SyncRefused) as refused:
        plan_sync(None, snapshot(), zaaktype(SUBSIDIE), PARTIES, T0)
    assert refused.value.problem is SyncProblem.NO_STATUS
    odd = replace(snapshot(1), statuses=(ZgwStatus(f"{ZAKEN}/statussen/x", "https://elders/statustypen/9", T0),))
    with pytest.raises(SyncRefused) as refused:
        plan_sync(None, odd, zaaktype(SUBSIDIE), PARTIES, T0)
    assert refused.value.problem is SyncProblem.UNKNOWN_STATUSTYPE


def test_parties_come_from_the_rollen_as_subjects_and_the_behandelaar_from_the_medewerker():
    rollen = (
        rol("initiator", MARK_BSN),
        rol("mede_initiator", FATIMA_BSN),
        rol("belanghebbende", "111222333", indicatie_machtiging="gemachtigde"),
        rol("behandelaar"),
        rol("adviseur", "123456782"),  # not a party, and not a subject Baken knows
    )
    subjects = {**SUBJECTS, "111222333": "pu-karin-2b6f90"}
    parties = rol_parties(rollen, lambda r: subjects.get(r.identificatie.get("inpBsn")), Medewerker("x", "x"))
    assert parties == Parties(MARK, (FATIMA,), ("pu-karin-2b6f90",), Medewerker("mdw-anna-bakker", "A. Bakker"))
    with pytest.raises(SyncRefused) as refused:
        rol_parties((rol("behandelaar"),), _pseudonym, Medewerker("x", "x"))
    assert refused.value.problem is SyncProblem.NO_INITIATOR
