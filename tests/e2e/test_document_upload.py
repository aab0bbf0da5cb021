"""Mark sends the begroting his behandelaar asked for, on the local stack in a real browser: with the keyboard only
he chooses the file on his case page and sends it — straight to the documents bucket (moto's S3 server, an S3
presigned POST), which sends his browser back to Baken to check and record it — and sees it listed as received;
Anna sees "nieuw document" on her work list and accepts it; Mark sees it accepted. A file that is not what its
name says gets the error at its field. Every state passes axe-core's WCAG checks, in Dutch and English."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import LocalStack, check_page, shown

pytestmark = pytest.mark.e2e

BEGROTING = "Begroting van het project"


def _log_in(browser: Any, local_stack: LocalStack, name: str, start: str) -> Any:
    page = browser.new_page(locale="nl-NL")
    page.goto(f"{local_stack.api}{start}")
    shown(page.get_by_role("heading", name="Inloggen als testpersoon"))
    page.get_by_role("button", name=name).click()
    page.wait_for_load_state()
    return page


def _tab_to(page: Any, selector: str, most: int = 80) -> None:
    """Press Tab until the element ``selector`` has the focus, as someone with only a keyboard does."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"{selector} never got the focus")


def _send_with_the_keyboard(page: Any, document_id: str, file: Path) -> None:
    field = f"#file-{document_id}"
    _tab_to(page, field)
    with page.expect_file_chooser() as chooser:
        page.keyboard.press("Space")
    chooser.value.set_files(str(file))
    _tab_to(page, f'button[aria-describedby="document-{document_id}"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_load_state()


def test_mark_sends_the_begroting_and_anna_accepts_it(local_stack: LocalStack, browser: Any, tmp_path: Path):
    api = local_stack.api
    status, mine = local_stack.call("GET", "/api/me/cases", local_stack.token("mark"))
    assert status == 200, mine
    case_id = mine["cases"][0]["id"]
    status, case = local_stack.call("GET", f"/api/me/cases/{case_id}", local_stack.token("mark"))
    assert status == 200, case
    document_id = next(d["id"] for d in case["missing_documents"] if d["omschrijving"] == BEGROTING)
    path = f"/mijn-zaken/{case_id}"
    mark = _log_in(browser, local_stack, "Mark Visser", path)

    # The action box says what, by when and how
    shown(mark.get_by_role("heading", name="Wat u moet doen"))
    assert mark.get_by_role("heading", name=BEGROTING).is_visible()
    assert "Stuur dit uiterlijk op" in mark.locator("#wat-u-moet-doen").inner_text()

    # A file that is not what its name says: the error at the field, and in the summary, and nothing kept
    fake = tmp_path / "begroting.pdf"
    fake.write_bytes(b"MZ this is no pdf")
    _send_with_the_keyboard(mark, document_id, fake)
    shown(mark.get_by_role("heading", name="Er klopt iets niet"))
    assert mark.title().startswith("Fout:")
    assert mark.locator(f"#file-{document_id}-error").is_visible()
    check_page(mark, "case-upload-error")
    # the same address in English (the refused file is gone by now: the error says no file arrived)
    english = mark.goto(mark.url.replace("lang=nl", "lang=en"))
    assert english is not None
    assert english.status == 400
    assert mark.title().startswith("Error:")
    check_page(mark, "case-upload-error")

    # The begroting itself, with the keyboard only
    mark.goto(f"{api}{path}")
    begroting = tmp_path / "Begroting 2027.pdf"
    begroting.write_bytes(b"%PDF-1.7\n" + b"begroting " * 500)
    _send_with_the_keyboard(mark, document_id, begroting)
    shown(mark.get_by_text("Wij hebben uw bestand ontvangen"))
    assert mark.url.endswith("#bevestiging")
    sent_in = mark.locator("#documenten + div table")
    assert "Begroting 2027.pdf" in sent_in.inner_text()
    assert "Ontvangen, nog niet beoordeeld" in sent_in.inner_text()
    check_page(mark, "case-upload-received")
    mark.goto(f"{api}{path}?lang=en")
    assert "Received, not yet assessed" in mark.locator("#documenten + div table").inner_text()
    check_page(mark, "case-upload-received")

    # Anna sees the new document on her work list, opens it and accepts it
    anna = _log_in(browser, local_stack, "Anna Bakker", "/werk")
    # (the demo's projectplan, received by post, waits for her verdict too)
    shown(anna.get_by_text(re.compile(r"Nieuw document|\d+ nieuwe documenten")).first)
    check_page(anna, "work-list-new-document")
    anna.goto(f"{api}/werk/zaken/{case_id}")
    review = anna.locator(f"#review-{document_id}")
    assert "Begroting 2027.pdf" in review.inner_text()
    check_page(anna, "work-case-review")
    review.get_by_label("Accepteren: dit is wat wij nodig hebben").check()
    review.get_by_role("button", name="Opslaan en versturen").click()
    shown(anna.get_by_text("Het document is geaccepteerd."))
    assert anna.url.endswith("#bevestiging")
    check_page(anna, "work-case-accepted")

    # Mark sees it accepted, and downloads it
    mark.goto(f"{api}{path}")
    table = mark.locator("#documenten + div table")
    assert "Geaccepteerd" in table.inner_text()
    check_page(mark, "case-document-accepted")
    mark.goto(f"{api}{path}?lang=en")
    assert "Accepted" in mark.locator("#documenten + div table").inner_text()
    check_page(mark, "case-document-accepted")
    link = mark.get_by_role("link", name="Begroting 2027.pdf")
    with mark.expect_download() as download:
        link.click()
    assert Path(download.value.path()).read_bytes() == begroting.read_bytes()
    for page in (mark, anna):
        page.close()
