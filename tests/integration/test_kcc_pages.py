"""The KCC's pages: find a case by number or the cases of a caller by e-mail address, see what the applicant sees
and what Baken sent them, and record a contact moment (an internal note and tags only staff see, and an optional
sentence that is all the applicant sees of it)."""

from __future__ import annotations

import json
import re
from typing import Any

from tests.integration.browsing import CASE, Browser, csrf_token, log_in, redirect_target
from tests.integration.conftest import PERSONAS, headers, register_personas


def _marks_case(client) -> dict:
    register_personas("mark", "sanne")
    body = {**CASE, "initiator": PERSONAS["mark"].claims["sub"]}
    created = client.http.post("/api/cases", headers=headers("anna"), body=json.dumps(body))
    assert created.status_code == 201
    return json.loads(created.body)


def test_sanne_finds_marks_case_sees_what_went_out_and_records_the_call(client, pipeline):
    case = _marks_case(client)
    pipeline.run()
    sanne = Browser(client)
    log_in(sanne, "sanne", start="/kcc")

    # WHEN Sanne searches the case number
    found = sanne.get(f"/kcc?zaaknummer={case['case_number']}")
    case_path = redirect_target(found)
    assert case_path == f"/kcc/zaken/{case['id']}"
    page = sanne.get(case_path).body.decode()

    # THEN she sees the case as Mark does, and what Baken sent him and how it went
    assert "Stappen van deze zaak" in page
    assert "Wat de aanvrager van ons kreeg" in page
    assert re.search(r"<td[^>]*>Nieuwe status</td><td[^>]*>E-mail</td><td[^>]*>Afgeleverd", page)

    # AND the form says plainly which part Mark will see
    assert "De aanvrager ziet alleen de tekst voor de aanvrager." in page

    # WHEN she records his call: a note for colleagues, and a sentence for Mark
    fields = {
        "csrf": csrf_token(page),
        "kanaal": "telefoon",
        "vraagonderwerp": "andere-vergunningen",
        "inhoud": "Uitgelegd hoe hij de vergunning aanvraagt, hij twijfelt.",
        "for_applicant": "U belde ons over de vergunning van het waterschap.",
    }
    recorded = sanne.post(f"{case_path}/contactmomenten", fields)
    assert redirect_target(recorded) == f"{case_path}?vastgelegd=1"
    saved = sanne.get(f"{case_path}?vastgelegd=1").body.decode()
    assert "Het contactmoment staat bij de zaak." in saved
    assert "Uitgelegd hoe hij de vergunning aanvraagt, hij twijfelt." in saved
    assert "De aanvrager ziet" in saved
    assert "U belde ons over de vergunning van het waterschap." in saved

    # THEN Mark sees the sentence on his case's timeline, and nothing of the note or its subject
    mark = Browser(client)
    log_in(mark, "mark", start=f"/mijn-zaken/{case['id']}")
    marks_page = mark.get(f"/mijn-zaken/{case['id']}").body.decode()
    assert "Contact met de provincie" in marks_page
    assert "U belde ons over de vergunning van het waterschap." in marks_page
    assert "twijfelt" not in marks_page
    timeline = marks_page.split('class="baken-timeline"', 1)[1].split("</ul>", 1)[0]
    assert "Andere vergunningen voor mijn plan" not in timeline  # the onderwerp is for staff (his form offers it)
    # AND his JSON answer carries the same, and no more
    marks_json = client.http.get(f"/api/me/cases/{case['id']}", headers=headers("mark")).body.decode()
    assert "twijfelt" not in marks_json
    assert "Andere vergunningen voor mijn plan" not in marks_json
    assert "U belde ons over de vergunning van het waterschap." in marks_json


def test_a_call_recorded_without_a_sentence_for_the_applicant_is_not_on_their_timeline(client):
    case = _marks_case(client)
    sanne, case_path, csrf = _sanne_on(client, case)
    recorded = sanne.post(f"{case_path}/contactmomenten", {"csrf": csrf, **CALL, "for_applicant": "  "})
    assert redirect_target(recorded) == f"{case_path}?vastgelegd=1"
    assert "De aanvrager ziet dit contact niet." in sanne.get(case_path).body.decode()
    mark = Browser(client)
    log_in(mark, "mark", start=f"/mijn-zaken/{case['id']}")
    marks_page = mark.get(f"/mijn-zaken/{case['id']}").body.decode()
    assert "Contact met de provincie" not in marks_page
    assert "Uitgelegd waar." not in marks_page


