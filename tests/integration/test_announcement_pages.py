"""The behandelaar's announcement pages: write one, see how many it would reach, submit it, and have a colleague
approve (or send it back) — never the author — after which the stream tells exactly its followers."""

from __future__ import annotations

import re

from tests.integration.browsing import Browser, csrf_token, log_in, redirect_target
from tests.integration.conftest import PERSONAS, follow, mailbox, mails_of, register_personas

FIELDS = {
    "title": "Landbouwgrond beschikbaar",
    "text": "Er komt landbouwgrond vrij bij Doorn.",
    "topic": "grondbeheer",
    "gemeenten": "GM1581",
    "link_url": "https://www.provincie-utrecht.nl/grond",
    "link_label": "Meer over de grond",
}


def _behandelaar(client, persona: str) -> tuple[Browser, str]:
    browser = Browser(client)
    log_in(browser, persona, start="/werk/aankondigingen")
    return browser, csrf_token(browser.get("/werk/aankondigingen").body.decode())


def _drafted(pieter: Browser, csrf: str) -> str:
    saved = redirect_target(pieter.post("/werk/aankondigingen", {"csrf": csrf, **FIELDS}))
    assert re.fullmatch(r"/werk/aankondigingen/[0-9a-f-]{36}\?opgeslagen=draft", saved)
    return saved.split("?")[0]


def test_an_announcement_is_written_counted_submitted_and_approved_by_a_colleague_then_sent(client, pipeline):
    register_personas("mark", "jan")
    follow(client, "mark", {"topics": ["grondbeheer"], "gemeenten": ["GM1581"]})
    follow(client, "jan", {"topics": ["grondbeheer"], "gemeenten": ["GM0307"]})
    pipeline.run()
    pieter, csrf = _behandelaar(client, "pieter")

    # WHEN Pieter writes it, he sees who it would reach right now (numbers only)
    path = _drafted(pieter, csrf)
    page = pieter.get(path).body.decode()
    assert "Nu zou deze aankondiging 1 persoon bereiken." in page
    assert PERSONAS["mark"].email not in page

    # he submits it, and cannot approve his own
    assert redirect_target(pieter.post(f"{path}/indienen", {"csrf": csrf})) == f"{path}?opgeslagen=submitted"
    waiting = pieter.get(path).body.decode()
    assert "U kunt uw eigen aankondiging niet goedkeuren." in waiting
    assert "/goedkeuren" not in waiting
    own = pieter.post(f"{path}/goedkeuren", {"csrf": csrf})
    assert own.status_code == 409
    pipeline.run()
    assert mails_of("mark", "jan") == {"mark": 0, "jan": 0}

    # THEN Anna approves it, and only its follower is told
    anna, anna_csrf = _behandelaar(client, "anna")
    assert "/goedkeuren" in anna.get(path).body.decode()
    assert redirect_target(anna.post(f"{path}/goedkeuren", {"csrf": anna_csrf})) == f"{path}?opgeslagen=approved"
    pipeline.run()
    assert mails_of("mark", "jan") == {"mark": 1, "jan": 0}
    assert "Landbouwgrond beschikbaar" in mailbox(PERSONAS["mark"].email)[0].subject + mailbox(PERSONAS["mark"].email)[0].text
    assert "Goedgekeurd en verstuurd" in anna.get("/werk/aankondigingen").body.decode()
    # AND its page says how far sending is
    assert "Verstuurd: 2 bericht(en) nu en 0 voor later" in anna.get(path).body.decode()
    assert "Klaar: 1 van 1 delen." in anna.get(path).body.decode()


def test_a_colleague_sends_it_back_with_a_reason_the_author_then_reads(client):
    pieter, csrf = _behandelaar(client, "pieter")
    path = _drafted(pieter, csrf)
    pieter.post(f"{path}/indienen", {"csrf": csrf})
    anna, anna_csrf = _behandelaar(client, "anna")

    without_reason = anna.post(f"{path}/afwijzen", {"csrf": anna_csrf, "reason": ""})
    assert without_reason.status_code == 400
    assert 'href="#reason"' in without_reason.body.decode()

    assert redirect_target(anna.post(f"{path}/afwijzen", {"csrf": anna_csrf, "reason": "Noem de oppervlakte."})) == (
        f"{path}?opgeslagen=rejected"
    )
    page = pieter.get(path).body.decode()
    assert "Teruggestuurd door Anna Bakker: Noem de oppervlakte." in page
    assert "/indienen" not in page  # not the same text again: first he revises it
    revised = pieter.post(f"{path}/wijzigen", {"csrf": csrf, **FIELDS, "text": "Er komt 4 hectare grond vrij bij Doorn."})
    assert redirect_target(revised) == f"{path}?opgeslagen=revised"
    page = pieter.get(path).body.decode()
    assert "Er komt 4 hectare grond vrij bij Doorn." in page
    assert "/indienen" in page
    assert redirect_target(pieter.post(f"{path}/indienen", {"csrf": csrf})) == f"{path}?opgeslagen=submitted"


def test_a_draft_with_mistakes_names_the_fields_keeps_the_input_and_saves_nothing(client):
    pieter, csrf = _behandelaar(client, "pieter")
    answer = pieter.post(
        "/werk/aankondigingen",
        {"csrf": csrf, **FIELDS, "title": "", "link_url": "http://onveilig.example", "gemeenten": "GM9999"},
    )
    assert answer.status_code == 400
    page = answer.body.decode()
    for field in ("title", "link_url"):
        assert f'href="#{field}"' in page
    assert "Er komt landbouwgrond vrij bij Doorn." in page
    unknown = pieter.post("/werk/aankondigingen", {"csrf": csrf, **FIELDS, "gemeenten": "GM9999"})
    assert unknown.status_code == 400
    assert 'href="#gemeenten"' in unknown.body.decode()
    assert "/werk/aankondigingen/" not in pieter.get("/werk/aankondigingen").body.decode()  # nothing was saved


def test_the_forms_need_the_sessions_csrf_token(client):
    pieter, csrf = _behandelaar(client, "pieter")
    assert pieter.post("/werk/aankondigingen", FIELDS).status_code == 403
    path = _drafted(pieter, csrf)
    assert pieter.post(f"{path}/indienen", {}).status_code == 403
    assert "Concept" in pieter.get(path).body.decode()


def test_applicants_and_the_kcc_cannot_use_the_announcement_pages(client):
    for persona in ("mark", "sanne"):
        browser = Browser(client)
        log_in(browser, persona, start="/werk/aankondigingen")
        assert browser.get("/werk/aankondigingen").status_code == 403


def test_the_announcement_pages_speak_english(client):
    pieter, csrf = _behandelaar(client, "pieter")
    path = _drafted(pieter, csrf)
    assert "New announcement" in pieter.get("/werk/aankondigingen?lang=en").body.decode()
    assert "Right now this announcement would reach" in pieter.get(f"{path}?lang=en").body.decode()


def test_a_link_without_its_text_points_at_the_text_field(client):
    pieter, csrf = _behandelaar(client, "pieter")
    answer = pieter.post("/werk/aankondigingen", {"csrf": csrf, **FIELDS, "link_label": ""})
    assert answer.status_code == 400
    page = answer.body.decode()
    assert 'href="#link_label"' in page
    assert 'id="link_label-error"' in page
