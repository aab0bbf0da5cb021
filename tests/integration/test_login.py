"""Logging in to the pages: the OIDC authorisation-code flow with PKCE against the local dev issuer, the
session cookie, CSRF on logout, and Mijn zaken behind it — over HTTP through the Chalice test client."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from chalicelib.domain.login import pkce_challenge
from tests.integration.browsing import CASE, Browser, csrf_token, log_in, redirect_target, set_cookies
from tests.integration.conftest import PERSONAS, headers, register_personas


def _marks_case(client: Any) -> None:
    register_personas("mark", "karin")
    body = {**CASE, "initiator": PERSONAS["mark"].claims["sub"]}
    import json

    assert client.http.post("/api/cases", headers=headers("anna"), body=json.dumps(body)).status_code == 201


def test_mark_logs_in_through_the_broker_and_sees_his_cases(client, app_log):
    _marks_case(client)
    browser = Browser(client)

    # WHEN Mark opens Mijn zaken, is sent to log in, and chooses himself at the dev issuer
    finished = log_in(browser, "mark")

    # THEN he is back on Mijn zaken with a session cookie that scripts cannot read
    assert redirect_target(finished) == "/mijn-zaken"
    session_line = set_cookies(finished)["baken_session"]
    for flag in ("HttpOnly", "Secure", "SameSite=Lax", "Path=/"):
        assert flag in session_line
    assert set_cookies(finished)["baken_login"].count("Max-Age=0") == 1  # the flow's cookie is gone
    page = browser.get("/mijn-zaken")
    assert page.status_code == 200
    text = page.body.decode()
    assert "Mark Visser" in text
    # AND the login is in the audit log
    (line,) = [line for line in app_log.audit() if line["action"] == "login"]
    assert (line["actor"], line["result"]) == (PERSONAS["mark"].claims["sub"], 303)
    assert "Duurzame recreatie" in text or "subsidie" in text.lower()


def test_karin_acting_for_mark_sees_his_case_and_says_so(client):
    _marks_case(client)
    browser = Browser(client)
    log_in(browser, "karin")
    text = browser.get("/mijn-zaken").body.decode()
    assert "namens" in text


def test_without_a_session_a_page_sends_to_login_and_keeps_where_to_return(client):
    answer = Browser(client).get("/mijn-zaken")
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/inloggen?next=%2Fmijn-zaken"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"])
def test_a_login_never_returns_to_another_site(client, target):
    browser = Browser(client)
    register_personas("mark")
    to_issuer = redirect_target(browser.get(f"/inloggen?{urlencode({'next': target})}"))
    flow = {k: v[0] for k, v in parse_qs(urlsplit(to_issuer).query).items()}
    back = redirect_target(browser.post("/dev/inloggen", {"persona": "mark", **flow}))
    assert redirect_target(browser.get(back)) == "/mijn-zaken"


def test_a_callback_with_another_state_is_refused_and_gives_no_session(client):
    browser = Browser(client)
    to_issuer = redirect_target(browser.get("/inloggen"))
    flow = {k: v[0] for k, v in parse_qs(urlsplit(to_issuer).query).items()}
    back = redirect_target(browser.post("/dev/inloggen", {"persona": "mark", **flow}))
    forged = back.replace(f"state={flow['state']}", "state=someone-elses")
    answer = browser.get(forged)
    assert answer.status_code == 400
    assert "baken_session" not in browser.jar or not browser.jar["baken_session"]


def test_a_code_without_the_browsers_login_cookie_is_refused(client):
    # an attacker's code, pushed into someone else's browser (login CSRF): that browser has no matching flow
    attacker = Browser(client)
    to_issuer = redirect_target(attacker.get("/inloggen"))
    flow = {k: v[0] for k, v in parse_qs(urlsplit(to_issuer).query).items()}
    back = redirect_target(attacker.post("/dev/inloggen", {"persona": "jan", **flow}))
    victim = Browser(client)
    assert victim.get(back).status_code == 400
    assert not victim.jar.get("baken_session")


def test_a_code_is_only_exchanged_with_the_flows_pkce_verifier(client):
    from chalicelib import wiring

    provider = wiring.adapters().login
    code = provider.code_for(  # type: ignore[attr-defined]
        "mark", nonce="n", challenge=pkce_challenge("the-right-verifier-" + "x" * 30), redirect_uri="http://x/inloggen/terug"
    )
    from chalicelib.domain.errors import AuthenticationError

    with pytest.raises(AuthenticationError):
        provider.exchange(code=code, verifier="another-verifier-" + "y" * 30, redirect_uri="http://x/inloggen/terug")
    assert provider.exchange(code=code, verifier="the-right-verifier-" + "x" * 30, redirect_uri="http://x/inloggen/terug")


def test_logging_out_needs_the_sessions_csrf_token_and_ends_the_session(client):
    _marks_case(client)
    browser = Browser(client)
    log_in(browser, "mark")
    csrf = csrf_token(browser.get("/mijn-zaken").body.decode())

    # a form from elsewhere, without the token, changes nothing
    assert browser.post("/uitloggen", {}).status_code == 403
    assert browser.get("/mijn-zaken").status_code == 200
    # with it, the session ends
    assert browser.post("/uitloggen", {"csrf": csrf}).status_code == 303
    assert browser.get("/mijn-zaken").status_code == 302


def test_a_changed_session_cookie_is_no_session(client):
    _marks_case(client)
    browser = Browser(client)
    log_in(browser, "mark")
    payload, signature = browser.jar["baken_session"].split(".")
    browser.jar["baken_session"] = f"{payload}x.{signature}"
    assert browser.get("/mijn-zaken").status_code == 302


def test_the_case_page_shows_where_the_case_is_what_happens_next_and_what_happened(client):
    _marks_case(client)
    browser = Browser(client)
    log_in(browser, "mark")
    listing = browser.get("/mijn-zaken").body.decode()
    (case_path,) = re.findall(r'href="(/mijn-zaken/[0-9a-f-]{36})"', listing)

    page = browser.get(case_path)

    assert page.status_code == 200
    text = page.body.decode()
    for part in (
        "Waar uw zaak nu is",
        "Zo verloopt uw zaak",
        "Wat er is gebeurd",
        "Uw behandelaar",
        "Wij beslissen uiterlijk op",
    ):
        assert part in text, part
    english = browser.get(case_path + "?lang=en").body.decode()
    assert "How your case proceeds" in english


def test_someone_elses_case_page_is_not_found_like_a_missing_one(client):
    _marks_case(client)
    mark = Browser(client)
    log_in(mark, "mark")
    (case_path,) = re.findall(r'href="(/mijn-zaken/[0-9a-f-]{36})"', mark.get("/mijn-zaken").body.decode())
    jan = Browser(client)
    register_personas("jan")
    log_in(jan, "jan")
    missing_path = "/mijn-zaken/" + "0" * 8 + "-0000-4000-8000-" + "0" * 12
    theirs, missing, malformed = jan.get(case_path), jan.get(missing_path), jan.get("/mijn-zaken/nope")
    assert theirs.status_code == missing.status_code == malformed.status_code == 404
    # the same page, but for the path asked for (in its language switch)
    assert theirs.body.replace(case_path.encode(), missing_path.encode()) == missing.body


def test_a_case_link_opened_before_logging_in_returns_to_that_case_after(client):
    _marks_case(client)
    mark = Browser(client)
    log_in(mark, "mark")
    (case_path,) = re.findall(r'href="(/mijn-zaken/[0-9a-f-]{36})"', mark.get("/mijn-zaken").body.decode())

    later = Browser(client)
    assert redirect_target(later.get(case_path)) == f"/inloggen?{urlencode({'next': case_path})}"
    assert redirect_target(log_in(later, "mark", start=case_path)) == case_path


def test_the_berichtenbox_marks_new_messages_and_opening_one_reads_it(client, pipeline):
    _marks_case(client)
    pipeline.run()
    mark = Browser(client)
    log_in(mark, "mark")

    listing = mark.get("/berichten").body.decode()
    (message_path,) = re.findall(r'href="(/berichten/[^"]+)"', listing)
    assert 'baken-badge--new">Nieuw</span>' in listing  # new: its own colour, and the word

    opened = mark.get(message_path)
    assert opened.status_code == 200
    assert "Terug naar de berichtenbox" in opened.body.decode()
    assert ">Nieuw</span>" not in mark.get("/berichten").body.decode()

    # someone else's message is not there for Jan
    register_personas("jan")
    jan = Browser(client)
    log_in(jan, "jan")
    assert jan.get(message_path).status_code == 404
    assert "Er zijn nog geen berichten voor u." in jan.get("/berichten").body.decode()
