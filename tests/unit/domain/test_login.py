"""The pieces of logging in that need no network: PKCE, where a login may return to, and the signed login
flow and session."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.identity import Principal, Role
from chalicelib.domain.login import LoginFlow, Session, pkce_challenge, safe_return_path
from chalicelib.domain.tokens import InvalidTokenError

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


def test_a_session_survives_signing_and_says_who_acts_for_whom():
    karin = Principal(subject="bsn-999990020", roles=frozenset({Role.APPLICANT}), name="Karin", represents="bsn-999990019")
    session = Session.start(karin, NOW)
    opened = Session.from_signed(session.sign(SECRET), SECRET, now=NOW + timedelta(hours=1))
    assert opened == session
    assert opened.principal.acting_for == "bsn-999990019"
    assert opened.accepts(session.csrf)
    assert not opened.accepts("another")
    assert not opened.accepts(None)


def test_a_session_expires_and_cannot_be_changed_or_made_from_a_login_cookie():
    session = Session.start(MARK, NOW)
    signed = session.sign(SECRET)
    with pytest.raises(InvalidTokenError):
        Session.from_signed(signed, SECRET, now=NOW + timedelta(hours=9))
    with pytest.raises(InvalidTokenError):
        Session.from_signed(signed, b"t" * 32, now=NOW)
    payload, signature = signed.split(".")
    with pytest.raises(InvalidTokenError):
        Session.from_signed(f"{payload[:-2]}AA.{signature}", SECRET, now=NOW)
    flow = LoginFlow.start("/mijn-zaken", NOW)
    with pytest.raises(InvalidTokenError):
        Session.from_signed(flow.sign(SECRET), SECRET, now=NOW)


def test_a_login_flow_matches_only_its_own_state_and_expires_after_ten_minutes():
    flow = LoginFlow.start("/mijn-zaken", NOW)
    opened = LoginFlow.from_signed(flow.sign(SECRET), SECRET, now=NOW + timedelta(minutes=9))
    assert opened == flow
    assert opened.matches(flow.state)
    assert not opened.matches("x")
    assert not opened.matches(None)
    assert len({flow.state, flow.nonce, flow.verifier}) == 3
    with pytest.raises(InvalidTokenError):
        LoginFlow.from_signed(flow.sign(SECRET), SECRET, now=NOW + timedelta(minutes=11))
