"""The work list on a working day, in Chromium: Anna filters her list to the overdue cases with the keyboard only,
at 1280 and at 375 px; and every state of the list — filtered, empty, a refused filter, the second page — in both
languages has no WCAG 2.1 A/AA violation axe-core finds (with a screenshot of each, ``check_page``)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tests.e2e.conftest import LocalStack, check_page, shown
from tests.e2e.test_every_page import _both_languages, _log_in

pytestmark = pytest.mark.e2e

MARK = "pu-mark-3f9a1c"
WIDE = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 740}


def _create(local_stack: LocalStack, persona: str, omschrijving: str, startdatum: date) -> dict[str, Any]:
    body = {
        "zaaktype": "subsidie-duurzame-recreatie",
        "omschrijving": omschrijving,
        "initiator": MARK,
        "gemeenten": ["GM1581"],
        "startdatum": startdatum.isoformat(),
    }
    status, case = local_stack.call("POST", "/api/cases", local_stack.token(persona), body)
    assert status == 201, case
    return dict(case)


@pytest.fixture(scope="module")
def overdue_case(local_stack: LocalStack) -> dict[str, Any]:
    """One of Anna's cases that is past its deadline (P13W from 120 days ago)."""
    return _create(local_stack, "anna", "Oversteek Leersum te laat", date.today() - timedelta(days=120))


def _tab_to(page: Any, element_id: str, *, most: int = 60) -> None:
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.id") == element_id:
            return
    raise AssertionError(f"Tab never reached #{element_id}")


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1280", "375"])
def test_anna_filters_her_work_list_to_the_overdue_cases_with_the_keyboard_only(
    local_stack: LocalStack, browser: Any, overdue_case: dict[str, Any], viewport: dict[str, int]
):
    anna = _log_in(browser, local_stack, "Anna Bakker", viewport=viewport)
    anna.goto(f"{local_stack.api}/werk")
    shown(anna.get_by_role("heading", name="Mijn werkvoorraad"))

    _tab_to(anna, "termijn")
    anna.keyboard.press("T")  # the select's own type-ahead: "Te laat"
    assert anna.evaluate("document.getElementById('termijn').value") == "te-laat"
    anna.keyboard.press("Tab")  # the order
    anna.keyboard.press("Tab")  # "Zaken tonen"
    assert anna.evaluate("document.activeElement.textContent.trim()") == "Zaken tonen"
    anna.keyboard.press("Enter")

    shown(anna.get_by_role("link", name=overdue_case["case_number"]))
    assert "termijn=te-laat" in anna.url  # a link to bookmark
    badges = anna.locator("table .baken-badge--problem")
    assert badges.count() >= 1
    assert badges.count() == anna.locator("table tbody tr").count()  # only overdue cases, each saying so in words
    assert anna.get_by_role("navigation", name="Menu voor medewerkers").get_by_role("link", name="Werkvoorraad").count() == 1
    region = anna.get_by_role("region", name="Mijn werkvoorraad")
    region.focus()  # the table scrolls inside its own region, which a keyboard can reach
    if viewport is PHONE:
        overflow = anna.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"the page scrolls {overflow} px sideways"
    check_page(anna, "work-list-overdue")
    anna.close()


def test_every_state_of_the_work_list_in_both_languages_is_accessible(
    local_stack: LocalStack, browser: Any, overdue_case: dict[str, Any]
):
    # Pieter's own 27 cases: two pages
    for n in range(27):
        _create(local_stack, "pieter", f"Proef {n:02d} natuurbeheer", date.today() - timedelta(days=110 - 3 * n))
    api = local_stack.api
    for viewport in (WIDE, PHONE):
        pieter = _log_in(browser, local_stack, "Pieter Jansen", viewport=viewport)
        _both_languages(pieter, f"{api}/werk?termijn=te-laat&volgorde=nieuwste", "work-list-filtered")
        _both_languages(pieter, f"{api}/werk?zoek=bestaatniet", "work-list-empty")
        _both_languages(pieter, f"{api}/werk?termijn=gisteren", "work-list-error", status=400)
        _both_languages(pieter, f"{api}/werk?zoek={overdue_case['case_number']}", "work-list-by-number")
        pieter.goto(f"{api}/werk?lang=nl")
        pieter.get_by_role("link", name="Volgende").click()
        shown(pieter.get_by_role("link", name="Vorige"))
        second = pieter.url
        _both_languages(pieter, second.split("&lang=")[0], "work-list-page-2")
        pieter.close()
