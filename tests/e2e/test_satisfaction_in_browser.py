"""Satisfaction in Chromium on the local stack: Pieter deals with Jan's report; Jan opens the link for 4 in the closing
e-mail from the dev mailbox, adds a comment and sends it; opening the link again shows his answer with Wijzigen, and
he changes it to 5; on his case page, logged in, he sees the same answer. Anna reads the figures and the comments of
the demo months; every state is checked with axe-core."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import JAN_EMAIL, LocalStack, check_page, shown

pytestmark = pytest.mark.e2e

COMMENT = "Het verkeerslicht was binnen een week gemaakt. Fijn!"


def _link_from_the_mailbox(browser: Any, local_stack: LocalStack, label: str) -> str:
    """The address behind ``label`` in the HTML of Jan's closing e-mail, as the dev mailbox shows it."""
    mailbox = browser.new_page(locale="nl-NL")
    mailbox.goto(f"{local_stack.api}/dev/mailbox?to={JAN_EMAIL}")
    article = mailbox.locator("article", has_text="Hoe tevreden bent u").first
    shown(article)
    frame = article.frame_locator("iframe")
    href = frame.get_by_role("link", name=label).get_attribute("href")
    mailbox.close()
    assert href
    return str(href)


def test_jan_answers_from_the_email_changes_his_answer_and_sees_it_on_his_case_page(local_stack: LocalStack, browser: Any):
    # GIVEN Pieter dealt with Jan's report: the closing e-mail asks how satisfied Jan is
    case_id = local_stack.close_jans_case()
    link = _link_from_the_mailbox(browser, local_stack, "4 Tevreden")
    assert "/tevredenheid/" in link
    assert "score=4" in link

    # WHEN Jan opens the link (no login): the form with 4 chosen
    jan = browser.new_page(locale="nl-NL")
    jan.goto(link)
    shown(jan.get_by_role("heading", name="Hoe tevreden bent u?"))
    assert jan.get_by_role("radio", name="4 Tevreden").is_checked()
    check_page(jan, "satisfaction-from-email")

    # AND sends it with a comment
    jan.get_by_label("Opmerking (niet verplicht)").fill(COMMENT)
    jan.get_by_role("button", name="Verstuur").click()

    # THEN the page thanks him and shows his answer, with a way to change it
    shown(jan.get_by_role("status").filter(has_text="Bedankt voor uw antwoord"))
    assert "4 Tevreden" in jan.locator("#tevredenheid").inner_text()
    assert COMMENT in jan.locator("#tevredenheid").inner_text()
    check_page(jan, "satisfaction-thanks")

    # WHEN he opens the link again (without a score) and chooses Wijzigen: his answer in the form; he makes it 5
    jan.goto(link.split("?")[0])
    jan.get_by_role("link", name="Wijzigen").click()
    shown(jan.get_by_role("button", name="Verstuur"))
    assert jan.get_by_role("radio", name="4 Tevreden").is_checked()
    assert jan.get_by_label("Opmerking (niet verplicht)").input_value() == COMMENT
    jan.get_by_role("radio", name="5 Zeer tevreden").check()
    jan.get_by_role("button", name="Verstuur").click()
    shown(jan.get_by_role("status").filter(has_text="Bedankt voor uw antwoord"))
    assert "5 Zeer tevreden" in jan.locator("#tevredenheid").inner_text()

    # AND a mistake is shown in the error summary and at the field
    jan.get_by_role("link", name="Wijzigen").click()
    jan.get_by_label("Opmerking (niet verplicht)").fill("x" * 1001)
    jan.get_by_role("button", name="Verstuur").click()
    shown(jan.get_by_role("alert"))
    assert jan.title().startswith("Fout:")
    check_page(jan, "satisfaction-error")

    # WHEN Jan logs in and opens his case: the same answer, and Wijzigen
    jan.goto(f"{local_stack.api}/mijn-zaken/{case_id}")
    shown(jan.get_by_role("heading", name="Inloggen als testpersoon"))
    jan.get_by_role("button", name="Jan de Groot").click()
    shown(jan.get_by_role("heading", name="Hoe tevreden bent u?"))
    section = jan.locator("#tevredenheid")
    assert "5 Zeer tevreden" in section.inner_text()
    assert section.get_by_role("link", name="Wijzigen").count() == 1
    check_page(jan, "closed-case-answered")
    jan.close()


def test_anna_reads_the_figures_and_the_comments_and_sanne_the_figures_only(local_stack: LocalStack, browser: Any):
    anna = browser.new_page(locale="nl-NL")
    anna.goto(f"{local_stack.api}/werk/tevredenheid")
    shown(anna.get_by_role("heading", name="Inloggen als testpersoon"))
    anna.get_by_role("button", name="Anna Bakker").click()
    shown(anna.get_by_role("heading", name="Tevredenheid", exact=True))
    # the demo's decided cases: a chart and a table per product, some months too small to show
    assert anna.locator('svg[role="img"]').count() >= 2
    assert anna.get_by_text("Te weinig antwoorden").count() >= 1
    anna.locator('a[href^="/werk/tevredenheid/subsidie-duurzame-recreatie?maand="]').first.click()
    shown(anna.get_by_role("heading", name="Opmerkingen: Subsidie duurzame recreatie"))
    assert anna.locator(".baken-comment").count() >= 1
    check_page(anna, "satisfaction-comments-demo")

    sanne = browser.new_page(locale="nl-NL")
    sanne.goto(f"{local_stack.api}/werk/tevredenheid")
    shown(sanne.get_by_role("heading", name="Inloggen als testpersoon"))
    sanne.get_by_role("button", name="Sanne de Boer").click()
    shown(sanne.get_by_role("heading", name="Tevredenheid", exact=True))
    assert sanne.locator('a[href^="/werk/tevredenheid/"]').count() == 0
    assert sanne.get_by_role("navigation", name="Menu voor medewerkers").get_by_role("link", name="Tevredenheid").count() == 1
    response = sanne.goto(f"{local_stack.api}/werk/tevredenheid/subsidie-duurzame-recreatie")
    assert response is not None
    assert response.status == 403
    anna.close()
    sanne.close()
