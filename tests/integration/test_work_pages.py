"""The behandelaar's pages: the work list by deadline, and working on a case with a preview of exactly what
the applicant will receive — over HTTP through the Chalice test client, on moto, with the stream read back."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from chalicelib import wiring
from tests.integration.browsing import CASE, Browser, csrf_token, log_in, redirect_target
from tests.integration.conftest import PERSONAS, headers, mailbox, register_personas

WATERSCHAP = "Voor uw plan is ook een vergunning van het waterschap nodig."


def _case(client, persona: str = "anna", **changes) -> dict:
    register_personas("mark")
    body = {**CASE, "initiator": PERSONAS["mark"].claims["sub"], **changes}
    created = client.http.post("/api/cases", headers=headers(persona), body=json.dumps(body))
    assert created.status_code == 201, created.body
    return json.loads(created.body)


def _anna(client, start: str = "/werk") -> Browser:
    anna = Browser(client)
    log_in(anna, "anna", start=start)
    return anna


def _messages(client, case_id: str) -> list[str]:
    """The messages on the case, read back through the staff API."""
    case = json.loads(client.http.get(f"/api/cases/{case_id}", headers=headers("anna")).body)
    return [entry["text"] for entry in case["timeline"] if entry["kind"] == "message"]


def _on_case_page(client, case: dict) -> tuple[Browser, str, str]:
    """Anna, logged in on the case's page: her browser, the page's path and the session's CSRF token."""
    path = f"/werk/zaken/{case['id']}"
    anna = _anna(client, start=path)
    return anna, path, csrf_token(anna.get(path).body.decode())


def _outbox_size(case_id: str) -> int:
    return len(wiring.adapters().outbox.for_case(case_id))


def test_the_work_list_puts_the_first_deadline_on_top_and_marks_overdue_and_nearly_due(client, daytime):
    today = daytime.now().date()
    late = _case(client, omschrijving="Te laat", startdatum=(today - timedelta(days=400)).isoformat())
    near = _case(client, omschrijving="Bijna", startdatum=(today - timedelta(weeks=13, days=-4)).isoformat())
    fresh = _case(client, omschrijving="Net binnen")
    someone_elses = _case(client, persona="pieter", omschrijving="Van Pieter")

    page = _anna(client).get("/werk").body.decode()

    rows = re.findall(r'href="/werk/zaken/([0-9a-f-]+)"', page)
    assert rows == [late["id"], near["id"], fresh["id"]]
    assert someone_elses["id"] not in page
    assert re.search(r"<strong>1</strong> te laat", page)
    assert re.search(r"<strong>1</strong> binnen 7 dagen klaar", page)
    assert page.count("baken-badge--problem") == page.count('baken-badge--problem">Te laat') == 1
    assert page.count('baken-badge--action">Bijna') == 1


def test_a_closed_case_leaves_the_work_list(client):
    case = _case(client)
    closed = client.http.post(
        f"/api/cases/{case['id']}/status", headers=headers("anna"), body=json.dumps({"statustype": "besluit-genomen"})
    )
    assert closed.status_code == 201
    assert case["id"] not in _anna(client).get("/werk").body.decode()


def test_the_preview_shows_the_applicants_email_and_berichtenbox_message_and_saves_nothing(client, pipeline):
    case = _case(client)
    pipeline.run()
    anna, path, csrf = _on_case_page(client, case)
    sent_before, outbox_before = len(mailbox()), _outbox_size(case["id"])
    fields = {
        "csrf": csrf,
        "text": WATERSCHAP,
        "link_url": "https://omgevingswet.overheid.nl/loket",
        "link_label": "Omgevingsloket",
        "actie": "voorbeeld",
    }

    # WHEN Anna asks what Mark would get
    preview = anna.post(f"{path}/bericht", fields)

    # THEN she sees his e-mail (information-lean: the case number, no contents) and his berichtenbox message
    assert preview.status_code == 200
    page = preview.body.decode()
    assert "Voorbeeld: dit krijgt de aanvrager" in page
    assert '<h5 class="utrecht-heading-5">E-mail</h5>' in page
    assert '<h5 class="utrecht-heading-5">Berichtenbox</h5>' in page
    email_part = page.split('<h5 class="utrecht-heading-5">E-mail</h5>')[1].split("<h5")[0]
    assert case["case_number"] in email_part
    assert WATERSCHAP not in email_part
    portal_part = page.split('<h5 class="utrecht-heading-5">Berichtenbox</h5>')[1]
    assert WATERSCHAP in portal_part
    assert "token=voorbeeld" in email_part  # no working unsubscribe link handed to the behandelaar
    # what she typed is still in the form, and nothing was saved or sent
    assert WATERSCHAP in page.split('id="message-form"')[1]
    assert _outbox_size(case["id"]) == outbox_before
    pipeline.run()
    assert len(mailbox()) == sent_before
    assert _messages(client, case["id"]) == []


