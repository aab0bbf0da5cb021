"""SessionStore: the in-memory twin and the case-index table hold sessions alike — a round trip, a change, an
end that is final and harmless to repeat, and an unknown id."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from chalicelib import wiring
from chalicelib.adapters.memory import InMemorySessions
from chalicelib.domain.identity import Principal, Role
from chalicelib.domain.login import Realm, Session, SessionRecord
from chalicelib.services.ports import SessionStore
from tests.contract.conftest import twins
from tests.factories import T0

sessions = twins(InMemorySessions, lambda _: wiring.adapters().sessions)

ANNA = Principal(subject="mdw-anna-bakker", roles=frozenset({Role.BEHANDELAAR, Role.KCC}), name="Anna")


def _record(refresh: str | None = "v1.sealed-refresh-token") -> SessionRecord:
    return SessionRecord.of(Session.start(ANNA, T0, Realm.STAFF), T0, refresh=refresh)


def test_a_session_comes_back_as_it_was_put(sessions: SessionStore):
    record = _record()
    sessions.put(record)
    assert sessions.get(record.sid) == record


def test_a_session_without_roles_or_refresh_token_comes_back_so(sessions: SessionStore):
    record = replace(_record(refresh=None), roles=frozenset())
    sessions.put(record)
    assert sessions.get(record.sid) == record


def test_a_changed_session_replaces_the_old_one(sessions: SessionStore):
    record = _record()
    sessions.put(record)
    later = replace(record, last_seen=T0 + timedelta(minutes=3), roles=frozenset({Role.KCC}))
    sessions.put(later)
    assert sessions.get(record.sid) == later


def test_an_ended_session_is_gone_and_ending_it_again_or_an_unknown_one_is_harmless(sessions: SessionStore):
    record = _record()
    sessions.put(record)
    sessions.end(record.sid)
    assert sessions.get(record.sid) is None
    sessions.end(record.sid)
    sessions.end("never-started")
    assert sessions.get("never-started") is None


def test_a_request_that_raced_the_logout_does_not_revive_the_session(sessions: SessionStore):
    # GIVEN a request read the session just before its owner logged out
    record = _record()
    sessions.put(record)
    seen = sessions.get(record.sid)
    assert seen is not None
    sessions.end(record.sid)
    # WHEN that request notes its time
    sessions.put(replace(seen, last_seen=T0 + timedelta(minutes=2)))
    # THEN the session stays ended
    assert sessions.get(record.sid) is None
