"""A question about my case, in Chromium on the local stack: Mark asks one with the keyboard only (a mistake
first, shown in the error summary and at the field), Anna answers it on her case page, and Mark reads the answer
in his berichtenbox, filtered to this case. On the way: the step indicator, and every new page and state checked
with axe-core and photographed at 1280 and 375 pixels wide in Dutch and English."""

from __future__ import annotations

from typing import Any

import pytest

from tests.e2e.conftest import LocalStack, check_page, shown, wait_until

pytestmark = pytest.mark.e2e

QUESTION = "Moet ik de vergunning van het waterschap zelf aanvragen?"
ANSWER = "Ja. U vraagt die vergunning zelf aan in het Omgevingsloket."
WIDE = {"width": 1280, "height": 900}
NARROW = {"width": 375, "height": 800}


def _marks_case(local_stack: LocalStack) -> dict[str, Any]:
    status, mine = local_stack.call("GET", "/api/me/cases", local_stack.token("mark"))
    assert status == 200, mine
    return next(c for c in mine["cases"] if c["zaaktype"] == "Subsidie duurzame recreatie")


def _persona(key: str) -> str:
    return f'form:has(input[name="persona"][value="{key}"]) button'


def _tab_to(page: Any, selector: str, limit: int = 150) -> None:
    """Press Tab until ``selector`` has the focus, as a keyboard user moves through the page."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} never got the focus with Tab")


def _log_in_with_keys(browser: Any, url: str, persona: str, viewport: dict[str, int] = WIDE) -> Any:
    page = browser.new_page(locale="nl-NL", viewport=viewport)
    page.goto(url)
    shown(page.get_by_role("heading", name="Inloggen als testpersoon"))
    _tab_to(page, _persona(persona))
    page.keyboard.press("Enter")
    page.wait_for_load_state()
    return page


def _both_sizes_and_languages(page: Any, url: str, name: str) -> None:
    """The page at 1280 and at 375 pixels, in Dutch and in English: axe-core finds nothing, and a screenshot."""
    for size, viewport in (("1280", WIDE), ("375", NARROW)):
        page.set_viewport_size(viewport)
        for lang in ("nl", "en"):
            separator = "&" if "?" in url else "?"
            response = page.goto(f"{url}{separator}lang={lang}")
            assert response is not None
            assert page.evaluate("document.documentElement.lang") == lang
            overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
            assert overflow <= 1, f"{url} scrolls {overflow} px sideways at {size} px"
            check_page(page, name)  # named with its language and width
    page.set_viewport_size(WIDE)


def test_mark_asks_with_the_keyboard_anna_answers_and_mark_reads_the_answer(local_stack: LocalStack, browser: Any):
    api = local_stack.api
    case = _marks_case(local_stack)
    case_url = f"{api}/mijn-zaken/{case['id']}"

    # Mark opens his case: the procedure as steps, each saying in words where the case is
    mark = _log_in_with_keys(browser, case_url, "mark")
    shown(mark.get_by_role("heading", name="Zo verloopt uw zaak"))
    steps = mark.locator("ol.baken-steps > li")
    assert steps.count() >= 3
    assert mark.locator('ol.baken-steps > li[aria-current="step"]').count() == 1
    assert "nu" in mark.locator('ol.baken-steps > li[aria-current="step"]').inner_text()
    assert "afgerond" in steps.first.inner_text()
    _both_sizes_and_languages(mark, case_url, "case-with-steps")

    # He sends the form empty first, with the keyboard only: the error summary, the message at the field, Fout: in the title
    mark.goto(case_url)
    _tab_to(mark, "#vraag")
    _tab_to(mark, 'form[action*="/vragen"] button[type="submit"]')
    mark.keyboard.press("Enter")
    shown(mark.get_by_role("heading", name="Er klopt iets niet"))
    assert mark.title().startswith("Fout: ")
    shown(mark.locator("#vraag-error"))
    check_page(mark, "case-question-error")
    # the summary's link takes him to the field, where he types the question and sends it
    _tab_to(mark, 'a[href="#vraag"]')
    mark.keyboard.press("Enter")
    wait_until(lambda: mark.evaluate("document.activeElement && document.activeElement.id") == "vraag", 5)
    mark.keyboard.type(QUESTION)
    _tab_to(mark, 'form[action*="/vragen"] button[type="submit"]')
    mark.keyboard.press("Enter")
    shown(mark.locator("#vraag-bevestiging"))
    assert "Wij hebben uw vraag ontvangen" in mark.locator("#vraag-bevestiging").inner_text()
    asked_url = mark.url.split("#")[0]
    _both_sizes_and_languages(mark, asked_url, "case-question-asked")

    # Anna sees the open question with its due day, and answers it with the keyboard
    anna = _log_in_with_keys(browser, f"{api}/werk/zaken/{case['id']}", "anna")
    shown(anna.get_by_role("heading", name="Vragen van de aanvrager"))
    assert QUESTION in anna.locator("#vragen").inner_text()
    assert "Antwoord uiterlijk op" in anna.locator("#vragen").inner_text()
    check_page(anna, "work-case-open-question")
    _tab_to(anna, 'textarea[name="antwoord"]')
    anna.keyboard.type(ANSWER)
    _tab_to(anna, 'form[action*="/antwoord"] button[type="submit"]')
    anna.keyboard.press("Enter")
    shown(anna.locator("#antwoord-bevestiging"))
    check_page(anna, "work-case-question-answered")

    # Sanne (KCC) sees the question and the answer
    sanne = _log_in_with_keys(browser, f"{api}/kcc/zaken/{case['id']}", "sanne")
    shown(sanne.get_by_role("heading", name="Vragen van de aanvrager"))
    assert ANSWER in sanne.locator("#vragen").inner_text()
    check_page(sanne, "kcc-case-question")

    # The answer reaches Mark's berichtenbox through the stream; he filters it to this case and reads it
    inbox = f"{api}/berichten?zaak={case['id']}"
    wait_until(lambda: _has_answer(local_stack), 30)
    mark.goto(f"{api}/berichten")
    _tab_to(mark, "#zaak")
    for _ in range(10):  # the arrow keys move through the cases in the filter
        if mark.evaluate("document.querySelector('#zaak').value") == case["id"]:
            break
        mark.keyboard.press("ArrowDown")
    assert mark.evaluate("document.querySelector('#zaak').value") == case["id"]
    _tab_to(mark, 'form[action="/berichten"] button[type="submit"]')
    mark.keyboard.press("Enter")
    shown(mark.get_by_text(f"U ziet alleen de berichten over zaak {case['case_number']}"))
    assert mark.locator("li.baken-message").count() >= 1
    assert all(case["case_number"] in text for text in mark.locator("li.baken-message").all_inner_texts())
    _both_sizes_and_languages(mark, inbox, "berichtenbox-filtered")
    mark.goto(inbox)
    _tab_to(mark, 'li.baken-message a[href^="/berichten/"]')
    mark.keyboard.press("Enter")
    shown(mark.get_by_text(ANSWER))
    check_page(mark, "berichtenbox-answer")
    mark.goto(case_url)
    shown(mark.get_by_text(ANSWER).first)
    for page in (mark, anna, sanne):
        page.close()


def _has_answer(local_stack: LocalStack) -> bool:
    status, box = local_stack.call("GET", "/api/me/berichtenbox", local_stack.token("mark"))
    return status == 200 and any(ANSWER in m["body"] for m in box["messages"])
