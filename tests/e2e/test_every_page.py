"""Every page Baken has, in Dutch and in English, at 1280 and at 375 pixels wide, as the person who uses it: no
WCAG 2.1 A/AA violation that axe-core finds, and a screenshot of each, named ``<page>-<language>-<width>.png``,
in the run's folder (tests/e2e/conftest.py ``check_page``, which also writes the folder's index.html) for a person
to look at. At 320 pixels (WCAG 1.4.10 Reflow) every page is opened once more and must not scroll sideways.

Besides every page at rest, the states a page can be in: a form sent with mistakes (the error summary and the
message at the field), a confirmation after a save, and badges of every meaning (the work list with a case that is
late, one nearly due and one waiting; announcements that are a draft, submitted, approved and sent back). The local
stack has its year of demo history, so the charts and the questions by onderwerp have something to show."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import MARK_EMAIL, LocalStack, check_page, shown, start_local_stack, wait_until

# The first test also waits for the stack, which makes its year of history first (about two minutes).
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1200)]

MISSING = "00000000-0000-4000-8000-000000000000"
JAN = "pu-jan-51c7b0"  # devstack/seed.py
PRODUCT = "subsidie-duurzame-recreatie"
FAQ_EDITOR = f"/werk/vragen/{PRODUCT}/begroting"
WIDE = {"width": 1280, "height": 800}
NARROW = {"width": 375, "height": 812}
PHONE = {"width": 320, "height": 640}  # WCAG 1.4.10 Reflow: 320 CSS pixels wide without scrolling sideways
SIZES = (WIDE, NARROW)
FOLLOWERS = tuple(f"volger{n}@example.org" for n in range(1, 5))


@pytest.fixture(scope="module")
def local_stack() -> Iterator[LocalStack]:
    """The stack with its year of history: waits longer than the other modules' (this module's timeout allows it)."""
    stack = start_local_stack(ready_within=600)
    yield stack
    stack.stop()


def _log_in(browser: Any, local_stack: LocalStack, name: str, **options: Any) -> Any:
    page = browser.new_page(locale="nl-NL", **options)
    page.goto(f"{local_stack.api}/mijn-zaken")
    shown(page.get_by_role("heading", name="Inloggen als testpersoon"))
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state()
    return page


def _in(url: str, lang: str) -> str:
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}lang={lang}"


def _open(page: Any, url: str, status: int) -> None:
    response = page.goto(url)
    assert response is not None
    assert response.status == status, (url, response.status)


def _no_sideways_scrolling(page: Any) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    width = page.viewport_size["width"]
    assert overflow <= 1, f"{page.url} scrolls {overflow} px sideways at {width} px"


def _both_languages(page: Any, url: str, name: str, status: int = 200) -> None:
    """The page in Dutch and in English at the page's present size, checked and photographed."""
    for lang in ("nl", "en"):
        _open(page, _in(url, lang), status)
        assert page.evaluate("document.documentElement.lang") == lang
        check_page(page, name)


def _every_way(
    page: Any, url: str, name: str, status: int = 200, languages: tuple[str, ...] = ("nl", "en"), reflow: bool = True
) -> None:
    """The page at 1280 and 375 pixels in each language, checked with axe-core and photographed; then once at
    320 pixels, where it must not scroll sideways (no axe-core or screenshot there: 375 has them)."""
    for size in SIZES:
        page.set_viewport_size(size)
        for lang in languages:
            _open(page, _in(url, lang), status)
            assert page.evaluate("document.documentElement.lang") == lang
            if size is NARROW and reflow:
                _no_sideways_scrolling(page)
            check_page(page, name)
    if reflow:
        page.set_viewport_size(PHONE)
        _open(page, _in(url, languages[0]), status)
        _no_sideways_scrolling(page)
    page.set_viewport_size(WIDE)


def _sent_every_way(page: Any, url: str, name: str, send: Callable[[Any], None], status: int = 400) -> None:
    """A form's state after sending it (``send`` fills it in and presses its button) at both sizes in both
    languages: the answer to the POST has ``status``."""
    for size in SIZES:
        page.set_viewport_size(size)
        for lang in ("nl", "en"):
            _open(page, _in(url, lang), 200)
            with page.expect_response(lambda r: r.request.method == "POST") as posted:
                send(page)
            assert posted.value.status == status, (url, posted.value.status)
            page.wait_for_load_state()
            assert page.evaluate("document.documentElement.lang") == lang
            if status == 400:
                assert page.title().startswith(("Fout: ", "Error: ")), page.title()
            if size is NARROW:
                _no_sideways_scrolling(page)
            check_page(page, name)
    page.set_viewport_size(WIDE)