def test_a_confidential_call_with_a_sentence_for_the_applicant_is_refused_at_the_field(client):
    case = _marks_case(client)
    sanne, case_path, csrf = _sanne_on(client, case)
    refused = sanne.post(
        f"{case_path}/contactmomenten", {"csrf": csrf, **CALL, "vertrouwelijk": "ja", "for_applicant": "U belde ons."}
    )
    assert refused.status_code == 400
    page = refused.body.decode()
    assert "<title>Fout: " in page
    assert '<a href="#for_applicant">Tekst voor de aanvrager (niet verplicht): Een vertrouwelijk contact' in page
    assert 'id="for_applicant-error"' in page
    assert 'aria-invalid="true"' in page
    assert ">U belde ons.</textarea>" in page  # what she typed is still there
    assert "Contact met de provincie" not in sanne.get(case_path).body.decode()


def test_a_case_number_that_does_not_exist_says_so_on_the_search_page(client):
    _marks_case(client)
    sanne = Browser(client)
    log_in(sanne, "sanne", start="/kcc")
    answer = sanne.get("/kcc?zaaknummer=SUB-2026-999999")
    assert answer.status_code == 404
    assert "Geen zaak met dit nummer." in answer.body.decode()


def test_an_applicant_cannot_use_the_kcc_pages(client):
    case = _marks_case(client)
    mark = Browser(client)
    log_in(mark, "mark")
    assert mark.get("/kcc").status_code == 403
    assert mark.get(f"/kcc/zaken/{case['id']}").status_code == 403


def test_a_contact_moment_needs_the_sessions_csrf_token_and_valid_fields(client):
    case = _marks_case(client)
    sanne = Browser(client)
    log_in(sanne, "sanne", start="/kcc")
    case_path = f"/kcc/zaken/{case['id']}"
    csrf = csrf_token(sanne.get(case_path).body.decode())

    forged = sanne.post(f"{case_path}/contactmomenten", {"kanaal": "telefoon", "vraagonderwerp": "termijn", "inhoud": "y"})
    assert forged.status_code == 403
    fields = {"csrf": csrf, "kanaal": "duif", "vraagonderwerp": "termijn", "inhoud": "y"}
    invalid = sanne.post(f"{case_path}/contactmomenten", fields)
    assert invalid.status_code == 400
    assert "kanaal" in invalid.body.decode()
    assert "Contact met de provincie" not in sanne.get(case_path).body.decode()


def _sanne_on(client, case: dict) -> tuple[Browser, str, str]:
    """Sanne logged in on the case's page: her browser, the page's path and its CSRF token."""
    sanne = Browser(client)
    log_in(sanne, "sanne", start="/kcc")
    case_path = f"/kcc/zaken/{case['id']}"
    return sanne, case_path, csrf_token(sanne.get(case_path).body.decode())


CALL = {"kanaal": "telefoon", "vraagonderwerp": "andere-vergunningen", "inhoud": "Uitgelegd waar."}


def test_tags_typed_with_commas_are_kept_clean_shown_to_staff_and_never_to_the_applicant(client):
    case = _marks_case(client)
    sanne, case_path, csrf = _sanne_on(client, case)

    # WHEN Sanne records the call with tags, typed as people type them
    recorded = sanne.post(f"{case_path}/contactmomenten", {"csrf": csrf, **CALL, "tags": " DSO, vergunning-waterschap,,dso, "})
    assert redirect_target(recorded) == f"{case_path}?vastgelegd=1"

    # THEN her page shows them, in lower case and once each
    assert "Labels: dso, vergunning-waterschap</span>" in sanne.get(case_path).body.decode()
    # AND Anna sees them on the case's timeline
    staff = json.loads(client.http.get(f"/api/cases/{case['id']}", headers=headers("anna")).body)
    (contact,) = [entry["contact"] for entry in staff["timeline"] if entry["kind"] == "contact"]
    assert contact["tags"] == ["dso", "vergunning-waterschap"]
    # AND Mark sees nothing of it: no sentence was written for him
    mark = Browser(client)
    log_in(mark, "mark", start=f"/mijn-zaken/{case['id']}")
    marks_page = mark.get(f"/mijn-zaken/{case['id']}").body.decode()
    assert "Contact met de provincie" not in marks_page
    assert "vergunning-waterschap" not in marks_page
    assert "Labels" not in marks_page


def test_a_confidential_contact_is_marked_as_such_for_the_kcc(client):
    case = _marks_case(client)
    sanne, case_path, csrf = _sanne_on(client, case)
    sanne.post(f"{case_path}/contactmomenten", {"csrf": csrf, **CALL, "vertrouwelijk": "ja"})
    assert "Vertrouwelijk: de aanvrager ziet dit niet." in sanne.get(case_path).body.decode()