def test_sending_after_the_preview_sends_what_the_preview_showed(client, pipeline):
    case = _case(client)
    pipeline.run()
    anna, path, csrf = _on_case_page(client, case)
    fields = {"csrf": csrf, "text": WATERSCHAP, "actie": "voorbeeld"}
    previewed = anna.post(f"{path}/bericht", fields).body.decode()
    subject = re.search(r"<strong>Onderwerp:</strong> ([^<]+)</p>", previewed)
    assert subject

    sent = anna.post(f"{path}/bericht", {**fields, "actie": "versturen"})
    assert redirect_target(sent) == f"{path}?opgeslagen=bericht"
    assert "Het bericht is verstuurd." in anna.get(f"{path}?opgeslagen=bericht").body.decode()
    pipeline.run()
    mail = mailbox(PERSONAS["mark"].email)[0]  # newest first
    assert mail.subject == subject.group(1).replace("&#39;", "'").replace("&amp;", "&")


def test_a_status_without_informeren_tells_the_applicant_nothing_and_the_preview_says_so(client):
    case = _case(client)
    anna, path, csrf = _on_case_page(client, case)
    fields = {"csrf": csrf, "statustype": "advies-gevraagd", "actie": "voorbeeld"}
    page = anna.post(f"{path}/status", fields).body.decode()
    assert "De aanvrager krijgt hier geen bericht over." in page


def test_setting_the_status_reaches_the_stream_and_marks_the_document_received(client, pipeline):
    case = _case(client)
    anna, path, csrf = _on_case_page(client, case)

    asked = anna.post(f"{path}/documenten", {"csrf": csrf, "omschrijving": "Begroting 2027", "actie": "versturen"})
    assert redirect_target(asked) == f"{path}?opgeslagen=documenten"
    changed = anna.post(f"{path}/status", {"csrf": csrf, "statustype": "aanvullende-informatie-nodig", "actie": "versturen"})
    assert redirect_target(changed) == f"{path}?opgeslagen=status"
    pipeline.run()
    kinds = {
        n.event_kind.value
        for n in wiring.adapters().outbox.for_case(case["id"])
        if n.subscriber_id == PERSONAS["mark"].claims["sub"]
    }
    assert {"documents_requested", "status_changed"} <= kinds

    document = json.loads(client.http.get(f"/api/cases/{case['id']}", headers=headers("anna")).body)["missing_documents"][0]
    received = anna.post(f"{path}/documenten/{document['id']}/ontvangen", {"csrf": csrf})
    assert redirect_target(received) == f"{path}?opgeslagen=ontvangen"
    assert json.loads(client.http.get(f"/api/cases/{case['id']}", headers=headers("anna")).body)["missing_documents"] == []


def test_invalid_input_is_shown_on_the_form_with_the_field_named_and_nothing_changes(client):
    case = _case(client)
    anna, path, csrf = _on_case_page(client, case)

    answer = anna.post(
        f"{path}/bericht", {"csrf": csrf, "text": "Zie link", "link_url": "javascript:alert(1)", "link_label": "x"}
    )

    assert answer.status_code == 400
    page = answer.body.decode()
    assert '<a href="#link_url">Link (niet verplicht, begint met https://): ' in page  # named as on the form
    assert 'value="javascript:alert(1)" aria-describedby="link_url-error" aria-invalid="true"' in page
    stale = anna.post(f"{path}/documenten", {"csrf": csrf, "omschrijving": "Begroting", "due": "2001-01-01"})
    assert stale.status_code == 400
    assert 'href="#due"' in stale.body.decode()
    assert _messages(client, case["id"]) == []


def test_forms_need_the_sessions_csrf_token(client):
    case = _case(client)
    anna = _anna(client, start=f"/werk/zaken/{case['id']}")
    forged = anna.post(f"/werk/zaken/{case['id']}/bericht", {"text": WATERSCHAP})
    assert forged.status_code == 403
    assert _messages(client, case["id"]) == []


def test_another_behandelaar_sees_the_case_but_cannot_change_it(client):
    case = _case(client)
    pieter = Browser(client)
    log_in(pieter, "pieter", start=f"/werk/zaken/{case['id']}")
    page = pieter.get(f"/werk/zaken/{case['id']}").body.decode()
    assert "Een collega behandelt deze zaak." in page
    assert 'id="message-form"' not in page
    csrf = csrf_token(pieter.get("/werk").body.decode())
    refused = pieter.post(f"/werk/zaken/{case['id']}/bericht", {"csrf": csrf, "text": WATERSCHAP})
    assert refused.status_code == 403
    assert _messages(client, case["id"]) == []