def _signed_link(local_stack: LocalStack, path: str, to: str = MARK_EMAIL) -> str:
    """The link to ``path`` in an e-mail to ``to``; the e-mail may still be on its way (the stream and the queue)."""
    found: list[str] = []

    def arrived() -> bool:
        for mail in local_stack.mails(to):
            link = re.search(rf"https?://\S+{re.escape(path)}\?token=[A-Za-z0-9._~-]+", mail["text"])
            if link:
                found.append(link.group(0))
                return True
        time.sleep(0.5)
        return False

    try:
        wait_until(arrived, 60)
    except AssertionError:
        raise AssertionError(f"no e-mail to {to} with a {path} link") from None
    split = urlsplit(found[0])
    return f"{local_stack.api}{split.path}?{split.query}"


def _announcement(local_stack: LocalStack, title: str, *, submit: bool = False, decide: str | None = None) -> str:
    """An announcement Pieter writes; submitted, and approved or sent back by Anna, when asked."""
    body = {
        "title": title,
        "text": "De provincie wil grond bij Doorn verkopen. U kunt tot 1 juni reageren.",
        "topic": "grondbeheer",
        "gemeenten": ["GM1581"],
        "link": {"url": "https://www.provincie-utrecht.nl/grond", "label": "Reageer op de verkoop"},
    }
    status, written = local_stack.call("POST", "/api/announcements", local_stack.token("pieter"), body)
    assert status == 201, written
    base = f"/api/announcements/{written['id']}"
    if submit or decide:
        assert local_stack.call("POST", f"{base}/submit", local_stack.token("pieter"), {})[0] == 200
    if decide == "approve":
        assert local_stack.call("POST", f"{base}/approve", local_stack.token("anna"), {})[0] == 200
    if decide == "reject":
        reason = {"reason": "Noem de datum waarop de verkoop begint."}
        assert local_stack.call("POST", f"{base}/reject", local_stack.token("anna"), reason)[0] == 200
    return str(written["id"])


def _marks_case(local_stack: LocalStack) -> dict[str, Any]:
    """Mark's subsidy: documents to send (the action box and the upload), steps, a timeline, a behandelaar."""
    status, mine = local_stack.call("GET", "/api/me/cases", local_stack.token("mark"))
    assert status == 200, mine
    return next(c for c in mine["cases"] if c["zaaktype"] == "Subsidie duurzame recreatie")


def _annas_case(local_stack: LocalStack, omschrijving: str, days_ago: int) -> dict[str, Any]:
    body = {
        "zaaktype": PRODUCT,
        "omschrijving": omschrijving,
        "initiator": JAN,  # not Mark's: his pages stay as the story has them
        "gemeenten": ["GM1581"],
        "startdatum": (date.today() - timedelta(days=days_ago)).isoformat(),
    }
    status, case = local_stack.call("POST", "/api/cases", local_stack.token("anna"), body)
    assert status == 201, case
    return dict(case)


def test_the_public_pages_and_the_links_in_e_mails(local_stack: LocalStack, browser: Any):
    api = local_stack.api
    approved = _announcement(local_stack, "Grond bij Doorn komt misschien vrij", decide="approve")
    draft = _announcement(local_stack, "Werk aan de N225")
    visitor = browser.new_page(locale="nl-NL", viewport=WIDE)
    for path, name in (
        ("/", "home"),
        (f"/aankondigingen/{approved}", "public-announcement"),
        ("/producten", "products"),
        (f"/producten/{PRODUCT}", "product"),
        ("/hoe-snel-zijn-wij", "how-fast-are-we"),
        ("/volgen", "follow"),
        ("/toegankelijkheid", "accessibility"),
    ):
        _every_way(visitor, f"{api}{path}", name)
    _every_way(visitor, f"{api}/producten/bestaat-niet", "product-not-found", status=404)
    _every_way(visitor, f"{api}/aankondigingen/{draft}", "announcement-not-found", status=404)

    # following without DigiD: a mistake, then the e-mail to confirm, and the link in it
    subscribe = 'form[action^="/volgen"] button[type="submit"]'
    _sent_every_way(visitor, f"{api}/volgen", "follow-error", lambda p: p.locator(subscribe).click())
    followers = iter(FOLLOWERS)

    def follow(page: Any) -> None:  # four people, each once: one address asking again and again is limited
        page.locator("#email").fill(next(followers))
        page.locator('input[name="topic"]').first.check()
        page.locator(subscribe).click()

    _sent_every_way(visitor, f"{api}/volgen", "follow-check-your-email", follow, status=200)
    _every_way(visitor, _signed_link(local_stack, "/abonnement/bevestigen", FOLLOWERS[0]), "confirm-by-link")
    _every_way(visitor, _signed_link(local_stack, "/abonnement/beheren"), "manage-by-link")
    _every_way(visitor, _signed_link(local_stack, "/afmelden"), "unsubscribe-by-link")
    _every_way(visitor, f"{api}/afmelden?token=verlopen", "link-not-working", status=404)
    # the local stage's pages for developers, in English only: the mailbox (showing each e-mail at its own width)
    # and the stand-in for DigiD's login
    _every_way(visitor, f"{api}/dev/mailbox", "dev-mailbox", languages=("en",), reflow=False)
    visitor.goto(f"{api}/mijn-zaken")
    shown(visitor.get_by_role("heading", name="Inloggen als testpersoon"))
    for size in SIZES:
        visitor.set_viewport_size(size)
        check_page(visitor, "dev-login")
    visitor.close()


