"""Every page Baken has, in Dutch and in English, and on a phone, as the person who uses it: no WCAG 2.1 A/AA violation that
axe-core finds, and a screenshot of each in the run's folder (tests/e2e/conftest.py ``check_page``) for a person
to look at. The stories elsewhere check the pages mid-flow (with errors, previews, saved notes); this walks them
all at rest, so a page nobody's story reaches is checked too."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pytest

from tests.e2e.conftest import MARK_EMAIL, LocalStack, check_page, shown

pytestmark = pytest.mark.e2e

MISSING = "00000000-0000-4000-8000-000000000000"


PHONE = {"width": 320, "height": 640}  # WCAG 1.4.10 Reflow: 320 CSS pixels wide without scrolling sideways


def _marks_pages(case_id: str) -> tuple[tuple[str, str], ...]:
    """The applicant's own pages, and the name of each screenshot."""
    return (
        ("/mijn-zaken", "my-cases"),
        (f"/mijn-zaken/{case_id}", "my-case"),
        ("/berichten", "berichtenbox"),
        ("/mijn-abonnementen", "my-subscriptions"),
        ("/mijn-voorkeuren", "my-preferences"),
    )


def _log_in(browser: Any, local_stack: LocalStack, name: str, **options: Any) -> Any:
    page = browser.new_page(locale="nl-NL", **options)
    page.goto(f"{local_stack.api}/mijn-zaken")
    shown(page.get_by_role("heading", name="Inloggen als testpersoon"))
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state()
    return page


def _both_languages(page: Any, url: str, name: str, status: int = 200) -> None:
    for lang in ("nl", "en"):
        separator = "&" if "?" in url else "?"
        response = page.goto(f"{url}{separator}lang={lang}")
        assert response is not None
        assert response.status == status, (url, response.status)
        assert page.evaluate("document.documentElement.lang") == lang
        check_page(page, name)


def _signed_link(local_stack: LocalStack, path: str) -> str:
    for mail in local_stack.mails(MARK_EMAIL):
        found = re.search(rf"https?://\S+{re.escape(path)}\?token=[A-Za-z0-9._~-]+", mail["text"])
        if found:
            split = urlsplit(found.group(0))
            return f"{local_stack.api}{split.path}?{split.query}"
    raise AssertionError(f"no e-mail to Mark with a {path} link")


def _approved_announcement(local_stack: LocalStack) -> str:
    """An announcement Pieter wrote and Anna approved: it has a public page."""
    status, written = local_stack.call(
        "POST",
        "/api/announcements",
        local_stack.token("pieter"),
        {
            "title": "Grond bij Doorn komt misschien vrij",
            "text": "De provincie wil grond bij Doorn verkopen.",
            "topic": "grondbeheer",
            "gemeenten": ["GM1581"],
            "link": {"url": "https://www.provincie-utrecht.nl/grond", "label": "Reageer op de verkoop"},
        },
    )
    assert status == 201, written
    assert local_stack.call("POST", f"/api/announcements/{written['id']}/submit", local_stack.token("pieter"), {})[0] == 200
    assert local_stack.call("POST", f"/api/announcements/{written['id']}/approve", local_stack.token("anna"), {})[0] == 200
    return str(written["id"])


