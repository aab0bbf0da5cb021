"""The pages anybody may open without logging in: the home page at ``/`` (where the button of e-mails about
public news leads) and the public page of each approved announcement (where the announcement e-mail's button
leads). Unknown and unapproved announcements are the not-found page, never a JSON answer."""

from __future__ import annotations

import json
import re

from tests.integration.conftest import announce, body, follow, headers, mailbox, register_personas

DOORN = {
    "title": "Grond bij Doorn komt misschien vrij",
    "text": "De provincie wil grond bij Doorn verkopen.\n\nReageren kan tot 1 maart.",
    "topic": "grondbeheer",
    "gemeenten": ["GM1581"],
    "link": {"url": "https://www.provincie-utrecht.nl/grond", "label": "Reageer op de verkoop"},
}


def test_the_home_page_says_what_the_service_is_and_how_to_log_in_or_follow_in_both_languages(client):
    for language, words in (
        ("nl", ("Inloggen met DigiD of eHerkenning", "Nieuws volgen zonder DigiD", "Subsidie duurzame recreatie")),
        ("en", ("Log in with DigiD or eHerkenning", "Follow news without DigiD", "Grant for sustainable recreation")),
    ):
        page = client.http.get(f"/?lang={language}")
        assert page.status_code == 200
        assert page.headers["Content-Type"].startswith("text/html")
        text = page.body.decode()
        assert f'<html lang="{language}">' in text
        for word in words:
            assert word in text, (language, word)
        assert f'href="/volgen?lang={language}"' in text
        assert f'href="/mijn-zaken?lang={language}"' in text


def test_the_announcement_e_mail_opens_its_public_page_without_logging_in(client, pipeline):
    register_personas("mark")
    follow(client, "mark", {"topics": ["grondbeheer"], "gemeenten": ["GM1581"]})
    announcement = announce(client, **DOORN)
    pipeline.run()

    # GIVEN the e-mail about it
    (mail,) = mailbox()
    links = set(re.findall(r'<a href="([^"]+)"[^>]*>Bekijk het in Mijn Provincie', mail.html))
    assert {link.rsplit("/aankondigingen/", 1)[-1] for link in links} == {announcement["id"]}
    assert f"/aankondigingen/{announcement['id']}" in mail.text

    # WHEN anybody opens it, without a session
    page = client.http.get(f"/aankondigingen/{announcement['id']}")

    # THEN it shows what, where, the topic and how to respond, and no name of staff
    assert page.status_code == 200
    text = page.body.decode()
    for shown in (
        "Grond bij Doorn komt misschien vrij",
        "Utrechtse Heuvelrug",
        "Reageren kan tot 1 maart.",
        "Reageer op de verkoop",
    ):
        assert shown in text
    assert "Pieter" not in text
    assert "Anna" not in text
    assert '<div lang="nl">' in text


def test_an_unapproved_or_unknown_announcement_is_the_not_found_page(client):
    written = client.http.post("/api/announcements", headers=headers("pieter"), body=json.dumps(DOORN))
    draft = body(written)["id"]
    for path in (f"/aankondigingen/{draft}", "/aankondigingen/00000000-0000-4000-8000-000000000000"):
        answer = client.http.get(path)
        assert answer.status_code == 404
        assert answer.headers["Content-Type"].startswith("text/html")
        assert "Missing Authentication Token" not in answer.body.decode()
    submitted = client.http.post(f"/api/announcements/{draft}/submit", headers=headers("pieter"), body="{}")
    assert submitted.status_code == 200
    assert client.http.get(f"/aankondigingen/{draft}").status_code == 404
    assert client.http.get("/aankondigingen/" + "x" * 3000).status_code == 404  # too long to be any: not looked up
