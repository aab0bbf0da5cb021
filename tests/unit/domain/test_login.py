"""The pieces of logging in that need no network: PKCE, where a login may return to, and the signed login
flow and session."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.adapters.sealing import seal, unseal
from chalicelib.domain.identity import Principal, Role
from chalicelib.domain.login import SESSION_LIFETIME, LoginFlow, Realm, Session, SessionRecord, pkce_challenge, safe_return_path
from chalicelib.domain.tokens import InvalidTokenError, KeyRing

SECRET = b"s" * 32
NOW = datetime(2026, 10, 5, 9, 0, tzinfo=UTC)
MARK = Principal(subject="bsn-999990019", roles=frozenset({Role.APPLICANT}), name="Mark Visser")


def test_the_pkce_challenge_is_the_rfc_7636_example():
    assert pkce_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk") == "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


@pytest.mark.parametrize(
    ("candidate", "expected"),
    [
        ("/mijn-zaken", "/mijn-zaken"),
        ("/mijn-zaken?lang=en", "/mijn-zaken?lang=en"),
        ("https://evil.example/", "/home"),
        ("//evil.example/x", "/home"),
        ("/\\evil.example", "/home"),
        ("javascript:alert(1)", "/home"),
        ("/a\r\nSet-Cookie: x=1", "/home"),
        ("", "/home"),
        (None, "/home"),
    ],
)
def test_a_login_returns_only_to_a_path_of_this_site(candidate, expected):
    assert safe_return_path(candidate, "/home") == expected


def _sealed_session(session: Session, keys: bytes = SECRET) -> str:
    return seal(session.body(), keys, "session")


def _open_session(text: str, keys: bytes = SECRET, *, now: datetime = NOW) -> Session:
    return Session.from_body(unseal(text, keys, "session"), now=now)


def test_a_session_survives_sealing_and_says_who_acts_for_whom():
    karin = Principal(subject="bsn-999990020", roles=frozenset({Role.APPLICANT}), name="Karin", represents="bsn-999990019")
    session = Session.start(karin, NOW)
    opened = _open_session(_sealed_session(session), now=NOW + timedelta(hours=1))
    assert opened == session
    assert opened.principal.acting_for == "bsn-999990019"
    assert opened.accepts(session.csrf)
    assert not opened.accepts("another")
    assert not opened.accepts(None)


def test_a_sealed_session_cookie_cannot_be_read():
    session = Session.start(MARK, NOW)
    sealed = _sealed_session(session)
    raw = base64.urlsafe_b64decode(sealed.split(".", 1)[1] + "==")
    for visible in (b"Mark", b"bsn-999990019", session.csrf.encode(), b"applicant"):
        assert visible not in raw


def test_a_session_expires_and_cannot_be_changed_or_made_from_a_login_cookie():
    session = Session.start(MARK, NOW)
    sealed = _sealed_session(session)
    with pytest.raises(InvalidTokenError):
        _open_session(sealed, now=NOW + timedelta(hours=9))
    with pytest.raises(InvalidTokenError):
        _open_session(sealed, b"t" * 32)
    with pytest.raises(InvalidTokenError):
        _open_session(sealed[:-4] + ("AAAA" if not sealed.endswith("AAAA") else "BBBB"))
    flow = LoginFlow.start("/mijn-zaken", NOW)
    with pytest.raises(InvalidTokenError):
        unseal(seal(flow.body(), SECRET, "login"), SECRET, "session")


def test_a_session_sealed_before_a_key_rotation_still_opens_and_new_ones_use_the_new_key():
    old, new = b"o" * 32, b"n" * 32
    session = Session.start(MARK, NOW)
    before = _sealed_session(session, KeyRing(old))
    ring = KeyRing(new, [old])
    assert _open_session(before, ring) == session
    after = _sealed_session(session, ring)
    assert _open_session(after, KeyRing(new)) == session
    with pytest.raises(InvalidTokenError):
        _open_session(after, KeyRing(old))


def test_a_login_flow_matches_only_its_own_state_and_expires_after_ten_minutes():
    flow = LoginFlow.start("/mijn-zaken", NOW, Realm.STAFF)
    opened = LoginFlow.from_body(unseal(seal(flow.body(), SECRET, "login"), SECRET, "login"), now=NOW + timedelta(minutes=9))
    assert opened == flow
    assert opened.realm is Realm.STAFF
    assert opened.matches(flow.state)
    assert not opened.matches("x")
    assert not opened.matches(None)
    assert len({flow.state, flow.nonce, flow.verifier}) == 3
    with pytest.raises(InvalidTokenError):
        LoginFlow.from_body(flow.body(), now=NOW + timedelta(minutes=11))


def test_a_server_side_session_ends_after_thirty_idle_minutes_and_rechecks_staff_roles_every_five():
    session = Session.start(MARK, NOW, Realm.STAFF)
    record = SessionRecord.of(session, NOW)
    assert not record.idle(NOW + timedelta(minutes=29))
    assert record.idle(NOW + timedelta(minutes=31))
    assert record.idle(NOW + timedelta(hours=8, minutes=1))
    assert timedelta(hours=8) == SESSION_LIFETIME
    assert not record.roles_due(NOW + timedelta(minutes=4))
    assert record.roles_due(NOW + timedelta(minutes=5))
    citizen = SessionRecord.of(Session.start(MARK, NOW), NOW)
    assert not citizen.roles_due(NOW + timedelta(hours=1))