def test_every_page_in_both_languages_is_accessible(local_stack: LocalStack, browser: Any):
    api = local_stack.api
    status, mine = local_stack.call("GET", "/api/me/cases", local_stack.token("mark"))
    assert status == 200, mine
    case_id = mine["cases"][0]["id"]
    status, announcement = local_stack.call(
        "POST",
        "/api/announcements",
        local_stack.token("pieter"),
        {
            "title": "Werk aan de N225",
            "text": "Vanaf maart werken wij aan de weg.",
            "topic": "wegen-en-werkzaamheden",
            "gemeenten": ["GM0355"],
        },
    )
    assert status == 201, announcement

    approved_id = _approved_announcement(local_stack)
    jans_case = local_stack.close_jans_case()  # decided: the satisfaction question is asked
    question = re.sub(r"&lang=\w+", "", local_stack.satisfaction_link(4))

    # Anybody, without logging in; and what the links in e-mails open
    visitor = browser.new_page(locale="nl-NL")
    for path, name in (
        ("/", "home"),
        (f"/aankondigingen/{approved_id}", "public-announcement"),
        ("/volgen", "follow"),
        ("/toegankelijkheid", "accessibility"),
        ("/producten", "products"),
        ("/producten/subsidie-duurzame-recreatie", "product"),
        ("/hoe-snel-zijn-wij", "servicenormen"),
    ):
        _both_languages(visitor, f"{api}{path}", name)
    _both_languages(visitor, f"{api}/producten/bestaat-niet", "product-not-found", status=404)
    _both_languages(visitor, f"{api}/aankondigingen/{announcement['id']}", "announcement-not-found", status=404)
    visitor.goto(f"{api}/dev/mailbox")  # the local stage's mailbox: a tool for developers, in English only
    check_page(visitor, "dev-mailbox")
    _both_languages(visitor, _signed_link(local_stack, "/abonnement/beheren"), "manage-by-link")
    _both_languages(visitor, _signed_link(local_stack, "/afmelden"), "unsubscribe-by-link")
    _both_languages(visitor, f"{api}/afmelden?token=verlopen", "link-not-working", status=404)
    _both_languages(visitor, question, "satisfaction-by-link")
    _both_languages(visitor, f"{api}/tevredenheid/niet-een-token", "satisfaction-link-not-working", status=404)
    visitor.goto(f"{api}/mijn-zaken")
    shown(visitor.get_by_role("heading", name="Inloggen als testpersoon"))
    check_page(visitor, "dev-login")

    # Mark, the applicant
    mark = _log_in(browser, local_stack, "Mark Visser")
    for path, name in _marks_pages(case_id):
        _both_languages(mark, f"{api}{path}", name)
    mark.goto(f"{api}/berichten")
    message = mark.locator('a[href^="/berichten/"]').first.get_attribute("href")
    _both_languages(mark, f"{api}{message}", "berichtenbox-message")
    _both_languages(mark, f"{api}/mijn-zaken/{MISSING}", "case-not-found", status=404)
    # a file that did not come from this case's upload form: the case page with the error at the upload field
    status, marks_case = local_stack.call("GET", f"/api/me/cases/{case_id}", local_stack.token("mark"))
    assert status == 200, marks_case
    document_id = marks_case["missing_documents"][0]["id"]
    _both_languages(mark, f"{api}/mijn-zaken/{case_id}/documenten/{document_id}/ontvangen?key=elders", "case-upload-error", 400)
    _both_languages(mark, f"{api}/werk", "staff-only", status=403)

    # Jan, whose report was dealt with: the question on his closed case's page
    jan = _log_in(browser, local_stack, "Jan de Groot")
    _both_languages(jan, f"{api}/mijn-zaken/{jans_case}", "closed-case-with-question")

    # Sanne, the KCC
    sanne = _log_in(browser, local_stack, "Sanne de Boer")
    _both_languages(sanne, f"{api}/kcc", "kcc-search")
    _both_languages(sanne, f"{api}/kcc/zaken/{case_id}", "kcc-case")
    _both_languages(sanne, f"{api}/werk/tevredenheid", "satisfaction-figures-kcc")
    _both_languages(sanne, f"{api}/werk/tevredenheid/subsidie-duurzame-recreatie", "satisfaction-comments-refused", 403)

    # Anna, the behandelaar
    anna = _log_in(browser, local_stack, "Anna Bakker")
    for path, name in (
        ("/werk", "work-list"),
        (f"/werk/zaken/{case_id}", "work-case"),
        ("/werk/aankondigingen", "announcements"),
        (f"/werk/aankondigingen/{announcement['id']}", "announcement"),
        ("/werk/tevredenheid", "satisfaction-figures"),
        ("/werk/tevredenheid/subsidie-duurzame-recreatie", "satisfaction-comments"),
    ):
        _both_languages(anna, f"{api}{path}", name)
    for page in (visitor, mark, jan, sanne, anna):
        page.close()


def _fits(page: Any, url: str, name: str, status: int = 200) -> None:
    response = page.goto(url)
    assert response is not None
    assert response.status == status, (url, response.status)
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"{url} scrolls {overflow} px sideways on a phone"
    check_page(page, f"phone-{name}")


def test_every_page_fits_a_phone_without_scrolling_sideways(local_stack: LocalStack, browser: Any):
    api = local_stack.api
    status, mine = local_stack.call("GET", "/api/me/cases", local_stack.token("mark"))
    assert status == 200, mine
    case_id = mine["cases"][0]["id"]
    local_stack.close_jans_case()
    visitor = browser.new_page(locale="nl-NL", viewport=PHONE)
    for path, name in (
        ("/volgen", "follow"),
        ("/toegankelijkheid", "accessibility"),
        ("/producten/subsidie-duurzame-recreatie", "product"),
        ("/hoe-snel-zijn-wij", "servicenormen"),
    ):
        _fits(visitor, f"{api}{path}", name)
    _fits(visitor, local_stack.satisfaction_link(2), "satisfaction-by-link")
    mark = _log_in(browser, local_stack, "Mark Visser", viewport=PHONE)
    for path, name in _marks_pages(case_id):
        _fits(mark, f"{api}{path}", name)
    sanne = _log_in(browser, local_stack, "Sanne de Boer", viewport=PHONE)
    _fits(sanne, f"{api}/kcc/zaken/{case_id}", "kcc-case")
    anna = _log_in(browser, local_stack, "Anna Bakker", viewport=PHONE)
    for path, name in (
        ("/werk", "work-list"),
        (f"/werk/zaken/{case_id}", "work-case"),
        ("/werk/aankondigingen", "announcements"),
        ("/werk/tevredenheid", "satisfaction-figures"),
        ("/werk/tevredenheid/subsidie-duurzame-recreatie", "satisfaction-comments"),
    ):
        _fits(anna, f"{api}{path}", name)
    for page in (visitor, mark, sanne, anna):
        page.close()