def test_applicants_and_the_kcc_cannot_use_the_behandelaar_pages(client):
    case = _case(client)
    for persona in ("mark", "sanne"):
        browser = Browser(client)
        log_in(browser, persona, start="/werk")
        assert browser.get("/werk").status_code == 403
        assert browser.get(f"/werk/zaken/{case['id']}").status_code == 403


def test_the_pages_speak_english_too(client):
    case = _case(client)
    anna = _anna(client)
    assert "My work list" in anna.get("/werk?lang=en").body.decode()
    assert "See what the applicant gets" in anna.get(f"/werk/zaken/{case['id']}?lang=en").body.decode()


def test_the_behandelaar_sees_a_kcc_call_on_the_timeline_with_its_tags_and_confidentiality(client):
    case = _case(client)
    call = {
        "kanaal": "telefoon",
        "onderwerp": "Vergunning waterschap",
        "inhoud": "Uitgelegd hoe het Omgevingsloket werkt.",
        "vertrouwelijk": True,
        "tags": ["dso"],
    }
    recorded = client.http.post(f"/api/cases/{case['id']}/contact-moments", headers=headers("sanne"), body=json.dumps(call))
    assert recorded.status_code == 201, recorded.body
    page = _anna(client, start=f"/werk/zaken/{case['id']}").get(f"/werk/zaken/{case['id']}").body.decode()
    assert "Uitgelegd hoe het Omgevingsloket werkt." in page
    assert "Labels: dso" in page
    assert "Vertrouwelijk" in page


def test_a_status_the_case_already_has_is_refused_on_the_page_not_reported_as_done(client, pipeline):
    case = _case(client)
    pipeline.run()
    anna, path, csrf = _on_case_page(client, case)
    outbox = _outbox_size(case["id"])

    same = anna.post(f"{path}/status", {"csrf": csrf, "statustype": "ontvangen", "toelichting": "Nog even geduld."})

    assert same.status_code == 409
    assert "Dit verandert niets aan de zaak. Kies iets anders." in same.body.decode()
    assert "Nog even geduld." in same.body.decode()  # what she typed is kept
    pipeline.run()
    assert _outbox_size(case["id"]) == outbox


def test_previewing_an_action_without_a_message_does_nothing(client):
    case = _case(client)
    anna, path, csrf = _on_case_page(client, case)
    anna.post(f"{path}/documenten", {"csrf": csrf, "omschrijving": "Begroting 2027"})
    (document,) = json.loads(client.http.get(f"/api/cases/{case['id']}", headers=headers("anna")).body)["missing_documents"]

    shown = anna.post(f"{path}/documenten/{document['id']}/ontvangen", {"csrf": csrf, "actie": "voorbeeld"})

    assert shown.status_code == 200
    assert len(json.loads(client.http.get(f"/api/cases/{case['id']}", headers=headers("anna")).body)["missing_documents"]) == 1


def test_too_much_form_data_is_a_page_saying_so_not_an_error(client):
    case = _case(client)
    anna, path, csrf = _on_case_page(client, case)
    many = anna.post(f"{path}/bericht", {"csrf": csrf, **{f"veld{i}": "x" for i in range(30)}})
    huge = anna.post(f"{path}/bericht", {"csrf": csrf, "text": "x" * 70_000})
    for answer in (many, huge):
        assert answer.status_code == 413
        assert answer.headers["Content-Type"].startswith("text/html")
        assert "U stuurde te veel gegevens in één keer." in answer.body.decode()


def test_a_message_that_is_too_long_says_how_long_it_may_be_in_bytes(client):
    case = _case(client)
    anna, path, csrf = _on_case_page(client, case)
    # 2,001 emoji: 8,004 bytes in UTF-8, over the 8,000 a message may take
    answer = anna.post(f"{path}/bericht", {"csrf": csrf, "text": "\U0001f600" * 2001})
    assert answer.status_code == 400
    page = answer.body.decode()
    assert "Deze tekst is te lang (maximaal 8000 bytes)." in page
    assert "{max" not in page


def test_after_a_form_the_language_link_and_the_way_back_from_login_open_the_forms_page(client):
    case = _case(client)
    anna, path, csrf = _on_case_page(client, case)
    preview = anna.post(f"{path}/bericht", {"csrf": csrf, "text": WATERSCHAP, "actie": "voorbeeld"}).body.decode()
    assert f'href="{path}?lang=en"' in preview

    expired = Browser(client).post(f"{path}/bericht", {"csrf": csrf, "text": WATERSCHAP})
    assert redirect_target(expired) == f"/inloggen?next={path.replace('/', '%2F')}"

    english = anna.post(f"{path}/bericht?lang=en", {"csrf": csrf, "text": WATERSCHAP})
    assert redirect_target(english) == f"{path}?opgeslagen=bericht&lang=en"