def test_the_applicants_pages(local_stack: LocalStack, browser: Any):
    api = local_stack.api
    case = _marks_case(local_stack)
    case_url = f"{api}/mijn-zaken/{case['id']}"
    mark = _log_in(browser, local_stack, "Mark Visser", viewport=WIDE)
    for path, name in (
        ("/mijn-zaken", "my-cases"),
        (f"/mijn-zaken/{case['id']}", "my-case"),
        ("/berichten", "berichtenbox"),
        (f"/berichten?zaak={case['id']}", "berichtenbox-one-case"),
        ("/mijn-abonnementen", "my-subscriptions"),
        ("/mijn-voorkeuren", "my-preferences"),
    ):
        _every_way(mark, f"{api}{path}", name)
    mark.goto(f"{api}/berichten")
    message = mark.locator('a[href^="/berichten/"]').first.get_attribute("href")
    _every_way(mark, f"{api}{message}", "berichtenbox-message")
    _every_way(mark, f"{api}/mijn-zaken/{MISSING}", "case-not-found", status=404)
    _every_way(mark, f"{api}/werk", "staff-only", status=403)

    # a file that did not come from this case's upload form: the case page with the error at the upload field
    status, marks_case = local_stack.call("GET", f"/api/me/cases/{case['id']}", local_stack.token("mark"))
    assert status == 200, marks_case
    document_id = marks_case["missing_documents"][0]["id"]
    _every_way(mark, f"{case_url}/documenten/{document_id}/ontvangen?key=elders", "case-upload-error", status=400)

    # a question sent empty: the error summary and the message at the field; then one asked, and the confirmation
    ask = 'form[action*="/vragen"] button[type="submit"]'
    _sent_every_way(mark, case_url, "case-question-error", lambda p: p.locator(ask).click())
    mark.goto(case_url)
    mark.locator("#vraag").fill("Moet ik de vergunning van het waterschap zelf aanvragen?")
    mark.locator(ask).click()
    shown(mark.locator("#vraag-bevestiging"))
    _every_way(mark, mark.url.split("#")[0], "case-question-asked")
    mark.close()


def test_the_kcc_pages(local_stack: LocalStack, browser: Any):
    api = local_stack.api
    case = _marks_case(local_stack)
    case_url = f"{api}/kcc/zaken/{case['id']}"
    sanne = _log_in(browser, local_stack, "Sanne de Boer", viewport=WIDE)
    _every_way(sanne, f"{api}/kcc", "kcc-search")

    def search(found: str) -> Callable[[Any], None]:
        def send(page: Any) -> None:
            page.locator("#zoek").fill(found)
            page.locator('form[action^="/kcc"] button[type="submit"]').click()

        return send

    # a caller's cases by e-mail address (posted, so the address is in no URL), and a number that is no case
    _sent_every_way(sanne, f"{api}/kcc", "kcc-search-by-email", search(MARK_EMAIL), status=200)
    _sent_every_way(sanne, f"{api}/kcc", "kcc-search-not-found", search("SUB-2026-999999"), status=404)
    _every_way(sanne, case_url, "kcc-case")
    _every_way(sanne, f"{api}/werk/vragen?product={PRODUCT}", "kcc-questions")
    _every_way(sanne, f"{api}{FAQ_EDITOR}", "kcc-faq-editor-refused", status=403)

    # a contact moment without its text: the errors; then one recorded, and the confirmation
    record = 'form[action*="/contactmomenten"] button[type="submit"]'
    _sent_every_way(sanne, case_url, "kcc-contact-error", lambda p: p.locator(record).click())
    sanne.goto(case_url)
    sanne.locator("#vraagonderwerp").select_option(index=1)
    sanne.locator("#inhoud").fill("Mark belde over de begroting. Uitgelegd welke kosten meetellen.")
    sanne.locator(record).click()
    shown(sanne.get_by_text("Het contactmoment staat bij de zaak."))
    _every_way(sanne, sanne.url.split("#")[0], "kcc-contact-recorded")
    sanne.close()


