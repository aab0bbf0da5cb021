"""The local stack as a user starts it (``python -m devstack``, what ``make run`` runs): a real process,
real HTTP, the moto server, chalice local and the event runner — walking the story's walkthrough, then
stopped with Ctrl-C."""

from __future__ import annotations

import json
import re
import signal
import urllib.error
import urllib.request
from typing import Any

import pytest

from tests.e2e.conftest import JAN_EMAIL, MARK_EMAIL, LocalStack, check_page, shown, wait_until

pytestmark = pytest.mark.e2e


def test_the_start_command_prints_the_urls_tokens_and_walkthrough(local_stack: LocalStack):
    printed = "".join(local_stack.output)
    assert f"{local_stack.api}/dev/mailbox" in printed
    assert "export MARK=ey" in printed
    assert "aanvullende-informatie-nodig" in printed


def test_the_story_walkthrough_over_http(local_stack: LocalStack):
    call = local_stack.call
    anna, mark, sanne, jan = (local_stack.token(p) for p in ("anna", "mark", "sanne", "jan"))
    status, mine = call("GET", "/api/me/cases", mark)
    assert status == 200
    (case,) = [c for c in mine["cases"] if c["case_number"].startswith("SUB-")]
    mark_before, jan_before = len(local_stack.mails(MARK_EMAIL)), len(local_stack.mails(JAN_EMAIL))
    _, berichtenbox_before = call("GET", "/api/me/berichtenbox", mark)

    # 1. Anna changes the status → Mark's e-mail and berichtenbox message arrive
    status, _ = call("POST", f"/api/cases/{case['id']}/status", anna, {"statustype": "aanvullende-informatie-nodig"})
    assert status == 201
    took = wait_until(lambda: len(local_stack.mails(MARK_EMAIL)) == mark_before + 1, 10)
    print(f"status change → e-mail in the local mailbox: {took:.2f} s")
    newest = local_stack.mails(MARK_EMAIL)[0]
    assert case["case_number"] in newest["subject"]
    # the berichtenbox message is a delivery of its own (the portal channel): it may land just after the e-mail
    wait_until(lambda: call("GET", "/api/me/berichtenbox", mark)[1]["unread"] == berichtenbox_before["unread"] + 1, 10)
    _, berichtenbox = call("GET", "/api/me/berichtenbox", mark)
    assert berichtenbox["messages"][0]["title"] == "Nieuwe status: Aanvullende informatie nodig"

    # 2. the unrelated applicant got nothing
    assert len(local_stack.mails(JAN_EMAIL)) == jan_before

    # 3. the waterschap message, with the Omgevingsloket link
    link = {"url": "https://omgevingswet.overheid.nl/loket", "label": "Omgevingsloket"}
    text = "Voor uw plan is ook een vergunning van het waterschap nodig. Vraag die aan via het Omgevingsloket."
    status, _ = call("POST", f"/api/cases/{case['id']}/messages", anna, {"text": text, "link": link})
    assert status == 201
    wait_until(lambda: len(local_stack.mails(MARK_EMAIL)) == mark_before + 2, 10)
    assert text not in local_stack.mails(MARK_EMAIL)[0]["text"]
    # the berichtenbox message is a delivery of its own: it may land just after the e-mail
    wait_until(lambda: call("GET", "/api/me/berichtenbox", mark)[1]["unread"] == berichtenbox_before["unread"] + 2, 10)
    _, berichtenbox = call("GET", "/api/me/berichtenbox", mark)
    assert (berichtenbox["messages"][0]["body"].startswith(text), berichtenbox["messages"][0]["link"]) == (True, link)
    assert len(local_stack.mails(JAN_EMAIL)) == jan_before

    # 4. Mark sees status, message, missing documents, deadline beside servicenorm, and his behandelaar
    status, seen = call("GET", f"/api/me/cases/{case['id']}", mark)
    assert status == 200
    assert seen["status"]["omschrijving"] == "Aanvullende informatie nodig"
    assert [d["omschrijving"] for d in seen["missing_documents"]] == ["Begroting van het project"]
    assert seen["deadline"]["due"]
    assert seen["deadline"]["servicenorm_due"]
    assert (seen["deadline"]["doorlooptijd"], seen["deadline"]["servicenorm"]) == ("P13W", "P8W")
    assert seen["behandelaar"] == {"naam": "Anna Bakker"}
    message = next(e for e in seen["timeline"] if e["kind"] == "message")
    assert message["link"] == link

    # 5. the KCC sees the same picture and which notifications reached Mark
    status, kcc_view = call("GET", f"/api/cases/{case['id']}", sanne)
    assert status == 200
    assert (kcc_view["status"], kcc_view["missing_documents"]) == (seen["status"], seen["missing_documents"])
    _, delivered = call("GET", f"/api/cases/{case['id']}/notifications", sanne)
    marks = [n for n in delivered["notifications"] if n["subscriber_id"] == "pu-mark-3f9a1c"]
    assert {n["status"] for n in marks} == {"delivered"}
    assert {n["channel"] for n in marks} == {"email", "portal"}
    status, _ = call("POST", f"/api/cases/{case['id']}/status", sanne, {"statustype": "in-behandeling"})
    assert status == 403

    # 6. the KCC finds Mark's cases by his e-mail address, records the call with tags; the behandelaar sees it
    status, found = call("POST", "/api/cases/search", sanne, {"email": "mark.visser@example.org"})
    assert status == 200
    assert case["id"] in {c["id"] for c in found["cases"]}
    contact = {
        "kanaal": "telefoon",
        "onderwerp": "Vergunning waterschap",
        "inhoud": "Uitgelegd hoe hij de vergunning aanvraagt.",
        "vertrouwelijk": False,
        "tags": ["dso", "vergunning-waterschap"],
    }
    status, _ = call("POST", f"/api/cases/{case['id']}/contact-moments", sanne, contact)
    assert status == 201
    _, annas_view = call("GET", f"/api/cases/{case['id']}", anna)
    newest_entry = annas_view["timeline"][0]
    assert newest_entry["kind"] == "contact"
    assert newest_entry["contact"]["kanaal"] == "telefoon"
    assert newest_entry["contact"]["medewerker"]["naam"] == "Sanne de Boer"
    assert newest_entry["contact"]["tags"] == ["dso", "vergunning-waterschap"]

    # and someone else's case stays invisible to Jan
    assert call("GET", f"/api/me/cases/{case['id']}", jan)[0] == 404


