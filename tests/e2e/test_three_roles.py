"""The story (docs/STORY.md, steps 3–7) across its three roles, in a real browser on the local stack as a user
starts it: Anna (behandelaar) finds Mark's case in her work list and posts the waterschap message after seeing
exactly what Mark will get; Mark gets an information-lean e-mail, follows its link, logs in and finds the
message, what is missing, the deadline and his behandelaar; Jan gets nothing; Sanne (KCC) finds the case,
sees what was sent and that it arrived, and records Mark's call; Anna sees the call on the timeline.

Every page is checked with axe-core and photographed (tests/e2e/conftest.py ``check_page``). A second test
does the main steps with the keyboard only."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import JAN_EMAIL, MARK_EMAIL, LocalStack, check_page, shown, wait_until

pytestmark = pytest.mark.e2e

WATERSCHAP = "Voor uw plan is ook een vergunning van het waterschap nodig. U vraagt die aan via het Omgevingsloket."
LOKET = "https://omgevingswet.overheid.nl/loket"
CALL_SUMMARY = "Mark belde over de vergunning. Uitgelegd hoe hij die via het Omgevingsloket aanvraagt."
FOR_MARK = "U belde ons over de vergunning van het waterschap. U vraagt die aan via het Omgevingsloket."


def _marks_case(local_stack: LocalStack) -> dict[str, Any]:
    status, mine = local_stack.call("GET", "/api/me/cases", local_stack.token("mark"))
    assert status == 200, mine
    return next(c for c in mine["cases"] if c["zaaktype"] == "Subsidie duurzame recreatie")


def _log_in_as(page: Any, name: str) -> None:
    """The dev issuer's page stands in for DigiD and the province's own login."""
    shown(page.get_by_role("heading", name="Inloggen als testpersoon"))
    page.get_by_role("button", name=name).click()


def test_the_story_across_behandelaar_applicant_and_kcc(local_stack: LocalStack, browser: Any):
    case = _marks_case(local_stack)
    number = case["case_number"]
    anna, mark, sanne = (browser.new_page(locale="nl-NL") for _ in range(3))  # three people, three browsers

    # Anna opens her work list: Mark's case is there, with its deadline
    anna.goto(f"{local_stack.api}/werk")
    _log_in_as(anna, "Anna Bakker")
    shown(anna.get_by_role("heading", name="Mijn werkvoorraad"))
    check_page(anna)
    anna.get_by_role("link", name=number).click()
    shown(anna.get_by_role("heading", name=re.compile(number)))
    check_page(anna)

    # She writes the waterschap message and first sees exactly what Mark will get
    message_form = anna.locator("#message-form")
    message_form.get_by_label("Bericht").fill(WATERSCHAP)
    message_form.get_by_label(re.compile("^Link")).fill(LOKET)
    message_form.get_by_label("Tekst van de link").fill("Omgevingsloket")
    mark_before, jan_before = len(local_stack.mails(MARK_EMAIL)), len(local_stack.mails(JAN_EMAIL))
    message_form.get_by_role("button", name="Bekijk wat de aanvrager krijgt").click()
    preview = anna.locator("#preview")
    shown(preview.get_by_role("heading", name="Voorbeeld: dit krijgt de aanvrager"))
    assert number in preview.inner_text()
    assert "Bericht van uw behandelaar" in preview.inner_text()  # the berichtenbox message's title
    check_page(anna, "behandelaar-preview")
    assert len(local_stack.mails(MARK_EMAIL)) == mark_before  # a preview sends nothing

    # ...then sends it
    anna.locator("#message-form").get_by_role("button", name="Opslaan en versturen").click()
    shown(anna.get_by_text("Het bericht is verstuurd."))
    # the page opens at the confirmation, not at the form far below it
    expect(anna.get_by_text("Het bericht is verstuurd.")).to_be_in_viewport()
    check_page(anna, "behandelaar-sent")
    took = wait_until(lambda: len(local_stack.mails(MARK_EMAIL)) == mark_before + 1, 15)
    print(f"message posted → e-mail in the local mailbox: {took:.2f} s")
    mail = local_stack.mails(MARK_EMAIL)[0]
    assert number in mail["subject"]
    assert "waterschap" not in mail["text"].lower()  # information-lean: no case contents in e-mail
    assert len(local_stack.mails(JAN_EMAIL)) == jan_before

    # Mark follows the link in his e-mail, logs in, and lands on his case
    link = re.search(rf"{re.escape(local_stack.api)}/mijn-zaken/[0-9a-f-]+", mail["text"])
    assert link, mail["text"]
    mark.goto(link.group(0))
    _log_in_as(mark, "Mark Visser")
    shown(mark.get_by_text(WATERSCHAP))
    shown(mark.get_by_role("link", name="Omgevingsloket"))
    shown(mark.get_by_role("heading", name="Wat u moet doen"))
    shown(mark.get_by_role("heading", name="Begroting van het project"))
    shown(mark.get_by_text("Stuur dit uiterlijk op"))
    shown(mark.get_by_text("Wij beslissen uiterlijk op"))
    shown(mark.get_by_text("Uw behandelaar: Anna Bakker"))
    check_page(mark, "applicant-case-after-message")
    mark.goto(f"{local_stack.api}/berichten")
    shown(mark.get_by_role("link", name=re.compile("Bericht van uw behandelaar")).first)
    check_page(mark, "applicant-berichtenbox")

    # Mark calls the KCC; Sanne finds the case and sees what he sees, and what Baken sent him
    sanne.goto(f"{local_stack.api}/kcc")
    _log_in_as(sanne, "Sanne de Boer")
    shown(sanne.get_by_role("heading", name="Zaak zoeken"))
    sanne.get_by_label("Zaaknummer of e-mailadres").fill(number)
    sanne.get_by_role("button", name="Zoeken").click()
    shown(sanne.get_by_role("heading", name="Wat de aanvrager van ons kreeg"))
    shown(sanne.get_by_text(WATERSCHAP))
    deliveries = sanne.locator("table").filter(has_text="Bericht van de behandelaar").get_by_role("row")
    shown(deliveries.filter(has_text="Bericht van de behandelaar").filter(has_text="E-mail").filter(has_text="Afgeleverd").first)
    check_page(sanne, "kcc-case")
    sanne.get_by_label("Kanaal").select_option("telefoon")
    sanne.get_by_label("Onderwerp").select_option(label="Andere vergunningen voor mijn plan")
    sanne.get_by_label("Interne notitie").fill(CALL_SUMMARY)
    sanne.get_by_label("Tekst voor de aanvrager (niet verplicht)").fill(FOR_MARK)
    sanne.get_by_role("button", name="Vastleggen").click()
    shown(sanne.get_by_text("Het contactmoment staat bij de zaak."))

    # Mark's timeline shows the sentence written for him, never the KCC's internal note
    mark.goto(f"{local_stack.api}/mijn-zaken/{case['id']}")
    shown(mark.get_by_text(FOR_MARK))
    assert mark.get_by_text(CALL_SUMMARY).count() == 0

    # Anna sees that Mark called, when and about what, on the timeline beside the status changes and messages
    anna.goto(f"{local_stack.api}/werk/zaken/{case['id']}")
    shown(anna.get_by_text(CALL_SUMMARY))
    timeline = anna.locator(".baken-timeline").filter(has_text=CALL_SUMMARY)
    assert timeline.get_by_text("Contact met de provincie").count() >= 1
    assert timeline.get_by_text(WATERSCHAP).count() == 1
    check_page(anna, "behandelaar-case-with-call")
    for page in (anna, mark, sanne):
        page.close()


def _persona(key: str) -> str:
    return f'form:has(input[name="persona"][value="{key}"]) button'


def _tab_to(page: Any, selector: str, limit: int = 80) -> None:
    """Press Tab until ``selector`` has the focus, as a keyboard user moves through the page."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} never got the focus with Tab")