def test_the_behandelaars_pages(local_stack: LocalStack, browser: Any):
    api = local_stack.api
    case = _marks_case(local_stack)
    case_url = f"{api}/werk/zaken/{case['id']}"
    # badges of every meaning on the work list: late, nearly due (P13W), waiting for documents, under way
    late = _annas_case(local_stack, "Speelnatuur Leersum", days_ago=120)
    _annas_case(local_stack, "Wandelroute Amerongen", days_ago=87)
    drafted = _announcement(local_stack, "Werk aan de N226")
    _announcement(local_stack, "Fietspad Rhenen", submit=True)
    _announcement(local_stack, "Grond bij Leersum", decide="approve")
    rejected = _announcement(local_stack, "Grond bij Wijk bij Duurstede", decide="reject")

    anna = _log_in(browser, local_stack, "Anna Bakker", viewport=WIDE)
    for path, name in (
        ("/werk", "work-list"),
        (f"/werk?zoek={late['case_number']}", "work-list-search"),
        ("/werk?termijn=te-laat&volgorde=nieuwste", "work-list-late"),
        ("/werk?zoek=bestaatniet", "work-list-empty"),
        (f"/werk/zaken/{case['id']}", "work-case"),
        ("/werk/aankondigingen", "announcements"),
        (f"/werk/aankondigingen/{drafted}", "announcement-draft"),
        (f"/werk/aankondigingen/{rejected}", "announcement-sent-back"),
        (f"/werk/vragen?product={PRODUCT}", "questions"),
        ("/werk/vragen", "questions-first-product"),
        (FAQ_EDITOR, "faq-editor"),
    ):
        _every_way(anna, f"{api}{path}", name)
    _every_way(anna, f"{api}/werk?termijn=gisteren", "work-list-error", status=400)
    _every_way(anna, f"{api}/werk/zaken/{MISSING}", "work-case-not-found", status=404)

    # forms sent with mistakes: a message without text, an announcement without anything, an empty FAQ
    def message_without_text(page: Any) -> None:
        page.locator('#message-form button[value="versturen"]').click()

    _sent_every_way(anna, case_url, "work-case-message-error", message_without_text)

    def empty_announcement(page: Any) -> None:
        page.locator('form[action^="/werk/aankondigingen?"] button[type="submit"]').click()

    _sent_every_way(anna, f"{api}/werk/aankondigingen", "announcements-error", empty_announcement)

    def empty_faq(page: Any) -> None:
        page.locator("#vraag_nl").fill("")
        page.locator("#antwoord_nl").fill("")
        page.locator('form[action^="/werk/vragen/"] button[type="submit"]').click()

    _sent_every_way(anna, f"{api}{FAQ_EDITOR}", "faq-editor-error", empty_faq)

    # confirmations: the FAQ published again as it was, a message sent
    anna.goto(f"{api}{FAQ_EDITOR}")
    anna.locator('form[action^="/werk/vragen/"] button[type="submit"]').click()
    shown(anna.locator('[role="status"]').first)
    _every_way(anna, anna.url.split("#")[0], "questions-faq-saved")
    anna.goto(case_url)
    anna.locator("#message-form #text").fill("Wij hebben uw begroting bekeken. Wij nemen volgende week contact met u op.")
    anna.locator('#message-form button[value="versturen"]').click()
    shown(anna.get_by_text("Het bericht is verstuurd."))
    _every_way(anna, anna.url.split("#")[0], "work-case-message-sent")
    anna.close()


def test_the_satisfaction_pages(local_stack: LocalStack, browser: Any):
    api = local_stack.api
    jans_case = local_stack.close_jans_case()  # decided: the satisfaction question is asked
    question = re.sub(r"&lang=\w+", "", local_stack.satisfaction_link(4))
    visitor = browser.new_page(locale="nl-NL", viewport=WIDE)
    _every_way(visitor, question, "satisfaction-by-link")
    _every_way(visitor, f"{api}/tevredenheid/niet-een-token", "satisfaction-link-not-working", status=404)
    visitor.close()
    # Jan, whose report was dealt with: the question on his closed case's page
    jan = _log_in(browser, local_stack, "Jan de Groot", viewport=WIDE)
    _every_way(jan, f"{api}/mijn-zaken/{jans_case}", "closed-case-with-question")
    jan.close()
    # the figures for staff; the comments for behandelaars only
    sanne = _log_in(browser, local_stack, "Sanne de Boer", viewport=WIDE)
    _every_way(sanne, f"{api}/werk/tevredenheid", "satisfaction-figures-kcc")
    _every_way(sanne, f"{api}/werk/tevredenheid/{PRODUCT}", "satisfaction-comments-refused", status=403)
    sanne.close()
    anna = _log_in(browser, local_stack, "Anna Bakker", viewport=WIDE)
    _every_way(anna, f"{api}/werk/tevredenheid", "satisfaction-figures")
    _every_way(anna, f"{api}/werk/tevredenheid/{PRODUCT}", "satisfaction-comments")
    anna.close()