def test_a_status_set_in_the_zaaksysteem_reaches_mark_over_the_notificaties_api(local_stack: LocalStack):
    """Walkthrough step 9: the stand-in zaaksysteem calls Baken's callback over HTTP, Baken reads the zaak from its
    Zaken and Catalogi APIs and tells Mark; the KCC's contact moment is a klantcontact in its Klantinteracties API."""
    printed = "".join(local_stack.output)
    zaaksysteem = re.search(r"Zaaksysteem \.+ (http://[0-9.:]+)/zaken/api/v1", printed)
    step = re.search(r"(http://[0-9.:]+/_standin/zaken/[0-9a-f-]+/status)", printed)
    assert zaaksysteem is not None
    assert step is not None
    mark = local_stack.token("mark")
    _, mine = local_stack.call("GET", "/api/me/cases", mark)
    (zaak,) = [c for c in mine["cases"] if c["case_number"].startswith("ZAAK-")]  # taken over when the stack started
    before = len(local_stack.mails(MARK_EMAIL))
    request = urllib.request.Request(
        step.group(1),
        data=json.dumps({"volgnummer": 2, "toelichting": "Uw aanvraag is compleet."}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert answer.status == 201
    took = wait_until(lambda: len(local_stack.mails(MARK_EMAIL)) == before + 1, 20)
    print(f"status set in the zaaksysteem → e-mail in the local mailbox: {took:.2f} s")
    assert zaak["case_number"] in local_stack.mails(MARK_EMAIL)[0]["subject"]
    _, after = local_stack.call("GET", f"/api/me/cases/{zaak['id']}", mark)
    assert after["status"]["statustype"] == "in-behandeling"


def test_annas_page_of_a_zaak_from_the_zaaksysteem_says_where_to_change_its_status(local_stack: LocalStack, browser: Any):
    """The behandelaar's page of a case the zaaksysteem owns: no status form, a note that says where to change it."""
    _, mine = local_stack.call("GET", "/api/me/cases", local_stack.token("mark"))
    (zaak,) = [c for c in mine["cases"] if c["case_number"].startswith("ZAAK-")]
    page = browser.new_page(locale="nl-NL")
    page.goto(f"{local_stack.api}/werk/zaken/{zaak['id']}")
    shown(page.get_by_role("heading", name="Inloggen als testpersoon"))
    page.get_by_role("button", name="Anna Bakker").click()
    note = page.locator("#zaaksysteem-note")
    shown(note)
    assert "Wijzig de status, de termijn en de gemachtigden daar" in note.inner_text()
    assert zaak["case_number"] in note.inner_text()
    assert page.locator("#status-form").count() == 0
    check_page(page, "werk zaak uit het zaaksysteem")
    page.close()


def test_a_person_can_read_the_mailbox_as_a_page(local_stack: LocalStack):
    status, page = local_stack.call("GET", f"/dev/mailbox?to={MARK_EMAIL}")
    assert status == 200
    assert "<h1>Local mailbox</h1>" in page
    assert "SUB-" in page


def test_ctrl_c_after_the_walkthrough_stops_everything_within_seconds(local_stack: LocalStack):
    took = local_stack.stop(signal.SIGINT)
    assert local_stack.process.returncode == 0
    assert took < 10, f"stopping took {took:.1f} s"
    assert "[baken] stopped" in "".join(local_stack.output)
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"{local_stack.api}/api/health", timeout=2)