def _log_in_with_keys(browser: Any, url: str, persona: str) -> Any:
    """Open ``url`` in a new browser, and log in on the dev issuer's page with Tab and Enter only."""
    page = browser.new_page(locale="nl-NL")
    page.goto(url)
    shown(page.get_by_role("heading", name="Inloggen als testpersoon"))
    _tab_to(page, _persona(persona))
    page.keyboard.press("Enter")
    return page


def test_the_main_steps_work_with_the_keyboard_only(local_stack: LocalStack, browser: Any):
    case = _marks_case(local_stack)
    page = browser.new_page(locale="nl-NL")

    # The first Tab reaches the skip link, which takes the focus past the header to the content
    page.goto(f"{local_stack.api}/volgen")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Naar de inhoud"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "hoofdinhoud"

    page.close()

    # Mark logs in and opens his case without a mouse
    page = _log_in_with_keys(browser, f"{local_stack.api}/mijn-zaken", "mark")
    shown(page.get_by_role("heading", name="Mijn zaken"))
    _tab_to(page, f'a[href="/mijn-zaken/{case["id"]}"]')
    page.keyboard.press("Enter")
    shown(page.get_by_role("heading", name="Zo verloopt uw zaak"))
    _tab_to(page, 'a[href="/mijn-zaken?lang=nl"]')  # Mijn zaken in the header's menu
    page.keyboard.press("Enter")
    shown(page.get_by_role("heading", name="Mijn zaken"))
    page.close()

    # Anna previews and sends a message with the keyboard only
    anna = _log_in_with_keys(browser, f"{local_stack.api}/werk/zaken/{case['id']}", "anna")
    shown(anna.get_by_role("heading", name="Bericht sturen"))
    _tab_to(anna, "#text")
    anna.keyboard.type("Wij hebben de begroting ontvangen. Dank u wel.")
    _tab_to(anna, '#message-form button[value="voorbeeld"]')
    anna.keyboard.press("Enter")
    shown(anna.locator("#preview"))
    _tab_to(anna, '#message-form button[value="versturen"]')
    anna.keyboard.press("Enter")
    shown(anna.get_by_text("Het bericht is verstuurd."))

    # Sanne records a call with the keyboard only
    sanne = _log_in_with_keys(browser, f"{local_stack.api}/kcc/zaken/{case['id']}", "sanne")
    shown(sanne.get_by_role("heading", name="Contactmoment vastleggen"))
    _tab_to(sanne, "#vraagonderwerp")
    sanne.keyboard.type("Begroting")  # a select takes the option whose name starts with what is typed
    _tab_to(sanne, "#inhoud")
    sanne.keyboard.type("Bevestigd dat de begroting binnen is.")
    _tab_to(sanne, 'form[action*="/contactmomenten"] button[type="submit"]')
    sanne.keyboard.press("Enter")
    shown(sanne.get_by_text("Het contactmoment staat bij de zaak."))
    anna.close()
    sanne.close()
