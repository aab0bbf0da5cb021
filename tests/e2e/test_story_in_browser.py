"""The story's step about land (docs: STORY.md, step 2), on the local stack in a real browser: a neighbour
without DigiD follows grondbeheer in Utrechtse Heuvelrug from the page, confirms from the e-mail; Pieter
(grondbeheer) announces land that may become available near Doorn, Anna approves it (four eyes); Mark —
whose group follows grondbeheer there — and the neighbour get an e-mail without asking, Jan does not; the
neighbour unsubscribes with one click. Every page passes axe-core's WCAG checks."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.e2e.conftest import JAN_EMAIL, MARK_EMAIL, LocalStack, check_page, shown, wait_until

pytestmark = pytest.mark.e2e

NEIGHBOUR = "buurvrouw.doorn@example.org"
ANNOUNCEMENT = {
    "title": "Landbouwgrond bij Doorn komt mogelijk vrij",
    "text": "De provincie verwacht in 2027 ongeveer 4 hectare landbouwgrond bij Doorn uit te geven. Wilt u meedoen?",
    "topic": "grondbeheer",
    "gemeenten": ["GM1581"],
    "point": {"lat": 52.0330, "lon": 5.3420},
    "link": {"url": "https://www.provincie-utrecht.nl/grondbeheer", "label": "Meer over grondbeheer"},
}


def _link(mail: dict[str, Any], path: str) -> str:
    found = re.search(rf"https?://\S+{re.escape(path)}\?token=[A-Za-z0-9._~-]+", mail["text"])
    assert found, mail["text"]
    return found.group(0)


def test_the_neighbour_and_marks_group_hear_about_land_in_their_area(local_stack: LocalStack, browser: Any):
    call = local_stack.call
    page = browser.new_page(locale="nl-NL")

    # The neighbour follows grondbeheer in Utrechtse Heuvelrug, without logging in
    page.goto(f"{local_stack.api}/volgen")
    check_page(page)
    page.get_by_label("Uw e-mailadres").fill(NEIGHBOUR)
    page.get_by_label("Grondbeheer en beschikbare gronden").check()
    page.get_by_label("Gemeente").select_option(label="Utrechtse Heuvelrug")
    page.get_by_role("button", name="Aanmelden").click()
    shown(page.get_by_role("heading", name="Kijk in uw e-mail"))
    wait_until(lambda: len(local_stack.mails(NEIGHBOUR)) == 1, 15)
    (confirmation,) = local_stack.mails(NEIGHBOUR)
    assert "List-Unsubscribe" in confirmation["headers"]

    # Following the link (as a mail scanner would) only shows a button; pressing it confirms
    page.goto(_link(confirmation, "/abonnement/bevestigen"))
    assert page.get_by_role("heading", name="Bevestig uw aanmelding").is_visible()
    check_page(page)
    page.get_by_role("button", name="Ja, ik wil berichten krijgen").click()
    shown(page.get_by_text("U bent aangemeld."))

    # Pieter announces the land; the preview shows only numbers; Anna approves (Pieter may not)
    pieter, anna = local_stack.token("pieter"), local_stack.token("anna")
    mark_before, jan_before = len(local_stack.mails(MARK_EMAIL)), len(local_stack.mails(JAN_EMAIL))
    status, draft = call("POST", "/api/announcements", pieter, ANNOUNCEMENT)
    assert status == 201, draft
    url = f"/api/announcements/{draft['id']}"
    status, preview = call("POST", f"{url}/preview", pieter, {})
    assert status == 200, preview
    assert preview["subscribers"] >= 2
    assert "@" not in str(preview)
    assert call("POST", f"{url}/submit", pieter, {})[0] == 200
    assert call("POST", f"{url}/approve", pieter, {})[0] == 409  # four eyes: not his own
    status, approved = call("POST", f"{url}/approve", anna, {})
    assert (status, approved["status"]) == (200, "approved")

    # Mark (his group follows grondbeheer there) and the neighbour are told without asking; Jan is not
    took = wait_until(
        lambda: len(local_stack.mails(MARK_EMAIL)) == mark_before + 1 and len(local_stack.mails(NEIGHBOUR)) == 2, 15
    )
    print(f"approval → e-mails in the local mailbox: {took:.2f} s")
    for address in (MARK_EMAIL, NEIGHBOUR):
        newest = local_stack.mails(address)[0]
        assert ANNOUNCEMENT["title"] in newest["subject"] + newest["text"]
        assert newest["headers"]["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert len(local_stack.mails(JAN_EMAIL)) == jan_before

    # The neighbour unsubscribes from the link in the e-mail: a page with a button, then done; again is harmless
    news = local_stack.mails(NEIGHBOUR)[0]
    page.goto(_link(news, "/afmelden"))
    check_page(page)
    page.get_by_role("button", name="Afmelden").click()
    shown(page.get_by_text("U bent afgemeld."))
    page.go_back()
    page.get_by_role("button", name="Afmelden").click()
    shown(page.get_by_text("U was al afgemeld."))

    # ...and the old confirmation link does not bring the subscription back
    page.goto(_link(confirmation, "/abonnement/bevestigen"))
    page.get_by_role("button", name="Ja, ik wil berichten krijgen").click()
    shown(page.get_by_text("Deze aanmelding is gestopt."))
    page.close()


def test_the_follow_page_in_english_explains_a_mistake_and_keeps_what_was_typed(local_stack: LocalStack, browser: Any):
    page = browser.new_page(locale="en-GB", extra_http_headers={"Accept-Language": "en"})
    page.goto(f"{local_stack.api}/volgen")
    assert page.get_by_role("heading", name="Get messages from the province").is_visible()
    page.get_by_label("Your e-mail address").fill("not-an-address@")
    # the browser's own check would stop a wrong address; a person without JavaScript-like checks still gets ours
    page.eval_on_selector("form", "form => form.noValidate = true")
    page.get_by_role("button", name="Subscribe").click()
    shown(page.get_by_role("alert"))
    assert page.get_by_label("Your e-mail address").input_value() == "not-an-address@"
    check_page(page)
    page.close()


def test_mark_logs_in_sees_his_cases_and_logs_out(local_stack: LocalStack, browser: Any):
    page = browser.new_page(locale="nl-NL")

    # Mark opens Mijn zaken; he is sent to log in (here: the dev issuer's page instead of DigiD)
    page.goto(f"{local_stack.api}/mijn-zaken")
    shown(page.get_by_role("heading", name="Inloggen als testpersoon"))
    check_page(page)
    page.get_by_role("button", name="Mark Visser").click()

    # and is back on Mijn zaken, logged in, with a session cookie scripts cannot read
    shown(page.get_by_role("heading", name="Mijn zaken"))
    check_page(page)
    shown(page.get_by_text("Ingelogd als Mark Visser"))
    session = {c["name"]: c for c in page.context.cookies()}["baken_session"]
    assert (session["httpOnly"], session["secure"], session["sameSite"]) == (True, True, "Lax")

    # His case: where it is now, what happens next, what happened; in English too
    page.locator('a[href^="/mijn-zaken/"]').first.click()
    shown(page.get_by_role("heading", name="Zo verloopt uw zaak"))
    check_page(page)
    page.get_by_role("link", name="English").click()
    shown(page.get_by_role("heading", name="How your case proceeds"))
    check_page(page)
    page.get_by_role("link", name="Back to your cases").click()

    # His berichtenbox: opening a message reads it
    page.get_by_role("link", name=re.compile("^(Berichtenbox|Inbox)$")).click()
    shown(page.get_by_role("heading", name=re.compile("^(Berichtenbox|Inbox)$")))
    check_page(page)
    page.locator('a[href^="/berichten/"]').first.click()
    shown(page.get_by_role("link", name=re.compile("berichtenbox|inbox")))
    check_page(page)
    page.goto(f"{local_stack.api}/mijn-zaken")

    # Logging out ends the session: Mijn zaken asks to log in again
    page.get_by_role("button", name=re.compile("Uitloggen|Log out")).click()
    shown(page.get_by_role("heading", name="Berichten van de provincie krijgen"))
    page.goto(f"{local_stack.api}/mijn-zaken")
    shown(page.get_by_role("heading", name="Inloggen als testpersoon"))


def test_the_accessibility_statement_is_reached_from_every_page_and_is_accessible_itself(local_stack: LocalStack, browser: Any):
    page = browser.new_page(locale="nl-NL")
    page.goto(f"{local_stack.api}/volgen")
    page.get_by_role("link", name="Toegankelijkheid").click()
    shown(page.get_by_role("heading", name="Toegankelijkheidsverklaring"))
    check_page(page)
    page.get_by_role("link", name="English").click()
    shown(page.get_by_role("heading", name="Accessibility statement"))
    check_page(page)


def test_sanne_of_the_kcc_finds_marks_case_and_records_his_call(local_stack: LocalStack, browser: Any):
    status, mine = local_stack.call("GET", "/api/me/cases", local_stack.token("mark"))
    assert status == 200
    number = mine["cases"][0]["case_number"]
    page = browser.new_page(locale="nl-NL")

    page.goto(f"{local_stack.api}/kcc")
    page.get_by_role("button", name="Sanne de Boer").click()
    shown(page.get_by_role("heading", name="Zaak zoeken"))
    check_page(page)

    # Mark does not know his case number: Sanne searches the address he gets our messages at
    page.get_by_label("Zaaknummer of e-mailadres").fill(MARK_EMAIL)
    page.get_by_role("button", name="Zoeken").click()
    shown(page.get_by_role("heading", name="Zaken bij dit e-mailadres"))
    check_page(page)
    page.get_by_role("link", name=number, exact=True).click()
    shown(page.get_by_role("heading", name="Wat de aanvrager van ons kreeg"))
    check_page(page)

    page.get_by_label("Onderwerp").select_option(label="Andere vergunningen voor mijn plan")
    page.get_by_label("Interne notitie").fill("Uitgelegd waar hij de vergunning aanvraagt.")
    page.get_by_label("Labels").fill("DSO, vergunning-waterschap")
    page.get_by_role("button", name="Vastleggen").click()
    shown(page.get_by_text("Het contactmoment staat bij de zaak."))
    shown(page.get_by_text("Contact met de provincie").first)
    shown(page.get_by_text("Labels: dso, vergunning-waterschap").first)
    check_page(page)

    # A caller who knows the number: the same search field opens the case
    page.get_by_role("link", name="Zaak zoeken").click()
    page.get_by_label("Zaaknummer of e-mailadres").fill(number)
    page.get_by_role("button", name="Zoeken").click()
    shown(page.get_by_role("heading", name="Wat de aanvrager van ons kreeg"))


def test_mark_follows_nature_in_rhenen_and_chooses_how_he_hears_about_it(local_stack: LocalStack, browser: Any):
    mark = local_stack.token("mark")
    status, before = local_stack.call("GET", "/api/me/preferences", mark)
    assert status == 200, before
    page = browser.new_page(locale="nl-NL")
    page.goto(f"{local_stack.api}/mijn-zaken")
    page.get_by_role("button", name="Mark Visser").click()
    shown(page.get_by_role("heading", name="Mijn zaken"))

    # Wat ik volg, from the menu on Mijn zaken: he follows nature and landscape in Rhenen
    page.get_by_role("link", name="Wat ik volg").click()
    shown(page.get_by_role("heading", name="Wat ik volg", level=1))
    check_page(page)
    page.get_by_label("Natuur en landschap").check()
    page.get_by_label("Gemeente").select_option(label="Rhenen")
    page.get_by_role("button", name="Volgen").click()
    shown(page.get_by_role("status").get_by_text("U volgt dit nu."))
    shown(page.get_by_role("button", name="Stoppen: Natuur en landschap · Rhenen"))
    check_page(page)
    status, mine = local_stack.call("GET", "/api/me/subscriptions", mark)
    assert {"topics": ["natuur-en-landschap"], "gemeenten": ["GM0340"]} in [
        {"topics": s["topics"], "gemeenten": s["gemeenten"]} for s in mine["subscriptions"]
    ]

    # choosing nothing is explained at the top and at the field
    page.get_by_role("button", name="Volgen").click()
    shown(page.get_by_role("alert"))
    shown(page.locator("#topics-error"))
    check_page(page)

    # the same page in English
    page.get_by_role("link", name="English").click()
    shown(page.get_by_role("heading", name="What I follow", level=1))
    shown(page.get_by_role("button", name="Stop: Nature and landscape · Rhenen"))
    check_page(page)

    # My preferences: letters need an address; with one, once a day, his choices are saved
    page.get_by_role("link", name="My preferences").click()
    shown(page.get_by_role("heading", name="My preferences", level=1))
    check_page(page)
    page.get_by_label("By letter").check()
    page.get_by_label("Once a day (at 7.00)").check()
    page.get_by_role("button", name="Save").click()
    shown(page.get_by_role("alert").get_by_text("We need your address to send letters.", exact=False))
    check_page(page)
    for label, value in (
        ("Name", "Mark Visser"),
        ("Street", "Dorpsstraat"),
        ("House number", "12"),
        ("Postcode", "3941 AB"),
        ("Town", "Doorn"),
    ):
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Save").click()
    shown(page.get_by_role("status").get_by_text("Your choices have been saved."))
    check_page(page)
    page.get_by_role("link", name="Nederlands").click()
    shown(page.get_by_role("heading", name="Mijn voorkeuren", level=1))
    assert page.get_by_label("Per brief").is_checked()
    assert page.get_by_label("Eén keer per dag (om 7.00 uur)").is_checked()
    check_page(page)
    status, saved = local_stack.call("GET", "/api/me/preferences", mark)
    assert (saved["frequency"], "letter" in saved["channels"], saved["postal_address"]["woonplaats"]) == ("daily", True, "Doorn")

    # he stops following nature in Rhenen; the other tests find his choices as they were
    page.get_by_role("link", name="Wat ik volg").click()
    page.get_by_role("button", name="Stoppen: Natuur en landschap · Rhenen").click()
    shown(page.get_by_role("status").get_by_text("U volgt dit niet meer."))
    restored = {k: before[k] for k in ("channels", "language", "frequency", "quiet_hours", "postal_address")}
    assert local_stack.call("PUT", "/api/me/preferences", mark, restored)[0] == 200
    page.close()