def test_wrong_tags_are_named_on_the_page_and_nothing_is_recorded(client, app_log):
    case = _marks_case(client)
    sanne, case_path, csrf = _sanne_on(client, case)
    refused = sanne.post(f"{case_path}/contactmomenten", {"csrf": csrf, **CALL, "tags": "dso, twee woorden"})
    assert refused.status_code == 400
    page = refused.body.decode()
    assert '<a href="#tags">Labels (niet verplicht): Een label heeft alleen letters, cijfers en streepjes' in page
    assert 'value="dso, twee woorden"' in page  # what she typed is still there
    assert "Contact met de provincie" not in sanne.get(case_path).body.decode()
    assert [(a["action"], a["result"]) for a in app_log.audit() if a["action"] == "record_contact_moment"] == [
        ("record_contact_moment", 400)
    ]


def _search(browser: Browser, term: str) -> Any:
    page = browser.get("/kcc").body.decode()
    return browser.post("/kcc", {"csrf": csrf_token(page), "zoek": term})


def test_sanne_finds_marks_cases_by_the_address_he_gets_our_messages_at(client, app_log):
    case = _marks_case(client)
    second = json.loads(
        client.http.post(
            "/api/cases",
            headers=headers("anna"),
            body=json.dumps(
                {**CASE, "initiator": PERSONAS["fatima"].claims["sub"], "co_initiators": [PERSONAS["mark"].claims["sub"]]}
            ),
        ).body
    )
    sanne = Browser(client)
    log_in(sanne, "sanne", start="/kcc")
    address = str(PERSONAS["mark"].email)

    # WHEN Sanne searches the address Mark gives her, as he says it
    found = _search(sanne, f" {address.upper()} ")

    # THEN she gets the list of his cases, each linking to its page
    assert found.status_code == 200
    page = found.body.decode()
    assert "Zaken bij dit e-mailadres" in page
    for each in (case, second):
        assert f'<a class="utrecht-link" href="/kcc/zaken/{each["id"]}">{each["case_number"]}</a>' in page
    assert "Subsidie duurzame recreatie" in page
    # AND the search is in the audit log, while the address is in no log line at all
    (line,) = [a for a in app_log.audit() if a["action"] == "find_cases_by_email"]
    assert (line["actor"], line["object"], line["result"]) == (PERSONAS["sanne"].claims["sub"], "/kcc", 200)
    assert app_log.lines()
    assert not [text for text in app_log.lines() if address in text.lower()]


def test_an_address_without_cases_says_nothing_was_found(client):
    _marks_case(client)
    register_personas("jan")
    sanne = Browser(client)
    log_in(sanne, "sanne", start="/kcc")
    for address in ("niemand@example.org", str(PERSONAS["jan"].email)):  # nobody, and somebody without cases
        answer = _search(sanne, address)
        assert answer.status_code == 404
        assert "Wij vinden geen zaken bij dit e-mailadres." in answer.body.decode()
    wrong = _search(sanne, "mark@@example")
    assert wrong.status_code == 400
    assert "Dit is geen geldig e-mailadres." in wrong.body.decode()


def test_the_same_search_form_still_opens_a_case_by_its_number(client):
    case = _marks_case(client)
    sanne = Browser(client)
    log_in(sanne, "sanne", start="/kcc")
    assert redirect_target(_search(sanne, case["case_number"])) == f"/kcc/zaken/{case['id']}"
    assert _search(sanne, "SUB-2026-999999").status_code == 404


def test_an_applicant_cannot_search_by_address_and_a_forged_search_is_refused(client, app_log):
    _marks_case(client)
    mark = Browser(client)
    log_in(mark, "mark")
    csrf = csrf_token(mark.get("/mijn-zaken").body.decode())
    refused = mark.post("/kcc", {"csrf": csrf, "zoek": str(PERSONAS["jan"].email)})
    assert refused.status_code == 403
    assert "Deze pagina is voor medewerkers van de provincie." in refused.body.decode()
    sanne = Browser(client)
    log_in(sanne, "sanne", start="/kcc")
    assert sanne.post("/kcc", {"zoek": str(PERSONAS["mark"].email)}).status_code == 403  # no CSRF token
    assert [(a["actor"], a["result"]) for a in app_log.audit() if a["action"] == "find_cases_by_email"] == [
        (PERSONAS["mark"].claims["sub"], 403),
        (PERSONAS["sanne"].claims["sub"], 403),
    ]