def test_the_delivery_table_lists_what_the_parties_got_in_words_not_what_followers_got(client, pipeline):
    register_personas("mark", "jan")
    follow = {"topics": ["vergunningen"], "gemeenten": ["GM1581"]}
    assert client.http.post("/api/me/subscriptions", headers=headers("jan"), body=json.dumps(follow)).status_code == 201
    case = _case(client, zaaktype="ontgrondingsvergunning", omschrijving="Zandwinning")
    decided = client.http.post(
        f"/api/cases/{case['id']}/status", headers=headers("anna"), body=json.dumps({"statustype": "besluit-genomen"})
    )
    assert decided.status_code == 201
    pipeline.run()
    followers = [n for n in wiring.adapters().outbox.for_case(case["id"]) if n.subscriber_id == PERSONAS["jan"].claims["sub"]]
    assert followers  # Jan, who follows permits there, was told of the public decision

    page = _anna(client, start=f"/werk/zaken/{case['id']}").get(f"/werk/zaken/{case['id']}").body.decode()
    table = page.split('id="deliveries-title"')[1].split("</table>")[0]
    rows = re.findall(r"<tr class=\"utrecht-table__row\">", table)
    parties = [n for n in wiring.adapters().outbox.for_case(case["id"]) if n.subscriber_id == PERSONAS["mark"].claims["sub"]]
    assert len(rows) == 1 + len(parties)  # the header row and Mark's notifications, not Jan's
    assert "Afgeleverd" in table
    assert "delivered" not in table


def test_a_work_list_longer_than_the_page_goes_on_on_the_next_page(client, monkeypatch):
    from chalicelib.services import case_queries

    monkeypatch.setattr(case_queries, "WORK_PAGE", 2)
    for _ in range(3):
        _case(client)
    page = _anna(client).get("/werk").body.decode()
    assert len(re.findall(r'href="/werk/zaken/[0-9a-f-]+"', page)) == 2
    assert 'rel="next">Volgende</a>' in page


def test_the_delivery_table_shows_the_newest_and_says_when_there_are_more(client, pipeline, monkeypatch):
    from chalicelib.web import views

    monkeypatch.setattr(views, "DELIVERIES_SHOWN", 2)
    case = _case(client)
    posted = client.http.post(f"/api/cases/{case['id']}/messages", headers=headers("anna"), body=json.dumps({"text": WATERSCHAP}))
    assert posted.status_code == 201
    pipeline.run()
    assert len(wiring.adapters().outbox.for_case(case["id"])) == 4  # received and the message, by e-mail and in the berichtenbox

    page = _anna(client, start=f"/werk/zaken/{case['id']}").get(f"/werk/zaken/{case['id']}").body.decode()
    table = page.split('id="deliveries-title"')[1].split("</table>")[0]
    assert table.count("Bericht van de behandelaar") == 2  # the newest two: the message, on both channels
    assert "Nieuwe status" not in table
    assert "Hier staan de 2 nieuwste berichten. Er zijn er meer." in page


def _timeline(page: str) -> str:
    """The part of a case page that shows what happened."""
    return page.split("Wat er is gebeurd", 1)[1]


def test_a_long_timeline_shows_its_newest_page_and_a_link_to_the_earlier_one_on_every_case_page(client, daytime):
    # GIVEN Mark's case with 24 status changes (25 statuses: more than the 20 a page shows)
    case = _case(client)
    for turn in range(24):
        daytime.advance(minutes=1)
        change = {"statustype": ("in-behandeling", "aanvullende-informatie-nodig")[turn % 2], "toelichting": f"Stap {turn}"}
        assert (
            client.http.post(f"/api/cases/{case['id']}/status", headers=headers("anna"), body=json.dumps(change)).status_code
            == 201
        )
    pages = {"anna": f"/werk/zaken/{case['id']}", "sanne": f"/kcc/zaken/{case['id']}", "mark": f"/mijn-zaken/{case['id']}"}
    for persona, path in pages.items():
        browser = Browser(client)
        log_in(browser, persona, start=path)
        # WHEN each opens the case page
        newest = _timeline(browser.get(path).body.decode())
        # THEN it shows the newest changes and a link to the earlier ones, which opens the page before them
        assert "Stap 23" in newest
        assert "Stap 3<" not in newest
        link = re.search(r'<a href="([^"]+)">Toon eerdere</a>', newest)
        assert link is not None, persona
        assert link.group(1).startswith(f"{path}?eerder=")
        earlier = browser.get(link.group(1).replace("&amp;", "&"))
        assert earlier.status_code == 200
        text = _timeline(earlier.body.decode())
        assert "Stap 3<" in text
        assert "Stap 23" not in text
        assert "Toon eerdere" not in text
